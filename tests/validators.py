"""Two validators for every workbook and add-in we write: the Open XML SDK's rules and the ones Excel adds.

- openxml-audit, a pure-Python port of the Open XML SDK validator: the schema of
  every XML part (the ribbon's customUI included) and the SDK's semantic rules.
- `workbook_tools.xlsx.checks`: what Excel repairs although the schema allows it
  (tables over tables or merged cells, orphaned shared formulas, stale calcChain
  entries, style indices past the end, parts without a content type or target).

A package's findings depend on its bytes only, so each distinct file is
validated once per test session (many tests write the same template or output).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from openxml_audit import OpenXmlValidator
from openxml_audit.errors import ValidationError, ValidationSeverity

from workbook_tools.xlsx.backups import BACKUP_DIR
from workbook_tools.xlsx.checks import problems
from workbook_tools.xlsx.writer import WorkbookFile

THEME_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme"
WRITTEN_SUFFIXES = (".xlsx", ".xlsm", ".xlam")


@cache
def _sdk_validator() -> OpenXmlValidator:
    """The SDK validator, strict (every finding is an error), checking the schema of each distinct part once.

    Schema validation of a part depends on its bytes alone, and most parts of what
    the tests write are copied unchanged from inputs other tests wrote too: a part
    that passed is not walked again (a third of the time of the whole run). The
    package-wide and semantic rules still run on every file.
    """
    validator = OpenXmlValidator()
    schema = validator._schema_validator  # openxml-audit is pinned: this attribute is checked by the tests
    validate_part, passed = schema.validate_part, set()

    def validate_part_once(part: Any, context: Any) -> Any:
        key = (part.uri, hashlib.sha256(part._package.get_part_content(part.uri) or b"").digest())
        if key in passed:
            return context.errors
        before = len(context.errors)
        result = validate_part(part, context)
        if len(context.errors) == before:
            passed.add(key)
        return result

    schema.validate_part = validate_part_once
    return validator


def _allowed(error: ValidationError) -> bool:
    """A workbook without a theme: ECMA-376 Part 1 §14.2.7 allows "zero or one Theme part" (the SDK does too);
    only openxml-audit's strict policy asks for one, and the add-in carries none."""
    return error.id == "Sem_MissingRelationshipType" and THEME_REL in error.description


_results: dict[str, tuple[str, ...]] = {}


def findings(data: bytes, suffix: str) -> tuple[str, ...]:
    """Every schema, SDK and Excel-rule finding for a package, one line each; empty when it is sound."""
    key = hashlib.sha256(data).hexdigest() + suffix
    if key not in _results:
        found = [f"excel rule: {p}" for p in problems(data)]
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"written{suffix}"  # the SDK checks the main content type against the suffix
            path.write_bytes(data)
            result = _sdk_validator().validate(path)
        found += [
            f"openxml-audit: {e.part_uri or ''}: {e.description}"
            for e in result.errors
            if e.severity == ValidationSeverity.ERROR and not _allowed(e)
        ]
        _results[key] = tuple(found)
    return _results[key]


def validate_file(path: Path) -> tuple[str, ...]:
    return findings(path.read_bytes(), path.suffix.lower())


class Recorder:
    """What our writer puts in place while active: every os.replace onto a workbook or add-in, with its bytes
    and the bytes it replaced.

    Backups are copies of what was there before (often a workbook another
    program made), so they are not ours to validate; neither is a finding the
    workbook we edited already had (a part another program wrote, copied
    unchanged), whether we replaced it or saved the result beside it (--out).
    """

    def __init__(self) -> None:
        self.written: list[tuple[Path, bytes, bytes | None]] = []
        self._replace = os.replace
        self._save = WorkbookFile.save
        self._source: bytes | None = None

    def _recording(self, src: str | os.PathLike[str], dst: str | os.PathLike[str], **kwargs: Any) -> None:
        target = Path(os.fsdecode(dst))
        if target.suffix.lower() in WRITTEN_SUFFIXES and target.parent.name != BACKUP_DIR:
            before = target.read_bytes() if target.is_file() else self._source
            self.written.append((target, Path(os.fsdecode(src)).read_bytes(), before))
        self._replace(src, dst, **kwargs)

    def __enter__(self) -> Recorder:
        recorder, save = self, self._save

        def saving(book: WorkbookFile, *args: Any, **kwargs: Any) -> Any:
            recorder._source = book.data
            try:
                return save(book, *args, **kwargs)
            finally:
                recorder._source = None

        os.replace = self._recording
        WorkbookFile.save = saving  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        os.replace = self._replace
        WorkbookFile.save = self._save  # type: ignore[method-assign]

    def failures(self) -> list[str]:
        failed = []
        for path, data, before in self.written:
            had = set(findings(before, path.suffix.lower())) if before is not None else set()
            failed += [f"{path.name}: {line}" for line in findings(data, path.suffix.lower()) if line not in had]
        return failed
