"""Bytes of a note file to text, or a reason to skip it.

Order: UTF-8 with a BOM (the BOM dropped), UTF-16 with a BOM, plain UTF-8. Content with NUL
bytes or mostly control characters is binary: skipped with a warning. Other bytes that are not
UTF-8 are decoded anyway, with a warning naming the line of the first bad byte: as UTF-8 with
replacement characters when the file otherwise holds valid multi-byte UTF-8 (a damaged UTF-8
file), else as Windows-1252 (Latin-1 for the five bytes cp1252 leaves undefined), the usual
encoding of older Windows notes.
"""

from __future__ import annotations

import codecs

from studytool.parsing.model import ParseWarning

BINARY_MESSAGE = "binary file, skipped"
_SAMPLE_SIZE = 8192
_CONTROL_LIMIT = 0.05
_TEXT_CONTROLS = frozenset(b"\t\n\r\f\b\x1b")


def decode_note_bytes(data: bytes, path: str) -> tuple[str | None, list[ParseWarning]]:
    """Decode a note file's bytes; ``(None, [warning])`` when the file is binary."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), []
        except UnicodeDecodeError:
            data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError:
            pass
    if _looks_binary(data):
        return None, [ParseWarning(path, 1, BINARY_MESSAGE)]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as error:
        return _decode_damaged(data, error, path)


def _looks_binary(data: bytes) -> bool:
    sample = data[:_SAMPLE_SIZE]
    if b"\x00" in sample:
        return True
    if not sample:
        return False
    controls = sum(1 for byte in sample if (byte < 0x20 or byte == 0x7F))
    controls -= sum(sample.count(byte) for byte in _TEXT_CONTROLS)
    return controls / len(sample) > _CONTROL_LIMIT


def _decode_damaged(
    data: bytes, error: UnicodeDecodeError, path: str
) -> tuple[str, list[ParseWarning]]:
    line = data.count(b"\n", 0, error.start) + 1
    bad_byte = data[error.start]
    replaced = data.decode("utf-8", errors="replace")
    if any(ord(ch) > 0x7F and ch != "\ufffd" for ch in replaced):
        text = replaced
        how = "decoded as UTF-8 with replacement characters"
    else:
        text = data.decode("latin-1").translate(_CP1252_FROM_LATIN1)
        how = "decoded as Windows-1252"
    message = f"not valid UTF-8 (first bad byte 0x{bad_byte:02X}); {how}"
    return text, [ParseWarning(path, line, message)]


def _cp1252_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for byte in range(0x80, 0xA0):
        try:
            table[byte] = bytes((byte,)).decode("cp1252")
        except UnicodeDecodeError:
            continue
    return table


_CP1252_FROM_LATIN1 = _cp1252_table()
