"""The fields of a client book and how the headers agencies type map onto them (SPEC 2).

Headers are compared after NFKC normalisation (full-width to half-width), lower-casing and
dropping spaces and punctuation, so ``客户 名称``, ``客户名称：`` and ``Client  Name`` all
match. A unit in brackets or after a slash (``年度投放额(万元)``, ``投放额/万``) is split off
and turns into a multiplier for money fields. A ``Columns`` mapping from Settings maps any
other header onto a field and wins over the built-in aliases.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# field -> (kind, aliases). Kinds: text, money, date, count, score, hours, bool, status,
# stage, tier, potential. The first alias is the canonical Chinese header.
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "client_id": ("text", ("客户编号", "编号", "客户代码", "客户id", "client id", "clientid", "id", "client no",
                            "customer id", "account id")),
    "name": ("text", ("客户名称", "客户", "公司名称", "客户全称", "单位名称", "企业名称", "client", "name",
                       "client name", "customer", "customer name", "company", "account")),
    "owner": ("text", ("客户经理", "负责人", "业务员", "销售", "对接人", "跟进人", "owner", "ae",
                        "account executive", "account manager", "sales rep")),
    "status": ("status", ("客户状态", "状态", "合作状态", "status")),
    "industry": ("text", ("行业", "所属行业", "industry", "sector")),
    "region": ("text", ("地区", "区域", "城市", "region", "city", "area")),
    "size": ("text", ("规模", "企业规模", "公司规模", "size")),
    "billings": ("money", ("年度投放额", "近12月投放额", "近12个月投放额", "投放额", "营业额", "合同金额", "年投放额",
                            "年度投放", "billings", "revenue", "annual billings", "sales")),
    "billings_prev": ("money", ("上年投放额", "去年投放额", "上年度投放额", "上期投放额", "前12月投放额",
                                 "previous billings", "billings last year", "prior billings")),
    "gross_profit": ("money", ("毛利", "毛利额", "代理费", "服务费", "gross profit", "fee", "fees", "margin")),
    "service_hours": ("hours", ("服务工时", "工时", "服务时长", "service hours", "hours")),
    "orders": ("count", ("合作次数", "订单数", "下单次数", "成交次数", "orders", "order count", "jobs")),
    "first_order": ("date", ("首次合作日期", "首次合作", "首单日期", "首次下单日期", "first order", "first order date",
                              "client since")),
    "last_order": ("date", ("最近合作日期", "最近合作", "最近下单日期", "末次合作日期", "上次合作日期",
                             "last order", "last order date")),
    "last_visit": ("date", ("最近拜访日期", "上次拜访", "上次拜访日期", "最近拜访", "最后拜访日期", "last visit",
                             "last visit date", "last contact")),
    "potential": ("potential", ("潜力评分", "潜力", "预计年度预算", "预计预算", "潜在预算", "potential",
                                 "potential score", "expected budget")),
    "need": ("score", ("需求评分", "需求", "需求程度", "need", "need score")),
    "stage": ("stage", ("意向阶段", "跟进阶段", "阶段", "客户阶段", "stage", "pipeline stage")),
    "meetings": ("count", ("沟通次数", "见面次数", "会面次数", "拜访次数", "meetings", "meeting count")),
    "deposit_paid": ("bool", ("已付定金", "定金", "是否付定金", "deposit paid", "deposit")),
    "personality": ("text", ("性格类型", "客户类型", "客户性格", "personality", "personality type")),
    "risk_hardship": ("bool", ("经营困难", "business difficulty", "financial difficulty")),
    "risk_competitor": ("bool", ("竞品接触", "接触竞品", "竞争对手接触", "competitor contact")),
    "risk_management": ("bool", ("管理层变动", "高层变动", "management change")),
    "risk_overdue": ("bool", ("付款逾期", "回款逾期", "逾期付款", "payment overdue", "late payment")),
    "tier_override": ("tier", ("锁定等级", "指定等级", "人工等级", "tier override", "pinned tier")),
    "previous_tier": ("tier", ("上次等级", "原等级", "上期等级", "previous tier", "last tier")),
}

RISK_FIELDS: tuple[str, ...] = ("risk_hardship", "risk_competitor", "risk_management", "risk_overdue")

# Units that may follow a header, in brackets or after a slash, and their multipliers.
HEADER_UNITS: dict[str, float] = {
    "元": 1.0, "人民币": 1.0, "rmb": 1.0, "cny": 1.0, "¥": 1.0, "人民币元": 1.0,
    "千元": 1e3, "千": 1e3, "k": 1e3,
    "万元": 1e4, "万": 1e4, "w": 1e4,
    "百万元": 1e6, "百万": 1e6, "m": 1e6,
    "亿元": 1e8, "亿": 1e8,
}
_UNIT_RE = re.compile(r"^(?P<base>.*?)\s*(?:[(\[（【](?P<u1>[^)\]）】]*)[)\]）】]|[/／](?P<u2>[^/／]+))\s*$")
_PUNCT_RE = re.compile(r"[\s_:：\-—·.。,，*＊#]+")


def normalise_header(text: object) -> str:
    """Comparable form of a header: NFKC, lower case, no spaces or punctuation."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text)).strip().lower()
    return _PUNCT_RE.sub("", s)


def split_unit(header: object) -> tuple[str, str | None]:
    """Split ``年度投放额(万元)`` into (``年度投放额``, ``万元``); no unit gives (header, None)."""
    s = unicodedata.normalize("NFKC", str(header or "")).strip()
    m = _UNIT_RE.match(s)
    if not m:
        return s, None
    unit = (m.group("u1") or m.group("u2") or "").strip()
    return m.group("base").strip(), unit or None


def unit_multiplier(unit: str | None) -> float | None:
    """The money multiplier of a header unit, or None when the unit is not a money unit."""
    if unit is None:
        return 1.0
    return HEADER_UNITS.get(normalise_header(unit))


@dataclass(frozen=True)
class ColumnMatch:
    """One recognised column: which field, at which column index, the header text, the unit."""

    field: str
    index: int
    header: str
    multiplier: float = 1.0


def _alias_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for field, (_, aliases) in FIELDS.items():
        for alias in aliases:
            table.setdefault(normalise_header(alias), field)
    return table


ALIASES: dict[str, str] = _alias_table()


def match_headers(headers: Sequence[object], mapping: Mapping[str, str] | None = None) -> dict[str, ColumnMatch]:
    """Recognise the fields in a header row.

    ``mapping`` (from the Settings ``Columns`` block) maps a field to the header used in
    this workbook and wins over the aliases. Otherwise a header matches a field when its
    normalised text (unit removed) equals an alias; failing that, when it contains an alias
    of three or more characters (``2026年度投放额`` -> billings), the longest alias winning.
    Each field and each column is used at most once, the leftmost column first.
    """
    found: dict[str, ColumnMatch] = {}
    used: set[int] = set()
    cells = [(i, h) for i, h in enumerate(headers) if h is not None and str(h).strip()]
    split = {i: split_unit(h) for i, h in cells}

    def take(field: str, i: int) -> None:
        base, unit = split[i]
        mult = unit_multiplier(unit) if FIELDS[field][0] in ("money", "potential") else 1.0
        found[field] = ColumnMatch(field, i, str(headers[i]).strip(), mult if mult is not None else 1.0)
        used.add(i)

    for field, wanted in (mapping or {}).items():
        if field not in FIELDS or not wanted:
            continue
        target = normalise_header(wanted)
        for i, h in cells:
            if i not in used and (normalise_header(h) == target or normalise_header(split[i][0]) == target):
                take(field, i)
                break

    for i, _ in cells:
        if i in used:
            continue
        key = normalise_header(split[i][0])
        field = ALIASES.get(key) or ALIASES.get(normalise_header(headers[i]))
        if field and field not in found:
            take(field, i)

    long_aliases = sorted(((a, f) for a, f in ALIASES.items() if len(a) >= 3), key=lambda af: -len(af[0]))
    for i, _ in cells:
        if i in used:
            continue
        key = normalise_header(split[i][0])
        for alias, field in long_aliases:
            if field not in found and alias in key:
                take(field, i)
                break
    return found


def header_score(headers: Sequence[object]) -> int:
    """How much a row looks like a client-table header: the number of fields it names,
    counting only rows that name the client."""
    found = match_headers(headers)
    if "name" not in found and "client_id" not in found:
        return 0
    return len(found)
