"""A mutation engine for client books (issue 25): one truth, many layouts, one invariant.

A *book* here is a canonical pair:

* a **truth** -- the clients (name, ID, owner, status, billings in yuan, last visit,
  industry, region, contact, phone), drawn with ``client_books.gen`` under several seeds and
  name styles (Chinese full and short names, Taiwanese, English, Hong Kong), so no single
  hand-made table stands for "a book";
* a **layout** -- how an agency wrote those clients down: the header word of every field,
  the money unit and where it is written, the status vocabulary, the sheet split, the row
  order, extra columns, blank / total / note / title rows, hidden rows, number formats, and
  the cells whose content replaces the true value (an Excel error value, an unreadable
  text, 待定, a status word with a remark or with two meanings ...).

:func:`render` writes a book to .xlsx with xlsxwriter (error values as cached formula
results or raw ``t="e"`` cells, including Excel 365's ``#SPILL!`` / ``#CALC!``, patched into
the sheet XML because xlsxwriter only knows the seven classic ones).  :func:`expectations`
derives, from the truth and the cells the layout destroyed, what every result may be
(SPEC 2 and 4.1): the tier of each client as an exact Pareto 80/95 over current clients
(fractions), the owner, and the next visit (last visit + cadence moved to a working day,
checked exactly with ``chinese_calendar`` where it knows the year).  :func:`violations`
runs the product **in-process** exactly as ``xlclient refresh`` reads and classifies
(``read_workbook`` -> ``load_inputs`` -> ``check``) and lists every broken promise:

  every written result equals the truth, or is empty with a reason (a problem on its row
  or a problem of the table); no client row is invented (titles, group labels, totals and
  notes are not clients); no client is lost without a reported reason; every planted
  Excel error value is reported on its row.

The mutations (``MUTATIONS``, each ``fn(book, rng)``; they compose: any subset, applied in
a fixed order) and the class each stands for
----------------------------------------------------------------------------------------
Where the unit is (the class: *a money unit written anywhere a person would look*):
  unit_in_title        the unit only in a merged title line (`2026年度客户投放汇总（万元）`)
  unit_banner          a `单位：万元` line above the header
  unit_row             a row under the header holding `万元` under the money column
  unit_note            only a note under the table (`注：金额单位为万元`)
  unit_group_header    a group header above the field names (`投放额（万元）`)
  unit_numfmt_scaled   values in yuan shown in 万 by `0!.0,"万"` (what a person reads)
  unit_numfmt_literal  values in 万 shown with `0.0"万"`, no unit in the header
  unit_other_scale     千元 / 百万元 / 元 instead of 万元 in the header
Status words (the class: *a status a person reads, or one that cannot be told*):
  status_vocab         another agency's three words (合作中/洽谈中/已停投, Active/Pipeline/...)
  status_remark        a word with a remark (`合作中（有流失风险）`)            -> same status
  status_two_meanings  a text pointing to two statuses (`现有/流失`)          -> unknown
Tables over several sheets (the class: *one table continued, the sheet name gives a field*):
  split_by_status      one sheet per status, no status column
  split_by_owner       one sheet per AE, no owner column
  split_by_region      one sheet per region, no region column
Rows that are not clients (the class: *lines a person skips*):
  pivot_layout         pivot table outline: owner only on a group's first row, `X 汇总`
                       subtotal rows and a `总计` row
  group_label_rows     the AE's name alone on a row, that AE's clients below with the owner
                       cell blank (WPS / hand-made grouping)
  repeated_header      the header row repeated inside the table (pages pasted together)
  title_rows           a merged title and an `更新日期` line above the header
  blank_rows           blank rows inside the table
  total_row            a `合计` row with the sum of the money column
  notes_below          `注：` / `制表人：` lines under the table
  hidden_rows          some client rows hidden (hidden clients are clients)
  preface_sheet        a summary sheet (by AE) placed before the client sheet
Columns (the class: *other columns and other words*):
  header_words         every header rewritten with another agency's word (simplified,
                       traditional, English, with full-width brackets and line breaks)
  extra_columns        序号, 联系人, 电话, 备注 with status-like words in it
  reorder_columns      columns in another order
  reorder_rows         rows in another order (row order never matters: SPEC 4.1)
Values (the class: *a value a person reads, or one nobody can*):
  amount_text          amounts as text: `¥3,500`, `RMB 12.5`, full-width digits, `120万`,
                       `1.2亿`, `3,500元`, Chinese numerals (`十二万三千`), `约50万`
  date_text            last visits as text: `2026/3/5`, `2026年3月5日`, `2026.3.5`, ISO,
                       or a serial number, or a date cell in another date format
  error_value          any input cell of one client replaced by an Excel error value
                       (`#N/A` ... `#SPILL!`, `#CALC!`, `#GETTING_DATA`), as a cached formula
                       result (dynamic-array formulas for the 365 ones) or a raw cached error
  error_in_<field>     the same with the field fixed (cid, name, owner, status, billings,
                       last_visit, industry, region), so that a failure names its field
  unreadable_amount    a billings cell holding a text that is no amount (`见合同`, `12O万`)
  no_amount_yet        a billings cell saying there is no amount yet (`待定`, `暂无`, `TBD`, `-`)
  blank_amount         a current client's billings left blank (SPEC 4.1: no tier, never D)
  unreadable_visit     a last visit that is no date (`上周`, `2026-13-45`, `见备注`)

Each is a class, not an example: a mutation draws its word, position, unit, error value,
style and the clients it touches from a random generator, so the property test walks the
class.  The expectations a mutation changes are recorded as *cell effects* (``Book.cells``:
(client, field) -> what the cell now says about the truth) and are applied only when the
field's column is in the rendered layout (a split that removes the status column also
removes a status remark).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable

import xlsxwriter

from client_books import OWNERS_CN, OWNERS_EN, OWNERS_HK, OWNERS_TW, TODAY, gen

# --------------------------------------------------------------------------- truth


@dataclass
class Client:
    name: str
    cid: str
    owner: str
    status: str  # current / prospect / lost
    yuan: Decimal | None
    last_visit: dt.date | None
    industry: str
    region: str
    contact: str
    phone: str


#: name style -> owners of that style
SEEDS = [(201, "cn_full", OWNERS_CN[:4]), (202, "cn_short", OWNERS_CN[4:7]), (203, "cn_mixed", OWNERS_CN[7:12]),
         (204, "tw", OWNERS_TW[:3]), (205, "en", OWNERS_EN[:3]), (206, "hk", OWNERS_HK[:3]),
         (207, "cn_full", OWNERS_CN[10:13]), (208, "cn_short", OWNERS_CN[:2])]


def seed_clients(index: int) -> list[Client]:
    """The clients of one seed book (every current client has billings: a blank is a mutation)."""
    seed, style, owners = SEEDS[index % len(SEEDS)]
    n = 14 + (index * 5) % 13
    out = []
    for i, c in enumerate(gen(seed, n, names=style, owners=owners, blanks=0)):
        out.append(Client(name=c.name, cid=f"K{seed}-{i + 1:03d}", owner=c.owner, status=c.status, yuan=c.yuan,
                          last_visit=c.last_visit or (TODAY - dt.timedelta(days=30 + i)), industry=c.industry,
                          region=c.region, contact=c.contact, phone=c.phone))
    return out


# --------------------------------------------------------------------------- layout

FIELDS = ("cid", "name", "owner", "status", "billings", "last_visit", "industry", "region")
INPUT_FIELDS = FIELDS  # the fields read from the book (extras are not)

HEADER_WORDS = {
    "cid": ["客户编号", "编号", "Client ID", "客戶編號", "客户代码"],
    "name": ["客户名称", "客户", "公司名称", "Client", "Client Name", "客戶名稱", "客户\n名称"],
    "owner": ["客户经理", "负责人", "业务员", "Owner", "AE", "客戶經理", "跟进人", "对接销售", "所属AE"],
    "status": ["客户状态", "状态", "Status", "合作状态", "客戶狀態"],
    "billings": ["年度投放额", "近12月投放额", "营业额", "Billings", "Revenue", "年度營業額", "年度消耗", "投放金额"],
    "last_visit": ["最近拜访日期", "上次拜访", "Last visit", "最近拜訪日期", "最近走访", "最近\n拜访日期"],
    "industry": ["行业", "所属行业", "Industry", "行業"],
    "region": ["地区", "区域", "大区", "Region", "地區"],
}
CANON_HEADERS = {f: words[0] for f, words in HEADER_WORDS.items()}
EXTRA_HEADERS = {"seq": "序号", "contact": "联系人", "phone": "联系电话", "remark": "备注"}
REMARKS = ["重点维护", "原潜在客户，已签约", "有流失风险", "老客户转介绍", "意向强烈", "已停投半年", None, None]

STATUS_VOCABS = [("现有", "潜在", "流失"), ("合作中", "洽谈中", "已停投"), ("在合作", "意向", "已流失"),
                 ("Active", "Prospect", "Churned"), ("老客户", "意向客户", "停止合作"), ("現有", "潛在", "流失"),
                 ("成交客户", "意向客户", "流失客户")]
STATUS_INDEX = {"current": 0, "prospect": 1, "lost": 2}
UNIT_WORDS = {1: "元", 1000: "千元", 10000: "万元", 1_000_000: "百万元"}
ERRORS = ["#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA"]
ERROR_FORMULA = {"#N/A": "NA()", "#VALUE!": '"a"+1', "#REF!": "#REF!", "#DIV/0!": "1/0", "#NAME?": "nosuchfn()",
                 "#NUM!": "SQRT(-1)", "#NULL!": "A1 B2", "#SPILL!": "SEQUENCE(3)", "#CALC!": "FILTER(A1:A2,A1:A2>5)",
                 "#GETTING_DATA": 'CUBEVALUE("x")'}


@dataclass
class Cell:
    """What a mutation put in a client's cell instead of the true value, and what it does
    to the truth: ``effect`` is "same" (the cell still says the true value), "none" (no
    amount yet), "blank", "unreadable" (an amount, status or date exists but cannot be
    read) or "ambiguous" (a status with two meanings)."""
    kind: str  # "error" | "text"
    value: Any
    effect: str
    raw: bool = False  # error without a formula


@dataclass
class Layout:
    columns: list[str] = field(default_factory=lambda: list(FIELDS))
    headers: dict[str, str] = field(default_factory=lambda: dict(CANON_HEADERS))
    unit: int = 10000
    unit_place: str = "header"  # header | title | banner | unit_row | note | group | numfmt_scaled | numfmt_literal
    status_words: tuple[str, str, str] = ("现有", "潜在", "流失")
    split: str | None = None  # status | owner | region
    order: list[int] | None = None  # permutation of clients
    title: bool = False
    date_line: bool = False
    blank_after: set[int] = field(default_factory=set)  # client indices followed by a blank row
    total_row: bool = False
    notes: bool = False
    hidden: set[int] = field(default_factory=set)
    preface: bool = False
    pivot: bool = False
    group_labels: bool = False  # the AE's name alone on a row, its clients below with no owner
    repeat_header_after: set[int] = field(default_factory=set)  # client indices followed by the header again
    amount_style: dict[int, str] = field(default_factory=dict)
    date_style: dict[int, str] = field(default_factory=dict)
    date_format: str = "yyyy-mm-dd"


@dataclass
class Book:
    clients: list[Client]
    layout: Layout = field(default_factory=Layout)
    cells: dict[tuple[int, str], Cell] = field(default_factory=dict)  # (client index, field) -> Cell
    applied: list[str] = field(default_factory=list)

    def effect(self, i: int, f: str) -> str:
        """What client i's field f says, in the rendered layout ("same" unless a cell says otherwise)."""
        if f not in self.layout.columns or f == self.layout.split:  # a sheet per value: the column is not written
            return "same"
        cell = self.cells.get((i, f))
        return cell.effect if cell is not None else "same"


def base_book(index: int) -> Book:
    return Book(seed_clients(index))


# --------------------------------------------------------------------------- mutations

def _pick(rng: random.Random, book: Book, k: int = 1, where: Callable[[Client], bool] = lambda c: True) -> list[int]:
    idx = [i for i, c in enumerate(book.clients) if where(c)]
    return rng.sample(idx, min(k, len(idx)))


def _free(book: Book, i: int, f: str) -> bool:
    return (i, f) not in book.cells


def m_unit_place(place):
    def mutate(book: Book, rng: random.Random) -> None:
        book.layout.unit_place = place
        if place in ("numfmt_scaled", "numfmt_literal"):
            book.layout.unit = 10000
    mutate.__name__ = f"unit_{place}"
    return mutate


def unit_other_scale(book: Book, rng: random.Random) -> None:
    book.layout.unit = rng.choice([1, 1000, 1_000_000])


def status_vocab(book: Book, rng: random.Random) -> None:
    book.layout.status_words = rng.choice(STATUS_VOCABS[1:])


def status_remark(book: Book, rng: random.Random) -> None:
    for i in _pick(rng, book, rng.randint(1, 4), lambda c: True):
        if _free(book, i, "status"):
            st = book.clients[i].status
            remark = rng.choice({"current": ["（有流失风险）", "-重点", "（续约中）", " 预算缩减"],
                                 "prospect": ["（待签约）", "-跟进中", "（已提案）"],
                                 "lost": ["（2025年起）", "-转投竞品", "（可挽回）"]}[st])
            book.cells[(i, "status")] = Cell("text", ("status_remark", st, remark), "same")


def status_two_meanings(book: Book, rng: random.Random) -> None:
    # a client with an amount: whether it counts in the Pareto is what the status decides
    for i in _pick(rng, book, 1, lambda c: bool(c.yuan)):
        if _free(book, i, "status"):
            st = book.clients[i].status
            other = rng.choice([s for s in ("current", "prospect", "lost") if s != st and "current" in (s, st)]
                               if st != "current" else ["prospect", "lost"])
            sep = rng.choice(["/", "，", "或", "→"])
            book.cells[(i, "status")] = Cell("text", ("status_two", st, other, sep), "ambiguous")


def m_split(by):
    def mutate(book: Book, rng: random.Random) -> None:
        book.layout.split = by
    mutate.__name__ = f"split_by_{by}"
    return mutate


def pivot_layout(book: Book, rng: random.Random) -> None:
    book.layout.pivot = True


def group_label_rows(book: Book, rng: random.Random) -> None:
    book.layout.group_labels = True


def repeated_header(book: Book, rng: random.Random) -> None:
    n = len(book.clients)
    book.layout.repeat_header_after = set(rng.sample(range(n - 1), min(2, n - 1)))


def title_rows(book: Book, rng: random.Random) -> None:
    book.layout.title = True
    book.layout.date_line = rng.random() < 0.6


def blank_rows(book: Book, rng: random.Random) -> None:
    n = len(book.clients)
    book.layout.blank_after = set(rng.sample(range(n - 1), min(3, n - 1)))


def total_row(book: Book, rng: random.Random) -> None:
    book.layout.total_row = True


def notes_below(book: Book, rng: random.Random) -> None:
    book.layout.notes = True


def hidden_rows(book: Book, rng: random.Random) -> None:
    book.layout.hidden = set(rng.sample(range(len(book.clients)), rng.randint(1, 3)))


def preface_sheet(book: Book, rng: random.Random) -> None:
    book.layout.preface = True


def header_words(book: Book, rng: random.Random) -> None:
    for f in FIELDS:
        book.layout.headers[f] = rng.choice(HEADER_WORDS[f])


def extra_columns(book: Book, rng: random.Random) -> None:
    extras = [e for e in ("seq", "contact", "phone", "remark") if rng.random() < 0.7] or ["remark"]
    cols = [c for c in book.layout.columns if c not in EXTRA_HEADERS]
    if "seq" in extras:
        cols.insert(0, "seq")
    for e in extras:
        if e != "seq":
            cols.insert(rng.randint(1, len(cols)), e)
    book.layout.columns = cols


def reorder_columns(book: Book, rng: random.Random) -> None:
    cols = list(book.layout.columns)
    rng.shuffle(cols)
    book.layout.columns = cols


def reorder_rows(book: Book, rng: random.Random) -> None:
    order = list(range(len(book.clients)))
    rng.shuffle(order)
    book.layout.order = order


AMOUNT_STYLES = ["plain_text", "commas", "sign", "fullwidth", "own_unit", "cn_numeral", "approx"]


def amount_text(book: Book, rng: random.Random) -> None:
    style = rng.choice(AMOUNT_STYLES)
    for i in _pick(rng, book, rng.randint(1, 5), lambda c: c.yuan is not None):
        book.layout.amount_style[i] = style if rng.random() < 0.7 else rng.choice(AMOUNT_STYLES)


DATE_STYLES = ["slash", "cn", "dotted", "iso", "serial", "format"]


def date_text(book: Book, rng: random.Random) -> None:
    style = rng.choice(DATE_STYLES)
    for i in _pick(rng, book, rng.randint(1, 6), lambda c: c.last_visit is not None):
        book.layout.date_style[i] = style
    if style == "format":
        book.layout.date_format = rng.choice(["yyyy/m/d", 'yyyy"年"m"月"d"日"', "m/d/yyyy", "dd-mmm-yy", "yyyy.mm.dd"])


def error_value(book: Book, rng: random.Random) -> None:
    f = rng.choice(list(INPUT_FIELDS))
    err = rng.choice(ERRORS)
    for i in _pick(rng, book, 1):
        if _free(book, i, f):
            effect = "ambiguous" if f == "status" else "unreadable"
            book.cells[(i, f)] = Cell("error", err, effect, raw=rng.random() < 0.4)


def m_error_in(f):
    """error_value restricted to one field (the per-kind table names the field)."""
    def mutate(book: Book, rng: random.Random) -> None:
        err = rng.choice(ERRORS)
        for i in _pick(rng, book, 1, lambda c: f != "billings" or c.status == "current"):
            if _free(book, i, f):
                book.cells[(i, f)] = Cell("error", err, "ambiguous" if f == "status" else "unreadable",
                                          raw=rng.random() < 0.4)
    mutate.__name__ = f"error_in_{f}"
    return mutate


def unreadable_amount(book: Book, rng: random.Random) -> None:
    for i in _pick(rng, book, 1, lambda c: c.status == "current"):
        if _free(book, i, "billings"):
            book.cells[(i, "billings")] = Cell("text", rng.choice(["见合同", "12O万", "3.5.1万", "约？万", "#12万"]),
                                               "unreadable")


def no_amount_yet(book: Book, rng: random.Random) -> None:
    for i in _pick(rng, book, rng.randint(1, 2), lambda c: c.status == "current"):
        if _free(book, i, "billings"):
            book.cells[(i, "billings")] = Cell("text", rng.choice(["待定", "暂无", "TBD", "-"]), "none")


def blank_amount(book: Book, rng: random.Random) -> None:
    for i in _pick(rng, book, 1, lambda c: c.status == "current"):
        if _free(book, i, "billings"):
            book.cells[(i, "billings")] = Cell("text", None, "blank")


def unreadable_visit(book: Book, rng: random.Random) -> None:
    for i in _pick(rng, book, rng.randint(1, 2)):
        if _free(book, i, "last_visit"):
            book.cells[(i, "last_visit")] = Cell("text", rng.choice(["上周", "2026-13-45", "见备注", "3月初", "待补"]),
                                                 "unreadable")


MUTATIONS: dict[str, Callable[[Book, random.Random], None]] = {m.__name__: m for m in [
    m_unit_place("title"), m_unit_place("banner"), m_unit_place("unit_row"), m_unit_place("note"),
    m_unit_place("group"), m_unit_place("numfmt_scaled"), m_unit_place("numfmt_literal"), unit_other_scale,
    status_vocab, status_remark, status_two_meanings,
    m_split("status"), m_split("owner"), m_split("region"),
    pivot_layout, group_label_rows, repeated_header, title_rows, blank_rows, total_row, notes_below, hidden_rows, preface_sheet,
    header_words, extra_columns, reorder_columns, reorder_rows,
    amount_text, date_text, error_value, *(m_error_in(f) for f in INPUT_FIELDS),
    unreadable_amount, no_amount_yet, blank_amount, unreadable_visit,
]}
#: the order mutations are applied in (layout first, then cells), whatever order was drawn
ORDER = list(MUTATIONS)


def mutate(index: int, kinds: list[str], seed: int) -> Book:
    """The seed book ``index`` with the mutations ``kinds`` applied (each with its own generator)."""
    book = base_book(index)
    for k in sorted(set(kinds), key=ORDER.index):
        MUTATIONS[k](book, random.Random(f"{seed}:{k}"))
        book.applied.append(k)
    return book


# --------------------------------------------------------------------------- rendering

FULLWIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")
CN_DIGITS = "零一二三四五六七八九"


def cn_numeral(n: int) -> str:
    """0 < n < 1e12 in Chinese numerals (十二万三千, 一亿五千万)."""
    def below_10k(x: int) -> str:
        out, zero = "", False
        for unit, div in (("千", 1000), ("百", 100), ("十", 10), ("", 1)):
            d = x // div % 10
            if d:
                if zero and out:
                    out += "零"
                out += ("" if (d == 1 and unit == "十" and not out) else CN_DIGITS[d]) + unit
                zero = False
            else:
                zero = bool(out)
        return out
    parts = []
    for unit, div in (("亿", 10 ** 8), ("万", 10 ** 4), ("", 1)):
        x = n // div % 10 ** 4
        if x:
            if parts and x < 1000:
                parts.append("零")
            parts.append(below_10k(x) + unit)
    return "".join(parts)


def _num(d: Decimal) -> str:
    return format(d.normalize(), "f")


def amount_cell(book: Book, i: int) -> tuple[str, Any, str | None]:
    """(kind, value, number format) of client i's billings cell: kind 'num' | 'text' | 'blank'."""
    c, lay = book.clients[i], book.layout
    if c.yuan is None:
        return "blank", None, None
    unit = lay.unit
    amt = c.yuan / Decimal(unit)
    style = lay.amount_style.get(i)
    if lay.unit_place == "numfmt_scaled" and style is None:
        return "num", c.yuan, '0!.0,"万"'
    if lay.unit_place == "numfmt_literal" and style is None:
        return "num", amt, '0.0"万"'
    if style is None:
        return "num", amt, "#,##0.00" if unit < 1_000_000 else "#,##0.000"
    if style == "plain_text":
        return "text", _num(amt), None
    if style == "commas":
        return "text", f"{amt:,}", None
    if style == "sign":
        return "text", random.Random(c.name).choice(["¥", "￥", "RMB ", "CNY "]) + _num(amt), None
    if style == "fullwidth":
        return "text", _num(amt).translate(FULLWIDTH), None
    if style == "approx":
        return "text", random.Random(c.name).choice(["约{}", "{}左右", "大约{}"]).format(_num(amt)), None
    # amounts carrying their own unit: yuan, 万 or 亿 as a person writes them
    y = c.yuan
    if style == "cn_numeral" and y == int(y):
        return "text", cn_numeral(int(y)), None
    if y >= 10 ** 8 and (y / 10 ** 8) == (y / 10 ** 8).quantize(Decimal("0.0001")):
        return "text", f"{_num(y / 10 ** 8)}亿", None
    if y % 1000 == 0 and random.Random(c.name).random() < 0.7:
        return "text", f"{_num(y / 10000)}万", None
    return "text", f"{y:,}元", None


def date_cell(book: Book, i: int) -> tuple[str, Any, str | None]:
    d = book.clients[i].last_visit
    if d is None:
        return "blank", None, None
    style = book.layout.date_style.get(i)
    if style == "slash":
        return "text", f"{d.year}/{d.month}/{d.day}", None
    if style == "cn":
        return "text", f"{d.year}年{d.month}月{d.day}日", None
    if style == "dotted":
        return "text", f"{d.year}.{d.month}.{d.day}", None
    if style == "iso":
        return "text", d.isoformat(), None
    if style == "serial":
        return "num", Decimal((d - dt.date(1899, 12, 30)).days), None
    return "date", d, book.layout.date_format


def status_text(book: Book, i: int) -> str:
    words = book.layout.status_words
    cell = book.cells.get((i, "status"))
    st = book.clients[i].status
    if cell is not None and cell.kind == "text":
        tag = cell.value
        if tag[0] == "status_remark":
            return words[STATUS_INDEX[tag[1]]] + tag[2]
        if tag[0] == "status_two":
            return words[STATUS_INDEX[tag[1]]] + tag[3] + words[STATUS_INDEX[tag[2]]]
    return words[STATUS_INDEX[st]]


def header_of(lay: Layout, f: str) -> str:
    if f in EXTRA_HEADERS:
        return EXTRA_HEADERS[f]
    h = lay.headers[f]
    if f == "billings" and lay.unit_place == "header":
        return f"{h}({UNIT_WORDS[lay.unit]})"
    return h


@dataclass
class Rendered:
    path: Path
    where: dict[str, tuple[str, int]]  # client name -> (sheet, Excel row)
    errors: list[tuple[str, int, str, str]]  # (sheet, row, header, error value) planted
    client_sheets: list[str]


SPLIT_NAMES = {"status": ("现有客户", "潜在客户", "流失客户")}


def _groups(book: Book) -> list[tuple[str, list[int]]]:
    lay = book.layout
    order = lay.order or list(range(len(book.clients)))
    if lay.split is None:
        return [("客户台账", order)]
    key = {"status": lambda c: SPLIT_NAMES["status"][STATUS_INDEX[c.status]],
           "owner": lambda c: c.owner, "region": lambda c: c.region}[lay.split]
    groups: dict[str, list[int]] = {}
    for i in order:
        groups.setdefault(key(book.clients[i])[:31], []).append(i)
    return list(groups.items())


def render(book: Book, path: Path) -> Rendered:
    lay = book.layout
    cols = [c for c in lay.columns if c != lay.split]
    if lay.pivot and "owner" in cols:  # a pivot table's outline: the group field first
        cols = ["owner"] + [c for c in cols if c != "owner"]
    pivot = lay.pivot and "owner" in cols
    labels = lay.group_labels and "owner" in cols and not pivot
    wb = xlsxwriter.Workbook(str(path))
    head_f = wb.add_format({"bold": True, "text_wrap": True, "border": 1, "bg_color": "#D9E1F2"})
    title_f = wb.add_format({"bold": True, "font_size": 14})
    text_f = wb.add_format({"num_format": "@"})
    fmts: dict[str, Any] = {}

    def fmt(nf: str | None):
        if nf is None:
            return None
        if nf not in fmts:
            fmts[nf] = wb.add_format({"num_format": nf})
        return fmts[nf]

    where: dict[str, tuple[str, int]] = {}
    errors: list[tuple[str, int, str, str]] = []
    unit_word = UNIT_WORDS[lay.unit]
    if lay.preface:
        ws = wb.add_worksheet("汇总")
        ws.write_row(0, 0, ["客户经理", "客户数", f"投放额合计（{unit_word}）"], head_f)
        owners = sorted({c.owner for c in book.clients})
        for r, o in enumerate(owners, 1):
            mine = [c for c in book.clients if c.owner == o]
            ws.write_row(r, 0, [o, len(mine), float(sum((c.yuan or 0) for c in mine) / lay.unit)])
    groups = _groups(book)
    bill_col = cols.index("billings") if "billings" in cols else None
    for sheet, members in groups:
        ws = wb.add_worksheet(sheet)
        r = 0
        ncol = len(cols)
        if lay.title or lay.unit_place == "title":
            t = "2026年度客户投放汇总" + (f"（{unit_word}）" if lay.unit_place == "title" else "")
            ws.merge_range(r, 0, r, max(ncol - 1, 1), t, title_f)
            r += 1
            if lay.date_line:
                ws.write_string(r, 0, "更新日期：2026-11-15")
                r += 1
        if lay.unit_place == "banner":
            ws.write_string(r, 0, f"单位：{unit_word}")
            r += 1
        if lay.unit_place == "group" and bill_col is not None:
            ws.write_string(r, bill_col, f"投放额（{unit_word}）", head_f)
            r += 1
        for j, f in enumerate(cols):
            ws.write_string(r, j, header_of(lay, f), head_f)
        headers = {f: header_of(lay, f) for f in cols}
        r += 1
        if lay.unit_place == "unit_row" and bill_col is not None:
            ws.write_string(r, bill_col, unit_word)
            r += 1
        if pivot or labels:
            members = sorted(members, key=lambda i: book.clients[i].owner)
        prev_owner = None
        seq = 0
        for k, i in enumerate(members):
            c = book.clients[i]
            if pivot and prev_owner is not None and c.owner != prev_owner:
                r = _subtotal(ws, r, cols, book, prev_owner, members, bill_col)
            if labels and c.owner != prev_owner:
                ws.write_string(r, 0, c.owner, title_f)
                r += 1
            seq += 1
            for j, f in enumerate(cols):
                cell = book.cells.get((i, f))
                if cell is not None and cell.kind == "error":
                    ws.write_formula(r, j, "=" + ERROR_FORMULA[cell.value], None, cell.value + ("~raw~" if cell.raw else ""))
                    errors.append((sheet, r + 1, headers[f], cell.value))
                    continue
                if f == "owner" and ((pivot and c.owner == prev_owner) or labels):
                    continue
                if f == "status":
                    ws.write_string(r, j, status_text(book, i))
                elif f == "billings":
                    if cell is not None and cell.kind == "text":
                        if cell.value is not None:
                            ws.write_string(r, j, cell.value)
                        continue
                    kind, v, nf = amount_cell(book, i)
                    if kind == "num":
                        ws.write_number(r, j, float(v), fmt(nf))
                    elif kind == "text":
                        ws.write_string(r, j, v)
                elif f == "last_visit":
                    if cell is not None and cell.kind == "text":
                        ws.write_string(r, j, cell.value)
                        continue
                    kind, v, nf = date_cell(book, i)
                    if kind == "date":
                        ws.write_datetime(r, j, dt.datetime(v.year, v.month, v.day), fmt(nf))
                    elif kind == "num":
                        ws.write_number(r, j, float(v))
                    elif kind == "text":
                        ws.write_string(r, j, v)
                elif f == "seq":
                    ws.write_number(r, j, seq)
                elif f == "phone":
                    ws.write_string(r, j, c.phone, text_f)
                elif f == "remark":
                    rem = REMARKS[(i * 7 + len(c.name)) % len(REMARKS)]
                    if rem:
                        ws.write_string(r, j, rem)
                else:
                    ws.write_string(r, j, str(getattr(c, f)))
            if i in lay.hidden:
                ws.set_row(r, None, None, {"hidden": True})
            where[c.name] = (sheet, r + 1)
            prev_owner = c.owner
            r += 1
            if i in lay.blank_after:
                r += 1
            if i in lay.repeat_header_after:
                for j, f in enumerate(cols):
                    ws.write_string(r, j, headers[f], head_f)
                r += 1
        if pivot and prev_owner is not None:
            r = _subtotal(ws, r, cols, book, prev_owner, members, bill_col)
            ws.write_string(r, 0, "总计")
            if bill_col is not None:
                ws.write_number(r, bill_col, float(sum(book.clients[i].yuan or 0 for i in members) / lay.unit))
            r += 1
        if lay.total_row:
            ws.write_string(r, 0 if not cols or cols[0] != "seq" else 1, "合计")
            if bill_col is not None:
                ws.write_number(r, bill_col, float(sum(book.clients[i].yuan or 0 for i in members) / lay.unit))
            r += 1
        if lay.notes or lay.unit_place == "note":
            r += 1
            if lay.unit_place == "note":
                ws.write_string(r, 0, f"注：金额单位为{unit_word}")
                r += 1
            if lay.notes:
                ws.write_string(r, 0, "注：状态口径以合同为准；数据截至2026年11月15日。")
                ws.write_string(r + 1, 0, "制表人：王芳")
    wb.close()
    _patch_errors(path)
    return Rendered(path, where, errors, [s for s, _ in groups])


def _subtotal(ws, r, cols, book, owner, members, bill_col) -> int:
    ws.write_string(r, 0, f"{owner} 汇总")
    if bill_col is not None:
        ws.write_number(r, bill_col, float(sum(book.clients[i].yuan or 0 for i in members
                                               if book.clients[i].owner == owner) / book.layout.unit))
    return r + 1


_STR_FORMULA = re.compile(r'<c r="([A-Z]+\d+)"([^>]*?) t="str"><f([^>]*)>(.*?)</f><v>(#[^<~]*?)(~raw~)?</v></c>', re.S)


def _patch_errors(path: Path) -> None:
    """Make the error results xlsxwriter wrote as strings real error cells (``t="e"``),
    with their formula or (marked ``~raw~``) as a raw cached error."""
    tmp = path.with_suffix(".tmp")

    def fix(m: re.Match) -> str:
        ref, attrs, fattrs, formula, value, raw = m.groups()
        if raw:  # a cached error with no formula (and so no dynamic-array metadata)
            plain = re.sub(r' cm="[0-9]+"', "", attrs)
            return f'<c r="{ref}"{plain} t="e"><v>{value}</v></c>'
        return f'<c r="{ref}"{attrs} t="e"><f{fattrs}>{formula}</f><v>{value}</v></c>'

    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                text = _STR_FORMULA.sub(fix, data.decode("utf-8"))
                assert "~raw~" not in text, "an error cell was not patched"
                data = text.encode("utf-8")
            zout.writestr(item, data)
    tmp.replace(path)


# --------------------------------------------------------------------------- the truth's expectations

CADENCE = {"A": 14, "B": 30, "C": 90}
#: SPEC 4.1 by analogy: a client whose status cannot be told (two meanings, an error value)
#: but who has an amount may be a current client, even the largest, and so may move every
#: Pareto tier, as an unreadable amount does; so no Pareto tier can be vouched for.  (The
#: one truth here that the SPEC does not spell out: set False to tier from the rest.)
UNKNOWN_STATUS_BLOCKS_PARETO = True
NEAR = Fraction(1, 10 ** 6)


@dataclass
class Expect:
    tiers: set  # tiers that are the truth (None: no tier is the truth)
    owner: str | None  # None: the owner cannot be told (must be empty)
    visit_known: bool  # False: the next visit must be empty, never 从未拜访
    due: Any  # the exact next visit (date), a (lo, hi) range, None (must be empty), or "skip"
    status_known: bool


def expectations(book: Book) -> dict[str, Expect]:
    """SPEC 2 and 4.1 from the truth and the cells the layout destroyed (default Settings:
    Pareto 80/95 on billings; an unreadable amount of a current client empties every
    Pareto tier; no amount yet / blank -> that client untiered, the rest tiered)."""
    cl = book.clients
    n = len(cl)
    status_known = [book.effect(i, "status") == "same" for i in range(n)]
    bill = [book.effect(i, "billings") for i in range(n)]
    could_be_current = [cl[i].status == "current" if status_known[i] else True for i in range(n)]
    # an amount that exists but cannot be read -- or a client whose status cannot be told but
    # who has an amount -- may be the largest current client: no Pareto tier can be vouched for
    unknowable = any((bill[i] == "unreadable" and could_be_current[i]) or
                     (UNKNOWN_STATUS_BLOCKS_PARETO and not status_known[i] and cl[i].yuan and bill[i] == "same")
                     for i in range(n))
    ranked = {i: Fraction(cl[i].yuan) for i in range(n)
              if status_known[i] and cl[i].status == "current" and bill[i] == "same" and cl[i].yuan and cl[i].yuan > 0}
    total = sum(ranked.values(), Fraction(0))
    out: dict[str, Expect] = {}
    for i, c in enumerate(cl):
        if not status_known[i]:
            tiers = {None}
        elif c.status == "lost":
            tiers = {None}
        elif c.status == "prospect":
            tiers = {"D"}
        elif i not in ranked or unknowable:
            tiers = {None}
        else:
            before = sum((v for v in ranked.values() if v > ranked[i]), Fraction(0)) / total
            tiers = set()
            tiers.add("A" if before < Fraction(80, 100) else "B" if before < Fraction(95, 100) else "C")
            for b in (Fraction(80, 100), Fraction(95, 100)):  # float sums may land either side
                if abs(before - b) < NEAR:
                    tiers |= {"A", "B"} if b == Fraction(80, 100) else {"B", "C"}
        owner = c.owner if book.effect(i, "owner") == "same" else None
        visit_known = book.effect(i, "last_visit") == "same" and c.last_visit is not None
        if not visit_known:
            due: Any = None
        elif tiers == {None} and status_known[i] and c.status == "lost":
            due = None
        elif len(tiers) == 1 and next(iter(tiers)) in CADENCE:
            due = working_day_on_or_after(c.last_visit + dt.timedelta(days=CADENCE[next(iter(tiers))]))
        elif tiers == {None}:
            due = None  # no tier, no cadence: nothing can be vouched for
        else:
            due = "skip"  # prospects (cadence by stage) and tiers a float may move
        out[c.name] = Expect(tiers, owner, visit_known, due, status_known[i])
    return out


def working_day_on_or_after(day: dt.date) -> Any:
    """The first working day on or after ``day`` by the official calendar (chinese_calendar),
    or a range (day, day + 12) when the year's schedule is not known there."""
    import chinese_calendar

    try:
        d = day
        while not chinese_calendar.is_workday(d):
            d += dt.timedelta(days=1)
        return d
    except NotImplementedError:
        return (day, day + dt.timedelta(days=12))


# --------------------------------------------------------------------------- running the product

@dataclass
class Outcome:
    rows: list[dict]  # name, client_id, owner, tier, next_visit, visit_status, row
    problems: list[dict]  # sheet, row, column, value, code
    refused: str | None = None  # the whole run refused, with this message


def run_in_process(path: Path, today: dt.date = TODAY) -> Outcome:
    """What ``xlclient refresh --json`` computes, without writing: the same functions."""
    from xlclient.engine.book import ClientTableNotFound
    from xlclient.engine.settings import SettingsError
    from xlclient.jobs import JobRefused, check, load_inputs
    from xlclient.xlsx.reader import WorkbookUnreadable, read_workbook

    try:
        inputs = load_inputs(read_workbook(path), today=today)
    except (ClientTableNotFound, SettingsError, JobRefused, WorkbookUnreadable) as e:
        return Outcome([], [], refused=str(e))
    c, problems, _counts = check(inputs, likelihood=False)
    # the rows the Classification sheet is written from (CLASSIFICATION_COLUMNS order), with
    # the Excel row each client was read from
    from xlclient.engine.labels import CLASSIFICATION_COLUMNS

    keys = [k for k, _, _ in CLASSIFICATION_COLUMNS]
    table = c.table()
    col = {k: table.columns[keys.index(k)] for k in ("client_id", "name", "owner", "tier", "next_visit", "visit_status")}
    rows = []
    for j, excel_row in enumerate(c.frame["row"].to_numpy()):
        nv = col["next_visit"][j]
        rows.append({"row": int(excel_row), **{k: _s(col[k][j]) for k in ("client_id", "name", "owner", "tier",
                                                                            "visit_status")},
                     "next_visit": dt.date(nv.year, nv.month, nv.day) if nv is not None else None})
    probs = [{"sheet": p.sheet, "row": p.row, "column": p.column, "value": p.value, "code": p.code,
              "field": p.params.get("field")} for p in problems]
    return Outcome(rows, probs)


def _s(v) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    return str(v).strip()


def run_cli(path: Path, out: Path, today: dt.date = TODAY) -> tuple[int, Outcome]:
    """``xlclient refresh PATH --out OUT --json`` end to end; the written 分级结果 sheet read
    back with python-calamine (row numbers are not on that sheet: ``row`` is None)."""
    import contextlib
    import io
    import json

    import python_calamine as pc

    from xlclient.cli import main

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(["refresh", str(path), "--out", str(out), "--json", "-q", "--today", today.isoformat()])
    try:
        payload = json.loads(buf.getvalue())
    except json.JSONDecodeError:
        return code, Outcome([], [], refused=f"stdout not JSON: {buf.getvalue()[:300]!r}")
    problems = payload.get("problems") or []
    if not out.exists():
        return code, Outcome([], problems, refused="nothing written: " + str(problems[:1]))
    wb = pc.load_workbook(str(out))
    rows = wb.get_sheet_by_name("分级结果").to_python(skip_empty_area=False)
    head = [str(h).strip() for h in rows[0]]
    col = {k: head.index(h) for k, h in (("client_id", "客户编号"), ("name", "客户名称"), ("owner", "客户经理"),
                                          ("tier", "等级"), ("next_visit", "下次拜访"), ("visit_status", "拜访状态"))}
    got = []
    for r in rows[1:]:
        rec = {k: r[j] if j < len(r) else "" for k, j in col.items()}
        if not _s(rec["name"]):
            continue
        nv = rec["next_visit"]
        nv = nv.date() if isinstance(nv, dt.datetime) else nv if isinstance(nv, dt.date) else None
        got.append({"row": None, "client_id": _s(rec["client_id"]), "name": _s(rec["name"]), "owner": _s(rec["owner"]),
                    "tier": _s(rec["tier"]), "next_visit": nv, "visit_status": _s(rec["visit_status"])})
    return code, Outcome(got, problems)


# --------------------------------------------------------------------------- the invariant

NEVER_VISITED = ("从未拜访", "Never visited")
RESULT_FIELDS = ("client_id", "name", "owner", "status", "billings", "last_visit")
OPTIONAL_CODES = ("inputs_missing", "blank_inputs")  # optional columns missing or empty


def violations(book: Book, rendered: Rendered, outcome: Outcome) -> list[str]:
    """Every way the outcome breaks the invariant (empty: it holds)."""
    if outcome.refused is not None:
        return [] if outcome.refused.strip() else ["refused without a message"]
    exp = expectations(book)
    fails: list[str] = []
    # a problem of the table is a reason when it is about a field results rest on (or about no
    # one field): an optional column missing (需求评分, 合作次数 ...) explains nothing
    table_problem = any(p["row"] is None and p.get("code") not in OPTIONAL_CODES
                        and (p.get("field") is None or p.get("field") in RESULT_FIELDS) for p in outcome.problems)

    def reason(name: str) -> bool:
        sheet, row = rendered.where[name]
        return table_problem or any(p["row"] == row and p["sheet"] == sheet for p in outcome.problems)

    def reason_lost(name: str) -> bool:
        """A client left out needs a problem on its row, or one of the table on its own sheet
        (a sheet never read explains nothing), or one saying names cannot be read."""
        sheet, row = rendered.where[name]
        return any((p["row"] == row and p["sheet"] == sheet) or
                   (p["row"] is None and p.get("code") not in OPTIONAL_CODES
                    and (p["sheet"] == sheet or p.get("field") in ("name", "client_id")))
                   for p in outcome.problems)

    by_name: dict[str, list[dict]] = {}
    for r in outcome.rows:
        by_name.setdefault(r["name"], []).append(r)
    for name, rs in by_name.items():
        if name not in exp:
            fails.append(f"invented client row {name!r}: tier {rs[0]['tier']!r} owner {rs[0]['owner']!r}")
        elif len(rs) > 1:
            fails.append(f"client {name!r} written {len(rs)} times")
    for name, e in exp.items():
        rs = by_name.get(name)
        if not rs:
            if not reason_lost(name):
                fails.append(f"client {name!r} ({rendered.where[name]}) lost without a reported reason")
            continue
        r = rs[0]
        tier = r["tier"] or None
        if tier is not None and tier not in e.tiers:
            fails.append(f"{name!r}: tier {tier} written, truth {sorted(map(str, e.tiers))}")
        elif tier is None and e.tiers != {None} and not reason(name):
            fails.append(f"{name!r}: tier empty without a reason (truth {sorted(map(str, e.tiers))})")
        if r["owner"]:
            if e.owner is None or r["owner"] != e.owner:
                fails.append(f"{name!r}: owner {r['owner']!r} written, truth {e.owner!r}")
        elif e.owner is not None and not reason(name):
            fails.append(f"{name!r}: owner empty without a reason (truth {e.owner!r})")
        nv = r["next_visit"]
        if not e.visit_known and r["visit_status"] in NEVER_VISITED:
            fails.append(f"{name!r}: unreadable last visit shown as {r['visit_status']!r}")
        if nv is not None and e.due != "skip":
            if e.due is None:
                fails.append(f"{name!r}: next visit {nv} written, truth: none can be vouched for")
            elif isinstance(e.due, tuple):
                if not e.due[0] <= nv <= e.due[1]:
                    fails.append(f"{name!r}: next visit {nv} written, truth in {e.due[0]}..{e.due[1]}")
            elif nv != e.due:
                fails.append(f"{name!r}: next visit {nv} written, truth {e.due}")
        elif nv is None and e.due not in (None, "skip") and not reason(name):
            fails.append(f"{name!r}: next visit empty without a reason (truth {e.due})")
    unread_sheets = {p["sheet"] for p in outcome.problems if p["row"] is None and p.get("code") == "table_continued"}
    for sheet, row, header, err in rendered.errors:
        if sheet in unread_sheets:
            continue  # a sheet said not to be read at all: its cells are not vouched for, none is used
        if not any(p["row"] == row and p["sheet"] == sheet for p in outcome.problems):
            fails.append(f"error value {err} at {sheet} row {row} ({header!r}) not reported on its row")
    return fails


def check_book(book: Book, folder: Path) -> list[str]:
    """Render, run in-process, and list the violations."""
    folder.mkdir(parents=True, exist_ok=True)
    rendered = render(book, folder / "book.xlsx")
    try:
        outcome = run_in_process(rendered.path)
    except Exception as e:  # never an internal error (SPEC 8)
        return [f"internal error: {type(e).__name__}: {e}"[:300]]
    return violations(book, rendered, outcome)


def describe(book: Book) -> str:
    """The layout and the destroyed cells, for a failure message."""
    lay = book.layout
    base = Layout()
    diff = {f.name: getattr(lay, f.name) for f in dataclasses.fields(Layout) if getattr(lay, f.name) != getattr(base, f.name)}
    cells = {f"{book.clients[i].name}.{f}": (c.kind, c.value, c.effect) for (i, f), c in book.cells.items()}
    return f"mutations {book.applied}; layout {diff}; cells {cells}"
