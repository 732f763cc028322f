"""Deck names, deck ids, tags and package file names in Anki's terms."""

from __future__ import annotations

from studytool.export.names import anki_deck_name, anki_tag, anki_tags, deck_id, package_file_name


def test_deck_paths_become_anki_hierarchies_and_never_default() -> None:
    assert anki_deck_name("AWS/Networking") == "AWS::Networking"
    assert anki_deck_name("A/B/C") == "A::B::C"
    assert anki_deck_name(" AWS // Networking ") == "AWS::Networking"
    assert anki_deck_name("") == "studytool"
    assert anki_deck_name(None) == "studytool"
    assert anki_deck_name("Default") == "studytool::Default"
    assert anki_deck_name("NAT gateway", prefix=("Scenarios",)) == "Scenarios::NAT gateway"


def test_deck_ids_are_stable_distinct_and_far_from_default() -> None:
    assert deck_id("AWS::Networking") == deck_id("AWS::Networking")
    assert deck_id("AWS::Networking") != deck_id("AWS")
    assert deck_id("AWS::Networking") == 1_835_224_824_357
    for name in ("AWS", "studytool", "Scenarios::NAT gateway"):
        assert 1 << 40 <= deck_id(name) < 1 << 41


def test_tags_use_underscores_and_nested_colons() -> None:
    assert anki_tag("colour/orange") == "colour::orange"
    assert anki_tag("#aws") == "aws"
    assert anki_tag("site to site/vpn") == "site_to_site::vpn"
    assert anki_tag("a//b/") == "a::b"
    assert anki_tag(" # ") is None
    assert anki_tags(["aws", "AWS", "colour/orange", "b c"]) == ["aws", "b_c", "colour::orange"]


def test_package_file_names_replace_slashes() -> None:
    assert package_file_name(None) == "studytool.apkg"
    assert package_file_name("AWS/Networking") == "AWS-Networking.apkg"
    assert package_file_name('a:b/"c"') == "a-b-c.apkg"
    assert package_file_name("/") == "studytool.apkg"
