"""[MS-OVBA] 2.4.1 compression: how VBA source is stored inside vbaProject.bin.

Written here because the packages on PyPI were checked and found wanting (see
../shared/excel-notes.md): one produces streams oletools cannot decode, the
others are AGPL or unlicensed. The oracle in the tests is oletools' own
decompressor, and LibreOffice reading the modules back.
"""

from __future__ import annotations

CHUNK = 4096
_MIN_MATCH = 3


def _copy_token_split(position: int) -> tuple[int, int]:
    """(bit count of the offset, longest match) for a copy token at `position` within its chunk (2.4.1.3.19.1)."""
    bit_count = max((position - 1).bit_length(), 4)
    return bit_count, (0xFFFF >> bit_count) + _MIN_MATCH


def _longest_match(chunk: bytes, position: int, candidates: list[int], longest: int) -> tuple[int, int]:
    best_length, best_offset = 0, 0
    limit = min(longest, len(chunk) - position)
    for start in reversed(candidates):
        length = 0
        while length < limit and chunk[start + length] == chunk[position + length]:
            length += 1
        if length > best_length:
            best_length, best_offset = length, position - start
            if length == limit:
                break
    return best_offset, best_length


def _compress_chunk(chunk: bytes) -> bytes:
    out = bytearray()
    seen: dict[bytes, list[int]] = {}
    position = 0
    indexed = 0

    def remember(upto: int) -> None:
        nonlocal indexed
        while indexed < upto:
            if indexed + _MIN_MATCH <= len(chunk):
                seen.setdefault(chunk[indexed : indexed + _MIN_MATCH], []).append(indexed)
            indexed += 1

    while position < len(chunk):
        flag_at = len(out)
        out.append(0)
        for bit in range(8):
            if position >= len(chunk):
                break
            bit_count, longest = _copy_token_split(position)
            candidates = seen.get(chunk[position : position + _MIN_MATCH], []) if position > 0 else []
            offset, length = _longest_match(chunk, position, candidates, longest)
            if length >= _MIN_MATCH:
                token = ((offset - 1) << (16 - bit_count)) | (length - _MIN_MATCH)
                out += token.to_bytes(2, "little")
                out[flag_at] |= 1 << bit
                remember(position + length)
                position += length
            else:
                out.append(chunk[position])
                remember(position + 1)
                position += 1
    return bytes(out)


def compress(data: bytes) -> bytes:
    """A CompressedContainer holding `data`."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), CHUNK):
        chunk = data[start : start + CHUNK]
        body = _compress_chunk(chunk)
        if len(body) > CHUNK - 2:  # no gain: a raw chunk, which always holds 4096 bytes (NUL-padded, 2.4.1.3.10)
            out += (0x3000 | (CHUNK - 1)).to_bytes(2, "little") + chunk.ljust(CHUNK, b"\0")
        else:
            out += (0xB000 | (len(body) + 2 - 3)).to_bytes(2, "little") + body
    return bytes(out)
