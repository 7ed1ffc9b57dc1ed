"""A VBA project ([MS-OVBA]) as vbaProject.bin, from module sources.

`_VBA_PROJECT` is written as a writer is told to (version 0xFFFF, no performance
cache), so Office compiles the modules from their source: each module stream
holds only its compressed source and its MODULEOFFSET is 0.
"""

from __future__ import annotations

import hashlib
import struct
import uuid
from dataclasses import dataclass

from workbook_tools.addin.cfb import compound_file
from workbook_tools.addin.ovba_compression import compress

CODE_PAGE = 1252  # sources are kept ASCII: Chinese text is built with ChrW() at run time
LCID = 0x409
VBA_PROJECT_STREAM = bytes.fromhex("CC61FFFF000100")
DOCUMENT, PROCEDURAL, CLASS = "document", "procedural", "class"
REFERENCES = (
    ("stdole", "*\\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\\Windows\\System32\\stdole2.tlb#OLE Automation"),
    (
        "Office",
        "*\\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#C:\\Program Files\\Common Files\\Microsoft Shared"
        "\\OFFICE16\\MSO.DLL#Microsoft Office 16.0 Object Library",
    ),
)
_WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
_SHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"
_CLASS_BASE = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"


@dataclass(frozen=True)
class Module:
    name: str  # ASCII, at most 31 characters (it is also the stream name), never the project's name
    kind: str  # document | procedural | class
    code: str  # the VBA code, without Attribute lines (they are derived here)

    def source(self) -> bytes:
        """The module as Excel stores it: `Attribute VB_Name` first, then the code.

        An exported .cls file starts with a `VERSION 1.0 CLASS` / `BEGIN ... END`
        block; the VBA editor drops it on import and Excel never stores it, so a
        reader that compiles the stream (LibreOffice, Excel on a Mac) would take
        it for code. Document and class modules carry the attributes Excel
        writes for them, in Excel's order.
        """
        head = [f'Attribute VB_Name = "{self.name}"']
        if self.kind != PROCEDURAL:
            document = self.kind == DOCUMENT
            base = (_WORKBOOK_BASE if self.name == "ThisWorkbook" else _SHEET_BASE) if document else _CLASS_BASE
            head += [
                f'Attribute VB_Base = "{base}"',
                "Attribute VB_GlobalNameSpace = False",
                "Attribute VB_Creatable = False",
                f"Attribute VB_PredeclaredId = {document}",
                f"Attribute VB_Exposed = {document}",
                "Attribute VB_TemplateDerived = False",
                f"Attribute VB_Customizable = {document}",
            ]
        text = "\r\n".join(head + self.code.replace("\r\n", "\n").split("\n"))
        return text.encode("cp1252")


def _record(record_id: int, data: bytes) -> bytes:
    return struct.pack("<HI", record_id, len(data)) + data


def _text(value: str) -> bytes:
    return value.encode("cp1252")


def _unicode(value: str) -> bytes:
    return value.encode("utf-16-le")


def dir_stream(project: str, modules: list[Module]) -> bytes:
    """The decompressed `dir` stream ([MS-OVBA] 2.3.4.2)."""
    out = bytearray()
    out += _record(0x0001, struct.pack("<I", 1))  # SYSKIND: Win32 (Office rebuilds per platform)
    out += _record(0x0002, struct.pack("<I", LCID)) + _record(0x0014, struct.pack("<I", LCID))
    out += _record(0x0003, struct.pack("<H", CODE_PAGE))
    out += _record(0x0004, _text(project))
    out += _record(0x0005, b"") + _record(0x0040, b"")  # docstring
    out += _record(0x0006, b"") + _record(0x003D, b"")  # help file
    out += _record(0x0007, struct.pack("<I", 0)) + _record(0x0008, struct.pack("<I", 0))
    out += struct.pack("<HIIH", 0x0009, 4, 1, 0)  # VERSION: its size field is 4 but 6 bytes follow
    out += _record(0x000C, b"") + _record(0x003C, b"")  # constants
    for name, libid in REFERENCES:
        out += _record(0x0016, _text(name)) + _record(0x003E, _unicode(name))
        out += _record(0x000D, struct.pack("<I", len(libid)) + _text(libid) + struct.pack("<IH", 0, 0))
    out += _record(0x000F, struct.pack("<H", len(modules))) + _record(0x0013, struct.pack("<H", 0xFFFF))
    for module in modules:
        out += _record(0x0019, _text(module.name)) + _record(0x0047, _unicode(module.name))
        out += _record(0x001A, _text(module.name)) + _record(0x0032, _unicode(module.name))
        out += _record(0x001C, b"") + _record(0x0048, b"")
        out += _record(0x0031, struct.pack("<I", 0))  # MODULEOFFSET: the source starts the stream
        out += _record(0x001E, struct.pack("<I", 0)) + _record(0x002C, struct.pack("<H", 0xFFFF))
        out += _record(0x0021 if module.kind == PROCEDURAL else 0x0022, b"")
        out += _record(0x002B, b"")
    out += _record(0x0010, b"")
    return bytes(out)


def encrypt(project_id: str, data: bytes, seed: int) -> str:
    """[MS-OVBA] 2.4.3.2 data encryption, as used by CMG, DPB and GC in the PROJECT stream."""
    key = sum(project_id.encode("cp1252")) & 0xFF
    out = [seed, seed ^ 2, seed ^ key]
    unencrypted, enc1, enc2 = key, out[2], out[1]
    for byte in [0x07] * ((seed & 6) // 2) + list(struct.pack("<I", len(data))) + list(data):
        encrypted = byte ^ ((enc2 + unencrypted) & 0xFF)
        out.append(encrypted)
        enc2, enc1, unencrypted = enc1, encrypted, byte
    return bytes(out).hex().upper()


def project_stream(project: str, project_id: str, modules: list[Module]) -> bytes:
    kinds = {DOCUMENT: "Document={}/&H00000000", PROCEDURAL: "Module={}", CLASS: "Class={}"}
    lines = [f'ID="{project_id}"', *(kinds[module.kind].format(module.name) for module in modules)]
    lines += [
        f'Name="{project}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        f'CMG="{encrypt(project_id, bytes(4), 0x5D)}"',
        f'DPB="{encrypt(project_id, bytes(1), 0x5D)}"',
        f'GC="{encrypt(project_id, bytes([0xFF]), 0x5D)}"',
        "",
        "[Host Extender Info]",
        "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000",
        "",
        "[Workspace]",
        *[f"{m.name}=0, 0, 0, 0, C" for m in modules],
        "",
    ]
    return _text("\r\n".join(lines))


def project_wm(modules: list[Module]) -> bytes:
    return b"".join(_text(m.name) + b"\0" + _unicode(m.name) + b"\0\0" for m in modules) + b"\0\0"


def vba_project_bin(project: str, modules: list[Module]) -> bytes:
    """vbaProject.bin; the project id is derived from the sources, so the same input gives the same bytes."""
    taken = {project.lower(), *(name.lower() for name, _ in REFERENCES)}
    clashes = [m.name for m in modules if m.name.lower() in taken]
    if clashes:  # the VBA editor refuses a module named like its project or a referenced library
        raise ValueError(f"module names clash with the project or a reference: {clashes}")
    digest = hashlib.sha1(b"".join(m.source() for m in modules)).digest()
    project_id = "{" + str(uuid.UUID(bytes=digest[:16])).upper() + "}"
    streams = {
        "PROJECT": project_stream(project, project_id, modules),
        "PROJECTwm": project_wm(modules),
        "VBA/_VBA_PROJECT": VBA_PROJECT_STREAM,
        "VBA/dir": compress(dir_stream(project, modules)),
    }
    for module in modules:
        streams[f"VBA/{module.name}"] = compress(module.source())
    return compound_file(streams)
