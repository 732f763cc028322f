"""The rule registry: ids, statements, documentation pages, and the note statements they test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from studytool.locations import bundled_notes_dir
from studytool.model.rules import (
    Rule,
    all_rules,
    get_rule,
    plain_text,
    rule,
    rule_citation,
    rule_note_line,
    rule_note_location,
)

TESTS_DIR = Path(__file__).parent


def test_rule_ids_are_stable_kebab_case_and_documented() -> None:
    rules = all_rules()
    assert len(rules) >= 50
    for rule_id, found in rules.items():
        assert found.id == rule_id
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", rule_id), rule_id
        assert found.statement.endswith("."), rule_id
        assert found.doc_url.startswith("https://docs.aws.amazon.com/"), rule_id


def test_every_note_snippet_is_found_in_the_bundled_notes() -> None:
    notes_dir = bundled_notes_dir()
    missing = []
    for found in all_rules().values():
        if found.note is None:
            continue
        line = rule_note_line(found, notes_dir)
        if line is None:
            missing.append(f"{found.id}: {found.note.path}: {found.note.snippet!r}")
    assert missing == []


def test_every_rule_tests_a_bundled_note_statement() -> None:
    without = sorted(found.id for found in all_rules().values() if found.note is None)
    assert without == []


def test_the_rules_added_for_vpc_basics_cite_their_note_lines() -> None:
    """Route tables, filtering defaults, AZ outages and IPv6: statements of the bundled notes."""
    expected = {
        "route-longest-prefix": ("Route Tables and Filtering.md", "longest prefix"),
        "route-local": ("Route Tables and Filtering.md", "local route"),
        "subnet-main-route-table": ("Route Tables and Filtering.md", "main route table"),
        "security-group-default": ("Route Tables and Filtering.md", "default security group"),
        "network-acl-default": ("Route Tables and Filtering.md", "default network ACL"),
        "instance-availability": ("Route Tables and Filtering.md", "AZ outage"),
        "ipv6-address": ("Internet Gateway.md", "IPv6 CIDR block"),
    }
    for rule_id, (note_name, words) in expected.items():
        location = rule_note_location(rule_id)
        assert location is not None, rule_id
        path, line, statement = location
        assert path.name == note_name, rule_id
        assert words in statement, (rule_id, statement)
        raw = path.read_text(encoding="utf-8").splitlines()[line - 1]
        assert "<mark" in raw, rule_id  # a highlighted statement: it is also a card


def test_note_line_points_at_the_statement() -> None:
    location = rule_note_location("nat-gateway-zonal")
    assert location is not None
    path, line, statement = location
    assert path.name == "NAT Gateway.md"
    raw = path.read_text(encoding="utf-8").splitlines()[line - 1]
    assert "zonal" in raw and "<mark" in raw  # the highlighted line, markup and all
    assert statement.startswith("A NAT gateway is zonal")
    assert rule_citation("nat-gateway-zonal").startswith(f"NAT Gateway.md:{line}: A NAT gateway")


def test_snippets_are_searched_without_highlight_or_bold_markup(tmp_path: Path) -> None:
    note = tmp_path / "AWS" / "Networking" / "Site-to-Site VPN.md"
    note.parent.mkdir(parents=True)
    note.write_text(
        "# VPN\n\n- large tunnels need a connection that "
        "<mark>ends on a **transit gateway**</mark>\n",
        encoding="utf-8",
    )
    assert rule_note_line("vpn-large-needs-tgw", tmp_path) == 3
    assert plain_text("a ==b== <mark style='x'>c</mark>  **d**") == "a b c d"


def test_missing_note_file_or_snippet_gives_none(tmp_path: Path) -> None:
    assert rule_note_line("nat-gateway-zonal", tmp_path) is None
    note = tmp_path / "AWS" / "Networking" / "Route Tables and Filtering.md"
    note.parent.mkdir(parents=True)
    note.write_text("# Route tables\n\n- nothing about the local route here\n", encoding="utf-8")
    assert rule_note_line("route-local", tmp_path) is None  # the note lacks the snippet
    assert rule_citation("route-local", tmp_path) == get_rule("route-local").statement
    no_note = Rule("made-up-rule", "A rule with no note.", "https://docs.aws.amazon.com/x", None)
    assert rule_note_line(no_note) is None


def test_rule_function_returns_a_finding_tagged_with_its_id() -> None:
    from studytool.model.rulebook.vpn import vpn_tunnels

    assert vpn_tunnels.rule.id == "vpn-two-tunnels"  # type: ignore[attr-defined]
    assert isinstance(vpn_tunnels.rule, Rule)  # type: ignore[attr-defined]


def test_registering_an_id_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        rule("nat-gateway-zonal", "Again.", "https://docs.aws.amazon.com/x")


def test_docs_precision_is_recorded_where_the_documentation_says_more() -> None:
    more_precise = (
        "nat-gateway-public-subnet", "nat-gateway-primary-eip", "vgw-one-tunnel",
        "tgw-ecmp-support", "tgw-ecmp-needs-bgp", "vpn-routing-per-connection",
    )  # fmt: skip
    for rule_id in more_precise:
        assert get_rule(rule_id).docs_precision, rule_id


def test_every_rule_has_a_test_that_names_it() -> None:
    """One test per rule: each rule id appears in the rule test modules."""
    sources = "".join(
        path.read_text(encoding="utf-8") for path in TESTS_DIR.glob("test_model_rules_*.py")
    )
    untested = [rule_id for rule_id in all_rules() if f'"{rule_id}"' not in sources]
    assert untested == []
