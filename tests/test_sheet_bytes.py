"""When a sheet's rows may be read as bytes (deleting rows, finding the rows formulas point at): one rule for both."""

from __future__ import annotations

import pytest

from workbook_tools.xlsx.sheet_bytes import sheet_rows

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
ROWS = '<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><f>A1*2</f><v>2</v></c></row>'


def sheet(rows: str = ROWS, root: str = f'<worksheet xmlns="{MAIN}">', head: str = "", prefix: str = "") -> bytes:
    end = f"</{prefix}worksheet>" if prefix else "</worksheet>"
    return f"{head}{root}<{prefix}sheetData>{rows}</{prefix}sheetData>{end}".encode()


def test_a_plain_sheet_is_read_as_bytes_with_its_prefix():
    found = sheet_rows(sheet())
    assert found is not None and found.content == ROWS.encode() and found.tags.row_tag == b"<row "
    prefixed = ROWS.replace("<", "<x:").replace("<x:/", "</x:")
    found = sheet_rows(sheet(prefixed, f'<x:worksheet xmlns:x="{MAIN}">', prefix="x:"))
    assert found is not None and found.tags.cell_tag == b"<x:c "


@pytest.mark.parametrize(
    "data",
    [
        sheet(head='<?xml version="1.0" encoding="ISO-8859-1"?>'),  # another encoding
        sheet(ROWS.replace("<v>1</v>", "<is><t><![CDATA[a<b]]></t></is>")),  # CDATA
        sheet(ROWS.replace('<c r="A1">', f'<c r="A1" xmlns:y="{MAIN}">')),  # a namespace declared in the rows
        sheet(root=f'<worksheet xmlns="{MAIN}" xmlns:y="{MAIN}">'),  # the sheet's namespace spelt two ways
        sheet(
            ROWS.replace("<", "<x:").replace("<x:/", "</x:").replace('<x:c r="A2">', '<c r="A2">'),
            f'<x:worksheet xmlns:x="{MAIN}">',
            prefix="x:",
        ),
        sheet(
            ROWS.replace('<c r="A1">', '<y:c r="A1">'), f'<worksheet xmlns="{MAIN}" xmlns:y="urn:other">'
        ),  # another prefix
    ],
    ids=["encoding", "cdata", "xmlns in rows", "two prefixes", "unprefixed cell", "prefixed cell"],
)
def test_a_sheet_whose_tags_do_not_say_what_they_are_is_read_through_its_tree(data):
    assert sheet_rows(data) is None
