"""What staff read: every label xlclient shows, in Chinese (default) and English.

The engine computes with stable codes (tier "A", stage "committed", quadrant "Q1",
RFM class "champion" ...) and turns them into words only here, so switching the Settings
language changes every sheet and message at once.
"""

from __future__ import annotations

from typing import Literal

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")

TIER_NAMES: dict[str, dict[str, str]] = {
    "A": {"zh": "重点客户", "en": "Key account"},
    "B": {"zh": "主要客户", "en": "Major account"},
    "C": {"zh": "普通客户", "en": "Regular account"},
    "D": {"zh": "待开发", "en": "To develop"},
}

# Intent stages of prospects, hottest first (SPEC 4.2).
STAGES: tuple[str, ...] = ("committed", "strong", "qualified", "interested", "on_hold", "refused")
STAGE_NAMES: dict[str, dict[str, str]] = {
    "committed": {"zh": "重要", "en": "Committed"},
    "strong": {"zh": "主要", "en": "Strong"},
    "qualified": {"zh": "准", "en": "Qualified"},
    "interested": {"zh": "意向", "en": "Interested"},
    "on_hold": {"zh": "暂缓", "en": "On hold"},
    "refused": {"zh": "拒绝", "en": "Refused"},
}

STATUS_NAMES: dict[str, dict[str, str]] = {
    "current": {"zh": "现有", "en": "Current"},
    "prospect": {"zh": "潜在", "en": "Prospect"},
    "lost": {"zh": "流失", "en": "Lost"},
}

QUADRANTS: dict[str, dict[str, str]] = {
    "Q1": {"zh": "高价值/高需求", "en": "High value / high need"},
    "Q2": {"zh": "高价值/低需求", "en": "High value / low need"},
    "Q3": {"zh": "低价值/高需求", "en": "Low value / high need"},
    "Q4": {"zh": "低价值/低需求", "en": "Low value / low need"},
    "Q5": {"zh": "潜在高价值/高需求", "en": "Potential high value / high need"},
    "Q6": {"zh": "潜在高价值/低需求", "en": "Potential high value / low need"},
    "Q7": {"zh": "潜在低价值/高需求", "en": "Potential low value / high need"},
    "Q8": {"zh": "潜在低价值/低需求", "en": "Potential low value / low need"},
}

QUADRANT_ACTIONS: dict[str, dict[str, str]] = {
    "Q1": {
        "zh": "核心客户：团队专人服务，定期高层拜访，提前规划全年投放",
        "en": "Core client: dedicated team, regular senior visits, plan the year's spend together",
    },
    "Q2": {
        "zh": "稳住基本盘：主动调研新需求，用案例引导追加投放",
        "en": "Hold the base: research new needs, use case studies to open extra budget",
    },
    "Q3": {
        "zh": "需求旺但贡献小：给高性价比方案，控制服务成本，寻找放量机会",
        "en": "Busy but small: offer cost-effective packages, watch cost to serve, look for growth",
    },
    "Q4": {
        "zh": "少投入：标准化服务、电话维护，评估是否保留",
        "en": "Minimal effort: standard service by phone, review whether to keep",
    },
    "Q5": {
        "zh": "重点开发：尽快安排提案与高层会面，争取首单",
        "en": "Top prospect: pitch soon with senior people, win the first order",
    },
    "Q6": {
        "zh": "培育需求：分享行业洞察与案例，保持定期联系",
        "en": "Nurture: share industry insight and cases, keep in regular touch",
    },
    "Q7": {
        "zh": "快速转化：推小额试单或标准套餐，降低成交门槛",
        "en": "Convert fast: offer a small trial or a standard package",
    },
    "Q8": {
        "zh": "低频维护：群发资讯与节日问候即可，不占拜访名额",
        "en": "Low touch: newsletters and festival greetings, no visit slots",
    },
}

# The common Chinese 8-class RFM scheme: (R high, F high, M high) -> class code.
RFM_CLASSES: dict[tuple[bool, bool, bool], str] = {
    (True, True, True): "important_value",
    (True, False, True): "important_develop",
    (False, True, True): "important_keep",
    (False, False, True): "important_retain",
    (True, True, False): "general_value",
    (True, False, False): "general_develop",
    (False, True, False): "general_keep",
    (False, False, False): "general_retain",
}
RFM_CLASS_NAMES: dict[str, dict[str, str]] = {
    "important_value": {"zh": "重要价值客户", "en": "Important value"},
    "important_develop": {"zh": "重要发展客户", "en": "Important develop"},
    "important_keep": {"zh": "重要保持客户", "en": "Important keep"},
    "important_retain": {"zh": "重要挽留客户", "en": "Important win-back"},
    "general_value": {"zh": "一般价值客户", "en": "General value"},
    "general_develop": {"zh": "一般发展客户", "en": "General develop"},
    "general_keep": {"zh": "一般保持客户", "en": "General keep"},
    "general_retain": {"zh": "一般挽留客户", "en": "General win-back"},
}

VISIT_STATUS: dict[str, dict[str, str]] = {
    "ok": {"zh": "正常", "en": "On track"},
    "due_soon": {"zh": "即将到期", "en": "Due soon"},
    "overdue": {"zh": "逾期 {days} 天", "en": "Overdue {days} days"},
    "no_visit": {"zh": "从未拜访", "en": "Never visited"},
}

# Names of the sheets xlclient owns (SPEC 3). Both names are recognised when reading.
SHEET_NAMES: dict[str, dict[str, str]] = {
    "settings": {"zh": "设置", "en": "Settings"},
    "holidays": {"zh": "节假日", "en": "Holidays"},
    "classification": {"zh": "分级结果", "en": "Classification"},
    "visit_plan": {"zh": "拜访计划", "en": "VisitPlan"},
    "unscheduled": {"zh": "未安排", "en": "Unscheduled"},
    "dashboard": {"zh": "看板", "en": "Dashboard"},
    "review": {"zh": "客户复盘", "en": "Review"},
    "issues": {"zh": "数据问题", "en": "Issues"},
    "log": {"zh": "运行日志", "en": "Log"},
    "handover": {"zh": "客户交接", "en": "Handover"},
    "doctor": {"zh": "诊断", "en": "Doctor"},
}

CLASSIFICATION_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("client_id", "客户编号", "ClientID"),
    ("name", "客户名称", "Client"),
    ("owner", "客户经理", "Owner"),
    ("tier", "等级", "Tier"),
    ("quadrant", "象限", "Quadrant"),
    ("stage", "意向阶段", "Stage"),
    ("rfm", "RFM", "RFM"),
    ("rfm_class", "RFM分类", "RFMSegment"),
    ("likelihood", "购买可能性", "Likelihood"),
    ("next_visit", "下次拜访", "NextVisit"),
    ("visit_status", "拜访状态", "VisitStatus"),
    ("review", "复盘", "Review"),
)

ISSUES_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("sheet", "工作表", "Sheet"),
    ("row", "行", "Row"),
    ("client_id", "客户编号", "ClientID"),
    ("client", "客户名称", "Client"),
    ("column", "列", "Column"),
    ("value", "值", "Value"),
    ("message", "问题", "Problem"),
)


def sheet_name(key: str, lang: Language) -> str:
    """The display name of an owned sheet in the given language."""
    return SHEET_NAMES[key][lang]


def sheet_aliases(key: str) -> tuple[str, ...]:
    """Every name under which an owned sheet is recognised (all languages)."""
    return tuple(SHEET_NAMES[key][lang] for lang in LANGUAGES)


def column_headers(columns: tuple[tuple[str, str, str], ...], lang: Language) -> list[str]:
    """Header texts of an owned table in the given language."""
    index = 1 if lang == "zh" else 2
    return [c[index] for c in columns]


def label(table: dict[str, dict[str, str]], code: str, lang: Language, **params: object) -> str:
    """Look up the display text of a code; unknown codes are returned unchanged."""
    entry = table.get(code)
    if entry is None:
        return code
    text = entry[lang]
    return text.format(**params) if params else text
