"""What xlclient says when it cannot find the client table (SPEC 2, issue 30).

A person told "找不到客户表" needs three things: where xlclient looked and what it saw
there, what is missing, and the one step that fixes it. So a refusal says

* for each sheet that holds a table of some kind (the ones with the most recognised
  headers first, at most three), the header row it took and the columns it recognised,
  each with the field it was read as (``「区域」= 地区``), and the headers it did not know;
* that no column names the clients (the one thing a client table cannot lack), with
  examples of headers that do (客户名称, 客户编号, 门店名称, Company ...);
* the step: in a book without a Settings sheet, ``xlclient init`` first (it adds 设置 with
  its 列映射 block), then the 列映射 row to fill (客户名称) with the header that holds the
  clients; in a book that has Settings, only the row to fill.

It is written in the Settings language (Chinese when the book has no Settings). Pure: the
sheets come in as :class:`~.grid.SheetGrid`, the text goes out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .fields import FIELDS, display_header, match_headers
from .grid import SheetGrid
from .labels import LANGUAGES, SHEET_NAMES, Language

SCAN_ROWS = 30  # where a header row may be
MAX_SHEETS = 3  # sheets described in one message
MAX_UNKNOWN = 8  # unknown headers listed per sheet
CLIENT_EXAMPLES = {"zh": "客户名称、客户编号、门店名称、经销商名称、顾客姓名、Company、Account Name",
                   "en": "客户名称, 客户编号, Client, Customer, Company, Account Name, Store name"}
# the 列映射 row that names the client column, as settings.settings_rows writes it
NAME_ROW = {"zh": FIELDS["name"][1][0], "en": "name"}


def has_settings(sheets: Sequence[SheetGrid]) -> bool:
    """True when the book already has xlclient's Settings sheet (so ``init`` is not needed)."""
    names = {SHEET_NAMES["settings"][lang].casefold() for lang in LANGUAGES}
    return any(s.name.strip().casefold() in names for s in sheets)


def _is_text(v: Any) -> bool:
    return isinstance(v, str) and bool(v.strip())


def _header_row(s: SheetGrid, mapping: Mapping[str, str]) -> tuple[int, list[Any], dict] | None:
    """The row among the first ones naming the most fields (else the first row with two or
    more text cells over rows of data): (0-based index, headers, field -> ColumnMatch)."""
    best: tuple[int, int, list[Any], dict] | None = None
    for i, row in enumerate(s.rows[:SCAN_ROWS]):
        if sum(_is_text(v) for v in row) < 2:
            continue
        found = match_headers(row, mapping)
        if best is None or len(found) > best[0]:
            best = (len(found), i, list(row), found)
    if best is None:
        return None
    return best[1], best[2], best[3]


def _describe(s: SheetGrid, mapping: Mapping[str, str], lang: Language) -> tuple[int, str] | None:
    """(how many fields its header names, one line on what the sheet holds)."""
    from .reading import field_label  # reading imports fields only; no circle at import time

    found = _header_row(s, mapping)
    if found is None:
        return None
    i, headers, fields = found
    zh = lang == "zh"
    known = ("、" if zh else ", ").join(
        (f"「{m.header}」= {field_label(f, lang)}" if zh else f"'{m.header}' = {field_label(f, lang)}")
        for f, m in sorted(fields.items(), key=lambda fm: fm[1].index))
    used = {m.index for m in fields.values()}
    unknown = [display_header(h) for j, h in enumerate(headers) if j not in used and _is_text(h)]
    more = len(unknown) - MAX_UNKNOWN
    unknown_text = ("、" if zh else ", ").join(unknown[:MAX_UNKNOWN]) + (
        (f" 等 {len(unknown)} 列" if zh else f" and {more} more") if more > 0 else "")
    row = s.first_row + i + 1
    if zh:
        line = f"工作表「{s.name}」第 {row} 行：" + (f"认出 {known}" if known else "没有认出的表头")
        if unknown:
            line += f"；未认出：{unknown_text}"
    else:
        line = f"sheet '{s.name}', row {row}: " + (f"recognised {known}" if known else "no header recognised")
        if unknown:
            line += f"; not recognised: {unknown_text}"
    return len(fields), line


def refusal(sheets: Sequence[SheetGrid], mapping: Mapping[str, str], owned: set[str], lang: Language,
            *, settings_exist: bool | None = None) -> str:
    """The message of a book in which no client table was found (see the module docstring)."""
    zh = lang == "zh"
    seen = [d for s in sheets if s.name.strip().casefold() not in owned and not s.hidden
            if (d := _describe(s, mapping, lang)) is not None]
    seen.sort(key=lambda d: -d[0])
    head = (f"找不到客户表：没有哪一列写明客户（如 {CLIENT_EXAMPLES['zh']}）。" if zh else
            f"No client table found: no column names the clients (such as {CLIENT_EXAMPLES['en']}).")
    lines = [head]
    if seen:
        lines.append("看过的表：" if zh else "What was looked at:")
        lines += ["  " + line for _, line in seen[:MAX_SHEETS]]
        if len(seen) > MAX_SHEETS:
            lines.append(f"  另有 {len(seen) - MAX_SHEETS} 张工作表" if zh else
                         f"  and {len(seen) - MAX_SHEETS} more sheet(s)")
    else:
        lines.append("工作簿里没有带表头的表格。" if zh else "The workbook holds no table with a header row.")
    lines.append(fix_step(lang, settings_exist if settings_exist is not None else has_settings(sheets)))
    return "\n".join(lines)


def fix_step(lang: Language, settings_exist: bool) -> str:
    """The one step that lets xlclient read a book whose client column it does not know."""
    row = NAME_ROW[lang]
    if lang == "zh":
        first = "" if settings_exist else "先运行 xlclient init 工作簿（添加「设置」表），再"
        return (f"做法：{first}在「设置」的列映射中「{row}」一行填入客户所在列的表头，其他认不出的列也可在那里指定，"
                "然后重新运行。")
    first = "" if settings_exist else "run xlclient init WORKBOOK (it adds the Settings sheet), then "
    return (f"To fix: {first}in the Settings column mapping, fill the '{row}' row with the header of the column "
            "that holds the clients (other columns it did not recognise can be named there too), and run again.")
