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
    "negative_money": ("金额为负数，不是一年的投放额：已忽略此值", "a negative amount is no year's billings: value ignored"),
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
    "status": ("无法识别的客户状态（应为 现有/合作中、潜在/意向、流失）{words_part}：此客户的结果留空，请改为其中之一",
               "unknown status (expected current, prospect or lost){words_part}: this client's results are left "
               "empty; please use one of them"),
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
    "no_billings": ("现有客户没有{label}：不分级（等级、象限与拜访周期留空），其余客户照常分级",
                    "current client without {label}: no tier (tier, quadrant and visit cadence left empty); the "
                    "other clients are tiered as usual"),
    # problems of the table, not of a row (row None): SPEC 2, never a silently wrong answer
    "field_missing": ("找不到{label}列：{needed}留空。请加上这一列，或在「设置」的列映射中指定哪一列是{label}",
                      "no {label} column found: {needed} left empty. Add the column, or name it in the Settings "
                      "column mapping"),
    "field_ambiguous": ("{label}有两列：「{column}」和「{rival}」，数值不同，无法确定用哪一列：{needed}留空。"
                        "请在「设置」的列映射中指定",
                        "two columns could be the {label}: '{column}' and '{rival}', and their values differ: "
                        "{needed} left empty. Name one in the Settings column mapping"),
    "field_not_status": ("「{column}」列的值大多不是客户状态（{n} 个值中只有 {share} 是 现有/潜在/流失 等）{words_part}："
                         "{needed}留空。请改用 现有/合作中、潜在/意向、流失，或在列映射中指定状态列",
                         "the values of '{column}' are mostly not statuses (only {share} of {n} are current / "
                         "prospect / lost){words_part}: {needed} left empty. Use 现有/潜在/流失, or map the status "
                         "column"),
    "field_foreign": ("「{column}」的单位是 {unit}，不是人民币，未作为{label}使用：{needed}留空。请换算为人民币，"
                      "或在列映射中指定人民币金额列",
                      "'{column}' is in {unit}, not yuan, so it is not used as the {label}: {needed} left empty. "
                      "Convert it to yuan, or map a yuan column"),
    "field_company_own": ("「{column}」旁边有{facts}，像是客户公司自己的营收，不是在我们这里的投放额：未作为{label}使用，"
                          "{needed}留空。如果它就是投放额，请在「设置」的列映射中指定",
                          "'{column}' sits beside {facts_en}: it looks like the client company's own revenue, not "
                          "what it bills with the agency, so it is not used as the {label}: {needed} left empty. If it "
                          "is the billings, name it in the Settings column mapping"),
    "name_by_content": ("没有写明客户的表头，已按表头和内容把「{column}」列当作客户名称（{n} 行里 {distinct} 个不同的名字），"
                        "请核实；不对时请在「设置」的列映射中指定客户名称列",
                        "no header names the clients: '{column}' is taken as the client name by its header and values "
                        "({distinct} different names over {n} rows); please check, or name the client column in the "
                        "Settings column mapping"),
    "field_by_content": ("没有客户经理表头，已按内容把第 {letter} 列（{n} 行里 {distinct} 个人名反复出现）当作客户经理，请核实；"
                         "不对时请在「设置」的列映射中指定",
                         "no owner header: column {letter} ({distinct} people's names repeated over {n} rows) is "
                         "taken as the owner by its values; please check, or name the owner column in the Settings "
                         "column mapping"),
    "many_unreadable": ("{label}列有 {bad} / {total} 个值无法读取（见各行的问题）：依赖这些值的结果留空",
                        "{bad} of {total} {label} values could not be read (see the rows' problems): the results "
                        "that rest on them are left empty"),
    "header_formula": ("第 {letter} 列的表头是公式（{formula}），文件里没有保存它的结果（脚本生成的文件常这样）：此列未识别。"
                       "请用 Excel 打开并保存后再运行",
                       "the header of column {letter} is a formula ({formula}) saved without its result (as "
                       "scripts often save files): the column is not recognised. Open and save the book in Excel, "
                       "then run again"),
    "formula_no_value": ("单元格是公式（{formula}），文件里没有保存计算结果：已忽略此值。请用 Excel 打开并保存后再运行",
                         "the cell is a formula ({formula}) saved without its result: value ignored. Open and save "
                         "the book in Excel, then run again"),
    "group_row": ("分组标题行（{value}），不是客户，未参与分级", "group heading row ({value}), not a client; left out"),
    # vouch or leave empty (SPEC 2, 4.1): results resting on an input that was not read
    "amounts_unreadable": ("{label}有 {n} 个金额（或金额旁的客户状态）无法读取（第 {rows} 行）：其中可能有最大的客户，会改变其他"
                           "客户的等级，所以等级全部留空。请改正这些单元格；或在「设置」中把「金额无法读取时」设为「按其余客户分级」",
                           "{label}: {n} amount(s), or the status beside an amount, could not be read (row(s) {rows}): "
                           "any of them may be the largest client and would move every other tier, so no tier is "
                           "given. Fix these cells, or set 'If an amount is unreadable' to 'Tier from the rest' in "
                           "Settings"),
    "tiered_from_rest": ("{label}有 {n} 个金额（或金额旁的客户状态）无法读取（第 {rows} 行）：按「设置」，其余客户只按能读取的金额"
                         "分级，这些客户不分级",
                         "{label}: {n} amount(s), or the status beside an amount, could not be read (row(s) {rows}): "
                         "as Settings say, the other clients are tiered from the readable amounts and these get no tier"),
    "status_from_billings": ("没有客户状态列：有投放额的客户按现有客户、没有的按潜在客户（D）分级；流失客户无法识别。"
                             "如有状态，请加一列客户状态（现有/潜在/流失）",
                             "no status column: clients with billings are taken as current, those without as "
                             "prospects (D); lost clients cannot be told. Add a status column (current / prospect / "
                             "lost) if you keep one"),
    "inputs_missing": ("找不到{fields_zh}列：{what_zh}留空。需要时请加上这些列，或在「设置」的列映射中指定",
                       "no {fields_en} column: {what_en} left empty. Add the columns if you keep them, or name them "
                       "in the Settings column mapping"),
    "unit_unclear": ("「{column}」的金额单位说法不一（{places}）：无法确定单位，{needed}留空。请统一单位，"
                     "或在表头写明（如 年度投放额(万元)）",
                     "the places around '{column}' disagree on its money unit ({places}): the unit cannot be told, "
                     "so {needed} left empty. Use one unit, or state it in the header (e.g. Billings (万元))"),
    "unit_implausible": ("「{column}」按{unit}读，现有客户的年金额中位数只有 {median} 元（或高得不可能）：单位多半不对，"
                         "{needed}留空。请在表头写明单位，如 年度投放额(万元)",
                         "'{column}' read in {unit} gives current clients a median of {median} yuan a year, which "
                         "no agency bills: the unit is probably wrong, so {needed} left empty. State the unit in the "
                         "header, e.g. Billings (万元)"),
    "no_owner": ("客户经理为空：此客户不排入拜访计划（见「未安排」），其余结果照常", "no owner (AE): the client is not "
                 "planned (see the unscheduled work); its other results stand"),
    "table_continued": ("此表与「{sheet}」表头相同，像是同一张客户表分在几张工作表上：目前只读取「{sheet}」，此表的 {n} 行未读取。"
                        "请把它们合到一张表（按表分的状态、客户经理或地区可放在一列里）",
                        "this sheet has the same header as '{sheet}', as if one client table were kept over several "
                        "sheets: only '{sheet}' is read for now, and the {n} rows here are not. Put them in one table "
                        "(the status, owner or region the sheets stand for can go in a column)"),
    "tiers_elsewhere": ("客户表分在几张工作表上，其余工作表可能有现有客户（金额可能最大）：帕累托和排名等级留空",
                        "the client table continues on other sheets that may hold current clients (perhaps the "
                        "largest): Pareto and rank tiers are left empty"),
    "blank_inputs": ("{label}为空的客户有 {n} 个（第 {rows} 行）：这些客户的{what_zh}留空",
                     "{n} clients have no {label} (rows {rows}): their {what_en} left empty"),
    # words in money and status cells (issue 25)
    "approximate_amount": ("金额是约数，已按所写的数计算，请核实", "an approximate amount: read as the amount written; please check"),
    "no_amount": ("尚无金额（待定、暂无等）：按无金额处理，依赖此金额的结果（如等级）留空，其余客户照常计算",
                  "no amount yet (TBD, none ...): treated as no amount; results that need it (such as the tier) stay "
                  "empty, the other clients are computed as usual"),
    "status_ambiguous": ("客户状态同时写了两种状态（如 合作中/已流失），无法确定是哪一种{words_part}：此客户的结果留空。"
                         "请只写一种状态，备注写在括号里",
                         "the status names two different statuses (e.g. current/lost): cannot tell which"
                         "{words_part}; this client's results stay empty. Write one status, with any remark in "
                         "brackets"),
}

#: Codes of a cell that holds something that was not read (an error value, a formula without
#: its result, text that is not what the column holds, a unit in conflict, a date in the
#: future, a word that is not a status): every result resting on that cell stays empty. The
#: other row codes are notes (the value was read and kept) or say why a row is not a client.
UNREADABLE_CODES = frozenset({
    "money", "unit_conflict", "negative_money", "money_range", "date", "future_date", "date_order", "bool", "count",
    "score", "hours", "status", "status_ambiguous", "stage", "tier_override", "previous_tier", "excel_error",
    "formula_no_value",
})


#: Codes whose message points to the Settings 列映射, and what they add in a book that has no
#: Settings sheet yet (issue 30: the mapping is there only after ``xlclient init``).
MAPPING_HINT_CODES = frozenset({"field_missing", "field_ambiguous", "field_not_status", "field_foreign", "field_company_own",
                                "field_by_content", "name_by_content", "inputs_missing"})
INIT_FIRST = ("（这个工作簿还没有「设置」表：先运行 xlclient init 工作簿，它会加上列映射并填好认出的列）",
              " (This workbook has no Settings sheet yet: run xlclient init WORKBOOK first; it adds the column "
              "mapping with the columns it recognised.)")


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
        if "fields" in params:  # several fields, named in the language
            from .reading import field_label

            params.setdefault("fields_zh", "、".join(field_label(f, "zh") for f in params["fields"]))
            params.setdefault("fields_en", ", ".join(field_label(f, "en") for f in params["fields"]))
        if "field" in params:  # a problem of the table: the field's name and what stays empty, in the language
            from .reading import NEEDED_BY, field_label

            f = params["field"]
            params.setdefault("label", field_label(f, lang))
            params.setdefault("needed", NEEDED_BY.get(f, ("相关结果", "dependent results"))[0 if lang == "zh" else 1])
            params.setdefault("column", self.column)
        if "{words_part}" in template:  # a status word, shown against the column's other words
            params.setdefault("words_part", _words_part(params.get("words", ()), self.value, lang))
        try:
            text = template.format(**params)
        except (KeyError, IndexError):
            text = template
        if params.get("init_first"):
            text += INIT_FIRST[0 if lang == "zh" else 1]
        return text

    def column_in(self, lang: Language = "zh") -> str:
        """The column as the Issues sheet names it: the header as typed, or for a problem of
        the table that names fields rather than a header, their labels in the language."""
        if self.row is None:
            from .reading import field_label

            if "fields" in self.params:
                return ("、" if lang == "zh" else ", ").join(field_label(f, lang) for f in self.params["fields"])
            f = self.params.get("field")
            if f is not None and self.column == field_label(f, "zh"):
                return field_label(f, lang)
        return self.column

    def as_dict(self, lang: Language = "zh") -> dict[str, Any]:
        """The JSON shape of SPEC section 7: {sheet, row, column, value, message}."""
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column_in(lang),
            "value": display_value(self.value),
            "message": self.message(lang),
            "code": self.code,
            "field": self.params.get("field"),
        }


def _words_part(words: Any, value: Any, lang: Language) -> str:
    """The column's other words and how each was read (``words``: (word, status code or "")
    pairs, :func:`~.vocab.column_words`), as a message shows them, or "" when there are none:
    （此列其他值：正常＝现有、闭户＝流失、Other＝无法识别）."""
    from .labels import STATUS_NAMES

    own = str(value).strip() if value is not None else ""
    shown = [(str(w), str(c or "")) for w, c in (words or ()) if str(w) != own]
    if not shown:
        return ""
    if lang == "zh":
        return "（此列其他值：" + "、".join(
            f"{w}＝{STATUS_NAMES[c]['zh'] if c in STATUS_NAMES else '无法识别'}" for w, c in shown) + "）"
    return " (the column's other words: " + ", ".join(
        f"{w} = {STATUS_NAMES[c]['en'].lower() if c in STATUS_NAMES else 'unknown'}" for w, c in shown) + ")"


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
