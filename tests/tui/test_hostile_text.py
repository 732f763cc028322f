"""Note text is data: markup, HTML and terminal escapes in notes display literally."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.text import Text

from studytool.tui.widgets.cloze_card import ContextView, PromptView
from studytool.tui.widgets.literal import literal, visible
from tests.tui.conftest import Study, make_study, press, screen_text, settle, type_text

HOSTILE_NOTE = (
    "# Hostile [bold]heading[/]\n\n"
    "- [red]Markup[/red] like [bold]x[/] and [link=https://evil.example]click[/link] "
    "stays ==[bold]literal[/]==\n"
    "- ANSI \x1b[31mred\x1b[0m and `<script>alert(1)</script>` are ==ESC\x1b[31mred==\n"
)


@pytest.fixture
def hostile(tmp_path: Path) -> Iterator[Study]:
    result = make_study(tmp_path, {"[b]Deck/Hostile [x].md": HOSTILE_NOTE})
    yield result
    result.repository.close()


async def test_markup_in_notes_is_shown_as_typed(hostile: Study) -> None:
    async with hostile.app().run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        text = screen_text(pilot.app)
        assert (
            "[red]Markup[/red] like [bold]x[/] and [link=https://evil.example]click[/link] "
            "stays [...]" in text
        )
        assert "Hostile [bold]heading[/]" in text
        assert "[b]Deck/Hostile [x].md:3" in text
        prompt = pilot.app.screen.query_one(PromptView).render()
        assert not any(span.style and "link" in str(span.style) for span in prompt.spans)
        await type_text(pilot, "[bold]literal[/]")
        await press(pilot, "enter")
        assert "✓ exact" in screen_text(pilot.app)
        await press(pilot, "enter")
        # The second card: an ANSI escape and a script tag, shown as characters.
        text = screen_text(pilot.app)
        assert "ANSI ␛[31mred␛[0m and <script>alert(1)</script> are [...]" in text
        assert "\x1b" not in text
        await type_text(pilot, "[/]")
        await press(pilot, "enter")
        text = screen_text(pilot.app)
        assert "You typed  [/]" in text
        assert "Answer     ESC␛[31mred" in text
        await press(pilot, "enter")
    rows = hostile.log()
    assert [(row["quality"], row["typed_answer"]) for row in rows] == [
        (5, "[bold]literal[/]"),
        (1, "[/]"),
    ]


async def test_hostile_deck_names_in_the_picker_and_palette(hostile: Study) -> None:
    from textual.widgets import OptionList

    async with hostile.app().run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "escape", "d")
        options = pilot.app.screen.query_one(OptionList)
        names = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert names[1].startswith("[b]Deck ")
        await press(pilot, "escape", "ctrl+p")
        await type_text(pilot, "Deck: [b]")
        assert "Deck: [b]Deck" in screen_text(pilot.app)
        await press(pilot, "enter")
        assert pilot.app.scope.deck == "[b]Deck"


def test_literal_makes_control_characters_visible_one_for_one() -> None:
    raw = "a\x1b[31mb\x07c\td\x9be\x00f\nnext"
    shown = visible(raw)
    assert shown == "a␛[31mb␇c d\ufffde␀f\nnext"
    assert len(shown) == len(raw)
    text = literal("[bold]x[/]")
    assert isinstance(text, Text) and text.plain == "[bold]x[/]" and not text.spans


def test_context_view_folds_long_paths_and_keeps_text_literal() -> None:
    view = ContextView(("A [b]", "B", "C", "parent [/] bullet", "child"))
    view.get_component_rich_style = lambda *names, **kw: ""  # type: ignore[method-assign]
    lines = view.render().plain.splitlines()
    assert lines == ["A [b] › B › C", "  • parent [/] bullet", "    • child"]
