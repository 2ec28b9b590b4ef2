"""How the client table was read, with the evidence for every inference (SPEC 2).

The header row says which column holds which field (:mod:`.fields`); this module looks at
the values too and decides what can be trusted:

* a column whose values are client statuses (现有客户 / 潜在客户 / 流失客户, 老客户 / 已停止合作
  ...) is the status, whatever its header (a 客户类型 column is often the status, sometimes
  the personality); a header-named status column whose values are not statuses is not;
* without an owner header, a single unnamed column of people's names repeated down the
  rows is the owner, and says so;
* two columns that name one of the fields results depend on (owner, status, billings,
  last visit) and hold different values cannot both be right: that is a problem of the
  table, and the results that need the field stay empty with the reason, until the
  Settings 列映射 names one. Two columns that agree are fine (the fuller one is used);
* a field results depend on that is not found at all is a problem of the table too.

:class:`Reading` keeps the outcome -- each field with its column and how it was found,
its unit and where the unit came from, the rivals, what could not be read -- and renders
the reading report of ``xlclient check`` and its one-line form.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .fields import FIELDS, MONEY_KINDS, ColumnMatch, HeaderMatch, display_header, normalise_header, unit_label
from .labels import Language
from .parse import blank_mask, parse_date, parse_money, parse_text
from .problems import Problem
from .client_column import client_by_content
from .vocab import column_words, status_codes, status_context

# Fields the results depend on (SPEC 2). The name (or ID) is needed to find the table at all.
CRITICAL_FIELDS: tuple[str, ...] = ("owner", "status", "billings", "last_visit")

FIELD_LABELS: dict[str, tuple[str, str]] = {
    "client_id": ("客户编号", "client ID"), "name": ("客户名称", "client name"), "owner": ("客户经理", "owner (AE)"),
    "status": ("客户状态", "status"), "billings": ("投放额", "billings"), "gross_profit": ("毛利", "gross profit"),
    "last_visit": ("最近拜访日期", "last visit"), "last_order": ("最近合作日期", "last order"),
    "first_order": ("首次合作日期", "first order"), "orders": ("合作次数", "orders"), "stage": ("意向阶段", "stage"),
    "industry": ("行业", "industry"), "region": ("地区", "region"), "contact": ("客户方联系人（不作客户经理）",
                                                                              "client's contact (not the AE)"),
    "personality": ("性格类型", "personality"), "billings_prev": ("上年投放额", "previous billings"),
    "need": ("需求评分", "need score"), "potential": ("潜力", "potential"),
}

# What stays empty without the field, as the messages say it.
NEEDED_BY: dict[str, tuple[str, str]] = {
    "name": ("每个客户的全部结果", "every result of every client"),
    "owner": ("拜访计划", "the visit plan"),
    "status": ("等级、象限、意向阶段、RFM、购买可能性、下次拜访、复盘与拜访计划",
               "tiers, quadrants, stages, RFM, likelihoods, next visits, the review and the visit plan"),
    "billings": ("现有客户的等级、象限、RFM、下次拜访、复盘与拜访计划",
                 "current clients' tiers, quadrants, RFM, next visits, the review and the visit plan"),
    "last_visit": ("下次拜访、拜访状态与拜访计划", "next visits, visit status and the visit plan"),
    "gross_profit": ("复盘与看板中的毛利数字（含淘汰建议）", "the gross-profit figures of the review and dashboard"),
    "need": ("象限", "quadrants"), "potential": ("潜在客户的象限", "prospects' quadrants"),
    "orders": ("RFM", "RFM"), "last_order": ("RFM", "RFM"),
}

HOW_LABELS: dict[str, tuple[str, str]] = {
    "mapping": ("设置中的列映射", "the Settings column mapping"), "alias": ("表头", "header"),
    "bilingual": ("中英文表头", "bilingual header"), "contained": ("表头（含限定词）", "header with a qualifier"),
    "content": ("按单元格内容判断", "recognised by its values"), "group": ("两级表头", "two-level header"),
    "parts": ("按表头词义", "header read by its words"),
    "beside": ("旁边是此人的职位或电话", "beside this person's title or phone"),
}
UNIT_FROM_LABELS: dict[str, tuple[str, str]] = {
    "header": ("来自表头", "from the header"), "group": ("来自上方分组表头", "from the group header above"),
    "banner": ("来自表格上方的单位说明", "from the unit line above the table"),
    "title": ("来自表格标题", "from the table's title"), "unit_row": ("来自表头下的单位行", "from the unit row under the header"),
    "note": ("来自表格下方的注", "from the note under the table"),
    "format": ("来自单元格的数字格式", "from the cells' number format"),
    "": ("未注明，按元计", "none stated, taken as yuan"),
}

STATUS_SHARE = 0.8   # a column whose non-blank values are at least this share of status words is a status column
NOT_STATUS_SHARE = 0.5  # a header-named status column with fewer status words is not one
_PERSON_RE = re.compile(r"^(?:[\u4e00-\u9fff]{2,4}|[A-Z][a-z]+(?: [A-Z][a-z]+){1,2})$")


def field_label(f: str, lang: Language) -> str:
    zh, en = FIELD_LABELS.get(f, (FIELDS[f][1][0] if f in FIELDS else f, f.replace("_", " ")))
    return zh if lang == "zh" else en


@dataclass
class Reading:
    """The outcome of reading the client table: the field -> column choices with their
    evidence, the rivals that were passed over, the fields that could not be read (field ->
    problem code) and the content evidence (field -> words)."""

    sheet: str
    header_row: int  # Excel row of the header
    table: str | None
    columns: dict[str, ColumnMatch]
    rivals: dict[str, list[ColumnMatch]] = field(default_factory=dict)
    unreadable: dict[str, str] = field(default_factory=dict)
    evidence: dict[str, dict[str, Any]] = field(default_factory=dict)
    # headers of the table used for no field: (header, the fields its words point to, if several)
    unused: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)

    def how_text(self, f: str, lang: Language) -> str:
        """How the column of ``f`` was found, with its evidence: ``按表头词义：全年·广告费·万``,
        ``按单元格内容判断，12 行里 3 个人名反复出现``."""
        m = self.columns[f]
        zh = lang == "zh"
        how = HOW_LABELS.get(m.how, (m.how, m.how))[0 if zh else 1]
        if m.evidence:  # the words a header was read by: 全年·广告费·万
            how += ("：" if zh else ": ") + "·".join(w for _, w in m.evidence)
        if f in self.evidence:
            how += ("，" if zh else ", ") + self.evidence[f][lang]
        return how

    def field_line(self, f: str, lang: Language) -> str:
        m = self.columns[f]
        zh = lang == "zh"
        how = HOW_LABELS.get(m.how, (m.how, m.how))[0 if zh else 1]
        if m.evidence:  # the words a header was read by: 全年·广告费·万
            how += ("：" if zh else ": ") + "·".join(w for _, w in m.evidence)
        text = f"{field_label(f, lang)}：「{m.header}」（{_letter(m.index)}列，{how}" if zh else \
            f"{field_label(f, lang)}: '{m.header}' (column {_letter(m.index)}, {how}"
        if f in self.evidence:
            text += ("，" if zh else ", ") + self.evidence[f][lang]
        if FIELDS.get(f, ("",))[0] in MONEY_KINDS:
            src = UNIT_FROM_LABELS[m.unit_from][0 if zh else 1]
            text += f"，单位 {unit_label(m.multiplier, lang)}：{src}" if zh else \
                f", unit {unit_label(m.multiplier, lang)}: {src}"
        if self.rivals.get(f):
            names = "、".join(f"「{r.header}」" for r in self.rivals[f]) if zh else \
                ", ".join(f"'{r.header}'" for r in self.rivals[f])
            text += f"；未采用：{names}" if zh else f"; passed over: {names}"
        return text + ("）" if zh else ")")

    def report_lines(self, lang: Language) -> list[str]:
        """The reading report of ``xlclient check``: where the table is, each field with its
        column and how, each unit and where it came from, and what could not be read."""
        zh = lang == "zh"
        where = (f"客户表：工作表「{self.sheet}」" + (f"（表 {self.table}）" if self.table else "") +
                 f"，标题在第 {self.header_row} 行") if zh else \
            (f"Client table: sheet '{self.sheet}'" + (f" (table {self.table})" if self.table else "") +
             f", header in row {self.header_row}")
        lines = [where]
        lines += ["  " + self.field_line(f, lang) for f in self.columns]
        for f in CRITICAL_FIELDS:
            if f in self.unreadable:
                lines.append(("  未能读取" if zh else "  Not read: ") + field_label(f, lang) +
                             (f"：{NEEDED_BY[f][0]}留空" if zh else f" -- {NEEDED_BY[f][1]} left empty"))
        if self.unused:
            def one(header: str, fields: tuple[str, ...]) -> str:
                if not fields:
                    return f"「{header}」" if zh else f"'{header}'"
                which = ("、" if zh else " or ").join(field_label(f, lang) for f in fields)
                return f"「{header}」（像{which}，无法确定）" if zh else f"'{header}' (could be {which})"
            lines.append(("  未使用的列：" if zh else "  Columns not used: ") +
                         ("、" if zh else ", ").join(one(h, fs) for h, fs in self.unused) +
                         ("（不是 xlclient 用到的字段；需要时在「设置」的列映射中指定）" if zh else
                          " (no field xlclient uses; map one in the Settings column mapping if it is)"))
        return lines

    def one_line(self, lang: Language) -> str:
        """One line of the report for refresh and plan."""
        zh = lang == "zh"
        parts = []
        for f in ("name", "owner", "status", "billings", "last_visit"):
            if f in self.columns:
                m = self.columns[f]
                unit = f" {unit_label(m.multiplier, lang)}" if FIELDS[f][0] in MONEY_KINDS else ""
                parts.append(f"{field_label(f, lang)}={m.header}{unit}")
            elif f in CRITICAL_FIELDS:
                parts.append(f"{field_label(f, lang)}=" + ("（未读取）" if zh else "(not read)"))
        head = (f"读取「{self.sheet}」第 {self.header_row} 行标题：" if zh else
                f"Read '{self.sheet}', header row {self.header_row}: ")
        return head + ("，".join(parts) if zh else ", ".join(parts))

    def as_dict(self) -> dict[str, Any]:
        """The ``reading`` object of ``--json``."""
        return {
            "sheet": self.sheet, "table": self.table, "header_row": self.header_row,
            "fields": {f: {"column": m.header, "letter": _letter(m.index), "how": m.how,
                           "unit": m.multiplier if FIELDS.get(f, ("",))[0] in MONEY_KINDS else None,
                           "unit_from": m.unit_from if FIELDS.get(f, ("",))[0] in MONEY_KINDS else None,
                           "passed_over": [r.header for r in self.rivals.get(f, [])]}
                       for f, m in self.columns.items()},
            "unreadable": dict(self.unreadable),
            "unused": [{"column": h, "could_be": list(fs)} for h, fs in self.unused],
        }


def _letter(index: int) -> str:
    s, n = "", index + 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


# ---------------------------------------------------------------- deciding on the values


def _nonblank(col: np.ndarray) -> np.ndarray:
    return ~blank_mask(col)


def status_share(col: np.ndarray, header: Any = None) -> tuple[float, int]:
    """(share of the non-blank cells that are status words, number of non-blank cells); the
    header says which words are statuses there (正常 in a 账户状态 column, not in 设备状态)."""
    text = parse_text(col)
    filled = text != ""
    n = int(filled.sum())
    if n == 0:
        return 0.0, 0
    codes, _unknown = status_codes(text[filled], header)
    return float(np.mean(codes != "")), n


# Two to four Chinese characters are also how places are written: a province, a region or
# a city is not a person (江苏, 华东, 浦东新区).
_PLACES = frozenset(("北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 海南 "
                     "四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门 华东 华南 华北 华中 西南 西北 "
                     "东北 华西 深圳 广州 杭州 南京 苏州 成都 武汉 西安 长沙 郑州 青岛 厦门 宁波 无锡 合肥 济南 福州 沈阳 大连 "
                     "昆明 南宁 贵阳 石家庄 太原 南昌 哈尔滨 长春 兰州 海口 佛山 东莞 珠海 温州 常州 烟台").split())
_PLACE_SUFFIX_RE = re.compile(r"(?:省|市|区|县|州|盟|镇|乡|大区|片区|地区)$")


# ... and a job title (市场总监, 采购经理) is a role, not a person.
_TITLE_SUFFIX_RE = re.compile(r"(?:总监|经理|主管|专员|助理|总裁|主任|部长|老板|董事长|总经理|经理人|负责人|店长|老师)$")


# Headers that say what a column of short words is, when it is not a person.
_DETAIL_HEADER_RE = re.compile(r"职位|职务|岗位|头衔|title|position|电话|手机|phone|省|市|区域|地区|城市|region|city|行业|"
                               r"industry|类型|类别|type|等级|级别|level")


_STATE_HEADER_RE = re.compile(r"(?:状态|状况|status|state)$")
_REMARK_HEADER_RE = re.compile(r"^(?:备注|说明|备注说明|情况说明|描述|附注|批注|remarks?|comments?|notes?|memo|description)$")


def _is_person(v: str) -> bool:
    return (bool(_PERSON_RE.match(v)) and v not in _PLACES and not _PLACE_SUFFIX_RE.search(v)
            and not _TITLE_SUFFIX_RE.search(v))


def person_names(col: np.ndarray) -> tuple[bool, int, int]:
    """(looks like people's names repeated down the column, non-blank cells, distinct);
    places (江苏, 华东, 浦东新区) are not people."""
    text = [unicodedata.normalize("NFKC", v).strip() for v in parse_text(col) if v]
    if len(text) < 3:
        return False, len(text), len(set(text))
    share = sum(1 for v in text if _is_person(v)) / len(text)
    distinct = len(set(text))
    return share >= 0.9 and distinct <= max(2, len(text) // 2), len(text), distinct


_ID_RE = re.compile(r"^[A-Za-z]{0,6}[-_/.]?\d[0-9A-Za-z\-_/.]{0,18}$")


def id_codes(col: np.ndarray) -> tuple[bool, int]:
    """(the column holds codes -- letters and digits such as KH-2026-001 or 10023, nearly
    all distinct -- number of non-blank cells)."""
    text = [unicodedata.normalize("NFKC", v).strip() for v in parse_text(col) if v]
    if len(text) < 3:
        return False, len(text)
    coded = sum(1 for v in text if _ID_RE.match(v) and sum(ch.isdigit() for ch in v) >= 2)
    return coded >= 0.95 * len(text) and len(set(text)) >= 0.95 * len(text), len(text)


def _parsed(kind: str, col: np.ndarray, multiplier: float, date1904: bool, header: Any = None) -> np.ndarray:
    """Comparable values of a column for a field kind (text normalised; money in yuan)."""
    if kind in MONEY_KINDS:
        return parse_money(col, multiplier, allow_negative=True).values
    if kind == "date":
        return parse_date(col, date1904).values.astype("datetime64[D]").astype(float)
    text = parse_text(col)
    if kind == "status":
        codes, unknown = status_codes(text, header)
        return np.where(codes != "", codes, text).astype(object)
    return np.array([unicodedata.normalize("NFKC", v).strip().casefold() for v in text], dtype=object)


def _agree(a: np.ndarray, b: np.ndarray) -> bool:
    """True when two columns never disagree where both hold a value."""
    if a.dtype.kind == "f":
        both = ~np.isnan(a) & ~np.isnan(b)
        return bool(np.all(np.isclose(a[both], b[both], rtol=1e-9, atol=1e-9)))
    both = (a != "") & (b != "")
    return bool(np.all(a[both] == b[both]))


def resolve(hm: HeaderMatch, grid: np.ndarray, headers: Sequence[Any], sheet: str, excel_rows: np.ndarray,
            mapping: Mapping[str, str], date1904: bool = False) -> tuple[dict[str, ColumnMatch],
                                                                         dict[str, list[ColumnMatch]],
                                                                         dict[str, str], dict[str, dict[str, str]],
                                                                         list[Problem]]:
    """Decide the columns from the header match and the values (``grid``: data rows x every
    column). Returns (columns, rivals, unreadable field -> code, evidence, table problems)."""
    columns = dict(hm.columns)
    rivals = {f: list(v) for f, v in hm.rivals.items()}
    unreadable: dict[str, str] = {}
    evidence: dict[str, dict[str, str]] = {}
    problems: list[Problem] = []
    width = grid.shape[1] if grid.ndim == 2 else 0
    taken = {m.index: f for f, m in columns.items()}
    mapped = set(mapping or {})

    def col(i: int) -> np.ndarray:
        return grid[:, i] if i < width else np.full(len(grid), None, dtype=object)

    def header_of(i: int) -> str:
        return display_header(headers[i]) if i < len(headers) and headers[i] is not None else ""

    # A column whose header says it is a state (进院状态, 案件状态, Deal Status) is read as the
    # status even when its first word is unknown: if its words are not statuses, that is said
    # (field_not_status, with the words), never a guess from billings (issue 30).
    if "status" not in columns and "status" not in mapped:
        for i in range(min(width, len(headers))):
            if i in taken or not isinstance(headers[i], str):
                continue
            said = _STATE_HEADER_RE.search(normalise_header(headers[i]))
            if said and len(normalise_header(headers[i])) <= 12 and status_context(header_of(i)) != "other":
                columns["status"] = ColumnMatch("status", i, header_of(i), 1.0, "parts", "", (("status", said.group()),))
                taken[i] = "status"
                break

    # Status by its values: a column full of status words is the status; a header-named
    # status column without them is not.
    if "status" not in mapped:
        shares = {}
        for i in range(width):
            f = taken.get(i)
            if f is not None and f not in ("status", "stage", "personality", "size", "industry", "region"):
                continue
            if f != "status" and status_context(header_of(i)) == "other":
                continue  # 设备状态, 发票状态, 风险等级: the state of something else, whatever its words
            if f is None and "status" in columns and _REMARK_HEADER_RE.match(normalise_header(header_of(i))):
                continue  # a remark column's words are remarks beside a status column, not a rival
            if f == "stage" and not (status_codes(parse_text(col(i)), header_of(i))[0] == "current").any():
                continue  # a stage column is the status only when it holds the whole pipeline (Won, 赢单)
            share, n = status_share(col(i), header_of(i))
            if n >= 3 and share >= STATUS_SHARE:
                shares[i] = (share, n)
        current = columns.get("status")
        if current is not None and current.index not in shares:
            share, n = status_share(col(current.index), current.header)
            if n and share < NOT_STATUS_SHARE:
                if shares:  # another column holds the statuses
                    del columns["status"]
                else:
                    unreadable["status"] = "field_not_status"
                    values = parse_text(col(current.index))
                    problems.append(Problem(sheet, None, current.header, None, "field_not_status",
                                            {"field": "status", "share": f"{share:.0%}", "n": n,
                                             "words": column_words(values, status_codes(values, current.header)[0])}))
        if "status" not in columns and "status" not in unreadable and shares:
            best = max(shares, key=lambda i: (shares[i][0], shares[i][1], -i))
            others = [i for i in shares if i != best]
            if taken.get(best) and taken[best] != "status":
                del columns[taken[best]]
            columns["status"] = ColumnMatch("status", best, header_of(best), 1.0, "content", "")
            share, n = shares[best]
            evidence["status"] = {"zh": f"{n} 个值中 {share:.0%} 是客户状态", "en": f"{share:.0%} of {n} values are statuses"}
            for i in others:
                rivals.setdefault("status", []).append(ColumnMatch("status", i, header_of(i), 1.0, "content", ""))
        elif "status" in columns:
            for i in shares:
                if i != columns["status"].index and taken.get(i) in (None, "status"):
                    rivals.setdefault("status", []).append(ColumnMatch("status", i, header_of(i), 1.0, "content", ""))

    # The client by its values, only where no header names it: a column of names, one per
    # row, under a header such as 投保人 or 医院名称 (engine/client_column.py).
    if "name" not in columns and "client_id" not in columns and "name" not in mapped:
        found_client = client_by_content(headers, [list(r) for r in grid], set(taken))
        if found_client is not None:
            i = found_client.index
            columns["name"] = ColumnMatch("name", i, header_of(i), 1.0, "content", "")
            taken[i] = "name"
            evidence["name"] = {"zh": f"{found_client.n} 行里 {found_client.distinct} 个不同的名字",
                                "en": f"{found_client.distinct} different names over {found_client.n} rows"}
            rivals["name"] = [ColumnMatch("name", j, header_of(j), 1.0, "content", "") for j in found_client.others]
            if not rivals["name"]:
                del rivals["name"]
            problems.append(Problem(sheet, None, header_of(i), None, "name_by_content",
                                    {"field": "name", "n": found_client.n, "distinct": found_client.distinct}))

    # The owner by its values, only where no header names one: a single column without a
    # known header whose cells are people's names repeated down the rows.
    if "owner" not in columns and "owner" not in mapped:
        found = []
        for i in range(width):
            if i in taken or ("status" in columns and columns["status"].index == i) or _DETAIL_HEADER_RE.search(
                    normalise_header(header_of(i))):
                continue  # a title, a phone, a place: what its header says it is
            ok, n, distinct = person_names(col(i))
            if ok:
                found.append((i, n, distinct))
        if len(found) == 1:
            # Names repeated down a column could also be contacts or short industry words: the
            # column is used, and that it was taken by its values is said out loud.
            i, n, distinct = found[0]
            columns["owner"] = ColumnMatch("owner", i, header_of(i), 1.0, "content", "")
            evidence["owner"] = {"zh": f"{n} 行里 {distinct} 个人名反复出现",
                                 "en": f"{distinct} people's names repeated over {n} rows"}
            problems.append(Problem(sheet, None, header_of(i) or _letter(i), None, "field_by_content",
                                    {"field": "owner", "letter": _letter(i), "n": n, "distinct": distinct}))

    # A column named like the client (客户) that holds codes (KH-2026-001) beside the names
    # is the client ID.
    if "client_id" not in columns and "client_id" not in mapped:
        for r in rivals.get("name", []):
            ok, n = id_codes(col(r.index))
            if ok:
                columns["client_id"] = ColumnMatch("client_id", r.index, r.header, 1.0, "content", "")
                evidence["client_id"] = {"zh": f"{n} 个值都是编号", "en": f"its {n} values are codes"}
                rivals["name"] = [x for x in rivals["name"] if x.index != r.index]
                if not rivals["name"]:
                    del rivals["name"]
                break

    # Rivals of the fields results depend on: agreeing columns are fine (the fuller one is
    # used); disagreeing ones leave the field unread until the mapping names one.
    for f in CRITICAL_FIELDS:
        if f not in columns or f in mapped or f in unreadable or not rivals.get(f):
            continue
        chosen = columns[f]
        kind = FIELDS[f][0]
        base = _parsed(kind, col(chosen.index), chosen.multiplier, date1904, chosen.header)
        kept: list[ColumnMatch] = []
        for r in rivals[f]:
            other = _parsed(kind, col(r.index), r.multiplier, date1904, r.header)
            if not _agree(base, other):
                unreadable[f] = "field_ambiguous"
                problems.append(Problem(sheet, None, chosen.header, None, "field_ambiguous",
                                        {"field": f, "rival": r.header}))
                break
            if _nonblank(col(r.index)).sum() > _nonblank(col(chosen.index)).sum():
                kept.append(chosen)
                chosen, base = r, other
            else:
                kept.append(r)
        if f not in unreadable:
            columns[f] = chosen
            rivals[f] = kept

    # Fields results depend on that no column names (the table is found by its client names or
    # IDs, but a table handed over directly may lack both).
    if "name" not in columns and "client_id" not in columns:
        unreadable["name"] = "field_missing"
        problems.append(Problem(sheet, None, field_label("name", "zh"), None, "field_missing", {"field": "name"}))
    for f in CRITICAL_FIELDS:
        if f in columns or f in unreadable:
            continue
        if f == "status" and "billings" in columns and "billings" not in unreadable and "status" not in hm.foreign:
            # SPEC 2, no status column: billings tell current from prospect; lost cannot be told
            problems.append(Problem(sheet, None, field_label("status", "zh"), None, "status_from_billings",
                                    {"field": "status"}))
            continue
        unreadable[f] = "field_missing"
        if f in hm.foreign:
            i, unit = hm.foreign[f]
            problems.append(Problem(sheet, None, header_of(i), None, "field_foreign", {"field": f, "unit": unit}))
        elif f in hm.company_own:
            i, facts = hm.company_own[f]
            problems.append(Problem(sheet, None, header_of(i), None, "field_company_own",
                                    {"field": f, "facts": "、".join(f"「{x}」" for x in facts),
                                     "facts_en": ", ".join(f"'{x}'" for x in facts)}))
        else:
            problems.append(Problem(sheet, None, field_label(f, "zh"), None, "field_missing", {"field": f}))
    # Other money columns in a foreign currency (gross profit in USD ...) are not used either,
    # and that is said.
    for f, (i, unit) in hm.foreign.items():
        if f not in columns and f not in CRITICAL_FIELDS:
            problems.append(Problem(sheet, None, header_of(i), None, "field_foreign", {"field": f, "unit": unit}))
    for f in unreadable:  # the frame gets no values for it: nothing computed from a doubtful column
        columns.pop(f, None)
    columns = dict(sorted(columns.items(), key=lambda fm: fm[1].index))
    return columns, rivals, unreadable, evidence, problems
