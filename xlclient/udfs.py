"""Excel functions (UDFs) of xlclient, SPEC section 5: the names staff type in a cell.

Set up in ``xlwings.conf`` (UDF Modules = ``xlclient.udfs``) and imported with the xlwings
ribbon's *Import Functions*; they run in desktop Excel on Windows. Every function:

* takes single cells or whole columns: ``=CLIENT_TIER(H4, H$4:H$300)`` answers one row,
  ``=CLIENT_TIER(H4:H300)`` is one call returning one answer per row, which spills in
  Excel 365/2021 (older Excel: select the output column, Ctrl+Shift+Enter). A single cell
  goes with every row (like Excel's own array arithmetic); columns must be equally long;
* reads its rules from the calling workbook's Settings sheet (设置) and Holidays sheet
  (节假日), which Excel itself hands over with every call as two hidden arguments
  (``settings``, ``holidays``: the generated VBA wrapper evaluates
  :data:`~xlclient.udf_support.SETTINGS_VBA` in place of a parameter, so the function
  wizard does not show them); nothing calls back into Excel while it calculates, and no
  ``caller`` is declared (xlwings builds a COM range for it, which fails on PCs without
  pywin32's generated files: xlwings issue #1404). Answers in the Settings language
  (中文 by default, English). Excel does not see a hidden argument as a precedent: after
  editing Settings or Holidays, recalculate everything (Ctrl+Alt+F9; the 刷新分级 button
  does it);
* never shows a traceback: a bad argument gives text such as
  ``#参数错误: last_visit 「2026-13-01」不是日期…`` in that row only; a blank input row
  gives a blank output row; a message from another UDF passes through unchanged.

Functions (``[...]`` optional; "population" arguments are the columns a row is compared
with -- taken raw, sorted once, then found again by comparing their cells)::

    CLIENT_TIER(value, [population], [status], [previous_tier], [override],
                [population_status], [unit])                          -> A / B / C / D / ""
    CLIENT_QUADRANT(tier_or_value, need, [status], [potential],
                    [potential_population])                           -> "Q1 高价值/高需求"
    INTENT_STAGE(stage, [meetings], [deposit_paid])                   -> 重要 / 主要 / 准 / …
    NEXT_VISIT(tier_or_stage, last_visit)                             -> a working day
    VISIT_STATUS(tier_or_stage, last_visit, [today])                  -> 正常 / 即将到期 / 逾期 N 天 / 从未拜访
    RFM_SCORE(recency, frequency, monetary, [recency_population],
              [frequency_population], [monetary_population], [status],
              [population_status], [unit])                            -> 545
    RFM_SEGMENT(same arguments)                                       -> 重要价值客户 …
    PURCHASE_LIKELIHOOD(client, [last_contact], [orders], [first_order], [last_order],
                        [population_client], [population_orders],
                        [population_first_order], [population_last_order]) -> 0..1
    CLIENT_REVIEW(tier, [previous_tier], [status], [gross_profit], [service_hours],
                  [last_order], [billings], [billings_prev], [risk_flags], [override],
                  [gross_profit_population], [service_hours_population],
                  [population_status], [unit])                        -> "降级：A → B；…" or ""
    CLIENT_STRATEGY(type_or_quadrant)                                 -> one line of advice

Conventions and decisions:

* Populations. Without one, the column form compares the rows given with each other (the
  book); a single cell then needs the population ranges (a message says so). With
  ``status`` (a row's own) and ``population_status`` (the population's rows), only current
  clients are ranked or scored, as in Refresh; a blank status counts as current when the
  client has billings, as the engine infers it. ``""`` or a blank cell for a population
  counts as omitted.
* Money: numbers and text such as ``120万``, ``1.2亿``, ``¥3,500``. Numbers are yuan unless
  ``unit`` says otherwise (``"万元"`` for a column kept in 万元 as in ``年度投放额(万元)``);
  text with its own unit keeps it. Dates: Excel dates, unformatted serials, text dates.
* RFM recency is either the last order date (a date, date text, or a serial from 10000
  on) or the number of days since it (a number below 10000, or text like ``45天``).
  Negative days and dates after today are messages.
* ``tier_or_stage`` / ``client``: a stage word wins over a tier word (``主要客户`` is the
  stage 主要; write ``B`` for the tier); ``D`` alone is not enough for a visit date (give
  the stage); 拒绝 and 流失 have no visits (blank); 潜在 alone is the stage 意向.
* ``tier_or_value`` may be a 1-5 value score instead of a tier (high value from the
  Settings' 高潜力评分). ``risk_flags`` are up to four adjacent yes/no columns in the order
  经营困难, 竞品接触, 管理层变动, 付款逾期. CLIENT_REVIEW has no 数据问题 flag (that needs
  the Issues sheet of a Refresh).
* Dates are returned as dates; the output column needs a date format in Excel.

The rules are the engine's (:mod:`xlclient.engine`), so a formula gives what Refresh writes
to the Classification sheet for the same row; the shared layer (argument shapes, parsing,
messages, caches) is :mod:`xlclient.udf_support`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from bisect import bisect_left, bisect_right
from typing import Any

import numpy as np
import pandas as pd
import xlwings as xw

from .engine.cadence import visit_status as _visit_status
from .engine.labels import RFM_CLASS_NAMES, Language, label
from .engine.likelihood import current_client_likelihood, predict_current_likelihood, prospect_likelihood
from .engine.quadrant import quadrant_codes, quadrant_label
from .engine.review import ReviewInput, drop_cutoff, profit_per_hour, review_flags
from .engine.rfm import quintile_scores, rfm_class
from .engine.stage import derive_stage, stage_probability
from .engine.parse import NOTE_CODES
from .engine.strategy import UnknownType, strategy_for
from .engine.tier import TIERS, TierRule, TierScale, assign_tiers
from .engine.tier import to_fen as _to_fen
from .udf_support import (
    HOLIDAYS_VBA,
    SETTINGS_VBA,
    ArgError,
    PopulationCache,
    Context,
    RowErrors,
    Rows,
    arg_message,
    broadcast,
    code_of,
    col_info,
    context,
    dates_out,
    distinct,
    flat,
    guarded,
    is_blank,
    is_message,
    memo_map,
    message,
    omitted,
    parse,
    stage_label,
    text_of,
    to_fen,
    unit_of,
)

__all__ = [
    "CLIENT_TIER", "CLIENT_QUADRANT", "INTENT_STAGE", "NEXT_VISIT", "VISIT_STATUS", "RFM_SCORE", "RFM_SEGMENT",
    "PURCHASE_LIKELIHOOD", "CLIENT_REVIEW", "CLIENT_STRATEGY",
]

_ROW = {"ndim": 2, "err_to_str": True}  # per-row arguments: always a list of rows
# populations: read raw -- xlwings hands over Excel's values as COM returns them (a tuple of
# row tuples; error cells as numbers) without its per-cell Python loop, which would cost
# ~6 ms for 10,000 cells on every single-cell call (bench/bench_udfs.py); see flat()
_POP = {"convert": "raw"}
_CATEGORY = "xlclient"


# =========================================================================== the functions
# Help text: Chinese first (what staff read in the function wizard), then the English meaning.


@xw.func(category=_CATEGORY)
@xw.arg("value", doc=("金额：单元格或整列（投放额或毛利；数字或 120万 等文字）。"
                      "Value: billings or gross profit, a cell or a column."), **_ROW)
@xw.arg("population", doc=("可选：与之比较的全部客户金额列，如 H$4:H$300；整列调用时可省略。"
                           "Optional: all clients' values to rank against."), **_POP)
@xw.arg("status", doc=("可选：客户状态 现有/潜在/流失（潜在为 D，流失为空）。"
                       "Optional: status current/prospect/lost."), **_ROW)
@xw.arg("previous_tier", doc=("可选：上次等级 A/B/C，越过分界线足够多才变动。"
                              "Optional: previous tier (anti flip-flop margin)."), **_ROW)
@xw.arg("override", doc=("可选：经理锁定的等级 A/B/C/D，总是优先。"
                         "Optional: a manager's pinned tier, always wins."), **_ROW)
@xw.arg("population_status", doc=("可选：population 各行的客户状态，只让现有客户参与排名。"
                                  "Optional: status of each population row."), **_POP)
@xw.arg("unit", doc="可选：数字的单位，如 万元（默认 元）。Optional: unit of plain numbers, e.g. 万元.")
@xw.arg("settings", vba=SETTINGS_VBA, **_POP)  # hidden: Excel evaluates it with the call
@xw.arg("holidays", vba=HOLIDAYS_VBA, **_POP)
@guarded
def CLIENT_TIER(value, population=None, status=None, previous_tier=None, override=None, population_status=None,
                unit=None, settings=None, holidays=None):
    """客户等级 A/B/C/D（按设置：帕累托 80/95、金额门槛或排名）。Client tier A/B/C/D by the Settings' rule."""
    return _client_tier(value, population, status, previous_tier, override, population_status, unit, (settings, holidays))


@xw.func(category=_CATEGORY)
@xw.arg("tier_or_value", doc=("等级 A/B/C/D（如 CLIENT_TIER 的结果），或 1–5 的价值评分。"
                              "Tier A-D, or a value score 1-5."), **_ROW)
@xw.arg("need", doc="需求评分 1–5（≥3 为高需求，见设置）；空为低需求。Need score 1-5.", **_ROW)
@xw.arg("status", doc=("可选：客户状态；省略时 D 为潜在客户、A/B/C 为现有客户。"
                       "Optional: status (default: D prospect, A-C current)."), **_ROW)
@xw.arg("potential", doc=("可选：潜在客户的潜力评分 1–5 或预计预算金额。"
                          "Optional: a prospect's potential score or budget."), **_ROW)
@xw.arg("potential_population", doc=("可选：全部潜在客户的预算列（按预算中位数分高低时）。"
                                     "Optional: all prospects' budgets, for the median."), **_POP)
@xw.arg("settings", vba=SETTINGS_VBA, **_POP)  # hidden: Excel evaluates it with the call
@xw.arg("holidays", vba=HOLIDAYS_VBA, **_POP)
@guarded
def CLIENT_QUADRANT(tier_or_value, need, status=None, potential=None, potential_population=None, settings=None, holidays=None):
    """客户象限，如「Q1 高价值/高需求」（Q5–Q8 为潜在客户）。Client quadrant, e.g. Q1 高价值/高需求."""
    return _client_quadrant(tier_or_value, need, status, potential, potential_population, (settings, holidays))


@xw.func(category=_CATEGORY)
@xw.arg("stage", doc=("填写的意向阶段：重要、主要、准、意向、暂缓、拒绝（可空）。"
                      "Typed intent stage (may be blank)."), **_ROW)
@xw.arg("meetings", doc="可选：沟通/见面次数。Optional: number of meetings.", **_ROW)
@xw.arg("deposit_paid", doc="可选：已付定金 是/否。Optional: deposit paid yes/no.", **_ROW)
@xw.arg("settings", vba=SETTINGS_VBA, **_POP)  # hidden: Excel evaluates it with the call
@xw.arg("holidays", vba=HOLIDAYS_VBA, **_POP)
@guarded
def INTENT_STAGE(stage, meetings=None, deposit_paid=None, settings=None, holidays=None):
    """潜在客户的意向阶段（由填写的阶段、沟通次数和定金推定）。Intent stage of a prospect."""
    return _intent_stage(stage, meetings, deposit_paid, (settings, holidays))


@xw.func(category=_CATEGORY)
@xw.arg("tier_or_stage", doc=("等级 A/B/C，或潜在客户的意向阶段（重要、主要、准、意向、暂缓）。"
                              "Tier A-C, or a prospect's intent stage."), **_ROW)
@xw.arg("last_visit", doc=("最近拜访日期；空表示从未拜访（今天起第一个工作日）。"
                           "Last visit date; blank = never visited."), **_ROW)
@xw.arg("settings", vba=SETTINGS_VBA, **_POP)  # hidden: Excel evaluates it with the call
@xw.arg("holidays", vba=HOLIDAYS_VBA, **_POP)
@guarded
def NEXT_VISIT(tier_or_stage, last_visit, settings=None, holidays=None):
    """下次拜访日期：上次拜访加拜访周期，顺延到工作日（含调休和节假日表）。Next visit date, on a working day."""
    return _next_visit(tier_or_stage, last_visit, (settings, holidays))


@xw.func(category=_CATEGORY)
@xw.arg("tier_or_stage", doc="等级 A/B/C，或潜在客户的意向阶段。Tier A-C, or a prospect's intent stage.", **_ROW)
@xw.arg("last_visit", doc="最近拜访日期；空表示从未拜访。Last visit date; blank = never visited.", **_ROW)
@xw.arg("today", doc=("可选：按哪天判断（默认设置中的计算日期或今天）。"
                      "Optional: the day to judge on (default: as-of date or today)."), **_ROW)
@xw.arg("settings", vba=SETTINGS_VBA, **_POP)  # hidden: Excel evaluates it with the call
@xw.arg("holidays", vba=HOLIDAYS_VBA, **_POP)
@guarded
def VISIT_STATUS(tier_or_stage, last_visit, today=None, settings=None, holidays=None):
    """拜访状态：正常 / 即将到期 / 逾期 N 天 / 从未拜访。Visit status: on track, due soon, overdue N days."""
    return _visit_status_udf(tier_or_stage, last_visit, today, (settings, holidays))


_RFM_DOCS = {
    "recency": ("最近合作日期，或距今天数（小于 10000 的数字，或 45天）。"
                "Last order date, or days since it (a number below 10000)."),
    "frequency": "合作次数（近 12 个月）。Number of orders.",
    "monetary": "投放额（近 12 个月）。Billings.",
    "recency_population": ("可选：全部客户的最近合作日期列；单个单元格时必填。"
                           "Optional: all clients' recency (needed for one cell)."),
    "frequency_population": "可选：全部客户的合作次数列。Optional: all clients' order counts.",
    "monetary_population": "可选：全部客户的投放额列。Optional: all clients' billings.",
    "status": ("可选：客户状态；只给现有客户打分，潜在/流失为空。"
               "Optional: status (only current clients are scored)."),
    "population_status": ("可选：总体各行的客户状态，只让现有客户参与分位。"
                          "Optional: status of each population row."),
    "unit": "可选：投放额数字的单位，如 万元。Optional: unit of plain billings numbers, e.g. 万元.",
}
_RFM_OPTIONS = {"recency": _ROW, "frequency": _ROW, "monetary": _ROW, "recency_population": _POP,
                "frequency_population": _POP, "monetary_population": _POP, "status": _ROW,
                "population_status": _POP, "unit": {}}


def _rfm_arguments(f):
    """The nine arguments RFM_SCORE and RFM_SEGMENT share: help text and converter of each
    (applied as the stack of ``@xw.arg`` lines would be, the last argument first)."""
    for name in reversed(list(_RFM_OPTIONS)):
        f = xw.arg(name, doc=_RFM_DOCS[name], **_RFM_OPTIONS[name])(f)
    return f


@xw.func(category=_CATEGORY)
@_rfm_arguments
@xw.arg("settings", vba=SETTINGS_VBA, **_POP)  # hidden: Excel evaluates it with the call
@xw.arg("holidays", vba=HOLIDAYS_VBA, **_POP)
@guarded
def RFM_SCORE(recency, frequency, monetary, recency_population=None, frequency_population=None,
              monetary_population=None, status=None, population_status=None, unit=None, settings=None, holidays=None):
    """RFM 三位分数，如 545（R、F、M 各 1–5 分，按五分位）。RFM score such as 545 (quintiles)."""
    return _rfm(recency, frequency, monetary, recency_population, frequency_population, monetary_population,
                status, population_status, unit, (settings, holidays), segment=False)


@xw.func(category=_CATEGORY)
@_rfm_arguments
@xw.arg("settings", vba=SETTINGS_VBA, **_POP)  # hidden: Excel evaluates it with the call
@xw.arg("holidays", vba=HOLIDAYS_VBA, **_POP)
@guarded
def RFM_SEGMENT(recency, frequency, monetary, recency_population=None, frequency_population=None,
                monetary_population=None, status=None, population_status=None, unit=None, settings=None, holidays=None):
    """RFM 八类：重要价值、重要发展、重要保持、重要挽留、一般价值……（与平均值比）。RFM 8-class segment."""
    return _rfm(recency, frequency, monetary, recency_population, frequency_population, monetary_population,
                status, population_status, unit, (settings, holidays), segment=True)


@xw.func(category=_CATEGORY)
@xw.arg("client", doc=("潜在客户填意向阶段；现有客户填 现有/合作中 或等级 A/B/C；流失为空。"
                       "A prospect's stage, or 现有 / tier A-C for a current client."), **_ROW)
@xw.arg("last_contact", doc=("潜在客户：最近联系/拜访日期（未联系越久越低）。"
                             "Prospect: last contact date."), **_ROW)
@xw.arg("orders", doc="现有客户：近 12 个月合作次数。Current client: orders in 12 months.", **_ROW)
@xw.arg("first_order", doc="现有客户：首次合作日期。Current client: first order date.", **_ROW)
@xw.arg("last_order", doc="现有客户：最近合作日期。Current client: last order date.", **_ROW)
@xw.arg("population_client", doc=("可选：全部客户的状态列（拟合复购模型用）。"
                                  "Optional: all clients' status, for the model."), **_POP)
@xw.arg("population_orders", doc=("可选：全部客户的合作次数列；单个单元格的现有客户必填。"
                                  "Optional: all clients' orders (needed for one cell)."), **_POP)
@xw.arg("population_first_order", doc="可选：全部客户的首次合作日期列。Optional: all first order dates.", **_POP)
@xw.arg("population_last_order", doc="可选：全部客户的最近合作日期列。Optional: all last order dates.", **_POP)
@xw.arg("settings", vba=SETTINGS_VBA, **_POP)  # hidden: Excel evaluates it with the call
@xw.arg("holidays", vba=HOLIDAYS_VBA, **_POP)
@guarded
def PURCHASE_LIKELIHOOD(client, last_contact=None, orders=None, first_order=None, last_order=None,
                        population_client=None, population_orders=None, population_first_order=None,
                        population_last_order=None, settings=None, holidays=None):
    """购买可能性 0–1：潜在客户按阶段概率随未联系天数衰减；现有客户按复购模型。Purchase likelihood 0-1."""
    return _likelihood(client, last_contact, orders, first_order, last_order, population_client, population_orders,
                       population_first_order, population_last_order, (settings, holidays))


@xw.func(category=_CATEGORY)
@xw.arg("tier", doc="当前等级 A/B/C/D（如 CLIENT_TIER 的结果）。Current tier.", **_ROW)
@xw.arg("previous_tier", doc="可选：上次等级（降级提示）。Optional: previous tier (downgrade).", **_ROW)
@xw.arg("status", doc="可选：客户状态（淘汰与流失提示只看现有客户）。Optional: status.", **_ROW)
@xw.arg("gross_profit", doc="可选：毛利（近 12 个月）。Optional: gross profit.", **_ROW)
@xw.arg("service_hours", doc="可选：服务工时（近 12 个月）。Optional: service hours.", **_ROW)
@xw.arg("last_order", doc="可选：最近合作日期（12 个月无合作提示淘汰）。Optional: last order date.", **_ROW)
@xw.arg("billings", doc="可选：本期投放额。Optional: billings.", **_ROW)
@xw.arg("billings_prev", doc="可选：上期投放额（下降超过 20% 提示流失风险）。Optional: previous billings.", **_ROW)
@xw.arg("risk_flags", doc=("可选：相邻的 是/否 列，依次为 经营困难、竞品接触、管理层变动、付款逾期（1–4 列）。"
                           "Optional: up to 4 adjacent yes/no risk columns."), ndim=2, err_to_str=True)
@xw.arg("override", doc="可选：经理锁定的等级（提示为锁定）。Optional: pinned tier.", **_ROW)
@xw.arg("gross_profit_population", doc=("可选：全部客户的毛利列（每工时毛利最低 10% 提示淘汰；单个单元格必填）。"
                                        "Optional: all clients' gross profit."), **_POP)
@xw.arg("service_hours_population", doc="可选：全部客户的服务工时列。Optional: all clients' service hours.", **_POP)
@xw.arg("population_status", doc="可选：总体各行的客户状态。Optional: status of each population row.", **_POP)
@xw.arg("unit", doc="可选：金额数字的单位，如 万元。Optional: unit of plain money numbers, e.g. 万元.")
@xw.arg("settings", vba=SETTINGS_VBA, **_POP)  # hidden: Excel evaluates it with the call
@xw.arg("holidays", vba=HOLIDAYS_VBA, **_POP)
@guarded
def CLIENT_REVIEW(tier, previous_tier=None, status=None, gross_profit=None, service_hours=None, last_order=None,
                  billings=None, billings_prev=None, risk_flags=None, override=None, gross_profit_population=None,
                  service_hours_population=None, population_status=None, unit=None, settings=None, holidays=None):
    """客户复盘提示及原因（降级、建议淘汰、流失风险、锁定等级），无则为空。Review flags with reasons, or blank."""
    return _review(tier, previous_tier, status, gross_profit, service_hours, last_order, billings, billings_prev,
                   risk_flags, override, gross_profit_population, service_hours_population, population_status, unit,
                   (settings, holidays))


@xw.func(category=_CATEGORY)
@xw.arg("type_or_quadrant", doc=("客户类型（理智型、任务型、贪婪型、主人翁型、犹豫型、冲动型、谨慎型、关系型，"
                                 "金/银/铁/铅）或象限 Q1–Q8。Personality type or quadrant."), **_ROW)
@xw.arg("settings", vba=SETTINGS_VBA, **_POP)  # hidden: Excel evaluates it with the call
@xw.arg("holidays", vba=HOLIDAYS_VBA, **_POP)
@guarded
def CLIENT_STRATEGY(type_or_quadrant, settings=None, holidays=None):
    """拜访策略提示：按客户类型或象限给出一句可执行的做法。An actionable approach for a type or quadrant."""
    return _strategy(type_or_quadrant, (settings, holidays))


# =========================================================================== shared steps


def _start(book: tuple[Any, Any], required: int = 1, **row_args: Any) -> tuple[Context, Rows, RowErrors, list[bool]]:
    """Workbook context, broadcast rows, row messages (upstream ones filled in), blank rows.

    The first ``required`` arguments are required in Excel: None there is a blank cell."""
    ctx = context(*book)
    if ctx.error:
        raise ArgError(ctx.error)
    for k in list(row_args)[:required]:
        if row_args[k] is None:
            row_args[k] = [[None]]
    rows = broadcast(ctx.lang, **row_args)
    errors = RowErrors(rows.n, ctx.lang)
    for name, col in rows.cols.items():
        errors.upstream(name, col, rows.info(name))
    return ctx, rows, errors, rows.blank()


def _finish(rows: Rows, errors: RowErrors, blank: np.ndarray, out: list[Any]) -> Any:
    """Blank rows blank, bad rows their message, the rest their answer; in the call's shape."""
    result = ["" if v is None else v for v in out]
    for i, text in errors.msg.items():
        result[i] = text
    for i in np.flatnonzero(blank).tolist():
        result[i] = ""
    return rows.reshape(result)


def _need_population(name: str, lang: Language) -> ArgError:
    return ArgError(message("arg", (f"{name} 缺失：单个单元格要与全部客户比较，请给出整列（如 H$4:H$300），或对整列调用本函数"
                                    if lang == "zh" else
                                    f"{name} is missing: a single cell is compared with all clients; give the whole "
                                    f"column (e.g. H$4:H$300), or call the function on whole columns"), lang))


def _population_status_codes(population_status: Any, length: int, value_for_inference: np.ndarray | None,
                             lang: Language, name: str = "population_status", unknown: str | None = None) -> np.ndarray:
    """Status code of each population row, blank inferred from the value (> 0 -> current)
    like the engine; all current when no status column is given. Unknown text is inferred
    too, or given the code ``unknown`` when that is not None."""
    if omitted(population_status):
        return np.full(length, "current", dtype=object)
    cells = flat(population_status) or []
    if len(cells) != length:
        raise ArgError(message("arg", (f"{name} 有 {len(cells)} 个单元格，总体有 {length} 个：应一一对应"
                                       if lang == "zh" else
                                       f"{name} has {len(cells)} cells but the population has {length}"), lang))
    found = [code_of("status", v) for v in cells]
    codes = np.array([c for c, _ in found], dtype=object)
    blank = codes == ""
    if unknown is not None:
        blank &= ~np.array([u for _, u in found], dtype=bool)
    if value_for_inference is not None:
        billed = value_for_inference > 0  # NaN is not > 0
        codes[blank] = np.where(billed[blank], "current", "prospect")
    else:
        codes[blank] = "current"
    return codes


def _row_status(errors: RowErrors, rows: Rows, value: np.ndarray | None, unknown: str | None = None) -> np.ndarray:
    """Status code per row; blank inferred from the value (> 0 current, else prospect) like
    the engine; unknown text is a row message (and inferred, for the populations, or given
    the code ``unknown`` when that is not None)."""
    codes = rows.codes(errors, "status", "status")
    blank = codes == ""
    if unknown is not None:
        blank &= rows.blank_of("status")
    if value is None:
        codes[blank] = "current"
    else:
        billed = value > 0  # NaN is not > 0
        codes[blank] = np.where(billed[blank], "current", "prospect")
    return codes


# =========================================================================== CLIENT_TIER


_TIER_SCALES = PopulationCache(32)


def _unread_amounts(problems: np.ndarray) -> np.ndarray:
    """Cells whose amount exists but was not read (SPEC 4.1): a problem that is neither a
    note (an approximate amount, read as written) nor "no amount yet" (待定)."""
    return np.array([c is not None and c not in NOTE_CODES and c != "no_amount" for c in problems], dtype=bool)


def _withheld_message(n: int, lang: Language) -> str:
    return message("data", (f"总体中有 {n} 个金额（或其客户状态）无法读取，可能就是最大的客户：帕累托和排名等级留空。"
                            "请改正这些单元格，或在「设置」中把「金额无法读取时」设为「按其余客户分级」") if lang == "zh" else
                   (f"{n} amounts of the population (or their clients' statuses) could not be read and one may be the "
                    "largest client: Pareto and rank tiers are left empty. Fix those cells, or set 'If an amount is "
                    "unreadable' to 'Tier from the rest' in Settings"), lang)


def _tier_scale(population: Any, population_status: Any, mult: float, rule: TierRule, lang: Language,
                from_rest: bool = False) -> TierScale:
    """The population's current clients as a sorted tier scale, kept while its cells stay.
    A population with an amount that exists but cannot be read (or a status that cannot be
    read beside an amount) gives no Pareto or rank scale (SPEC 4.1): the message says why,
    unless Settings say to tier from the rest."""

    def build() -> TierScale | str:
        cells = flat(population) or []
        parsed = parse("money", cells, mult=mult)
        values = parsed.values
        codes = _population_status_codes(population_status, len(cells), values, lang, unknown="")
        unread = _unread_amounts(parsed.problems)
        if not omitted(population_status):  # a blank status beside an amount not read: unknown, as in the engine
            codes[unread & np.array([is_blank(v) for v in (flat(population_status) or [])], dtype=bool)] = ""
        bad = (unread | ((codes == "") & (np.nan_to_num(values) > 0))) & ~np.isin(codes, ("prospect", "lost"))
        if bad.any() and rule.method != "threshold" and not from_rest:
            return _withheld_message(int(bad.sum()), lang)
        return TierScale(values[(codes == "current") & ~bad], rule)

    scale = _TIER_SCALES.get((mult, rule, from_rest), (population, population_status), build)
    if isinstance(scale, str):
        raise ArgError(scale)
    return scale


def _single(raw: Any) -> tuple[bool, Any]:
    """(True, the cell) when an argument is one cell (or omitted: None)."""
    if raw is None or not isinstance(raw, (list, tuple)):
        return True, raw
    if len(raw) == 1:
        row = raw[0]
        if not isinstance(row, (list, tuple)):
            return True, row
        if len(row) == 1:
            return True, row[0]
    return False, None


def _client_tier_one(ctx: Context, cells: dict[str, Any], population: Any, population_status: Any, mult: float,
                     rule: TierRule) -> Any:
    """CLIENT_TIER for one row with a population: plain Python on the cached scale (the
    hot path of a column of single-cell formulas; property-tested against the column form)."""
    lang = ctx.lang
    if all(is_blank(v) for v in cells.values()):
        return ""
    for name, v in cells.items():  # messages from other UDFs, Excel errors
        if isinstance(v, str) and v[:1] == "#":
            errors = RowErrors(1, lang)
            errors.upstream(name, [v])
            if errors.msg:
                return errors.msg[0]
    v = cells["value"]
    amount, problem = _parsed_one("money", v, mult)
    if problem is not None and problem not in NOTE_CODES:
        return arg_message("value", v, str(problem), lang)
    fen = to_fen(amount) if amount == amount else 0
    codes = {}
    for name, kind in (("status", "status"), ("previous_tier", "tier"), ("override", "tier")):
        code, unknown = code_of(kind, cells[name])
        if unknown and not is_message(cells[name]):
            return arg_message(name, cells[name], kind, lang)
        codes[name] = code
    if codes["override"] in TIERS:
        return codes["override"]
    st = codes["status"] or ("current" if fen > 0 else "prospect")
    if st == "lost":
        return ""
    if st == "current" and amount != amount:  # no amount: no tier, never D (SPEC 4.1)
        return _NO_AMOUNT[lang]
    if st != "current" or fen <= 0:
        return "D"
    return _tier_scale(population, population_status, mult, rule, lang, ctx.tier_from_rest).tier_of(
        fen, codes["previous_tier"])


def _parsed_one(kind: str, v: Any, mult: float) -> tuple[float, str | None]:
    p = parse(kind, [v], mult=mult)
    return float(p.values[0]), p.problems[0]


def _client_tier(value, population, status, previous_tier, override, population_status, unit, book):
    if not omitted(population):
        cells = {}
        for name, raw in (("value", value), ("status", status), ("previous_tier", previous_tier),
                          ("override", override)):
            one, cell = _single(raw)
            if not one:
                break
            cells[name] = cell
        else:
            ctx = context(*book)
            if ctx.error:
                return ctx.error
            return _client_tier_one(ctx, cells, population, population_status, unit_of(unit, ctx.lang),
                                    ctx.tier_rule)
    ctx, rows, errors, blank = _start(book, value=value, status=status, previous_tier=previous_tier,
                                      override=override)
    lang, n = ctx.lang, rows.n
    mult = unit_of(unit, lang)
    rule = ctx.tier_rule
    if omitted(population) and rows.scalar and rule.method != "threshold":
        raise _need_population("population", lang)
    raw = rows.cols["value"]
    unread = _unread_amounts(parse("money", raw, mult=mult).problems) if raw is not None else np.zeros(n, dtype=bool)
    v = rows.parsed(errors, "value", "money", mult=mult)
    st = _row_status(errors, rows, v, unknown="")
    prev = rows.codes(errors, "previous_tier", "tier")
    ovr = rows.codes(errors, "override", "tier")
    if not omitted(population):  # the population's scale (or why it gives none), the rows placed on it
        try:
            scale = _tier_scale(population, population_status, mult, rule, lang, ctx.tier_from_rest)
        except ArgError as e:
            scale = str(e)
        out: list[Any] = [""] * n
        for i in range(n):
            s, fen = st[i], _to_fen(v[i:i + 1])[0]
            out[i] = (ovr[i] if ovr[i] in TIERS else "" if s in ("lost", "") else
                      _NO_AMOUNT[lang] if s == "current" and v[i] != v[i] else
                      "D" if s != "current" or fen <= 0 else scale if isinstance(scale, str) else scale.tier_of(fen, prev[i]))
        return _finish(rows, errors, blank, out)
    # the rows are the population: the engine's rule, whole (engine/tier.py)
    st[unread & rows.blank_of("status")] = ""  # a blank status beside an amount not read: unknown, as in the engine
    bad = (unread | ((st == "") & (np.nan_to_num(v) > 0))) & ~np.isin(st, ("prospect", "lost"))
    result = assign_tiers(v, st, rule, prev, ovr, unreadable=bad, from_rest=ctx.tier_from_rest)
    tier = result.tier.copy()
    tier[result.untiered] = _NO_AMOUNT[lang]
    if result.withheld:
        tier[(tier == "") & (st == "current")] = _withheld_message(int(bad.sum()), lang)
    return _finish(rows, errors, blank, list(tier))


_NO_AMOUNT = {lang: message("data", text, lang) for lang, text in
              (("zh", "现有客户没有金额：不分级"), ("en", "current client without an amount: no tier"))}


# =========================================================================== CLIENT_QUADRANT


def _money_like(cells: list[Any]) -> bool:
    """The engine's test for a potential column that holds budgets rather than scores."""
    values = parse("money", cells).values
    return bool(np.nanmax(np.append(values, 0)) > 5) or any(
        isinstance(v, str) and any(ch in v.lower() for ch in "万亿元k¥") for v in cells)


_MEDIANS = PopulationCache(16)


def _client_quadrant(tier_or_value, need, status, potential, potential_population, book):
    ctx, rows, errors, blank = _start(book, 2, tier_or_value=tier_or_value, need=need, status=status,
                                      potential=potential)
    lang, n, s = ctx.lang, rows.n, ctx.settings
    def tier_of(v: Any) -> str | None:
        """Tier code; a 1-5 value score stands in for a tier (high value at the Settings'
        threshold); None when neither."""
        if is_blank(v) or is_message(v):
            return ""
        code, unknown = code_of("tier", v)
        if not unknown and code:
            return code
        score = parse("score", [v])
        if score.problems[0] is None and not np.isnan(score.values[0]):
            return "A" if score.values[0] >= s.potential_high else "C"
        return None

    cells = rows.cols["tier_or_value"]
    tier = np.array(memo_map(cells, tier_of, rows.info("tier_or_value")), dtype=object)
    for i in np.flatnonzero(tier == None):  # noqa: E711 - elementwise
        errors.set(int(i), arg_message("tier_or_value", cells[i], "tier_or_score", lang))
        tier[i] = ""
    need_v = rows.parsed(errors, "need", "score")
    st = rows.codes(errors, "status", "status")
    no_status = st == ""
    st[no_status] = np.where(tier[no_status] == "D", "prospect", "current")
    # without a tier the value is unknown: only a prospect (valued by potential) gets a quadrant
    blank = blank | (rows.blank_of("tier_or_value") & (no_status | (st != "prospect")))
    pot_cells = rows.cols["potential"]
    score = np.full(n, np.nan)
    money = np.full(n, np.nan)
    median: float | None = None
    if pot_cells is not None:
        budgets = None if omitted(potential_population) else _MEDIANS.get(
            (), (potential_population,), lambda: _budgets(flat(potential_population) or []))
        if _money_like(pot_cells) or (budgets is not None and budgets[0]):
            money = rows.parsed(errors, "potential", "money")
            if budgets is not None:
                median = budgets[1]
            elif rows.scalar:
                for i in range(n):
                    if st[i] == "prospect" and not np.isnan(money[i]):
                        errors.set(i, message("arg", (
                            "potential 是预算金额：单个单元格需要 potential_population（全部潜在客户的预算列）来求中位数"
                            if lang == "zh" else
                            "potential is a budget: a single cell needs potential_population (all prospects' "
                            "budgets) for the median"), lang))
        else:
            score = rows.parsed(errors, "potential", "score")
    codes = quadrant_codes(st, tier, need_v, score, money, potential_high=s.potential_high, need_high=s.need_high,
                           budget_median=median)
    labels = {c: quadrant_label(c, lang) for c in set(codes)}
    return _finish(rows, errors, blank, [labels[c] for c in codes])


def _budgets(cells: list[Any]) -> tuple[bool, float]:
    """(the population holds budgets rather than scores, their median)."""
    return _money_like(cells), _median(parse("money", cells).values)


def _median(values: np.ndarray) -> float:
    ok = values[~np.isnan(values)]
    return float(np.median(ok)) if ok.size else math.inf


# =========================================================================== INTENT_STAGE


def _intent_stage(stage, meetings, deposit_paid, book):
    ctx, rows, errors, blank = _start(book, stage=stage, meetings=meetings, deposit_paid=deposit_paid)
    typed = rows.codes(errors, "stage", "stage")
    meet = rows.parsed(errors, "meetings", "count")
    dep = rows.parsed(errors, "deposit_paid", "bool")
    codes, _conflict = derive_stage(typed, meet, dep)
    return _finish(rows, errors, blank, [stage_label(c, ctx.lang) for c in codes])


# =========================================================================== NEXT_VISIT / VISIT_STATUS


def _resolve_visit_key(v: Any) -> tuple[str, str | None]:
    """(cadence key, problem) of one tier_or_stage cell: A/B/C or a stage code; "" for no
    visits (拒绝, 流失, blank).

    A stage word wins over a tier word (主要客户 is the stage 主要; write B for the tier);
    D needs the stage instead; 潜在 alone is 意向, as the engine derives it."""
    if is_blank(v) or is_message(v):
        return "", None
    stage, _ = code_of("stage", v)
    if stage:
        return ("" if stage == "refused" else stage), None
    tier, _ = code_of("tier", v)
    if tier in ("A", "B", "C"):
        return tier, None
    if tier == "D":
        return "", "tier_d"
    status, _ = code_of("status", v)
    if status == "lost":
        return "", None
    if status == "prospect":
        return "interested", None
    return "", "tier_or_stage"


def _due(ctx: Context, rows: Rows, errors: RowErrors, today: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(due dates, last visits) per row; bad or future last visits are row messages."""
    n = rows.n
    cells = rows.cols["tier_or_stage"]
    resolved = memo_map(cells, _resolve_visit_key, rows.info("tier_or_stage"))
    keys = []
    for i, (key, problem) in enumerate(resolved):
        if problem:
            errors.set(i, arg_message("tier_or_stage", cells[i], problem, errors.lang))
        keys.append(key)
    last = rows.parsed(errors, "last_visit", "date", date1904=ctx.date1904)
    future = ~np.isnat(last) & (last > today)
    for i in np.flatnonzero(future):
        errors.set(int(i), arg_message("last_visit", rows.cols["last_visit"][i], "future_date", ctx.lang,
                                       today=str(today[i])))
    days = np.array([ctx.settings.cadence(k) if k else np.nan for k in keys], dtype=float)
    has = ~np.isnan(days)
    due = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    visited = has & ~np.isnat(last)
    due[visited] = last[visited] + days[visited].astype("int64")
    due[has & np.isnat(last)] = today[has & np.isnat(last)]
    inside = ctx.calendar.covers_array(due)
    due[inside] = ctx.calendar.next_workday_array(due[inside])
    cal = ctx.calendar
    for i in np.flatnonzero(~np.isnat(due) & ~inside):
        errors.set(int(i), arg_message("last_visit", rows.cols["last_visit"][i] if rows.cols["last_visit"] else "",
                                       "calendar", ctx.lang, first=cal.first_date.isoformat(),
                                       last=cal.last_date.isoformat()))
    return due, last


def _next_visit(tier_or_stage, last_visit, book):
    ctx, rows, errors, blank = _start(book, 2, tier_or_stage=tier_or_stage, last_visit=last_visit)
    blank = blank | rows.blank_of("tier_or_stage")
    today = np.full(rows.n, np.datetime64(ctx.today(), "D"))
    due, _ = _due(ctx, rows, errors, today)
    return _finish(rows, errors, blank, dates_out(due))


def _visit_status_udf(tier_or_stage, last_visit, today, book):
    ctx, rows, errors, blank = _start(book, 2, tier_or_stage=tier_or_stage, last_visit=last_visit, today=today)
    blank = blank | rows.blank_of("tier_or_stage")
    n = rows.n
    day = np.full(n, np.datetime64(ctx.today(), "D"))
    if rows.cols["today"] is not None:
        given = rows.parsed(errors, "today", "date", date1904=ctx.date1904)
        day = np.where(np.isnat(given), day, given)
    due, last = _due(ctx, rows, errors, day)
    out: list[Any] = [""] * n
    # visit_status takes one today; group rows by their day (usually one group)
    for d in np.unique(day):
        idx = np.flatnonzero(day == d)
        _codes, text = _visit_status(due[idx], last[idx], d, ctx.settings.due_soon_days, ctx.lang)
        for j, i in enumerate(idx):
            out[i] = text[j]
    return _finish(rows, errors, blank, out)


# =========================================================================== RFM


_RECENCY_DAYS_MAX = 10000  # numbers below are days; at or above, unformatted date serials


def _recency_days(errors: RowErrors | None, name: str, cells: list[Any], today: dt.date, date1904: bool,
                  ) -> np.ndarray:
    """Days since the last order from dates (any date form) or day counts (numbers below
    10000, or text such as ``45天``); future dates, negative days and unreadable cells are
    messages (NaN). Worked out per cell type, and per distinct text."""
    n = len(cells)
    out = np.full(n, np.nan)
    now = np.datetime64(today, "D")
    bad: list[int] = []
    types = list(map(type, cells))
    type_ids = np.fromiter(map(id, types), dtype=np.int64, count=n)
    for t in set(types):
        idx = np.flatnonzero(type_ids == id(t))
        if t is type(None):
            continue
        if t is float or t is int:
            values = np.array([cells[i] for i in idx], dtype=float)
            neg = values < 0
            bad.extend(idx[neg].tolist())
            days = (values >= 0) & (values < _RECENCY_DAYS_MAX)
            out[idx[days]] = values[days]
            serial = idx[values >= _RECENCY_DAYS_MAX]
            if serial.size:
                out[serial] = _date_days(errors, name, cells, serial, date1904, now, today, bad)
        elif t is dt.datetime or t is dt.date or issubclass(t, (dt.date, np.datetime64)):
            out[idx] = _date_days(errors, name, cells, idx, date1904, now, today, bad)
        elif issubclass(t, str):
            texts = [cells[i] for i in idx]
            uniques, where = distinct(texts)
            days_u = np.full(len(uniques), np.nan)
            as_date: list[int] = []
            for k, u in enumerate(uniques):
                if u is None or is_blank(u) or is_message(u):
                    continue
                number = _day_count(u)
                if number is not None:
                    days_u[k] = number
                else:
                    as_date.append(k)
            out[idx] = days_u[where]
            if as_date:
                date_u = np.full(len(uniques), False)
                date_u[as_date] = True
                on_date = idx[date_u[where]]
                out[on_date] = _date_days(errors, name, cells, on_date, date1904, now, today, bad)
        else:
            bad.extend(idx.tolist())
    if errors:
        for i in bad:
            errors.set(int(i), arg_message(name, cells[i], "recency", errors.lang))
    return out


def _day_count(text: str) -> float | None:
    """``45``, ``45天``, ``45 days`` -> 45.0 (below 10000); None when not a day count."""
    t = text.strip().lower()
    for suffix in ("天", "days", "day", "d"):
        if t.endswith(suffix):
            t = t[: -len(suffix)].strip()
            break
    try:
        number = float(t.replace(",", ""))
    except ValueError:
        return None
    return number if 0 <= number < _RECENCY_DAYS_MAX else None


def _date_days(errors: RowErrors | None, name: str, cells: list[Any], idx: np.ndarray, date1904: bool,
               now: np.datetime64, today: dt.date, bad: list[int]) -> np.ndarray:
    """Days before today of the date cells at ``idx``; unreadable ones go to ``bad``."""
    dates = parse("date", [cells[i] for i in idx], date1904=date1904).values
    bad.extend(idx[np.isnat(dates)].tolist())
    return _days_before(errors, name, cells, idx, dates, now, today)


def _days_before(errors: RowErrors | None, name: str, cells: list[Any], idx: np.ndarray, dates: np.ndarray,
                 now: np.datetime64, today: dt.date) -> np.ndarray:
    """Days from each date to today; NaN (and a message) for dates after today."""
    days = (now - dates).astype("timedelta64[D]").astype(float)
    days[np.isnat(dates)] = np.nan
    future = days < 0
    days[future] = np.nan
    if errors:
        for j in np.flatnonzero(future):
            errors.set(int(idx[j]), arg_message(name, cells[idx[j]], "future_date", errors.lang,
                                                today=today.isoformat()))
    return days


class _SortedPop:
    """A population for quintile scores and the 8-class means: sorted once."""

    def __init__(self, values: np.ndarray):
        ok = values[~np.isnan(values)]
        self.array = np.sort(ok)
        self.sorted = self.array.tolist()
        self.mean = float(np.mean(ok)) if ok.size else math.nan

    def score(self, v: float, higher_is_better: bool = True) -> float:
        """:func:`xlclient.engine.rfm.quintile_scores` for one value."""
        n = len(self.sorted)
        if n == 0 or v != v:
            return math.nan
        mid = (bisect_left(self.sorted, v) + bisect_right(self.sorted, v) + 1) / 2.0
        fraction = (mid - 0.5) / n
        if not higher_is_better:
            fraction = 1.0 - fraction
        return float(min(max(math.floor(5 * fraction + 1e-12) + 1, 1), 5))


_RFM_POPS = PopulationCache(16)


def _rfm_pops(recency_population: Any, frequency_population: Any, monetary_population: Any,
              population_status: Any, today: dt.date, mult: float, date1904: bool, lang: Language,
              ) -> dict[str, _SortedPop | None]:
    """The given RFM populations (each None when not given), sorted once; rows of the
    population whose status is not current are left out (blank status: billed -> current)."""

    def build() -> dict[str, _SortedPop | None]:
        m_cells = flat(monetary_population)
        billed = parse("money", m_cells, mult=mult).values if m_cells is not None else None
        out: dict[str, _SortedPop | None] = {}
        for kind, population, name in (("r", recency_population, "recency_population"),
                                        ("f", frequency_population, "frequency_population"),
                                        ("m", monetary_population, "monetary_population")):
            if omitted(population):
                out[kind] = None
                continue
            cells = flat(population) or []
            if kind == "r":
                values = _recency_days(None, name, cells, today, date1904)
            elif kind == "f":
                values = parse("count", cells).values
            else:
                values = billed if billed is not None else parse("money", cells, mult=mult).values
            aligned = billed if billed is not None and len(billed) == len(cells) else None
            codes = _population_status_codes(population_status, len(cells), aligned, lang)
            out[kind] = _SortedPop(values[codes == "current"])
        return out

    return _RFM_POPS.get((today, mult, date1904), (recency_population, frequency_population, monetary_population,
                                                   population_status), build)


def _rfm(recency, frequency, monetary, recency_population, frequency_population, monetary_population, status,
         population_status, unit, book, *, segment: bool):
    ctx, rows, errors, blank = _start(book, 3, recency=recency, frequency=frequency, monetary=monetary,
                                      status=status)
    lang, n = ctx.lang, rows.n
    mult = unit_of(unit, lang)
    today = ctx.today()
    rd = _recency_days(errors, "recency", rows.cols["recency"], today, ctx.date1904)
    fq = rows.parsed(errors, "frequency", "count")
    mo = rows.parsed(errors, "monetary", "money", mult=mult)
    st = _row_status(errors, rows, mo)
    current = st == "current"
    cached = _rfm_pops(recency_population, frequency_population, monetary_population, population_status, today,
                       mult, ctx.date1904, lang)
    pops: dict[str, tuple[np.ndarray | None, _SortedPop | None]] = {}
    for kind, own, name in (("r", rd, "recency_population"), ("f", fq, "frequency_population"),
                            ("m", mo, "monetary_population")):
        if cached[kind] is not None:
            pops[kind] = (None, cached[kind])
        elif rows.scalar:
            raise _need_population(name, lang)
        else:
            pops[kind] = (own[current], None)

    def scores(kind: str, values: np.ndarray, higher: bool) -> np.ndarray:
        own_pop, cached = pops[kind]
        if cached is not None:
            return np.array([cached.score(float(x), higher) for x in values])
        return quintile_scores(values, own_pop, higher_is_better=higher)

    def mean(kind: str) -> float:
        own_pop, cached = pops[kind]
        if cached is not None:
            return cached.mean
        ok = own_pop[~np.isnan(own_pop)]
        return float(np.mean(ok)) if ok.size else math.nan

    out = np.full(n, "", dtype=object)
    idx = np.flatnonzero(current)
    if idx.size:
        if segment:
            means = (mean("r"), mean("f"), mean("m"))
            cls = rfm_class(rd[idx], fq[idx], mo[idx], means)
            names = {c: label(RFM_CLASS_NAMES, c, lang) if c else "" for c in set(cls)}
            out[idx] = [names[c] for c in cls]
        else:
            r = scores("r", rd[idx], False)
            missing = np.isnan(rd[idx]) & (mo[idx] > 0)
            r[missing] = 1.0  # billed but no last order date: R scored lowest, as the engine does
            f, m = scores("f", fq[idx], True), scores("m", mo[idx], True)
            ok = ~(np.isnan(r) | np.isnan(f) | np.isnan(m))
            # the engine's code as a number: rfm_code(r, f, m) == str(100 r + 10 f + m) where all three exist
            number = np.where(ok, r * 100 + f * 10 + m, 0).astype(int)
            out[idx] = np.where(ok, number.astype(object), "")
    return _finish(rows, errors, blank, out.tolist())


# =========================================================================== PURCHASE_LIKELIHOOD


def _client_kind(v: Any) -> tuple[str, str]:
    """("prospect", stage) / ("current", "") / ("lost", "") / ("", "") blank / ("?", "") unknown."""
    if is_blank(v) or is_message(v):
        return "", ""
    stage, _ = code_of("stage", v)
    if stage:
        return "prospect", stage
    status, _ = code_of("status", v)
    if status:
        return status, "interested" if status == "prospect" else ""
    tier, _ = code_of("tier", v)
    if tier in ("A", "B", "C"):
        return "current", ""
    return "?", ""


_MODELS = PopulationCache(8)


def _fit(ctx: Context, pop_client, pop_orders, pop_first, pop_last) -> tuple[str, Any]:
    """(method, model) fitted on the population's current clients, cached."""
    s = ctx.settings
    today = ctx.today()

    def build() -> tuple[str, Any]:
        orders = flat(pop_orders) or []
        first = flat(pop_first) or [None] * len(orders)
        last = flat(pop_last) or [None] * len(orders)
        clients = flat(pop_client) or ["现有"] * len(orders)
        if not (len(first) == len(last) == len(clients) == len(orders)):
            raise ArgError(message("arg", ("population_* 各列的单元格数不同，应一一对应" if ctx.lang == "zh" else
                                           "the population_* columns have different lengths"), ctx.lang))
        current = np.array([k == "current" for k, _ in memo_map(clients, _client_kind)], dtype=bool)
        o, f, la = _order_columns(orders, first, last, today, ctx.date1904)
        _p, method, model = current_client_likelihood(o[current], f[current], la[current], np.datetime64(today, "D"),
                                                      s.likelihood_horizon)
        return method, model

    return _MODELS.get((today, s.likelihood_horizon, ctx.date1904), (pop_client, pop_orders, pop_first, pop_last),
                       build)


def _order_columns(orders: list[Any], first: list[Any], last: list[Any], today: dt.date, date1904: bool,
                   errors: RowErrors | None = None, rows: Rows | None = None
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Orders, first and last order dates as the engine's book reader leaves them: bad
    cells blank, future dates blank, a first order after the last one blank. ``rows``: the
    call's per-row arguments, whose column infos are reused."""
    infos = [rows.info(k) if rows is not None else None for k in ("orders", "first_order", "last_order")]
    o = parse("count", orders, info=infos[0])
    f = parse("date", first, date1904=date1904, info=infos[1])
    la = parse("date", last, date1904=date1904, info=infos[2])
    if errors is not None:
        errors.report("orders", orders, o.problems)
        errors.report("first_order", first, f.problems)
        errors.report("last_order", last, la.problems)
    now = np.datetime64(today, "D")
    fv, lv = f.values.copy(), la.values.copy()
    for name, cells, values in (("first_order", first, fv), ("last_order", last, lv)):
        future = ~np.isnat(values) & (values > now)
        if errors is not None:
            for i in np.flatnonzero(future):
                errors.set(int(i), arg_message(name, cells[i], "future_date", errors.lang, today=today.isoformat()))
        values[future] = np.datetime64("NaT")
    wrong = ~np.isnat(fv) & ~np.isnat(lv) & (lv < fv)
    if errors is not None:
        for i in np.flatnonzero(wrong):
            errors.set(int(i), arg_message("last_order", last[i], "date_order", errors.lang))
    fv[wrong] = np.datetime64("NaT")
    return o.values, fv, lv


def _predict(method: str, model: Any, orders: np.ndarray, first: np.ndarray, last: np.ndarray, today: dt.date,
             horizon: float) -> np.ndarray:
    """Likelihood of current clients with a model fitted on the population (None: heuristic)."""
    return predict_current_likelihood(model if method == "mbgnbd" else None, orders, first, last,
                                      np.datetime64(today, "D"), horizon, 365)


def _likelihood(client, last_contact, orders, first_order, last_order, population_client, population_orders,
                population_first_order, population_last_order, book):
    ctx, rows, errors, blank = _start(book, client=client, last_contact=last_contact, orders=orders,
                                      first_order=first_order, last_order=last_order)
    lang, n, s = ctx.lang, rows.n, ctx.settings
    today = ctx.today()
    now = np.datetime64(today, "D")
    col = rows.cols
    uniques, where = distinct(col["client"], rows.info("client"))
    found = [_client_kind(v) for v in uniques]
    kind = np.array([k for k, _ in found] + [""], dtype=object)[where]
    stage = np.array([st for _, st in found] + [""], dtype=object)[where]
    blank = blank | (kind == "")
    for i in np.flatnonzero(kind == "?"):
        errors.set(int(i), arg_message("client", col["client"][i], "client", lang))
    out = np.full(n, None, dtype=object)
    # prospects: stage probability halved every contact_half_life days without contact
    contact = rows.parsed(errors, "last_contact", "date", date1904=ctx.date1904)
    prospect = kind == "prospect"
    for i in np.flatnonzero(prospect & ~np.isnat(contact) & (contact > now)):
        errors.set(int(i), arg_message("last_contact", col["last_contact"][i], "future_date", lang,
                                       today=today.isoformat()))
    if prospect.any():
        since = (now - contact[prospect]).astype("timedelta64[D]").astype(float)
        since[np.isnat(contact[prospect])] = np.nan
        out[prospect] = prospect_likelihood(stage_probability(stage[prospect], s), since, s.contact_half_life).tolist()
    # current clients: repeat-purchase model fitted on the population's current clients
    current = kind == "current"
    if current.any():
        o, f, la = _order_columns(col["orders"] or [None] * n, col["first_order"] or [None] * n,
                                  col["last_order"] or [None] * n, today, ctx.date1904, errors, rows)
        if not omitted(population_orders):
            method, model = _fit(ctx, population_client, population_orders, population_first_order,
                                 population_last_order)
        elif rows.scalar:
            raise _need_population("population_orders", lang)
        else:  # the columns are the book: fitted on their current clients (cached while they are unchanged)
            method, model = _fit(ctx, col["client"], col["orders"], col["first_order"], col["last_order"])
        p = _predict(method, model, o[current], f[current], la[current], today, s.likelihood_horizon)
        out[current] = np.where(np.isnan(p), None, p.astype(object))
        no_orders = current & rows.blank_of("orders")
        for i in np.flatnonzero(no_orders):
            errors.set(int(i), message("arg", ("现有客户需要 orders（合作次数）" if lang == "zh" else
                                               "a current client needs orders"), lang))
    return _finish(rows, errors, blank, out.tolist())


# =========================================================================== CLIENT_REVIEW


_RISK_ORDER = ("risk_hardship", "risk_competitor", "risk_management", "risk_overdue")
_CUTOFFS = PopulationCache(16)


def _review(tier, previous_tier, status, gross_profit, service_hours, last_order, billings, billings_prev,
            risk_flags, override, gp_population, hours_population, population_status, unit, book):
    ctx, rows, errors, blank = _start(book, tier=tier, previous_tier=previous_tier, status=status,
                                      gross_profit=gross_profit, service_hours=service_hours, last_order=last_order,
                                      billings=billings, billings_prev=billings_prev, override=override)
    lang, n, s = ctx.lang, rows.n, ctx.settings
    if rows.shape[1] != 1:
        raise ArgError(message("arg", "CLIENT_REVIEW 的参数应为单元格或整列（一行一个客户）" if lang == "zh" else
                               "CLIENT_REVIEW takes cells or columns (one client per row)", lang))
    mult = unit_of(unit, lang)
    today = ctx.today()
    col = rows.cols
    tier_c = rows.codes(errors, "tier", "tier")
    prev_c = rows.codes(errors, "previous_tier", "tier")
    ovr = rows.codes(errors, "override", "tier")
    gp = rows.parsed(errors, "gross_profit", "profit", mult=mult)
    hours = rows.parsed(errors, "service_hours", "hours")
    bill = rows.parsed(errors, "billings", "money", mult=mult)
    bill_prev = rows.parsed(errors, "billings_prev", "money", mult=mult)
    st = _row_status(errors, rows, bill if col["billings"] is not None else None)
    if col["status"] is None:  # no status: D is a prospect, other tiers current
        st = np.where(tier_c == "D", "prospect", "current").astype(object)
    days = np.full(n, np.nan)
    if col["last_order"] is not None:
        lo = rows.parsed(errors, "last_order", "date", date1904=ctx.date1904)
        now = np.datetime64(today, "D")
        for i in np.flatnonzero(~np.isnat(lo) & (lo > now)):
            errors.set(int(i), arg_message("last_order", col["last_order"][i], "future_date", lang,
                                           today=today.isoformat()))
            lo[i] = np.datetime64("NaT")
        days = (now - lo).astype("timedelta64[D]").astype(float)
        days[np.isnat(lo)] = np.nan
    risks = _risk_columns(errors, risk_flags, n)
    pinned = np.isin(ovr, TIERS)
    tier_c = np.where(pinned, ovr, tier_c).astype(object)
    x = ReviewInput(status=st, tier=tier_c, previous_tier=prev_c, pinned=pinned, gross_profit=gp,
                    service_hours=hours, days_since_last_order=days, billings=bill, billings_prev=bill_prev,
                    risks=risks, problem_count=np.zeros(n, dtype=int))
    kwargs = dict(no_order_days=int(round(s.no_order_months * 365 / 12)), billings_drop=s.billings_drop, lang=lang)
    uses_decile = col["gross_profit"] is not None and col["service_hours"] is not None
    if omitted(gp_population) and omitted(hours_population):
        if rows.scalar and uses_decile:
            raise _need_population("gross_profit_population / service_hours_population", lang)
        _codes, text = review_flags(x, drop_share=s.drop_share, **kwargs)
        return _finish(rows, errors, blank, list(text))
    cutoff = _review_cutoff(gp_population, hours_population, population_status, mult, s.drop_share, lang)
    _codes, text = review_flags(x, drop_share=s.drop_share, cutoff=cutoff, **kwargs)
    return _finish(rows, errors, blank, list(text))


def _risk_columns(errors: RowErrors, risk_flags: Any, n: int) -> dict[str, np.ndarray]:
    risks = {k: np.full(n, np.nan) for k in _RISK_ORDER}
    if risk_flags is None:
        return risks
    g = risk_flags if isinstance(risk_flags, list) and risk_flags and isinstance(risk_flags[0], list) else (
        [[v] for v in risk_flags] if isinstance(risk_flags, list) else [[risk_flags]])
    if len(g) not in (1, n) or len(g[0]) > len(_RISK_ORDER):
        raise ArgError(message("arg", (f"risk_flags 应为 {n} 行、最多 4 列（经营困难、竞品接触、管理层变动、付款逾期）"
                                       if errors.lang == "zh" else
                                       f"risk_flags should have {n} rows and at most 4 columns"), errors.lang))
    width = len(g[0])
    if any(len(r) != width for r in g):
        raise ArgError(message("arg", "risk_flags 的各行列数不同" if errors.lang == "zh" else
                               "risk_flags rows differ in length", errors.lang))
    # most rows repeat a few patterns (all blank, all 否 ...): each distinct row is read once
    keys = np.empty(len(g), dtype=object)
    keys[:] = list(map(tuple, g))
    row_codes, uniques = pd.factorize(keys)
    cells = list(itertools.chain.from_iterable(uniques))
    block = RowErrors(len(cells), errors.lang)
    info = col_info(cells)
    block.upstream("risk_flags", cells, info)
    parsed = parse("bool", cells, info=info)
    block.report("risk_flags", cells, parsed.problems)
    row_codes = row_codes if len(g) == n else np.zeros(n, dtype=np.int64)
    for k, text in sorted(block.msg.items()):
        for i in np.flatnonzero(row_codes == k // width).tolist():
            errors.set(i, text)
    values = parsed.values.reshape(len(uniques), width)[row_codes]
    for j, key in enumerate(_RISK_ORDER[:width]):
        risks[key] = values[:, j]
    return risks


def _review_cutoff(gp_population: Any, hours_population: Any, population_status: Any, mult: float, share: float,
                   lang: Language) -> float | None:
    """Gross profit per hour at the lowest ``share`` of the population's current clients
    (None when there are fewer than 1/share of them, so nobody is flagged that way)."""

    def build() -> float:
        gp_cells = flat(gp_population) or []
        h_cells = flat(hours_population) or []
        if len(gp_cells) != len(h_cells):
            raise ArgError(message("arg", ("gross_profit_population 与 service_hours_population 的单元格数不同"
                                           if lang == "zh" else
                                           "gross_profit_population and service_hours_population differ in length"),
                                   lang))
        gp = parse("profit", gp_cells, mult=mult).values
        hours = parse("hours", h_cells).values
        codes = _population_status_codes(population_status, len(gp_cells), None, lang)
        per_hour = profit_per_hour(gp, hours)
        return drop_cutoff(per_hour[codes == "current"], share)

    return _CUTOFFS.get((mult, share), (gp_population, hours_population, population_status), build)


# =========================================================================== CLIENT_STRATEGY


def _strategy(type_or_quadrant, book):
    ctx, rows, errors, blank = _start(book, type_or_quadrant=type_or_quadrant)
    out: list[Any] = [""] * rows.n
    for i, v in enumerate(rows.cols["type_or_quadrant"]):
        if blank[i] or i in errors.msg:
            continue
        try:
            out[i] = strategy_for(text_of(v) if not isinstance(v, str) else v, ctx.lang)
        except UnknownType as e:
            errors.set(i, message("arg", str(e), ctx.lang))
    return _finish(rows, errors, blank, out)
