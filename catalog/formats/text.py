"""Turn the bytes of a notebook file into text, or say clearly why they are not text.

Both notebook formats are UTF-8 text (JSON for `.ipynb`, YAML for `.deepnote`), so the
checks for empty files, binary junk and other encodings live here, once.
"""

from __future__ import annotations

import codecs

from catalog.formats.model import FormatError

# Bytes that never appear in a text file (C0 controls other than tab, newlines, form feed
# and escape). A sample dominated by them is binary, whatever else it is.
_CONTROL_BYTES = frozenset(range(0x00, 0x09)) | (frozenset(range(0x0E, 0x20)) - {0x1B})
_SAMPLE_SIZE = 4096
_BINARY_CONTROL_RATIO = 0.1
_CONTROL_TABLE = bytes(sorted(_CONTROL_BYTES))

_UTF16_32_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def decode_text(data: bytes) -> str:
    """Decode a notebook file's bytes as UTF-8 text.

    A UTF-8 byte order mark is accepted and dropped.

    Args:
        data: the whole file.

    Returns:
        The text of the file.

    Raises:
        FormatError: the file is empty, binary, or not UTF-8.

    Examples:
        >>> decode_text(b'{"cells": []}')
        '{"cells": []}'
        >>> decode_text(b"")
        Traceback (most recent call last):
        ...
        catalog.formats.model.FormatError: File is empty
    """
    if not data:
        raise FormatError("File is empty")
    if data.isspace():
        raise FormatError("File is empty (only whitespace)")
    for bom, encoding in _UTF16_32_BOMS:
        if data.startswith(bom):
            raise FormatError(f"File is {encoding} text; notebooks must be saved as UTF-8")
    if b"\x00" in data:
        raise FormatError("File looks binary (it contains NUL bytes), not like a notebook")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if _looks_binary(data):
            raise FormatError("File looks binary, not like a notebook") from None
        line = data.count(b"\n", 0, error.start) + 1
        raise FormatError(
            f"File is not UTF-8 text: byte 0x{data[error.start]:02x} at offset {error.start} "
            f"(line {line}) cannot be decoded; save the notebook as UTF-8"
        ) from None
    if _looks_binary(data):
        raise FormatError("File looks binary, not like a notebook")
    if not text or text.isspace():  # only a byte order mark, perhaps with whitespace
        raise FormatError("File is empty (only whitespace)")
    return text


def _looks_binary(data: bytes) -> bool:
    sample = data[:_SAMPLE_SIZE]
    controls = len(sample) - len(sample.translate(None, _CONTROL_TABLE))  # C speed
    return controls > len(sample) * _BINARY_CONTROL_RATIO
