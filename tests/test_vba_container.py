"""The VBA project's containers, checked by readers nobody here wrote (oletools, olefile)."""

from __future__ import annotations

import io
import os
import struct
import warnings
from pathlib import Path

import olefile
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oletools.olevba import decompress_stream

from workbook_tools.addin.cfb import NO_STREAM, compound_file
from workbook_tools.addin.ovba_compression import CHUNK, compress

from conftest import directory_entries

XLWINGS_MODULE = Path(__import__("xlwings").__file__).parent / "xlwings_custom_addin.bas"


def test_oletools_decodes_the_compressed_xlwings_module_exactly():
    source = XLWINGS_MODULE.read_bytes()
    packed = compress(source)
    assert decompress_stream(bytearray(packed)) == source
    assert len(packed) < len(source) / 2


@given(
    st.binary(max_size=3 * CHUNK) | st.text(alphabet="Dim x As String\r\n'()=&_\"", max_size=3 * CHUNK).map(str.encode)
)
@settings(max_examples=300, deadline=None)
def test_every_input_round_trips_through_oletools(data):
    out = decompress_stream(bytearray(compress(data)))
    # an incompressible last chunk is stored raw, and a raw chunk always holds 4096 bytes ([MS-OVBA] 2.4.1.3.10)
    assert out == data or (out[: len(data)] == data and set(out[len(data) :]) == {0} and len(out) % CHUNK == 0)


@pytest.mark.parametrize("size", [0, 1, 3, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17])
def test_chunk_boundaries(size):
    text = (b'Attribute VB_Name = "WorkbookTools"\r\n' * 400)[:size]
    assert decompress_stream(bytearray(compress(text))) == text


STREAMS = {
    "PROJECT": b'ID="{00000000-0000-0000-0000-000000000000}"\r\n',
    "PROJECTwm": b"WorkbookTools\0",
    "VBA/_VBA_PROJECT": bytes.fromhex("CC61FFFF000100"),
    "VBA/dir": os.urandom(900),
    "VBA/xlwings": os.urandom(20_000),
    "VBA/RibbonButtons": os.urandom(5_000),
    "VBA/ThisWorkbook": b"x" * 70,
    "VBA/Sheet1": b"",
    **{f"VBA/Module{n}": os.urandom(n * 37) for n in range(1, 12)},
}


def test_olefile_reads_every_stream_back_without_defects():
    data = compound_file(STREAMS)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ole = olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT)
    assert sorted("/".join(p) for p in ole.listdir()) == sorted(STREAMS)
    for path, content in STREAMS.items():
        assert ole.openstream(path).read() == content
    assert compound_file(STREAMS) == data  # deterministic


@pytest.mark.parametrize("count", [1, 2, 3, 4, 7])
def test_the_directory_fills_its_last_sector_with_entries_that_point_nowhere(count):
    """[MS-CFB] 2.6.3: unused entries are zero but for their sibling and child ids, which are NOSTREAM."""
    entries = directory_entries(compound_file({f"S{n}": b"x" for n in range(count)}))
    used = count + 1  # the root entry, then one per stream
    assert len(entries) == -(-used // 4) * 4 and entries[used - 1][:64] != bytes(64)
    unused = bytes(68) + struct.pack("<III", NO_STREAM, NO_STREAM, NO_STREAM) + bytes(48)
    assert entries[used:] == [unused] * (len(entries) - used)


def test_names_longer_than_the_format_allows_are_refused():
    with pytest.raises(ValueError, match="31"):
        compound_file({"VBA/" + "x" * 32: b""})
