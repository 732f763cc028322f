"""Note text as safe HTML: escaping, the Markdown subset, cloze markup."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from studytool.export.render import (
    ClozeSpan,
    image_tag,
    obsidian_link,
    render_cloze,
    render_context,
    render_inline,
    render_source,
)


def test_markdown_bold_italic_code_and_http_links_render() -> None:
    assert (
        render_inline("**bold** *it* `a<b`")
        == "<strong>bold</strong> <em>it</em> <code>a&lt;b</code>"
    )
    assert render_inline("[docs](https://docs.aws.amazon.com/vpc/?a=1&b=2)") == (
        '<a href="https://docs.aws.amazon.com/vpc/?a=1&amp;b=2">docs</a>'
    )
    assert render_inline("<https://aws.amazon.com>") == (
        '<a href="https://aws.amazon.com">https://aws.amazon.com</a>'
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("[x](javascript:alert(1))", "[x](javascript:alert(1))"),
        ("[x](JAVASCRIPT:alert(1))", "[x](JAVASCRIPT:alert(1))"),
        ("[x](obsidian://open?vault=v)", "[x](obsidian://open?vault=v)"),
        ("[x](data:text/html;base64,PHNjcmlwdD4=)", "[x](data:text/html;base64,PHNjcmlwdD4=)"),
        ("&#60;script&#62;", "&lt;script&gt;"),
        ("{{c1::x}} {{Text}}", "&#123;&#123;c1::x&#125;&#125; &#123;&#123;Text&#125;&#125;"),
        ("a\nb", "a<br>b"),
        ('don\'t & "quote"', "don't &amp; &quot;quote&quot;"),
        ('don\'t "quote"', 'don\'t "quote"'),
    ],
)
def test_user_text_never_becomes_markup(text: str, expected: str) -> None:
    assert render_inline(text) == expected


@given(st.text(max_size=60))
def test_rendered_text_has_no_raw_tags_but_ours_and_no_braces(text: str) -> None:
    rendered = render_inline(text)
    assert "{" not in rendered and "}" not in rendered
    for tag in ("<script", "<img", "<iframe", "<svg", "<div", "onerror="):
        assert tag not in rendered.lower()


def test_cloze_spans_become_numbered_deletions() -> None:
    text = "A NAT gateway needs an Elastic IP in a public subnet"
    spans = [ClozeSpan(39, 52, 2), ClozeSpan(23, 33, 1)]
    assert render_cloze(text, spans) == (
        "A NAT gateway needs an {{c1::Elastic IP}} in a {{c2::public subnet}}"
    )


def test_cloze_content_is_escaped_and_colons_cannot_start_a_hint() -> None:
    text = "IPv6 default route is ::/0 to <eigw>"
    assert render_cloze(text, [ClozeSpan(22, 26, 1)]) == (
        "IPv6 default route is {{c1::&#58;&#58;/0}} to &lt;eigw&gt;"
    )
    assert render_cloze("x }} y", [ClozeSpan(0, 4, 3)]) == "{{c3::x &#125;&#125;}} y"


def test_markdown_around_and_inside_a_cloze_renders() -> None:
    assert render_cloze("**NAT** supports `port 22`", [ClozeSpan(17, 26, 1)]) == (
        "<strong>NAT</strong> supports {{c1::<code>port 22</code>}}"
    )


def test_private_use_characters_cannot_pose_as_cloze_markers() -> None:
    text = "a\ue101b\ue000 c"
    assert render_cloze(text, [ClozeSpan(5, 6, 1)]) == "a\ufffdb\ufffd {{c1::c}}"


def test_bad_spans_are_refused() -> None:
    with pytest.raises(ValueError, match="overlap"):
        render_cloze("abcdef", [ClozeSpan(0, 3, 1), ClozeSpan(2, 4, 2)])
    with pytest.raises(ValueError, match="outside"):
        render_cloze("abc", [ClozeSpan(1, 9, 1)])


def test_context_source_and_images() -> None:
    assert render_context(("NAT gateway", "", "Basics <b>")) == (
        '<div class="st-ctx st-d0">NAT gateway</div>'
        '<div class="st-ctx st-d2">Basics &lt;b&gt;</div>'
    )
    assert obsidian_link("/home/me/My Vault", "AWS/Net working/NAT.md") == (
        "obsidian://open?vault=My%20Vault&file=AWS%2FNet%20working%2FNAT"
    )
    assert (
        render_source("a/<b>.md", 3, None) == '<span class="st-source-path">a/&lt;b&gt;.md:3</span>'
    )
    assert render_source("n.md", 7, "/v") == (
        '<a class="st-source-link" href="obsidian://open?vault=v&amp;file=n">n.md:7</a>'
    )
    assert image_tag('a "b".png', 300) == '<img src="a &quot;b&quot;.png" width="300">'
