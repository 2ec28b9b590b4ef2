"""Data problems: one bad cell (or row) reported with where it is and what was expected.

A problem never stops the run: the row is still classified from what is usable, or left
out with its reason. Problems are shown in the Issues sheet and by the command line, with
the row number as Excel shows it and the header as the user typed it. Messages are kept
as a code plus parameters and rendered in the Settings language at output time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .labels import Language

# code -> (zh template, en template)
MESSAGES: dict[str, tuple[str, str]] = {
    "money": ("应为金额（如 120万、1.2亿、¥3,500、12.5k），已忽略此值",
              "expected an amount (e.g. 1200000, 120万, 1.2亿, ¥3,500, 12.5k); value ignored"),
    "unit_conflict": ("单元格写的是「元」，而此列的单位是{unit}：无法确定是哪一个，已忽略此值，请改为统一单位",
                      "the cell says 元 (yuan) but the column's unit is {unit}: cannot tell which is meant; value "
                      "ignored, please use the column's unit"),
    "negative_money": ("金额为负数，按无金额处理", "negative amount, treated as no amount"),
    "money_range": ("金额超出合理范围（超过 1000 万亿元），可能是单位或录入错误，已忽略此值",
                    "amount beyond any plausible size (over 10^15 yuan): a unit or typing mistake; value ignored"),
    "date": ("应为日期（如 2026-03-05、2026/3/5、2026年3月5日；数字须为 1950 年以后的 Excel 日期），已忽略此值",
             "expected a date (e.g. 2026-03-05, 2026/3/5, 2026年3月5日; numbers must be Excel dates from 1950 on); "
             "value ignored"),
    "future_date": ("日期晚于今天 {today}，已忽略此值", "date is after today {today}; value ignored"),
    "date_order": ("最近合作日期早于首次合作日期，已忽略首次合作日期",
                   "last order is before first order; first order ignored"),
    "bool": ("应为 是/否（Y/N、yes/no、TRUE/FALSE、1/0、✓），已忽略此值",
             "expected yes/no (是/否, Y/N, TRUE/FALSE, 1/0, ✓); value ignored"),
    "count": ("应为不小于 0 的整数，已忽略此值", "expected a whole number of at least 0; value ignored"),
    "score": ("应为 {lo}–{hi} 分，已忽略此值", "expected a score from {lo} to {hi}; value ignored"),
    "hours": ("应为不小于 0 的工时数，已忽略此值", "expected a number of hours of at least 0; value ignored"),
    "status": ("无法识别的客户状态（应为 现有/合作中、潜在/意向、流失），已按投放额推断为「{guess}」",
               "unknown status (expected current, prospect or lost); inferred '{guess}' from billings"),
    "stage": ("无法识别的意向阶段（应为 {known}），已按沟通次数和定金推断",
              "unknown intent stage (expected {known}); derived from meetings and deposit"),
    "stage_conflict": ("已付定金但阶段为「{stage}」，按「{stage}」处理，请核实",
                       "deposit paid but stage is '{stage}'; kept '{stage}', please check"),
    "tier_override": ("锁定等级应为 A/B/C/D，已忽略此值", "tier override must be A, B, C or D; value ignored"),
    "previous_tier": ("上次等级应为 A/B/C/D，已忽略此值", "previous tier must be A, B, C or D; value ignored"),
    "no_name": ("客户名称为空，此行未参与分级", "client name is empty; row left out"),
    "duplicate_id": ("客户编号重复（另见第 {rows} 行），两行都保留，请核实",
                     "duplicate client ID (see also row {rows}); both rows kept, please check"),
    "duplicate_name": ("客户名称重复（另见第 {rows} 行），两行都保留，请核实",
                       "duplicate client name (see also row {rows}); both rows kept, please check"),
    "summary_row": ("合计/备注行，不是客户，未参与分级", "total or note row, not a client; left out"),
    "excel_error": ("单元格是 Excel 错误值（公式出错），已忽略此值",
                    "the cell holds an Excel error value (a formula failed); value ignored"),
    "missing_last_order": ("现有客户缺少最近合作日期，R 分按最低分计",
                           "current client without a last order date; R scored lowest"),
    # problems of the table, not of a row (row None): SPEC 2, never a silently wrong answer
    "field_missing": ("找不到{label}列：{needed}留空。请加上这一列，或在「设置」的列映射中指定哪一列是{label}",
                      "no {label} column found: {needed} left empty. Add the column, or name it in the Settings "
                      "column mapping"),
    "field_ambiguous": ("{label}有两列：「{column}」和「{rival}」，数值不同，无法确定用哪一列：{needed}留空。"
                        "请在「设置」的列映射中指定",
                        "two columns could be the {label}: '{column}' and '{rival}', and their values differ: "
                        "{needed} left empty. Name one in the Settings column mapping"),
    "field_not_status": ("「{column}」列的值大多不是客户状态（{n} 个值中只有 {share} 是 现有/潜在/流失 等）："
                         "{needed}留空。请改用 现有/合作中、潜在/意向、流失，或在列映射中指定状态列",
                         "the values of '{column}' are mostly not statuses (only {share} of {n} are current / "
                         "prospect / lost): {needed} left empty. Use 现有/潜在/流失, or map the status column"),
    "field_foreign": ("「{column}」的单位是 {unit}，不是人民币，未作为{label}使用：{needed}留空。请换算为人民币，"
                      "或在列映射中指定人民币金额列",
                      "'{column}' is in {unit}, not yuan, so it is not used as the {label}: {needed} left empty. "
                      "Convert it to yuan, or map a yuan column"),
    "field_by_content": ("没有客户经理表头，已按内容把第 {letter} 列（{n} 行里 {distinct} 个人名反复出现）当作客户经理，请核实；"
                         "不对时请在「设置」的列映射中指定",
                         "no owner header: column {letter} ({distinct} people's names repeated over {n} rows) is "
                         "taken as the owner by its values; please check, or name the owner column in the Settings "
                         "column mapping"),
    "many_unreadable": ("{label}列有 {bad} / {total} 个值无法读取（见各行的问题），相关结果只按其余的值计算",
                        "{bad} of {total} {label} values could not be read (see the rows' problems); results use "
                        "the rest only"),
    "header_formula": ("第 {letter} 列的表头是公式（{formula}），文件里没有保存它的结果（脚本生成的文件常这样）：此列未识别。"
                       "请用 Excel 打开并保存后再运行",
                       "the header of column {letter} is a formula ({formula}) saved without its result (as "
                       "scripts often save files): the column is not recognised. Open and save the book in Excel, "
                       "then run again"),
    "formula_no_value": ("单元格是公式（{formula}），文件里没有保存计算结果：已忽略此值。请用 Excel 打开并保存后再运行",
                         "the cell is a formula ({formula}) saved without its result: value ignored. Open and save "
                         "the book in Excel, then run again"),
    "group_row": ("分组标题行（{value}），不是客户，未参与分级", "group heading row ({value}), not a client; left out"),
}


@dataclass(frozen=True)
class Problem:
    """One bad value: where it is (sheet, Excel row, column header), the value, and why."""

    sheet: str
    row: int | None
    column: str
    value: Any
    code: str
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def message(self, lang: Language = "zh") -> str:
        """The explanation in the requested language."""
        zh, en = MESSAGES.get(self.code, (self.code, self.code))
        template = zh if lang == "zh" else en
        params = dict(self.params)
        if "multiplier" in params:  # a money unit, named in the language
            from .fields import unit_label

            params.setdefault("unit", unit_label(params["multiplier"], lang))
        if "field" in params:  # a problem of the table: the field's name and what stays empty, in the language
            from .reading import NEEDED_BY, field_label

            f = params["field"]
            params.setdefault("label", field_label(f, lang))
            params.setdefault("needed", NEEDED_BY.get(f, ("相关结果", "dependent results"))[0 if lang == "zh" else 1])
            params.setdefault("column", self.column)
        try:
            return template.format(**params)
        except (KeyError, IndexError):
            return template

    def as_dict(self, lang: Language = "zh") -> dict[str, Any]:
        """The JSON shape of SPEC section 7: {sheet, row, column, value, message}."""
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": display_value(self.value),
            "message": self.message(lang),
            "code": self.code,
            "field": self.params.get("field"),
        }


def display_value(value: Any) -> Any:
    """A cell value as it can be shown in a message or JSON (dates as ISO text)."""
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
