"""The fields of a client book and how the headers agencies type map onto them (SPEC 2).

Headers are compared after NFKC normalisation (full-width to half-width), lower-casing and
dropping spaces, line breaks and punctuation, so ``客户 名称``, ``客户\\n名称``, ``客户名称：``
and ``Client  Name`` all match. A unit in brackets or after a slash (``年度投放额(万元)``,
``合同金额/元``, ``毛利（千元）``) is split off and turns into a multiplier for money fields;
a percentage or a foreign currency in the unit means the column is not an amount in yuan.
A ``Columns`` mapping from Settings maps any other header onto a field and wins over the
built-in aliases.

Matching, in order: the Settings mapping; a header equal to an alias (the most canonical
alias of a field wins, then the leftmost column); a header that contains an alias of three
or more characters when what is left around it is only a qualifier -- a year, 年度, 合计,
实际, 姓名, a unit ... (``2026年度投放额``, ``客户经理姓名``) but not another attribute
(``客户经理电话``, ``投放额占比``). Columns named by year (``2025年投放额``, ``2026年投放额``)
give the latest year to the field and, for billings, the year before it to billings_prev.
Last, a header none of these name is read by its words (:mod:`.header_parts`): a period, a
subject, a date word, a unit in any order (``全年广告费(万)``, ``拜访日期(最近)``, ``对接AE``),
with the words kept as the evidence. A word beside a known header that changes its meaning
(``投放额（累计）``, ``客户经理（电话）``) keeps the header from its field.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field as dataclass_field
from functools import lru_cache

from .header_parts import changes_meaning, parts_of, read_header
from .parse import TRADITIONAL

# field -> (kind, aliases). Kinds: text, money, date, count, score, hours, bool, status,
# stage, tier, potential. The first alias is the canonical Chinese header; aliases earlier in
# the list win over later ones when several columns match a field exactly.
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "client_id": ("text", ("客户编号", "编号", "客户代码", "客户id", "客户号", "client id", "clientid", "id",
                            "client no", "client number", "customer id", "account id")),
    # a bare 名称 / Name comes last: beside a column that says what the client is (公司, Organization)
    # it is a person's or a product's name
    "name": ("text", ("客户名称", "客户", "公司名称", "客户全称", "单位名称", "企业名称", "客户名", "公司",
                       "广告主", "广告主名称",
                       "client", "client name", "customer", "customer name", "company", "company name",
                       "account", "account name", "organization", "organisation", "organization name",
                       "客户简称", "签约公司", "签约单位", "签约客户", "签约方", "合作公司", "合作单位", "合作方", "客户公司",
                       "甲方", "甲方名称", "甲方公司", "名称", "name")),
    "owner": ("text", ("客户经理", "负责人", "业务员", "销售", "跟进人", "客户负责人", "业务经理", "销售经理",
                        "销售负责人", "负责销售", "对接销售", "所属销售", "归属销售", "跟进销售", "对应销售", "销售代表", "销售人员",
                        "业务负责人", "客户主管", "客户归属", "归属人", "所属ae", "负责ae", "跟进人员", "跟单人",
                        "owner", "ae", "account executive", "account manager", "sales rep", "account owner",
                        "sales owner", "key account manager", "kam", "salesperson", "sales agent", "sales executive",
                        "company owner", "contact owner", "deal owner", "record owner", "lead owner", "业务归属",
                        "业务")),  # 業務: the salesperson in Taiwan and in everyday speech
    # the person at the client (甲方对接人): known so that it is never taken for the AE
    "contact": ("text", ("联系人", "对接人", "客户联系人", "客户对接人", "甲方对接人", "客户方联系人", "对接联系人",
                          "contact", "contact person", "contact name", "client contact")),
    "status": ("status", ("客户状态", "状态", "合作状态", "合作情况", "合作状况", "往来状态", "投放状态", "客户阶段状态",
                           "status", "client status",
                           "account status", "account type", "lifecycle stage", "customer status")),
    "industry": ("text", ("行业", "所属行业", "行业类别", "行业别", "产业", "产业别", "产业类别", "所属产业", "industry",
                           "sector", "category", "vertical")),
    "region": ("text", ("地区", "区域", "城市", "所在地区", "所在城市", "省份", "大区", "片区", "所属区域", "销售区域",
                         "所属大区", "region", "city", "area", "territory")),
    "size": ("text", ("规模", "企业规模", "公司规模", "size")),
    "billings": ("money", ("年度投放额", "近12月投放额", "近12个月投放额", "投放额", "营业额", "合同金额", "年投放额",
                            "年度投放", "投放金额", "年度投放金额", "投放总额", "销售额", "营收", "广告投放额",
                            "广告预算", "年度广告预算", "签约金额", "合同额", "年度合同额", "合同总额", "年度消耗",
                            "广告消耗", "消耗金额", "投放消耗", "消耗", "消耗额", "年消耗", "投放", "已投放", "已投放额",
                            "实际投放", "实际投放额", "收入", "本年收入", "年度收入", "营业收入", "合作金额", "成交金额", "成交额", "签单金额", "媒介投放额",
                            "billings", "billing", "revenue", "annual billings", "sales", "spend", "ad spend",
                            "annual spend", "media spend", "contract value", "contract amount")),
    "billings_prev": ("money", ("上年投放额", "去年投放额", "上年度投放额", "上期投放额", "前12月投放额",
                                 "上一年投放额", "上一年度投放额", "previous billings", "billings last year",
                                 "prior billings", "last year billings")),
    "gross_profit": ("money", ("毛利", "毛利额", "毛利润", "代理费", "服务费", "代理费收入", "服务费收入", "gross profit",
                                "fee", "fees", "fee income", "agency fee", "margin", "gp")),
    "service_hours": ("hours", ("服务工时", "工时", "服务时长", "service hours", "hours")),
    "orders": ("count", ("合作次数", "订单数", "下单次数", "成交次数", "orders", "order count", "jobs")),
    "first_order": ("date", ("首次合作日期", "首次合作", "首单日期", "首次下单日期", "首次合作时间", "开始合作日期",
                              "合作开始日期", "first order", "first order date", "client since")),
    "last_order": ("date", ("最近合作日期", "最近合作", "最近下单日期", "末次合作日期", "上次合作日期", "最近一次合作日期",
                             "最后合作日期", "最近合作时间", "last order", "last order date")),
    "last_visit": ("date", ("最近拜访日期", "上次拜访", "上次拜访日期", "最近拜访", "最后拜访日期", "最近一次拜访日期",
                             "最近一次拜访", "上次拜访时间", "最近拜访时间", "上次见面", "最近见面", "上次见面日期",
                             "最近走访", "上次走访", "最近一次走访", "最后走访日期", "最近沟通日期", "上次沟通日期",
                             "最近联系日期", "上次联系日期", "最后跟进时间", "最近跟进时间", "最近跟进日期", "最后跟进日期",
                             "上次跟进", "上次跟进日期", "last visit", "last visit date", "last contact",
                             "last contacted", "last meeting", "last activity")),
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

MAX_HEADER_LENGTH = 40  # longer text is a title or a note, not a header to search for aliases
RISK_FIELDS: tuple[str, ...] = ("risk_hardship", "risk_competitor", "risk_management", "risk_overdue")
MONEY_KINDS = ("money", "potential")

# Units that may follow a header, in brackets or after a slash, and their multipliers.
HEADER_UNITS: dict[str, float] = {
    "元": 1.0, "人民币": 1.0, "rmb": 1.0, "cny": 1.0, "¥": 1.0, "人民币元": 1.0, "元人民币": 1.0,
    "千元": 1e3, "千": 1e3, "k": 1e3, "千元人民币": 1e3,
    "万元": 1e4, "万": 1e4, "w": 1e4, "万元人民币": 1e4, "人民币万元": 1e4,
    "百万元": 1e6, "百万": 1e6, "m": 1e6, "mn": 1e6,
    "千万元": 1e7, "千万": 1e7,
    "亿元": 1e8, "亿": 1e8,
    "000": 1e3, "thousand": 1e3, "thousands": 1e3, "million": 1e6, "millions": 1e6, "mm": 1e6,
}
_UNIT_LABELS = {1.0: "元", 1e3: "千元", 1e4: "万元", 1e6: "百万元", 1e7: "千万元", 1e8: "亿元"}


_UNIT_LABELS_EN = {1.0: "yuan", 1e3: "thousand yuan", 1e4: "10,000 yuan (万元)", 1e6: "million yuan",
                   1e7: "10 million yuan", 1e8: "100 million yuan (亿元)"}


def unit_label(multiplier: float, lang: str = "zh") -> str:
    """How messages name a money unit: 10000 -> ``万元`` (en ``10,000 yuan (万元)``); other
    multipliers as ``×2.5元`` (en ``×2.5 yuan``)."""
    if lang == "zh":
        return _UNIT_LABELS.get(float(multiplier), f"×{multiplier:g}元")
    return _UNIT_LABELS_EN.get(float(multiplier), f"×{multiplier:g} yuan")


_UNIT_PREFIX_RE = re.compile(r"^(?:金额单位|单位|币种|units?|in)")
_CURRENCY_WORD_RE = re.compile(r"^(?:人民币|rmb|cny|¥)|(?:人民币|rmb|cny)$")
# A unit text that starts with a money unit (``万元/年``, ``万元,含税``, ``单位:万元``).
_UNIT_LEAD_RE = re.compile(r"^(?:单位|金额单位|unit|in)?(?P<u>人民币万元|人民币|千万元|千万|百万元|百万|亿元|亿|万元|万|千元|千|元|rmb|cny|¥)"
                           r"(?![a-z])")
# Units that say a column is not an amount in yuan.
_PERCENT_RE = re.compile(r"%|‰|占比|比例|比率|百分比|percent|pct|ratio|share")
_FOREIGN_RE = re.compile(r"usd|us\$|\$|美元|美金|hkd|hk\$|港币|港元|eur|€|欧元|jpy|日元|日币|円|yen|gbp|£|英镑|twd|台币|新台币|"
                         r"sgd|新元|krw|韩元")

_UNIT_RE = re.compile(r"^(?P<base>.*?)\s*(?:[(\[（【〔](?P<u1>[^)\]）】〕]*)[)\]）】〕]|[/／](?P<u2>[^/／]+))\s*$")
_PUNCT_RE = re.compile(r"[\s_:：\-—–·.。,，、;；*＊#'\"“”‘’!！?？~～【】「」『』〔〕\[\]]+")
_LINEBREAK_RE = re.compile(r"\s*[\r\n]+\s*")

# What may surround an alias inside a longer header without changing its meaning, by the
# kind of field: a person's or company's "name"; for dates "date"/"time"; for amounts,
# counts and hours also a year or period, a total, "actual", a money unit.
_NAMEISH = r"姓名|名称|名字|全称|所属|所在|负责|主要|对应|当前|现|主|name|full|current"
# A month, quarter or half year (1月, Q3, 上半年), or a running total (累计), is not the last 12
# months that billings are: such a column is not the field (近12月 is an alias of its own).
_PERIODISH = (r"(?:近|过去|最近)(?:12|十二)个?月|last12months?|ttm|l12m|\d+|fy|年度|年|全年|近|个|本年|今年|当年|本|今|全部|全|总|合计|"
              r"实际|含税|不含税|税前|税后|金额|total|actual|annual|this|year|amount|value|gross|net|"
              r"人民币|万元|千元|百万元|千万元|亿元|元|万|亿|rmb|cny")
_DATEISH = r"日期|时间|date|time|日|day"
_NEUTRAL_BY_KIND: dict[str, re.Pattern[str]] = {}
for _kind in ("text", "status", "stage", "tier", "bool", "score", "date", "money", "potential", "count", "hours"):
    _tokens = _NAMEISH
    if _kind == "date":
        _tokens += "|" + _DATEISH
    if _kind in ("money", "potential", "count", "hours"):
        _tokens += "|" + _PERIODISH
    _NEUTRAL_BY_KIND[_kind] = re.compile(rf"^(?:{_tokens})*$")
_PREV_WORDS = r"去年|上年度|上一年度|上年|上一年|前一年|上期|往年|prior|previous|lastyear|py"
_PREV_RE = re.compile(rf"^.*?(?:{_PREV_WORDS}).*$")
_PREV_WORDS_RE = re.compile(_PREV_WORDS)
_YEAR_RE = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d|21\d\d)(?!\d)")
_TRAILING_UNIT_RE = re.compile(r"(?P<u>(?:千万元|百万元|人民币|万元|千元|亿元|元|万|亿|rmb|cny)+)$")


def normalise_header(text: object) -> str:
    """Comparable form of a header: NFKC, simplified Chinese, lower case, no spaces, line
    breaks or punctuation."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text)).strip().lower().translate(TRADITIONAL)
    return _PUNCT_RE.sub("", s)


def display_header(text: object) -> str:
    """A header as messages show it: trimmed, a line break inside it (``客户\\n名称``) joined
    (no space between Chinese characters, one space between words)."""
    s = str(text if text is not None else "").strip()

    def join(m: re.Match[str]) -> str:
        before = s[m.start() - 1] if m.start() > 0 else ""
        after = s[m.end()] if m.end() < len(s) else ""
        return " " if (before.isascii() and before.isalnum()) or (after.isascii() and after.isalnum()) else ""

    return _LINEBREAK_RE.sub(join, s)


def split_unit(header: object) -> tuple[str, str | None]:
    """Split ``年度投放额(万元)`` into (``年度投放额``, ``万元``); no unit gives (header, None)."""
    s = unicodedata.normalize("NFKC", str(header if header is not None else "")).strip()
    s = _LINEBREAK_RE.sub("", s)
    m = _UNIT_RE.match(s)
    if not m or not m.group("base").strip():
        return s, None
    unit = (m.group("u1") or m.group("u2") or "").strip()
    return m.group("base").strip(), unit or None


def unit_multiplier(unit: str | None) -> float | None:
    """The money multiplier of a header unit (``万元`` -> 10000, ``万元/年`` -> 10000,
    ``单位：千元`` -> 1000, ``RMB '000`` -> 1000), or None when it is not a money unit."""
    if unit is None:
        return 1.0
    key = normalise_header(unit)
    if key in HEADER_UNITS:
        return HEADER_UNITS[key]
    if is_non_yuan_unit(unit):
        return None
    for k in (key, _UNIT_PREFIX_RE.sub("", key)):
        bare = _CURRENCY_WORD_RE.sub("", k)
        for candidate in (k, bare):
            if candidate in HEADER_UNITS:
                return HEADER_UNITS[candidate]
        m = _UNIT_LEAD_RE.match(k)
        if m:
            return HEADER_UNITS[m.group("u")]
    return None


def is_non_yuan_unit(unit: str | None) -> bool:
    """True for a unit that says the column is not an amount in yuan: a percentage or share
    (``%``, ``占比``) or a foreign currency (``USD``, ``美元``)."""
    if not unit:
        return False
    key = unicodedata.normalize("NFKC", unit).lower().translate(TRADITIONAL)
    return bool(_PERCENT_RE.search(key) or _FOREIGN_RE.search(key))


@dataclass(frozen=True)
class ColumnMatch:
    """One recognised column and the evidence for it: the field, the column index, the
    header text (as messages show it), the money multiplier of its unit, ``how`` the
    column was recognised (``mapping``: the Settings 列映射; ``alias``: the header is a
    known name of the field; ``bilingual``: its Chinese and English halves name the field;
    ``contained``: a known name plus a qualifier such as a year or a unit; ``parts``: its
    words, read by :mod:`.header_parts`; ``content``: the values say it, e.g. status words),
    for money where the unit came from (``header``, ``group`` header above, ``banner`` line
    above the table, ``""``: none stated, yuan assumed) and, for ``parts``, the
    ``evidence``: the (role, word) parts that decided, e.g. ``(("period", "全年"),
    ("money", "广告费"), ("unit", "万"))``."""

    field: str
    index: int
    header: str
    multiplier: float = 1.0
    how: str = "alias"
    unit_from: str = ""
    evidence: tuple[tuple[str, str], ...] = ()


@dataclass
class HeaderMatch:
    """What a header row says: the chosen column per field, the other columns that named
    the same field (``rivals``, best first), money columns passed over because their
    unit is not yuan (``foreign``: field -> (column index, unit text)) and headers left
    unread because their words name two fields (``unclear``: column index -> the fields,
    e.g. ``最近拜访AE`` -> (``last_visit``, ``owner``))."""

    columns: dict[str, ColumnMatch]
    rivals: dict[str, list[ColumnMatch]]
    foreign: dict[str, tuple[int, str]]
    unclear: dict[int, tuple[str, ...]] = dataclass_field(default_factory=dict)
    # a revenue column beside facts about the company (employees, year founded): the client
    # company's own revenue, not what it bills with the agency; field -> (index, those headers)
    company_own: dict[str, tuple[int, tuple[str, ...]]] = dataclass_field(default_factory=dict)


def _alias_table() -> dict[str, tuple[str, int]]:
    table: dict[str, tuple[str, int]] = {}
    for field, (_, aliases) in FIELDS.items():
        for rank, alias in enumerate(aliases):
            table.setdefault(normalise_header(alias), (field, rank))
    return table


_ALIAS_RANKS: dict[str, tuple[str, int]] = _alias_table()
ALIASES: dict[str, str] = {a: f for a, (f, _) in _ALIAS_RANKS.items()}
# Aliases looked for inside longer headers: three or more characters, or two Chinese ones.
_LONG_ALIASES: list[tuple[str, str]] = sorted(((a, f) for a, f in ALIASES.items()
                                               if len(a) >= 3 or (len(a) == 2 and not a.isascii())),
                                              key=lambda af: -len(af[0]))


def _neutral(rest: str, field: str) -> bool:
    return not rest or _NEUTRAL_BY_KIND[FIELDS[field][0]].match(rest) is not None


@lru_cache(maxsize=4096)
def _contained(key: str) -> tuple[str, str, str] | None:
    """(field, prefix, suffix) of the longest alias inside ``key`` with a neutral (or, for a
    previous period, previous-period) remainder."""
    for alias, field in _LONG_ALIASES:
        at = key.find(alias)
        while at >= 0:
            pre, post = key[:at], key[at + len(alias):]
            rest = pre + post
            if _neutral(pre, field) and _neutral(post, field):
                return field, pre, post
            if FIELDS[field][0] == "money" and _PREV_RE.match(rest):
                stripped = _PREV_WORDS_RE.sub("", rest)
                if _neutral(stripped, field):
                    return "billings_prev" if field == "billings" else "", pre, post
            at = key.find(alias, at + 1)
    return None


_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_LATIN_RE = re.compile(r"[a-z][a-z0-9 '&./-]*[a-z0-9]|[a-z]")


def _bilingual(header: str) -> str | None:
    """The field that both halves of a header like ``Client 客户`` or ``客户名称 Client
    Name`` name (each half an alias or an alias with a neutral qualifier, or one half
    empty of meaning); None when the halves disagree or the header is not of that shape."""
    text = unicodedata.normalize("NFKC", header).lower().translate(TRADITIONAL)
    base, _unit = split_unit(text)
    cjk = "".join(_CJK_RE.findall(base))
    latin = " ".join(_LATIN_RE.findall(_CJK_RE.sub(" ", base)))
    if not cjk or not latin:
        return None
    found = set()
    for part in (cjk, latin):
        key = normalise_header(part)
        hit = _ALIAS_RANKS.get(key)
        field = hit[0] if hit else (_contained(key) or ("", "", ""))[0]
        if not field:
            return None
        found.add(field)
    return found.pop() if len(found) == 1 else None


_QUALIFIER_SPLIT_RE = re.compile(r"[,，;；、/／\s]+")
_SCALED_UNIT_RE = re.compile(r"^(?:rmb|cny|人民币|¥)?(?P<n>[1-9]\d*(?:\.\d+)?)(?P<u>k|千|万|m|mn|元|千元|万元)?(?:rmb|cny|人民币|元)?$")


def header_unit(unit: str | None) -> float | None:
    """The multiplier of a unit written in a header, more forgiving than
    :func:`unit_multiplier`: a qualified bracket (``含税,万元``, ``万元；不含税``), a scaled
    unit (``RMB 10k`` = 10,000, ``'000``), a currency word around it (``万RMB``). None when
    no single money unit is found."""
    if unit is None:
        return 1.0
    if is_non_yuan_unit(unit):
        return None
    parts = [p for p in _QUALIFIER_SPLIT_RE.split(unicodedata.normalize("NFKC", unit).strip().lower()) if p]
    if len(parts) > 1:
        units = {m for p in parts if (m := unit_multiplier(p)) is not None and normalise_header(p) not in ("rmb", "cny")}
        if len(units) > 1:  # 万元,千元: which one?
            return None
    key = normalise_header(unit)
    scaled = _SCALED_UNIT_RE.match(key)
    if scaled and not _YEAR_RE.fullmatch(key):  # (2026) is a year, not a scale
        return float(scaled.group("n")) * HEADER_UNITS.get(scaled.group("u") or "元", 1.0)
    m = unit_multiplier(unit)
    if m is not None:
        return m
    found = {m for part in _QUALIFIER_SPLIT_RE.split(unicodedata.normalize("NFKC", unit).strip().lower())
             if part and (m := unit_multiplier(part)) is not None and normalise_header(part) not in ("", "rmb", "cny")}
    return found.pop() if len(found) == 1 else None


# What the book keeps about the client's own person: their phone, title, e-mail, WeChat.
_CONTACT_DETAIL_RE = re.compile(r"电话|手机|联系方式|邮箱|邮件|微信|职位|职务|岗位|头衔|phone|tel|mobile|e?mail|wechat|"
                                r"title|position")
# Words that say a person is the agency's own (the AE), whatever stands beside them.
_OUR_SIDE_RE = re.compile(r"客户经理|销售|业务员|业务经理|我方|乙方|本公司|ae|owner|accountmanager|salesrep|kam|跟进")
_NEIGHBOURS = 2  # columns on each side looked at


def _contact_not_owner(headers: Sequence[object], found: dict[str, ColumnMatch], used: set[int]) -> None:
    """A 负责人 (a person in charge, but whose?) with the person's phone, title or e-mail
    beside it is the client's contact, not the AE: a book keeps those details for the
    people it calls, not for its own staff. Moves such an owner match to ``contact`` (unless
    a contact is known), with the neighbouring headers as the evidence (``how="beside"``).
    Headers that name the agency's side (客户经理, 销售, AE, owner) are never moved, and
    neither is a column the Settings mapping named."""
    m = found.get("owner")
    if m is None or m.how == "mapping" or "contact" in found:
        return
    key = normalise_header(m.header)
    roles = {r for r, _ in parts_of(m.header) or ()}
    if "incharge" not in roles or "owner" in roles or _OUR_SIDE_RE.search(key):
        return  # 业务代表, 服务顾问, AE: staff words; only a bare 负责人 is in doubt
    beside = []
    for j in range(max(0, m.index - _NEIGHBOURS), min(len(headers), m.index + _NEIGHBOURS + 1)):
        h = headers[j]
        if j == m.index or h is None or not str(h).strip():
            continue
        k = normalise_header(h)
        if len(k) <= MAX_HEADER_LENGTH and _CONTACT_DETAIL_RE.search(k) and not _OUR_SIDE_RE.search(k):
            beside.append(("beside", display_header(h)))
    if beside:
        del found["owner"]
        found["contact"] = ColumnMatch("contact", m.index, m.header, 1.0, "beside", "", tuple(beside))


# Words for a firm's revenue that describe the client company itself in a list of companies
# (a CRM's Annual Revenue), unlike 投放额 / spend / 合同金额, which only an agency's book keeps.
_REVENUE_RE = re.compile(r"^(?:annual|yearly|total|company|年度?|全年|公司|企业)?(?:revenue|revenues|turnover|sales|营收|营业收入|"
                         r"营业额|销售额|销售收入|收入|年收入)$")
# Facts about a company that a list of companies keeps beside its own revenue.
_FIRMOGRAPHIC_RE = re.compile(r"员工|职工|雇员|人数|注册资本|成立|创立|上市|市值|employee|headcount|staff|founded|established|"
                              r"incorporat|yearstarted|marketcap|ticker")


def _company_own_revenue(headers: Sequence[object], found: dict[str, ColumnMatch]
                         ) -> dict[str, tuple[int, tuple[str, ...]]]:
    """A billings column named only "revenue" (Annual Revenue, 营业额) in a row that also
    keeps the company's employees or founding year is that company's own revenue: it is
    taken out of ``found`` and returned with those headers as the evidence. A Settings
    mapping is never second-guessed."""
    m = found.get("billings")
    if m is None or m.how == "mapping" or not _REVENUE_RE.match(normalise_header(split_unit(m.header)[0])):
        return {}
    facts = tuple(display_header(h) for h in headers
                  if h is not None and len(normalise_header(h)) <= MAX_HEADER_LENGTH
                  and _FIRMOGRAPHIC_RE.search(normalise_header(h)))
    if not facts:
        return {}
    del found["billings"]
    return {"billings": (m.index, facts)}


def match_headers(headers: Sequence[object], mapping: Mapping[str, str] | None = None,
                  default_multiplier: float = 1.0) -> dict[str, ColumnMatch]:
    """The chosen column per field (see :func:`match_columns`)."""
    return match_columns(headers, mapping, default_multiplier).columns


def match_columns(headers: Sequence[object], mapping: Mapping[str, str] | None = None,
                  default_multiplier: float = 1.0, *, default_unit_from: str = "banner",
                  group_units: Mapping[int, float] | None = None) -> HeaderMatch:
    """Recognise the fields in a header row, with the evidence.

    ``mapping`` (from the Settings ``Columns`` block) maps a field to the header used in
    this workbook and wins over everything. Otherwise a header names a field when its
    normalised text (unit removed) equals an alias (the most canonical alias, then the
    leftmost column, is chosen; the other columns become ``rivals``); when its Chinese and
    English halves both name it (``Client 客户``); or when it contains an alias of three or
    more characters and the rest is only a qualifier (year, period, total, unit).
    Last, a header none of these name is read by its words (:func:`.header_parts.read_header`,
    ``how="parts"`` with the ``evidence``); one whose words name two fields is listed in
    ``unclear``. A word in a header's brackets that changes its meaning (``投放额（累计）``)
    keeps the header from the field its name says. Year-named columns give the latest year
    to the field (and the year before to billings_prev); they are not rivals of each other.
    Each field and each column is used at most once.

    Units of money columns, first found: the header's own (``(万元)``, ``（含税,万元）``,
    ``/万``, ``RMB 10k``), ``group_units`` (a group header above the column), then
    ``default_multiplier`` (a ``单位：万元`` line above the table; ``default_unit_from``
    names it), else yuan. A column whose unit is a percentage is not money; one in a
    foreign currency is listed in ``foreign`` instead.
    """
    found: dict[str, ColumnMatch] = {}
    rivals: dict[str, list[ColumnMatch]] = {}
    foreign: dict[str, tuple[int, str]] = {}
    unclear: dict[int, tuple[str, ...]] = {}
    used: set[int] = set()
    group_units = group_units or {}
    cells = [(i, h) for i, h in enumerate(headers) if h is not None and str(h).strip()]
    split = {i: split_unit(h) for i, h in cells}
    keys = {i: normalise_header(split[i][0]) for i, _ in cells}
    full_keys = {i: normalise_header(h) for i, h in cells}

    def unit(i: int, field: str, extra_unit: str | None = None,
             own: float | None = None) -> tuple[float, str] | None:
        """(multiplier, where it came from) of column i for ``field`` (``own``: the unit its
        words state); None when its unit rules the field out."""
        if FIELDS[field][0] not in MONEY_KINDS:
            return 1.0, ""
        text = split[i][1]
        if text is not None:
            if is_non_yuan_unit(text):
                if not _PERCENT_RE.search(unicodedata.normalize("NFKC", text).lower()):
                    foreign.setdefault(field, (i, text))
                return None
        if own is not None:
            return own, "header"
        if text is not None:
            m = header_unit(text)
            if m is not None:
                return m, "header"
        if extra_unit and header_unit(extra_unit) is not None:
            return header_unit(extra_unit), "header"  # type: ignore[return-value]
        if i in group_units:
            return group_units[i], "group"
        if default_multiplier != 1.0:
            return default_multiplier, default_unit_from
        return 1.0, ""

    def match(field: str, i: int, how: str, extra_unit: str | None = None, own: float | None = None,
              evidence: tuple[tuple[str, str], ...] = ()) -> ColumnMatch | None:
        u = unit(i, field, extra_unit, own)
        if u is None:
            return None
        return ColumnMatch(field, i, display_header(headers[i]), u[0], how, u[1], evidence)

    def take(m: ColumnMatch) -> None:
        found[m.field] = m
        used.add(m.index)

    # 1. The Settings mapping.
    for field, wanted in (mapping or {}).items():
        if field not in FIELDS or not wanted or field in found:
            continue
        target = normalise_header(wanted)
        for i, _ in cells:
            if i not in used and target in (full_keys[i], keys[i]):
                m = match(field, i, "mapping") or ColumnMatch(field, i, display_header(headers[i]), 1.0, "mapping")
                take(m)
                break

    # 2. Candidates of every other column: (field, class, rank, year, match); class 1 for an
    #    exact alias or a bilingual header, 2 for a contained alias, 3 for a header read by
    #    its words. A word in brackets that changes the meaning (投放额（累计）) sends the
    #    header to be read by its words.
    candidates: dict[str, list[tuple[int, int, int, ColumnMatch]]] = {}
    for i, h in cells:
        if i in used:
            continue
        hit = _ALIAS_RANKS.get(keys[i]) or _ALIAS_RANKS.get(full_keys[i])
        changed = bool(hit) and bool(changes_meaning(split[i][1], hit[0]))  # type: ignore[index]
        if hit and not changed:
            m = match(hit[0], i, "alias")
            if m is not None:
                candidates.setdefault(hit[0], []).append((1, hit[1], -1, m))
            continue
        if not isinstance(h, str) or len(keys[i]) > MAX_HEADER_LENGTH:
            continue  # a header is short text; numbers, dates and sentences are not looked into
        field = "" if changed else _bilingual(h)
        if field and not changes_meaning(split[i][1], field):
            m = match(field, i, "bilingual")
            if m is not None:
                candidates.setdefault(field, []).append((1, 999, -1, m))
            continue
        inner = None if changed else _contained(keys[i])
        if inner is not None and inner[0] and not changes_meaning(split[i][1], inner[0]):
            field, pre, post = inner
            tail = _TRAILING_UNIT_RE.search(post)
            m = match(field, i, "contained", tail.group("u") if tail else None)
            if m is not None:
                year = _YEAR_RE.search(pre + "|" + post)
                candidates.setdefault(field, []).append((2, 0, int(year.group(1)) if year else -1, m))
            continue
        read = read_header(h)
        if read is None:
            continue
        if read.unclear:
            unclear[i] = read.unclear
        if not read.field:
            continue
        money = [w for r, w in read.parts if r == "foreign"]
        if money:  # 全年广告费美元: an amount, but not in yuan
            foreign.setdefault(read.field, (i, split[i][1] if is_non_yuan_unit(split[i][1]) else money[0]))
            continue
        m = match(read.field, i, "parts", own=read.multiplier, evidence=read.evidence)
        if m is not None:
            candidates.setdefault(read.field, []).append((3, 0, read.year, m))

    # 3. Choose per field: the best class, then rank; among year-named columns the latest year.
    # fields named exactly first, so an exact 上年投放额 wins over the year before 2026年投放额
    for field, options in sorted(candidates.items(), key=lambda fo: min(o[0] for o in fo[1])):
        if field in found:  # the mapping (or a year column) named it: the other columns stay unused
            continue
        best = min(c for c, _, _, _ in options)
        top = [o for o in options if o[0] == best]
        years = [y for _, _, y, _ in top if y >= 0]
        if best >= 2 and years:
            latest = max(years)
            chosen = min((o for o in top if o[2] == latest), key=lambda o: o[3].index)[3]
            if field == "billings" and "billings_prev" not in found:
                prev = [o[3] for o in top if o[2] == latest - 1]
                if prev:
                    take(ColumnMatch("billings_prev", prev[0].index, prev[0].header, prev[0].multiplier,
                                     prev[0].how, prev[0].unit_from, prev[0].evidence))
            others = [o[3] for o in options if o[2] < 0 and o[3].index != chosen.index]
        else:
            chosen = min(top, key=lambda o: (o[1], o[3].index))[3]
            # year-named columns beside a plain one are other periods, not rivals
            others = [o[3] for o in sorted(options, key=lambda o: (o[0], o[1], o[3].index))
                      if o[3].index != chosen.index and o[2] < 0]
        take(chosen)
        if others:
            rivals[field] = others
    for field in list(rivals):
        rivals[field] = [m for m in rivals[field] if m.index not in used or found.get(field, m).index == m.index]
        if not rivals[field]:
            del rivals[field]
    for field in list(foreign):
        if field in found:
            del foreign[field]
    _contact_not_owner(headers, found, used)
    company_own = _company_own_revenue(headers, found)
    return HeaderMatch(dict(sorted(found.items(), key=lambda fm: fm[1].index)), rivals, foreign, unclear, company_own)
