"""[MS-CFB] version 3 compound files, the container vbaProject.bin is stored in.

Write-only and deterministic (no timestamps): streams under 4096 bytes go to the
mini stream, larger ones to 512-byte sectors; siblings form a balanced binary
tree whose deepest level is red, which keeps the red-black invariants.
"""

from __future__ import annotations

import struct

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
FREE, END_OF_CHAIN, FAT_SECTOR = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
NO_STREAM = 0xFFFFFFFF
_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
STORAGE, STREAM, ROOT = 1, 2, 5
RED, BLACK = 0, 1
_ENTRY_SIZE = 128
# [MS-CFB] 2.6.3: an unused entry is all zeroes except its left sibling, right sibling and child ids (NOSTREAM).
_UNUSED_ENTRY = bytes(68) + struct.pack("<III", NO_STREAM, NO_STREAM, NO_STREAM) + bytes(48)


class _Entry:
    def __init__(self, name: str, kind: int, data: bytes = b"") -> None:
        if len(name) > 31:
            raise ValueError(f"compound file names have at most 31 characters: {name}")
        self.name, self.kind, self.data = name, kind, data
        self.children: list[_Entry] = []
        self.left = self.right = self.child = NO_STREAM
        self.colour = BLACK
        self.start, self.size, self.index = END_OF_CHAIN, 0, 0


def _order(entry: _Entry) -> tuple[int, str]:
    """The sibling order [MS-CFB] 2.6.4 prescribes: shorter names first, then by upper-cased code points."""
    return len(entry.name), entry.name.upper()


def _tree(siblings: list[_Entry], depth: int, deepest: int) -> int:
    if not siblings:
        return NO_STREAM
    middle = len(siblings) // 2
    node = siblings[middle]
    node.colour = RED if depth == deepest and deepest > 0 else BLACK
    node.left = _tree(siblings[:middle], depth + 1, deepest)
    node.right = _tree(siblings[middle + 1 :], depth + 1, deepest)
    return node.index


def _chain(first: int, count: int) -> list[int]:
    return [first + i + 1 if i + 1 < count else END_OF_CHAIN for i in range(count)]


def _sectors(size: int, unit: int) -> int:
    return -(-size // unit)


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A compound file holding `streams`, keyed by path ("VBA/dir"); storages are made as needed."""
    root = _Entry("Root Entry", ROOT)
    entries = [root]
    storages = {"": root}
    for path in sorted(streams):
        parent = root
        parts = path.split("/")
        for depth in range(1, len(parts)):
            key = "/".join(parts[:depth])
            if key not in storages:
                storages[key] = _Entry(parts[depth - 1], STORAGE)
                parent.children.append(storages[key])
                entries.append(storages[key])
            parent = storages[key]
        entry = _Entry(parts[-1], STREAM, streams[path])
        parent.children.append(entry)
        entries.append(entry)
    for index, entry in enumerate(entries):
        entry.index = index
    for entry in entries:
        siblings = sorted(entry.children, key=_order)
        entry.child = _tree(siblings, 0, max(len(siblings).bit_length() - 1, 0))

    mini = bytearray()
    mini_fat: list[int] = []
    big = [e for e in entries if e.kind == STREAM and len(e.data) >= MINI_CUTOFF]
    for entry in entries:
        if entry.kind == STREAM and len(entry.data) < MINI_CUTOFF:
            entry.size = len(entry.data)
            if entry.data:
                entry.start = len(mini_fat)
                count = _sectors(len(entry.data), MINI_SECTOR)
                mini_fat += _chain(entry.start, count)
                mini += entry.data.ljust(count * MINI_SECTOR, b"\0")
    body = bytearray()
    fat: list[int] = []

    def place(data: bytes, marker: int | None = None) -> int:
        count = _sectors(len(data), SECTOR)
        if count == 0:
            return END_OF_CHAIN
        first = len(fat)
        fat.extend([marker] * count if marker is not None else _chain(first, count))
        body.extend(data.ljust(count * SECTOR, b"\0"))
        return first

    for entry in big:
        entry.start, entry.size = place(entry.data), len(entry.data)
    root.start, root.size = place(bytes(mini)), len(mini)
    mini_fat_bytes = b"".join(struct.pack("<I", n) for n in mini_fat)
    first_mini_fat = place(mini_fat_bytes)
    unused = -len(entries) % (SECTOR // _ENTRY_SIZE)
    directory = b"".join(_directory_entry(e) for e in entries) + _UNUSED_ENTRY * unused
    first_directory = place(directory)
    fat_sectors = 0
    while fat_sectors < _sectors((len(fat) + fat_sectors) * 4, SECTOR):
        fat_sectors += 1
    if fat_sectors > 109:
        raise ValueError("compound file too large for a header-only DIFAT")
    first_fat = len(fat)
    fat.extend([FAT_SECTOR] * fat_sectors)
    fat_bytes = b"".join(struct.pack("<I", n) for n in fat).ljust(fat_sectors * SECTOR, b"\xff")
    difat = [first_fat + i for i in range(fat_sectors)] + [FREE] * (109 - fat_sectors)
    header = (
        _SIGNATURE
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack(
            "<IIIIIIIII",
            0,
            fat_sectors,
            first_directory,
            0,
            MINI_CUTOFF,
            first_mini_fat if mini_fat else END_OF_CHAIN,
            _sectors(len(mini_fat_bytes), SECTOR),
            END_OF_CHAIN,
            0,
        )
        + b"".join(struct.pack("<I", n) for n in difat)
    )
    return header + bytes(body) + fat_bytes


def _directory_entry(entry: _Entry) -> bytes:
    name = (entry.name + "\0").encode("utf-16-le")
    return (
        name.ljust(64, b"\0")
        + struct.pack("<HBB", len(name), entry.kind, entry.colour)
        + struct.pack("<III", entry.left, entry.right, entry.child)
        + bytes(16)
        + struct.pack("<I", 0)
        + bytes(16)
        + struct.pack("<IQ", 0 if entry.kind == STORAGE else entry.start, entry.size)
    )
