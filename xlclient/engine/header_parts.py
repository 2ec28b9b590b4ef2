"""Headers read by their words (SPEC 2): a header is cut into parts and the field is chosen
from the parts, in any order.

A part is a word with a role: a subject that names what the column is about (money
``投放``/``广告费``/``spend``; a visit ``拜访``/``visit``; the AE ``AE``/``客户经理``/``owner``; the
client's own contact ``联系人``), a qualifier (a period ``全年``/``近12月``/``2026年``, a recency
``最近``/``上次``/``latest``, a date word ``日期``/``date``, a total ``合计``), a unit (``万``,
``千元``, ``RMB mn``) or a word that changes the meaning (a previous period ``去年``, a running
total ``累计``, a forecast ``预计``/``预算``, a target ``目标``, a share or rebate ``占比``/``返点``,
a month or quarter ``月均``/``Q1``, a next visit ``下次``, a phone number ``电话``, a remark
``记录``/``备注``, the client side ``甲方``). ``全年广告费(万)``, ``拜访日期(最近)``, ``最近一次拜访`` and ``对接AE`` are read this
way.

Each field has a rule: the parts it needs and the parts it allows. A header is a field's
only when every part is known and allowed and the needed ones are there, and when exactly
one field's rule holds; a word it does not know, a meaning-changing word, or subjects of
two different fields leave it unread (the last case is reported as ``unclear``). The
parts that decided are kept as the evidence. Pure: no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .parse import TRADITIONAL

# word -> role. Words are lower case, simplified Chinese, without spaces.
_WORDS: dict[str, tuple[str, ...]] = {
    # what a column of money is about
    "money": ("投放", "投放额", "投放金额", "投放总额", "广告投放", "广告费", "广告费用", "广告支出", "广告投入",
              "广告花费", "广告开支", "广告额", "广告金额", "营销费用", "营销费", "营销投入", "营销支出", "营销花费",
              "推广费", "推广费用", "推广投入", "推广支出", "消耗", "消耗额", "花费", "花销", "营业额",
              "营收", "收入", "营业收入", "销售额", "销售收入", "销售金额", "合同额", "合同金额", "合同总额", "签约额",
              "签约金额", "签单额", "签单金额", "成交额", "成交金额", "合作金额", "合作额", "业绩", "流水",
              "spend", "spending", "adspend", "mediaspend", "marketingspend", "billings", "billing", "revenue",
              "revenues", "turnover", "sales", "contractvalue", "contractamount", "advertisingspend",
              # what the client bought from the firm, as other trades say it (a dealer's 进货,
              # a shop's 消费, a wealth client's 理财, a buyer's 购买/采购)
              "进货", "进货额", "订货", "订货额", "采购", "采购额", "购买", "购买额", "购物", "消费", "消费额",
              "交易", "交易额", "理财", "理财额", "purchases", "purchase", "purchased",
              # a CRM's deal value (Deal Value, close_value): money the client brought
              "deal", "deals", "close", "arr", "acv",
              # what a client pays other trades: premiums, fees, tuition, freight
              "保费", "缴费", "年缴保费", "学费", "売上", "売上高", "律师费", "诉讼费", "运费", "物流费", "会费", "年费", "租金", "服务费用"),
    "budget": ("预算", "budget"),  # a client's budget: money and a forecast at once
    "amount": ("额", "金额", "总额", "数额", "总金额", "amount", "value", "sum"),
    "media": ("广告", "媒介", "媒体", "营销", "推广", "advertising", "media", "marketing", "ad", "ads"),
    "period": ("全年", "年度", "年", "年缴", "本年", "本年度", "今年", "当年", "全年度", "年化", "近一年", "近1年", "最近一年",
               "过去一年", "annual", "annually", "yearly", "fullyear", "thisyear", "ttm", "l12m", "last12months",
               "past12months", "trailing12months", "rolling12months", "12months", "12个月", "十二个月"),
    "total": ("合计", "总计", "总", "汇总", "实际", "含税", "不含税", "税前", "税后", "total", "actual", "gross", "net"),
    "prev": ("去年", "上年", "上年度", "上一年", "上一年度", "前一年", "上期", "往年", "上一期", "lastyear", "prioryear",
             "previousyear", "py", "ly"),
    "earlier": ("previous", "prior"),  # a previous period of money, the last one of visits
    "recency": ("最近", "最近一次", "上次", "上一次", "最后", "最后一次", "最终", "最新", "末次", "近期", "last", "latest",
                "mostrecent", "recent"),
    "once": ("一次", "次"),
    "lifetime": ("累计", "累积", "历史", "历年", "至今", "迄今", "截至目前", "截止目前", "以来", "总累计", "lifetime",
                 "cumulative", "todate", "alltime", "historical", "ytd", "mtd", "qtd"),
    "forecast": ("预计", "预估", "预期", "预测", "潜在", "估计", "expected", "forecast", "estimated", "estimate",
                 "projected", "potential"),
    "target": ("目标", "指标", "任务", "计划", "考核", "target", "goal", "quota", "kpi", "plan", "planned"),
    "ratio": ("返点", "返利", "返佣", "佣金", "折扣", "折让", "占比", "比例", "比率", "比重", "百分比", "率", "增长",
              "增长率", "增速", "增幅", "同比", "环比", "份额", "毛利", "利润", "成本", "%", "‰", "rebate", "discount",
              "commission", "share", "ratio", "rate", "growth", "yoy", "mom", "pct", "percent", "percentage",
              "margin", "profit", "cost"),
    "partial": ("月", "月度", "月均", "每月", "单月", "季度", "季", "上半年", "下半年", "半年", "周", "日均", "年均",
                "平均", "均", "monthly", "quarterly", "weekly", "daily", "month", "quarter", "average", "avg"),
    "next": ("下次", "下一次", "下回", "next", "upcoming", "scheduled"),
    "remark": ("记录", "内容", "备注", "说明", "情况", "结果", "反馈", "纪要", "详情", "小结", "总结", "note", "notes",
               "remark", "remarks", "comment", "comments", "summary", "details", "outcome", "result", "feedback"),
    "count": ("次数", "数量", "个数", "频次", "频率", "count", "times", "frequency"),
    "attribute": ("电话", "手机", "手机号", "联系电话", "邮箱", "邮件", "微信", "地址", "工号", "phone", "tel",
                  "mobile", "email", "wechat", "address", "人", "人员"),
    # visits, and the weaker touches that books also use for the last visit
    "visit": ("拜访", "走访", "面访", "到访", "见面", "会面", "面谈", "上门", "拜会", "登门", "客户拜访", "visit",
              "visits", "visited", "meeting", "meet", "met",
              # the client came to the firm (a shop, a branch, a service station): a visit too
              "到店", "进店", "来店", "到店里", "进站", "到站", "来访", "到场", "回访", "访问", "访"),
    "touch": ("沟通", "联系", "联络", "接触", "交流", "互动", "touch", "touchpoint", "interaction", "activity",
              "communication", "contacted"),
    "followup": ("跟进", "跟单", "followup"),  # a touch for visits, a neutral word for the AE
    "date": ("日期", "时间", "日", "时间点", "date", "time", "day", "when", "on"),
    # the AE
    "owner": ("ae", "理财经理", "理财顾问", "服务顾问", "销售顾问", "专属顾问", "客户代表", "业务归属", "agent",
              "顾问", "课程顾问", "会籍顾问", "专员", "客服专员", "代表", "律师", "承办律师", "主办律师", "担当者", "担当",
              "客户经理", "客户执行", "客户主管", "客户总监", "业务员", "业务经理", "业务代表", "业务人员",
              "销售", "销售员", "销售代表", "销售经理", "销售人员", "跟进人", "跟进人员", "跟单人", "跟单员", "归属人",
              "bd", "kam", "owner", "accountowner", "accountmanager", "accountexecutive", "keyaccountmanager",
              "salesrep", "salesperson", "salesman", "saleswoman", "salesowner", "rep", "accountlead",
              "clientlead", "clientmanager"),
    "incharge": ("负责人", "责任人", "经办人"),  # the AE, or with 甲方 the client's person
    "liaison": ("对接", "负责", "所属", "归属", "对应", "主要", "主", "当前", "现", "现任", "服务", "我方", "乙方",
                "本公司", "公司", "内部", "assigned", "responsible", "current", "main", "primary", "our",
                "agency", "internal", "in", "charge"),
    "name": ("姓名", "名字", "名称", "全名", "全称", "简称", "名", "name", "fullname", "full"),
    "client": ("客户", "client", "customer"),
    # what else a firm's clients are called, trade by trade: a shop's customers, a bank's
    # accounts, a maker's dealers and stores, members ... (a brand is not among them: a
    # shop list's 品牌 is the product it sells; nor an English "account" or 账号 with a number:
    # a bank or media account number, not the client)
    "party": ("顾客", "客人", "客商", "账户", "帐户", "户", "门店", "店铺", "店", "商店", "网点", "终端", "经销商",
              "代理商", "分销商", "加盟商", "批发商", "零售商", "商户", "商家", "会员", "企业", "机构", "用户", "车主",
              "买家", "采购商", "organization", "organisation", "org", "company", "store", "shop",
              "outlet", "dealer", "distributor", "reseller", "retailer", "merchant", "member", "business", "firm",
              "buyer", "patron"),
    "idword": ("id", "编号", "代码", "编码", "号", "号码", "代号", "卡号", "no", "number", "code", "num", "nr"),
    "statusword": ("状态", "状况", "status", "state"),
    "clientside": ("甲方", "客户方", "对方", "客户侧", "广告主", "clientside", "advertiser"),
    "contact": ("联系人", "对接人", "接口人", "窗口", "对口人", "contactperson", "contactname"),
    "contact_touch": ("contact",),  # a person (client contact) or a touch (last contact)
    "filler": ("的", "of", "the", "单位", "金额单位", "unit", "units"),
    "currency": ("人民币", "rmb", "cny", "¥"),
    "foreign": ("usd", "us$", "$", "美元", "美金", "hkd", "hk$", "港币", "港元", "eur", "€", "欧元", "jpy", "日元",
                "gbp", "£", "英镑", "twd", "台币", "新台币", "sgd", "新元", "krw", "韩元", "円", "千円", "万円", "yen"),
}
# Money units and their multipliers (currency words alone are yuan).
UNITS: dict[str, float] = {
    "元": 1.0, "人民币元": 1.0, "元人民币": 1.0, "千元": 1e3, "千": 1e3, "k": 1e3, "000": 1e3, "thousand": 1e3,
    "thousands": 1e3, "万元": 1e4, "万": 1e4, "w": 1e4, "人民币万元": 1e4, "万元人民币": 1e4, "百万元": 1e6,
    "百万": 1e6, "m": 1e6, "mn": 1e6, "mm": 1e6, "million": 1e6, "millions": 1e6, "千万元": 1e7, "千万": 1e7,
    "亿元": 1e8, "亿": 1e8,
}
# Words matched by pattern: a year, a fiscal year, the last 12 months; a month or quarter.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?:19[5-9]\d|20\d\d|21\d\d)(?:年度|年|财年)?|fy(?:\d\d){1,2}|财年"), "period"),
    (re.compile(r"(?:近|最近|过去|滚动)(?:12|十二)个?月"), "period"),
    (re.compile(r"前(?:12|十二)个?月"), "prev"),
    (re.compile(r"(?:\d{1,2}|[一二三四五六七八九十]{1,2})月份?|q[1-4]|h[12]|[一二三四1-4]季度|"
                r"(?:近|最近|过去)(?:\d+|[一二三四五六七八九十]+)个?月"), "partial"),
)
ROLE: dict[str, str] = {w: role for role, words in _WORDS.items() for w in words}
ROLE.update({u: "unit" for u in UNITS})
_MAX_WORD = max(len(w) for w in ROLE)

# What each field needs (each set: one of these) and what it allows.
_MONEY_OK = frozenset({"money", "amount", "media", "period", "total", "client", "unit", "currency", "foreign",
                       "filler"})
_VISIT_OK = frozenset({"visit", "touch", "followup", "contact_touch", "recency", "earlier", "once", "date", "client",
                       "filler"})
_RULES: tuple[tuple[str, tuple[frozenset[str], ...], frozenset[str]], ...] = (
    ("billings", (frozenset({"money"}),), _MONEY_OK),
    ("billings_prev", (frozenset({"money"}), frozenset({"prev", "earlier"})), _MONEY_OK | {"prev", "earlier"}),
    ("potential", (frozenset({"money", "budget"}), frozenset({"forecast", "budget"})),
     _MONEY_OK | {"forecast", "budget"}),
    ("last_visit", (frozenset({"visit", "touch", "followup", "contact_touch"}), frozenset({"recency", "earlier"})),
     _VISIT_OK),
    ("name", (frozenset({"client", "party", "clientside"}),),
     frozenset({"client", "party", "clientside", "name", "filler"})),
    ("client_id", (frozenset({"client", "party", "clientside"}), frozenset({"idword"})),
     frozenset({"client", "party", "clientside", "idword", "filler"})),
    ("status", (frozenset({"statusword"}),),
     frozenset({"statusword", "client", "party", "clientside", "filler"})),
    ("owner", (frozenset({"owner", "incharge"}),),
     frozenset({"owner", "incharge", "liaison", "followup", "name", "client", "filler"})),
    ("contact", (frozenset({"contact", "contact_touch"}),),
     frozenset({"contact", "contact_touch", "clientside", "client", "name", "liaison", "filler"})),
    ("contact", (frozenset({"clientside", "party"}), frozenset({"incharge", "contact"})),
     frozenset({"clientside", "party", "incharge", "contact", "client", "name", "liaison", "filler"})),
)
# The field family a subject points to, for telling a header with two subjects (unclear).
_POINTS: dict[str, str] = {"money": "billings", "budget": "billings", "visit": "last_visit", "owner": "owner",
                           "contact": "contact", "clientside": "contact"}
# Words that change what a known header means when they stand beside it (``投放额（累计）``):
# for any field, and also for the fields read by parts unless their rule allows them.
CHANGING: frozenset[str] = frozenset({"prev", "lifetime", "forecast", "budget", "target", "ratio", "partial",
                                      "next", "remark"})
# A recency word beside a person (负责人（最新）) still names the person now; beside an amount
# it does not say which period.
CHANGING_READ: frozenset[str] = CHANGING | {"earlier", "count", "attribute", "clientside"}
_MONEY_FIELDS = frozenset({"billings", "billings_prev", "potential"})
_AMOUNT_FIELDS = frozenset({"billings", "billings_prev"})  # a period of money (a potential score may be "latest")
# Roles a field's rules allow (the recency of a visit, the client side of a contact).
_KEEPS: dict[str, frozenset[str]] = {}
for _f, _, _ok in _RULES:
    _KEEPS[_f] = _KEEPS.get(_f, frozenset()) | _ok

_SEPARATORS_RE = re.compile(r"[()\[\]{}（）【】〔〕「」『』《》<>/／\\|,，、;；:：\-—–·.。*＊#'\"“”‘’!！?？~～_+=]+")
_CAMEL_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")  # LastVisit, L12MTurnover, AEName
_ALNUM = re.compile(r"[a-z0-9$€£¥%]")


@dataclass(frozen=True)
class HeaderParts:
    """A header read by its words: the ``parts`` as (role, word) in reading order; the
    ``field`` they name (``""``: none); the money ``multiplier`` its unit words give (None:
    no unit stated); the ``year`` it names (-1: none); ``unclear``: the fields named by two
    or more subjects when no single field could be chosen."""

    parts: tuple[tuple[str, str], ...]
    field: str = ""
    multiplier: float | None = None
    year: int = -1
    unclear: tuple[str, ...] = ()

    @property
    def evidence(self) -> tuple[tuple[str, str], ...]:
        """The parts that decided (all but filler)."""
        return tuple(p for p in self.parts if p[0] != "filler")


def _segments(text: str) -> list[tuple[str, frozenset[int]]]:
    """Runs of the header between brackets, slashes and punctuation, each without spaces,
    with the positions where a word may start or end (not inside a Latin word)."""
    s = _CAMEL_RE.sub(" ", unicodedata.normalize("NFKC", text).strip())
    s = s.lower().translate(TRADITIONAL)
    out = []
    for seg in _SEPARATORS_RE.split(s):
        chars, cuts = [], {0}
        for word in seg.split():
            for ch in word:
                if chars and not (_ALNUM.match(chars[-1]) and _ALNUM.match(ch)
                                  and chars[-1].isdigit() == ch.isdigit()):
                    cuts.add(len(chars))
                chars.append(ch)
            cuts.add(len(chars))
        if chars:
            out.append(("".join(chars), frozenset(cuts)))
    return out


def _role(word: str) -> str | None:
    role = ROLE.get(word)
    if role is not None:
        return role
    for pattern, r in _PATTERNS:
        if pattern.fullmatch(word):
            return r
    return None


def _words(seg: str, cuts: frozenset[int]) -> list[tuple[str, str]] | None:
    """The fewest known words that make up ``seg`` (None when it cannot be cut into known
    words)."""
    n = len(seg)
    best: list[list[tuple[str, str]] | None] = [None] * (n + 1)
    best[0] = []
    for p in range(n):
        if best[p] is None or p not in cuts:
            continue
        for q in range(p + 1, min(n, p + max(_MAX_WORD, 12)) + 1):
            if q not in cuts:
                continue
            role = _role(seg[p:q])
            if role is None:
                continue
            path = best[p] + [(role, seg[p:q])]  # type: ignore[operator]
            if best[q] is None or len(path) < len(best[q]):  # type: ignore[arg-type]
                best[q] = path
    return best[n]


@lru_cache(maxsize=8192)
def parts_of(text: str) -> tuple[tuple[str, str], ...] | None:
    """The (role, word) parts of a header, or None when a word in it is not known."""
    found: list[tuple[str, str]] = []
    for seg, cuts in _segments(text):
        words = _words(seg, cuts)
        if words is None:
            return None
        found += words
    return tuple(found)


def _multiplier(parts: tuple[tuple[str, str], ...]) -> float | None | bool:
    """The unit the parts state: a multiplier, None when none is stated, False when two
    disagree (万元 and 千元)."""
    scales = {UNITS[w] for r, w in parts if r == "unit"}
    if len(scales) > 1:
        return False
    if scales:
        return scales.pop()
    return 1.0 if any(r == "currency" for r, _ in parts) else None


@lru_cache(maxsize=8192)
def read_header(text: str) -> HeaderParts | None:
    """The field a header names by its parts, with the evidence; None when a word in it is
    not known (a header this module cannot read)."""
    parts = parts_of(text)
    if not parts:
        return None
    roles = {r for r, _ in parts}
    fields = {f for f, needs, ok in _RULES if roles <= ok and all(roles & need for need in needs)}
    unit = _multiplier(parts)
    years = [int(m.group(0)[:4]) for r, w in parts if r == "period" and (m := re.match(r"\d{4}", w))]
    pointed = tuple(sorted({_POINTS[r] for r in roles if r in _POINTS}))
    if len(fields) != 1 or unit is False:
        return HeaderParts(parts, unclear=pointed if len(pointed) > 1 else ())
    field = fields.pop()
    return HeaderParts(parts, field, unit if field in _MONEY_FIELDS else None, max(years) if years else -1)


def changes_meaning(text: str | None, field: str) -> tuple[str, ...]:
    """The words in ``text`` (a header's bracket or tail, ``累计`` in ``投放额（累计）``) that
    change the meaning of a header naming ``field``: a previous period, a running total, a
    forecast, a share, a month, a phone number ... that the field does not allow. Unknown
    words are not counted."""
    if not text:
        return ()
    allowed = _KEEPS.get(field, frozenset())
    changing = CHANGING_READ if field in _KEEPS else CHANGING
    if field in _AMOUNT_FIELDS:
        changing = changing | {"recency"}
    found = []
    for seg, cuts in _segments(text):
        for role, word in _words(seg, cuts) or ():
            if role in changing and role not in allowed:
                found.append(word)
    return tuple(found)
