"""Note file bytes to text: UTF-8, BOMs, damaged and legacy encodings, binary files."""

from __future__ import annotations

import codecs

from studytool.parsing import ParseWarning, decode_note_bytes


def test_utf8_decodes_without_warnings() -> None:
    assert decode_note_bytes("perché ==è== 🌐\n".encode(), "n.md") == ("perché ==è== 🌐\n", [])


def test_utf8_bom_is_dropped() -> None:
    data = codecs.BOM_UTF8 + b"---\ntags: [a]\n---\n"
    assert decode_note_bytes(data, "n.md") == ("---\ntags: [a]\n---\n", [])


def test_utf16_with_bom_decodes() -> None:
    data = "# Título\n".encode("utf-16")
    assert decode_note_bytes(data, "n.md") == ("# Título\n", [])


def test_windows_1252_text_is_decoded_with_a_warning_on_the_first_bad_line() -> None:
    data = "line one\nline two\ncaf\u00e9 \u201cquoted\u201d\n".encode("cp1252")
    text, warnings = decode_note_bytes(data, "AWS/old.md")
    assert text == "line one\nline two\ncafé “quoted”\n"
    assert warnings == [
        ParseWarning(
            "AWS/old.md", 3, "not valid UTF-8 (first bad byte 0xE9); decoded as Windows-1252"
        )
    ]


def test_bytes_undefined_in_cp1252_fall_back_to_latin1() -> None:
    text, warnings = decode_note_bytes(b"a\x81b\xe9", "n.md")
    assert text == "a\x81bé"
    assert len(warnings) == 1


def test_damaged_utf8_keeps_the_good_characters_and_says_so() -> None:
    data = "ok 🌐\nbroken ".encode() + b"\xff" + " più\n".encode()
    text, warnings = decode_note_bytes(data, "n.md")
    assert text == "ok 🌐\nbroken \ufffd più\n"
    assert [(w.line, w.message) for w in warnings] == [
        (2, "not valid UTF-8 (first bad byte 0xFF); decoded as UTF-8 with replacement characters")
    ]


def test_nul_bytes_mean_binary() -> None:
    data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    assert decode_note_bytes(data, "img.md") == (
        None,
        [ParseWarning("img.md", 1, "binary file, skipped")],
    )


def test_mostly_control_characters_mean_binary() -> None:
    data = bytes(range(1, 32)) * 20 + b"some text"
    text, warnings = decode_note_bytes(data, "x.md")
    assert text is None
    assert warnings[0].message == "binary file, skipped"


def test_text_with_tabs_and_escape_sequences_is_not_binary() -> None:
    data = b"\t- item\r\n\t\t- child \x1b[1m\r\n"
    assert decode_note_bytes(data, "x.md") == (data.decode(), [])


def test_empty_file_is_empty_text() -> None:
    assert decode_note_bytes(b"", "x.md") == ("", [])
