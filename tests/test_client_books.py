"""`xlclient refresh` on client books made by other makers (tests/client_books.py).

For each book the command line runs in-process on the file and writes a copy; its JSON
summary and the copy are checked against the book's truth:

1. fields -- every field the book has is either read from the right header (and, for money,
   with the right unit), or reported as a problem of the table (row null, code
   field_missing / field_ambiguous, field named); every field the book cannot give MUST be
   reported so, and the exit code is then 1;
2. the Classification sheet (分级结果) lists exactly the book's clients, each with the tier of
   SPEC 4.1 computed here from the truth (Pareto 80/95 on current clients' billings, equal
   values share a tier, prospects D, current clients without billings and lost ones none); when
   status is refused every tier cell is empty, when billings is, every current client's;
3. every cell the book plants as bad is reported with its Excel row and column header;
4. the user's sheets are cell for cell what they were, and the input file is untouched.

A column with no declared unit (no unit in its header, a group header or a banner) holds
yuan: its unit may be read as 1 or left null.  A header written as a formula with no cached
value (a script's `="客户名称"`) may gain its cached value in the copy, and nothing else.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
import python_calamine as pc

from client_books import BOOKS
from xlclient.cli import main

TODAY = "2026-11-20"
MONEY = ("billings", "gross_profit")
# The contract's codes for a field the reader refuses (a problem of the table, row null).
TABLE_CODES = ("field_missing", "field_ambiguous", "field_not_status", "field_foreign")


# --------------------------------------------------------------------------- the truth's tiers

def expected_tiers(truth: dict, refused=()) -> dict[str, str | None]:
    """SPEC 4.1, Pareto 80/95, computed exactly (fractions) and independently of the product.
    `refused`: fields of the truth's `may_refuse` that the reader did refuse."""
    refused = set(truth["refuse"]) | set(refused)
    if "status" in refused:  # nothing about a client can be told
        return {n: None for n in truth["clients"]}
    status, billings = truth["status"], truth["billings_yuan"]
    if "billings" in refused:  # prospects are still D; current clients' value cannot be told
        return {n: "D" if status[n] == "prospect" else None for n in truth["clients"]}
    if any(status[n] == "current" for n in truth.get("billings_unreadable", ())):
        # SPEC 4.1: an amount that exists but cannot be read withholds every Pareto tier
        return {n: "D" if status[n] == "prospect" or status[n] == "current" and billings[n] == 0 else None
                for n in truth["clients"]}
    ranked = {n: Fraction(Decimal(billings[n])) for n in truth["clients"]
              if status[n] == "current" and billings[n] is not None and billings[n] > 0}
    total = sum(ranked.values(), Fraction(0))
    tiers: dict[str, str | None] = {}
    for n in truth["clients"]:
        if status[n] == "lost":
            tiers[n] = None
        elif status[n] == "current" and billings[n] is None:  # SPEC 4.1: no amount, no tier (never D)
            tiers[n] = None
        elif n not in ranked:  # a prospect, or a current client billing nothing
            tiers[n] = "D"
        else:
            before = sum((v for v in ranked.values() if v > ranked[n]), Fraction(0)) / total
            tiers[n] = "A" if before < Fraction(80, 100) else "B" if before < Fraction(95, 100) else "C"
    return tiers


# --------------------------------------------------------------------------- helpers

def norm(text) -> str:
    """A header compared as shown: whitespace stripped, line breaks joined."""
    return "".join(str(text).split()) if text is not None else ""


def two_level(got, sub) -> bool:
    """A sub-header shown with its group header before it (``投放额 2026年（万元）`` for the
    ``2026年`` cell under ``投放额（万元）``): the group's words, then the sub-header, then at most
    a bracketed unit."""
    g = norm(got)
    for bracket in ("（", "("):
        if g.endswith(("）", ")")) and bracket in g:
            g = g[:g.rindex(bracket)]
            break
    s = norm(sub)
    return bool(s) and len(g) > len(s) and g.endswith(s)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cells(path: Path, sheets=None) -> dict[str, dict[tuple[int, int], object]]:
    """Every non-empty cell, by sheet and 0-based (row, column)."""
    wb = pc.load_workbook(str(path))
    out = {}
    for name in sheets or wb.sheet_names:
        if name not in wb.sheet_names:
            continue
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        out[name] = {(r, c): v for r, row in enumerate(rows) for c, v in enumerate(row) if v != ""}
    return out


def classification(path: Path) -> list[tuple[str, str | None]] | str:
    """(客户名称, 等级) of every row of the copy's 分级结果 sheet, or why it cannot be read."""
    wb = pc.load_workbook(str(path))
    if "分级结果" not in wb.sheet_names:
        return f"no 分级结果 sheet (sheets: {wb.sheet_names})"
    rows = wb.get_sheet_by_name("分级结果").to_python(skip_empty_area=False)
    for i, row in enumerate(rows[:10]):
        heads = [norm(v) for v in row]
        if "客户名称" in heads and "等级" in heads:
            ni, ti = heads.index("客户名称"), heads.index("等级")
            out = []
            for r in rows[i + 1:]:
                name = str(r[ni]).strip() if ni < len(r) else ""
                if name:
                    tier = str(r[ti]).strip() if ti < len(r) else ""
                    out.append((name, tier or None))
            return out
    return "分级结果 has no 客户名称 / 等级 header row"


def run_refresh(capsys, path: Path, copy: Path) -> tuple[int, dict]:
    capsys.readouterr()
    code = main(["refresh", str(path), "--out", str(copy), "--json", "-q", "--today", TODAY])
    out = capsys.readouterr().out
    try:
        return code, json.loads(out)
    except json.JSONDecodeError:
        return code, {"_unparsed_stdout": out[:500]}


# --------------------------------------------------------------------------- the corpus itself

def test_corpus_is_large_and_varied():
    assert len(BOOKS) >= 32
    refusing = [k for k in BOOKS if k.startswith("refuse_")]
    assert len(refusing) >= 6


@pytest.mark.parametrize("book", list(BOOKS))
def test_corpus_truth_is_consistent(book, tmp_path):
    """The truth describes the file that was written (a check of the corpus, not of xlclient)."""
    path, truth = BOOKS[book](tmp_path)
    assert path.exists() and path.suffix == ".xlsx"
    wb = cells(path)
    assert truth["sheet"] in wb
    sheet = wb[truth["sheet"]]
    texts = {norm(v) for v in sheet.values() if isinstance(v, str)}
    texts |= {norm(v) for (s, _r, _c), v in truth["formula_cells"].items() if s == truth["sheet"]}
    for f, head in truth["fields"].items():
        assert norm(head) in texts, f"{f}: header {head!r} not in the sheet"
    assert set(truth["units"]) <= set(MONEY) and set(truth["units"]) <= set(truth["fields"])
    assert len(set(truth["clients"])) == len(truth["clients"]) >= 8
    assert len(truth["clients"]) <= 60
    for name in truth["clients"]:
        assert name in texts or norm(name) in texts, f"client {name!r} not in the sheet"
        assert truth["status"][name] in ("current", "prospect", "lost")
    assert all(f in ("client_id", "name", "owner", "status", "billings", "gross_profit", "last_visit", "last_order",
                     "first_order", "orders", "stage", "industry", "region") for f in truth["fields"])
    assert not set(truth["refuse"]) & set(truth["fields"])
    assert set(truth["may_refuse"]) <= set(truth["fields"])
    # no Pareto share within 1e-4 of a boundary: a float sum must land on the same side
    if not {"billings", "status"} & set(truth["refuse"]):
        ranked = {n: Fraction(Decimal(y)) for n, y in truth["billings_yuan"].items()
                  if truth["status"][n] == "current" and y is not None and y > 0}
        total = sum(ranked.values())
        for n, v in ranked.items():
            share = float(sum((w for w in ranked.values() if w > v), Fraction(0)) / total)
            assert abs(share - 0.80) > 1e-4 and abs(share - 0.95) > 1e-4, (n, share)
        tiers = expected_tiers(truth)
        assert "A" in set(tiers.values()) or truth["billings_unreadable"]  # else every tier is withheld


def test_planted_ties_share_a_tier(tmp_path):
    _, truth = BOOKS["wps_ties_w_unit"](tmp_path)
    tiers = expected_tiers(truth)
    by_amount: dict = {}
    for n in truth["clients"]:
        if truth["status"][n] == "current" and truth["billings_yuan"][n]:
            by_amount.setdefault(truth["billings_yuan"][n], set()).add(tiers[n])
    assert by_amount[Decimal(800000)] == {"A"} and by_amount[Decimal(220000)] == {"B"}


# --------------------------------------------------------------------------- xlclient on the corpus

@pytest.mark.parametrize("book", list(BOOKS))
def test_refresh_reads_the_book(book, tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    path, truth = BOOKS[book](folder)
    before_digest = digest(path)
    before = cells(path)
    copy = tmp_path / "out" / ("copy" + path.suffix)
    copy.parent.mkdir()

    code, result = run_refresh(capsys, path, copy)
    fails: list[str] = []
    if "_unparsed_stdout" in result:
        pytest.fail(f"exit {code}, stdout is not one JSON object: {result['_unparsed_stdout']!r}")
    problems = result.get("problems") or []
    table = [p for p in problems if p.get("row") is None and p.get("code") in TABLE_CODES]
    table_fields = {p.get("field") for p in table}
    other_codes = {p.get("field"): p.get("code") for p in problems
                   if p.get("row") is None and p.get("code") not in TABLE_CODES}
    tiers = expected_tiers(truth, set(truth["may_refuse"]) & table_fields)

    def not_reported(f: str) -> str:
        if f in other_codes:
            return f"reported only with code {other_codes[f]!r} (contract: {'/'.join(TABLE_CODES)})"
        return "not reported"
    reading = result.get("reading") or {}
    read = reading.get("fields") or {}

    # (1) fields
    if code not in (0, 1):
        fails.append(f"exit code {code}")
    if read and reading.get("sheet") != truth["sheet"]:
        fails.append(f"sheet: read {reading.get('sheet')!r}, want {truth['sheet']!r}")
    for f, head in truth["fields"].items():
        got = read.get(f) or {}
        col_ok = norm(got.get("column")) == norm(head) or two_level(got.get("column"), head)
        unit_ok = True
        if col_ok and f in truth["units"]:
            want, unit = truth["units"][f], got.get("unit")
            unit_ok = (unit is None and f in truth["units_may_be_null"]) or (
                isinstance(unit, (int, float)) and abs(unit - want) <= 1e-9 * want)
        if not ((col_ok and unit_ok) or f in table_fields):
            if not got:
                fails.append(f"field {f}: not read and {not_reported(f)} (want {head!r})")
            elif not col_ok:
                fails.append(f"field {f}: read {got.get('column')!r}, want {head!r}")
            else:
                fails.append(f"field {f}: unit {got.get('unit')!r}, want {truth['units'][f]!r}")
    for f in truth["refuse"]:
        if f not in table_fields:
            how = read.get(f)
            fails.append(f"refuse {f}: {not_reported(f)}" + (f" (read as {how.get('column')!r})" if how else ""))
    for f, want in truth.get("table_codes", {}).items():
        if not any(pr.get("row") is None and pr.get("field") == f and pr.get("code") == want for pr in problems):
            fails.append(f"{f}: no problem of the table with code {want!r}")
    if (truth["refuse"] or truth.get("table_codes")) and code != 1:
        fails.append(f"refuse {truth['refuse']}: exit code {code}, want 1")

    # (2) classification
    if not copy.exists():
        fails.append("no copy written")
    else:
        got = classification(copy)
        if isinstance(got, str):
            fails.append(f"classification: {got}")
        else:
            names = Counter(n for n, _ in got)
            want_names = Counter(n.strip() for n in truth["clients"])
            if names != want_names:
                extra, missing = names - want_names, want_names - names
                fails.append(f"classification: clients differ; extra {sorted(extra)[:5]}, missing {sorted(missing)[:5]}")
            got_tier = dict(got)
            wrong = [(n, tiers[n], got_tier[n]) for n in truth["clients"]
                     if n.strip() in got_tier and got_tier[n.strip()] != tiers[n]]
            if wrong:
                hint = f" (table problems: {sorted(map(str, table_fields))})" if table_fields else ""
                fails.append(f"classification: {len(wrong)} of {len(truth['clients'])} tiers wrong, e.g. "
                             + "; ".join(f"{n} want {w} got {g}" for n, w, g in wrong[:4]) + hint)

    # (3) bad cells
    for row, head in truth["bad_cells"]:
        if not any(p.get("row") == row and norm(p.get("column")) == norm(head) for p in problems):
            fails.append(f"bad cell row {row} {head!r} not reported")

    # (4) the user's sheets and file
    if digest(path) != before_digest:
        fails.append("the input workbook changed (refresh --out must not touch it)")
    if copy.exists():
        after = cells(copy, list(before))
        for sheet, old in before.items():
            new = after.get(sheet)
            if new is None:
                fails.append(f"user sheet {sheet!r} missing from the copy")
                continue
            formula = {(r, c): v for (s, r, c), v in truth["formula_cells"].items() if s == sheet}
            changed = [(k, old.get(k), new.get(k)) for k in sorted(set(old) | set(new))
                       if old.get(k) != new.get(k) and not (k not in old and formula.get(k) == new.get(k))]
            if changed:
                (r, c), was, now = changed[0]
                fails.append(f"user sheet {sheet!r}: {len(changed)} cells changed, e.g. row {r + 1} col {c + 1}: "
                             f"{was!r} -> {now!r}")

    assert not fails, f"{book} (exit {code}):\n  " + "\n  ".join(fails)
