"""Settings: every rule parameter of SPEC section 4 with its default, label and checks.

The Settings sheet (设置) holds one parameter per row: label (Chinese or English, or the
parameter key), then its value. A ``Columns`` (列映射) block maps fields to the headers of
this workbook. :func:`settings_from_grid` reads such a sheet; every bad value is refused
with a message naming its cell, and nothing is computed from refused settings.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .fields import FIELDS, normalise_header
from .labels import Language
from .parse import parse_date, parse_money


@dataclass(frozen=True)
class Param:
    """One setting: key, labels, default, kind and help text (zh, en)."""

    key: str
    zh: str
    en: str
    default: Any
    kind: str  # percent | days | int | money | choice | date | number
    help_zh: str
    help_en: str
    choices: tuple[tuple[str, str, str], ...] = ()  # (code, zh, en)
    section: str = "general"


TIER_METHODS = (("pareto", "帕累托", "Pareto"), ("threshold", "金额门槛", "Threshold"), ("rank", "排名比例", "Rank"))
TIER_METRICS = (("billings", "投放额", "Billings"), ("gross_profit", "毛利", "Gross profit"))
UNREADABLE_AMOUNTS = (("leave_empty", "留空", "Leave empty"), ("rest", "按其余客户分级", "Tier from the rest"))
LANG_CHOICES = (("zh", "中文", "Chinese"), ("en", "英文", "English"))

PARAMS: tuple[Param, ...] = (
    Param("language", "显示语言", "Language", "zh", "choice", "中文或英文", "Chinese or English", LANG_CHOICES),
    Param("as_of", "计算日期", "As of date", None, "date", "留空表示今天", "blank means today"),
    Param("tier_method", "分级方法", "Tier method", "pareto", "choice",
          "帕累托（累计占比）、金额门槛或排名比例", "Pareto (cumulative share), threshold or rank",
          TIER_METHODS, "tier"),
    Param("tier_metric", "分级依据", "Tier metric", "billings", "choice", "投放额或毛利", "billings or gross profit",
          TIER_METRICS, "tier"),
    Param("pareto_a", "A类累计占比", "Pareto A cut-off", 0.80, "percent",
          "排在前面的客户累计占比低于此值为 A", "A while the share before the client is below this", section="tier"),
    Param("pareto_b", "B类累计占比", "Pareto B cut-off", 0.95, "percent",
          "累计占比低于此值为 B，其余为 C", "B below this, C after", section="tier"),
    Param("threshold_a", "A类金额门槛(元)", "Threshold A (yuan)", 1_000_000.0, "money",
          "年度金额不低于此值为 A", "A at or above this yearly amount", section="tier"),
    Param("threshold_b", "B类金额门槛(元)", "Threshold B (yuan)", 300_000.0, "money",
          "不低于此值为 B，其余为 C", "B at or above this, C below", section="tier"),
    Param("rank_a", "A类排名比例", "Rank A share", 0.20, "percent", "排名前此比例为 A", "top share of clients that is A",
          section="tier"),
    Param("rank_b", "B类排名比例", "Rank B share", 0.50, "percent", "排名前此比例（含A）为 B", "top share (incl. A) that is B",
          section="tier"),
    Param("unreadable_amounts", "金额无法读取时", "If an amount is unreadable", "leave_empty", "choice",
          "留空：有金额无法读取（如公式错误值）时，帕累托和排名等级全部留空；按其余客户分级：只用能读取的金额",
          "leave empty: when an amount cannot be read (e.g. an error value) no Pareto or rank tiers are given; tier from the "
          "rest: use the readable amounts only", UNREADABLE_AMOUNTS, "tier"),
    Param("tier_margin", "等级变动缓冲(百分点)", "Tier change margin (points)", 0.05, "percent",
          "已有等级的客户越过分界线超过此幅度才变动等级", "a known tier changes only when the boundary is cleared by this",
          section="tier"),
    Param("prob_committed", "重要客户成交概率", "Win probability committed", 0.90, "percent", "", "", section="stage"),
    Param("prob_strong", "主要客户成交概率", "Win probability strong", 0.60, "percent", "", "", section="stage"),
    Param("prob_qualified", "准客户成交概率", "Win probability qualified", 0.35, "percent", "", "", section="stage"),
    Param("prob_interested", "意向客户成交概率", "Win probability interested", 0.15, "percent", "", "", section="stage"),
    Param("prob_on_hold", "暂缓客户成交概率", "Win probability on hold", 0.05, "percent", "", "", section="stage"),
    Param("prob_refused", "拒绝客户成交概率", "Win probability refused", 0.0, "percent", "", "", section="stage"),
    Param("potential_high", "高潜力评分", "High potential score", 4.0, "number",
          "潜力评分不低于此值为高价值潜在客户", "potential score at or above this is high value", section="quadrant"),
    Param("need_high", "高需求评分", "High need score", 3.0, "number",
          "需求评分不低于此值为高需求", "need score at or above this is high need", section="quadrant"),
    Param("likelihood_horizon", "购买预测天数", "Likelihood horizon (days)", 90, "days",
          "预测此天数内再次合作的可能性", "probability of ordering within this many days", section="likelihood"),
    Param("contact_half_life", "联系衰减半衰期(天)", "Contact half-life (days)", 90, "days",
          "潜在客户多久未联系成交概率减半", "days without contact that halve a prospect's probability",
          section="likelihood"),
    Param("cadence_A", "A类拜访周期(天)", "Cadence A (days)", 14, "days", "", "", section="cadence"),
    Param("cadence_B", "B类拜访周期(天)", "Cadence B (days)", 30, "days", "", "", section="cadence"),
    Param("cadence_C", "C类拜访周期(天)", "Cadence C (days)", 90, "days", "", "", section="cadence"),
    Param("cadence_committed", "重要客户跟进周期(天)", "Cadence committed (days)", 7, "days", "", "", section="cadence"),
    Param("cadence_strong", "主要客户跟进周期(天)", "Cadence strong (days)", 14, "days", "", "", section="cadence"),
    Param("cadence_qualified", "准客户跟进周期(天)", "Cadence qualified (days)", 21, "days", "", "", section="cadence"),
    Param("cadence_interested", "意向客户跟进周期(天)", "Cadence interested (days)", 30, "days", "", "",
          section="cadence"),
    Param("cadence_on_hold", "暂缓客户跟进周期(天)", "Cadence on hold (days)", 90, "days", "", "", section="cadence"),
    Param("due_soon_days", "即将到期提醒(天)", "Due soon warning (days)", 7, "days",
          "距下次拜访不超过此天数显示即将到期", "show due soon this many days ahead", section="cadence"),
    Param("drop_share", "淘汰候选分位", "Drop candidate share", 0.10, "percent",
          "每工时毛利处于最低此比例的客户列为淘汰候选", "lowest share by gross profit per hour flagged", section="review"),
    Param("no_order_months", "无合作月数", "Months without order", 12, "int",
          "超过此月数未合作列为淘汰候选", "no order for this many months flags a drop candidate", section="review"),
    Param("billings_drop", "投放下滑比例", "Billings drop", 0.20, "percent",
          "投放额比上期下降超过此比例视为流失风险", "billings falling by more than this is a churn risk",
          section="review"),
    Param("plan_weeks", "计划周数", "Plan weeks", 4, "int", "拜访计划覆盖的周数", "weeks the visit plan covers",
          section="plan"),
    Param("daily_visits", "每日拜访上限", "Visits per day", 4, "int", "每位客户经理每天最多拜访数", "per AE per day",
          section="plan"),
    Param("daily_calls", "每日电话上限", "Calls per day", 8, "int", "每位客户经理每天最多电话数", "per AE per day",
          section="plan"),
    Param("monthly_development", "每月开发拜访", "Development visits per month", 4, "int",
          "每位客户经理每月拜访待开发客户数", "visits to D prospects per AE per month", section="plan"),
    Param("greeting_days", "节前问候天数", "Greeting window (working days)", 5, "int",
          "节日前多少个工作日内安排问候", "working days before a festival for greetings", section="plan"),
)
PARAM_BY_KEY: dict[str, Param] = {p.key: p for p in PARAMS}

COLUMNS_BLOCK_TITLES = ("列映射", "columns", "字段映射", "column mapping")


class SettingsError(ValueError):
    """Refused settings: every bad cell with its reference and what was expected."""

    def __init__(self, errors: Sequence[str]):
        self.errors = list(errors)
        super().__init__("; ".join(self.errors))


@dataclass(frozen=True)
class Settings:
    """Validated rule parameters (fractions for percentages, days as ints)."""

    language: Language = "zh"
    as_of: dt.date | None = None
    tier_method: str = "pareto"
    tier_metric: str = "billings"
    pareto_a: float = 0.80
    pareto_b: float = 0.95
    threshold_a: float = 1_000_000.0
    threshold_b: float = 300_000.0
    rank_a: float = 0.20
    rank_b: float = 0.50
    tier_margin: float = 0.05
    unreadable_amounts: str = "leave_empty"
    prob_committed: float = 0.90
    prob_strong: float = 0.60
    prob_qualified: float = 0.35
    prob_interested: float = 0.15
    prob_on_hold: float = 0.05
    prob_refused: float = 0.0
    potential_high: float = 4.0
    need_high: float = 3.0
    likelihood_horizon: int = 90
    contact_half_life: int = 90
    cadence_A: int = 14
    cadence_B: int = 30
    cadence_C: int = 90
    cadence_committed: int = 7
    cadence_strong: int = 14
    cadence_qualified: int = 21
    cadence_interested: int = 30
    cadence_on_hold: int = 90
    due_soon_days: int = 7
    drop_share: float = 0.10
    no_order_months: int = 12
    billings_drop: float = 0.20
    plan_weeks: int = 4
    daily_visits: int = 4
    daily_calls: int = 8
    monthly_development: int = 4
    greeting_days: int = 5
    columns: Mapping[str, str] = field(default_factory=dict)
    # read from a Settings sheet (False: the book has none yet, so a 列映射 needs `init` first)
    from_sheet: bool = field(default=False, compare=False)

    def today(self) -> dt.date:
        """The date rules are computed for: Settings 'as of' or the real today."""
        return self.as_of or dt.date.today()

    def stage_probability(self, stage: str) -> float:
        return float(getattr(self, f"prob_{stage}"))

    def cadence(self, tier_or_stage: str) -> int:
        return int(getattr(self, f"cadence_{tier_or_stage}"))

    def replace(self, **changes: Any) -> "Settings":
        """A copy with some values changed, validated like the sheet."""
        new = dataclasses.replace(self, **changes)
        validate(new)
        return new


def _norm(text: object) -> str:
    return normalise_header(unicodedata.normalize("NFKC", str(text)) if text is not None else "")


_LABELS: dict[str, str] = {}
for _p in PARAMS:
    for _name in (_p.key, _p.zh, _p.en):
        _LABELS[_norm(_name)] = _p.key


def _convert(param: Param, value: Any, ref: str) -> Any:
    """Convert one cell to the parameter's type or raise ValueError with a message."""
    if param.kind == "choice":
        text = _norm(value)
        for code, zh, en in param.choices:
            if text in (_norm(code), _norm(zh), _norm(en)):
                return code
        options = "、".join(f"{zh}/{code}" for code, zh, _ in param.choices)
        raise ValueError(f"{ref}: {param.zh} 「{value}」无法识别，应为 {options}")
    if param.kind == "date":
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        parsed = parse_date([value])
        if parsed.bad[0] or np.isnat(parsed.values[0]):
            raise ValueError(f"{ref}: {param.zh} 「{value}」应为日期（如 2026-11-22）或留空")
        return parsed.values[0].astype(dt.date)
    if param.kind == "money":
        parsed = parse_money([value])
        if parsed.bad[0] or np.isnan(parsed.values[0]):
            raise ValueError(f"{ref}: {param.zh} 「{value}」应为金额")
        return float(parsed.values[0])
    number = _number(value)
    if number is None:
        raise ValueError(f"{ref}: {param.zh} 「{value}」应为数字")
    if param.kind == "percent":
        return number / 100.0 if number > 1 else number
    if param.kind in ("days", "int"):
        if number != int(number):
            raise ValueError(f"{ref}: {param.zh} 「{value}」应为整数")
        return int(number)
    return number


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and value == value:
        return float(value)
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip().replace(",", "")
        for suffix in ("%", "天", "周", "个", "次", "分", "days", "day"):
            if text.endswith(suffix):
                is_pct = suffix == "%"
                try:
                    n = float(text[: -len(suffix)].strip())
                except ValueError:
                    return None
                return n / 100.0 if is_pct and n <= 1 else n
        try:
            return float(text)
        except ValueError:
            return None
    return None


def validate(s: Settings, refs: Mapping[str, str] | None = None) -> None:
    """Cross-checks between parameters; raises SettingsError naming the cells."""
    refs = refs or {}

    def ref(key: str) -> str:
        return refs.get(key, PARAM_BY_KEY[key].zh)

    errors: list[str] = []
    if not 0 < s.pareto_a < s.pareto_b <= 1:
        errors.append(f"{ref('pareto_a')}/{ref('pareto_b')}: 帕累托分界应满足 0 < A({s.pareto_a:.0%}) < B({s.pareto_b:.0%}) ≤ 100%")
    if not 0 < s.rank_a < s.rank_b <= 1:
        errors.append(f"{ref('rank_a')}/{ref('rank_b')}: 排名比例应满足 0 < A({s.rank_a:.0%}) < B({s.rank_b:.0%}) ≤ 100%")
    if not s.threshold_a > s.threshold_b > 0:
        errors.append(f"{ref('threshold_a')}/{ref('threshold_b')}: 金额门槛应满足 A({s.threshold_a:,.0f}) > B({s.threshold_b:,.0f}) > 0")
    if not 0 <= s.tier_margin < 0.5:
        errors.append(f"{ref('tier_margin')}: 等级变动缓冲应在 0 到 50 个百分点之间")
    for key in ("prob_committed", "prob_strong", "prob_qualified", "prob_interested", "prob_on_hold", "prob_refused",
                "drop_share", "billings_drop"):
        if not 0 <= getattr(s, key) <= 1:
            errors.append(f"{ref(key)}: 应在 0% 到 100% 之间")
    probs = [s.prob_committed, s.prob_strong, s.prob_qualified, s.prob_interested]
    if probs != sorted(probs, reverse=True):
        errors.append(f"{ref('prob_committed')}…{ref('prob_interested')}: 成交概率应随阶段由热到冷递减")
    for key in ("cadence_A", "cadence_B", "cadence_C", "cadence_committed", "cadence_strong", "cadence_qualified",
                "cadence_interested", "cadence_on_hold", "likelihood_horizon", "contact_half_life"):
        if not 0 < getattr(s, key) <= 3650:
            errors.append(f"{ref(key)}: 天数应在 1 到 3650（十年）之间")
    for key, most in (("due_soon_days", 365), ("daily_visits", 100), ("daily_calls", 200), ("monthly_development", 500),
                      ("greeting_days", 30)):
        if not 0 <= getattr(s, key) <= most:
            errors.append(f"{ref(key)}: 应在 0 到 {most} 之间")
    if not 1 <= s.plan_weeks <= 52:
        errors.append(f"{ref('plan_weeks')}: 计划周数应在 1 到 52 之间")
    if not 0 < s.no_order_months <= 120:
        errors.append(f"{ref('no_order_months')}: 月数应在 1 到 120 之间")
    for key in ("potential_high", "need_high"):
        if not 1 <= getattr(s, key) <= 5:
            errors.append(f"{ref(key)}: 评分应在 1 到 5 之间")
    if errors:
        raise SettingsError(errors)


def _cell_ref(sheet: str, row: int, col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    quoted = f"'{sheet}'" if not sheet.isascii() or not sheet.isalnum() else sheet
    return f"{quoted}!{letters}{row + 1}"


def settings_from_grid(grid: Sequence[Sequence[Any]], sheet: str = "设置", first_row: int = 0,
                       first_col: int = 0) -> Settings:
    """Read a Settings sheet given as rows of cells (``first_row``/``first_col`` = 0-based
    position of the grid's top-left cell in the sheet, for cell references).

    A row is a parameter when one of its first cells is a parameter's key or label; its
    value is the cell just right of the label (an empty value keeps the default).
    Unknown labels are ignored; bad values raise SettingsError naming each cell.
    """
    values: dict[str, Any] = {}
    refs: dict[str, str] = {}
    columns: dict[str, str] = {}
    errors: list[str] = []
    in_columns = False
    field_names = {normalise_header(k): k for k in FIELDS}
    for f, (_, aliases) in FIELDS.items():
        field_names.setdefault(normalise_header(aliases[0]), f)
    for r, row in enumerate(grid):
        cells = [(c, v) for c, v in enumerate(row) if v is not None and str(v).strip() != ""]
        if not cells:
            in_columns = False
            continue
        c0, first = cells[0]
        key = _LABELS.get(_norm(first))
        if _norm(first) in {normalise_header(t) for t in COLUMNS_BLOCK_TITLES}:
            in_columns = True
            continue
        if in_columns and key is None:
            f = field_names.get(_norm(first))
            beside = row[c0 + 1] if c0 + 1 < len(row) else None  # the header; a note may follow it
            if f:
                if beside is not None and str(beside).strip():
                    columns[f] = str(beside).strip()
            elif len(cells) > 1 and _norm(first) not in ("字段", "field"):
                errors.append(f"{_cell_ref(sheet, first_row + r, first_col + c0)}: 列映射中的字段「{first}」无法识别")
            continue
        if key is None:
            continue
        in_columns = False
        value = row[c0 + 1] if c0 + 1 < len(row) else None
        ref = _cell_ref(sheet, first_row + r, first_col + c0 + 1)
        refs[key] = ref
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        try:
            values[key] = _convert(PARAM_BY_KEY[key], value, ref)
        except ValueError as e:
            errors.append(str(e))
    if errors:
        raise SettingsError(errors)
    settings = Settings(**values, columns=columns, from_sheet=True)
    validate(settings, refs)
    return settings



SECTION_TITLES: dict[str, tuple[str, str]] = {
    "general": ("通用", "General"),
    "tier": ("客户分级", "Tiers"),
    "stage": ("意向阶段", "Intent stages"),
    "quadrant": ("客户象限", "Quadrants"),
    "likelihood": ("购买可能性", "Purchase likelihood"),
    "cadence": ("拜访周期", "Visit cadence"),
    "review": ("客户复盘", "Review"),
    "plan": ("拜访计划", "Visit plan"),
}


def _display(param: Param, value: Any, lang: Language) -> Any:
    if value is None:
        return None
    if param.kind == "percent":
        return f"{value * 100:g}%"
    if param.kind == "choice":
        for code, zh, en in param.choices:
            if code == value:
                return zh if lang == "zh" else en
    if param.kind == "money":
        return float(value)
    return value


def settings_rows(settings: Settings | None = None, lang: Language | None = None,
                  columns: Mapping[str, str] | None = None,
                  evidence: Mapping[str, str] | None = None) -> list[list[Any]]:
    """The rows of a Settings sheet: title, a header, one row per parameter grouped by
    section (label | value | help | key), then the Columns mapping block (field | header in
    this workbook | how it was recognised, from ``evidence``: for the user to confirm or
    correct). Reading these rows back with :func:`settings_from_grid` gives the same
    settings."""
    settings = settings or Settings()
    lang = lang or settings.language
    zh = lang == "zh"
    rows: list[list[Any]] = [
        ["xlclient 设置" if zh else "xlclient settings"],
        ["修改「值」列即可；留空表示使用默认值。" if zh else "Edit the Value column; blank means the default."],
        ["参数", "值", "说明", "键"] if zh else ["Parameter", "Value", "Help", "Key"],
    ]
    section = None
    for p in PARAMS:
        if p.section != section:
            section = p.section
            rows.append([])
            rows.append([SECTION_TITLES[section][0 if zh else 1]])
        rows.append([p.zh if zh else p.en, _display(p, getattr(settings, p.key), lang),
                     p.help_zh if zh else p.help_en, p.key])
    rows.append([])
    rows.append(["列映射" if zh else "Columns"])
    evidence = evidence or {}
    rows.append(["字段", "本工作簿的列名"] + (["识别依据（请核实）" if zh else "How it was recognised (please check)"]
                                          if evidence else []) if zh else
                ["Field", "Header in this workbook"] + (["How it was recognised (please check)"] if evidence else []))
    mapping = dict(columns if columns is not None else settings.columns)
    for f, (_, aliases) in FIELDS.items():
        rows.append([aliases[0] if zh else f, mapping.get(f)] + ([evidence[f]] if f in evidence else []))
    return rows
