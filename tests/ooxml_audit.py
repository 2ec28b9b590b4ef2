"""openxml-audit (PyPI: a pure-Python port of the Open XML SDK validator) as an independent
check of what xlclient writes: findings of a workbook, and the findings a written workbook
has that its input did not.

API relied on (openxml-audit 0.8.0):

* ``OpenXmlValidator(file_format=FileFormat.OFFICE_2019, max_errors=0)`` -- ``max_errors=0``
  means unlimited (the default 1000 would stop early and make before/after counts unequal
  for reasons that are not ours).  Office2019 is the tool's own default; on the Excel-made
  corpus it gives the same findings as Microsoft365.
* ``validator.validate(path) -> ValidationResult``; ``result.errors`` is a list of
  ``ValidationError`` (warnings included) with ``part_uri`` ("/xl/worksheets/sheet1.xml"),
  ``path`` (an XPath-like location such as "/x:worksheet[1]/x:sheetData[1]"), ``id``
  (empty for most schema findings), ``description``, ``severity`` (ERROR/WARNING/INFO) and
  ``source_class`` (SDK_PROXY: what the Open XML SDK itself reports; EXCEL_APP_COMPAT:
  what Excel would silently rewrite on its next save).
* The package also registers a pytest plugin (fixtures ``assert_valid_xlsx`` etc.); it is
  not used here, because a finding must be judged against the input's, not on its own.

A finding's identity is (part, location, id, severity, description).  A part xlclient
inserts into (workbook.xml) can shift the positional index of an input's own finding in
its location; such a finding is matched to the input's by (part, id, severity,
description) and is not new.
"""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple


class Finding(NamedTuple):
    part: str
    location: str
    id: str
    severity: str
    source: str
    description: str

    def __str__(self) -> str:
        where = f"{self.part}:{self.location}" if self.location else self.part
        ident = f"{self.id} " if self.id else ""
        return f"[{self.severity} {ident}{self.source}] {where}: {self.description}"

    @property
    def loose(self) -> tuple[str, str, str, str]:
        return (self.part, self.id, self.severity, self.description)


@lru_cache(maxsize=1)
def validator():
    from openxml_audit import FileFormat, OpenXmlValidator

    return OpenXmlValidator(file_format=FileFormat.OFFICE_2019, max_errors=0)


def audit(path: Path | str) -> list[Finding]:
    """Every finding openxml-audit has on a workbook file (warnings included)."""
    result = validator().validate(Path(path))
    return [Finding(e.part_uri or "", e.path or "", e.id or "", e.severity.value, e.source_class.value,
                    " ".join((e.description or "").split()))
            for e in result.errors]


def new_findings(before: list[Finding], after: list[Finding]) -> list[Finding]:
    """Findings of ``after`` that ``before`` does not have (as a multiset; a finding whose
    location only moved inside its part is matched by its other fields)."""
    extra = Counter(after) - Counter(before)
    if not extra:
        return []
    gone = Counter(f.loose for f in (Counter(before) - Counter(after)).elements())
    out = []
    for f in sorted(extra.elements()):
        if gone[f.loose] > 0:
            gone[f.loose] -= 1
        else:
            out.append(f)
    return out


# Findings Excel itself accepts, each with why.  Keyed by (id, severity, source class); a
# finding matches only if it is also in a part the rule allows.
#
# Excel_InlineStrCells: xlclient writes text cells as ``t="inlineStr"`` (an ECMA-376 cell
# type; it is what makes text that starts with "=" stay text, and it leaves the user's
# xl/sharedStrings.xml alone, which xlclient does not own).  openxml-audit reports it only
# when the package has no populated sharedStrings.xml, as a WARNING of class
# EXCEL_APP_COMPAT: "Excel will move every inline string to a freshly-created
# shared-strings table on the next save" -- a canonical-form note, not a validity finding
# (the same cells in a book with shared strings get no finding at all).  Files of the
# Excel-made corpus carry the same construct without a shared-strings part and the same
# finding (optimize01-11, 13, 14.xlsx).
ALLOWED = {
    ("Excel_InlineStrCells", "warning", "excel_app_compat"):
        "inline strings without a shared-strings table: Excel reads them and only "
        "canonicalises them on its next save (corpus: optimize01.xlsx ...)",
}


def allowed_reason(f: Finding, written_parts: set[str]) -> str | None:
    """Why a new finding is accepted, or None when it is a real problem."""
    reason = ALLOWED.get((f.id, f.severity, f.source))
    if reason is None:
        return None
    if f.id == "Excel_InlineStrCells" and not (f.part in written_parts and f.part.startswith("/xl/worksheets/")):
        return None
    return reason


def zip_members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def written_parts(before: bytes, after: bytes) -> set[str]:
    """Zip members added, removed or changed (decompressed), as part URIs ("/xl/...")."""
    a, b = zip_members(before), zip_members(after)
    return {"/" + n for n in a.keys() | b.keys() if a.get(n) != b.get(n)}
