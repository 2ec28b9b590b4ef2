"""Headers read by their words (SPEC 2, issue 25): headers composed from parts -- a period or
recency qualifier, a subject, a date word, a unit, in any order, in brackets of any style,
full or half width, with or without spaces -- name their field with the unit's multiplier;
headers composed with a word that changes the meaning (去年, 累计, 预计, 返点, 占比, 下次,
客户联系人, 电话 ...) are not taken as billings, last visit or owner."""

from __future__ import annotations

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from xlclient.engine.fields import match_columns, match_headers
from xlclient.engine.header_parts import read_header

# ------------------------------------------------------------------ the parts

MONEY_ZH = ["投放", "投放额", "投放金额", "广告费", "广告费用", "广告投入", "广告支出", "营销费用", "营销投入", "推广费",
            "消耗", "花费", "营业额", "收入", "营收", "合同额", "合同金额", "签约额", "签约金额", "成交额", "销售额",
            "广告投放额", "媒介投放"]
MONEY_EN = ["Spend", "Ad Spend", "Media Spend", "Billings", "Revenue", "Turnover", "Sales", "Contract Value"]
PERIOD_ZH = ["", "全年", "年度", "本年", "今年", "当年", "近12月", "近12个月", "最近12个月", "过去12个月", "2026年",
             "2026年度", "FY2026", "年"]
PERIOD_EN = ["", "Annual", "Yearly", "TTM", "L12M", "FY2026", "2026", "Full Year", "This Year", "Last 12 Months"]
TOTAL = ["", "合计", "实际", "含税", "总额"]
# unit text -> multiplier (None: no unit, yuan)
UNITS = [("", 1.0), ("万", 1e4), ("万元", 1e4), ("元", 1.0), ("千元", 1e3), ("百万元", 1e6), ("亿元", 1e8),
         ("人民币万元", 1e4), ("单位：万元", 1e4), ("RMB", 1.0), ("RMB mn", 1e6), ("RMB '000", 1e3), ("k", 1e3),
         ("万元/年", 1e4)]
BRACKETS = [("(", ")"), ("（", "）"), ("[", "]"), ("【", "】"), ("〔", "〕"), ("/", "")]

RECENCY_ZH = ["最近", "最近一次", "上次", "上一次", "最后", "最后一次", "最新", "末次"]
RECENCY_EN = ["Last", "Latest", "Most Recent"]
VISIT_ZH = ["拜访", "走访", "面访", "到访", "见面", "上门"]
VISIT_EN = ["Visit", "Meeting"]
DATE_ZH = ["", "日期", "时间"]
DATE_EN = ["", "Date"]

LIAISON_ZH = ["", "对接", "负责", "所属", "归属", "跟进", "主要", "当前", "对应"]
OWNER_ZH = ["AE", "客户经理", "业务员", "销售", "销售代表", "业务经理", "客户执行", "BD", "跟进人", "负责人"]
LIAISON_EN = ["", "Assigned", "Responsible", "Main", "Current"]
OWNER_EN = ["AE", "Account Manager", "Account Executive", "Owner", "Sales Rep", "Salesperson", "KAM"]
NAME_ZH = ["", "姓名", "名字"]
NAME_EN = ["", "Name"]


def full_width(s: str) -> str:
    """ASCII letters, digits and punctuation as their full-width forms, spaces as 　."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in s)


@st.composite
def spelled(draw, words: list[str], latin: bool) -> str:
    """Words joined as people type them: spaces or none between Chinese words, a space (or
    CamelCase) between Latin ones; upper, lower or title case; sometimes full width."""
    words = [w for w in words if w]
    case = draw(st.sampled_from(["as is", "lower", "upper", "title"])) if latin else "as is"
    camel = latin and case == "title" and draw(st.booleans())
    out = ""
    for w in words:
        w = {"lower": w.lower(), "upper": w.upper(), "title": w.title()}.get(case, w)
        if out:
            latin_pair = out[-1].isascii() and out[-1].isalnum() and w[0].isascii() and w[0].isalnum()
            if camel:
                w = w.replace(" ", "")
                sep = ""
            elif latin_pair:
                sep = draw(st.sampled_from([" ", "  "]))
            else:
                sep = draw(st.sampled_from(["", "", " "]))
            out += sep
        elif camel:
            w = w.replace(" ", "")
        out += w
    if draw(st.booleans()):
        out = full_width(out)
    return out


@st.composite
def with_unit(draw, base: str, unit: str, qualifier: str = "") -> str:
    """``base`` with a qualifier and a unit, in brackets of any style or after a slash, or
    (a Chinese unit) written straight after it."""
    inside = [p for p in (qualifier, unit) if p]
    if not inside:
        return base
    opening, closing = draw(st.sampled_from(BRACKETS))
    if opening == "/" and qualifier:
        opening, closing = "(", ")"
    if draw(st.booleans()) and len(inside) == 2:  # two brackets: 广告费（全年）（万元）
        text = base + "".join(f"{opening}{p}{closing}" for p in inside) if opening != "/" else base
    else:
        text = base + opening + draw(st.sampled_from(["，", ",", "、", "；"])).join(inside) + closing
    if not qualifier and unit and not unit.isascii() and "/" not in unit and "：" not in unit and draw(st.booleans()):
        text = base + draw(st.sampled_from(["", " "])) + unit  # 全年广告费万元
    if draw(st.booleans()):
        text = full_width(text) if draw(st.booleans()) else text.replace("(", "（").replace(")", "）")
    return text


@st.composite
def billings_headers(draw):
    latin = draw(st.booleans())
    unit, mult = draw(st.sampled_from(UNITS))
    if latin:
        words = [draw(st.sampled_from(PERIOD_EN)), draw(st.sampled_from(MONEY_EN))]
        if draw(st.booleans()):
            words.reverse()  # Spend Annual / Revenue 2026
        base, qualifier = draw(spelled(words, True)), ""
    else:
        period, subject, total = draw(st.sampled_from(PERIOD_ZH)), draw(st.sampled_from(MONEY_ZH)), draw(st.sampled_from(TOTAL))
        where = draw(st.sampled_from(["before", "after", "bracket"]))
        if where == "bracket" and period:  # 广告费（全年，万元）
            base, qualifier = draw(spelled([subject, total], False)), period
        else:
            words = [period, subject, total] if where == "before" else [subject, period, total]
            base, qualifier = draw(spelled(words, False)), ""
    return draw(with_unit(base, unit, qualifier)), mult


@st.composite
def last_visit_headers(draw):
    latin = draw(st.booleans())
    recency = draw(st.sampled_from(RECENCY_EN if latin else RECENCY_ZH))
    subject = draw(st.sampled_from(VISIT_EN if latin else VISIT_ZH))
    date = draw(st.sampled_from(DATE_EN if latin else DATE_ZH))
    order = draw(st.sampled_from(["recency first", "recency in brackets", "recency after", "date of"]))
    if order == "recency in brackets":  # 拜访日期（最近）
        opening, closing = draw(st.sampled_from(BRACKETS[:5]))
        return draw(spelled([subject, date], latin)) + opening + recency + closing
    if order == "recency after":  # 拜访日期最近 / Visit Date Latest
        return draw(spelled([subject, date, recency], latin))
    if order == "date of" and latin and date:  # Date of Last Visit
        return draw(spelled([date, "of", recency, subject], latin))
    return draw(spelled([recency, subject, date], latin))


@st.composite
def owner_headers(draw):
    latin = draw(st.booleans())
    liaison = draw(st.sampled_from(LIAISON_EN if latin else LIAISON_ZH))
    owner = draw(st.sampled_from(OWNER_EN if latin else OWNER_ZH))
    name = draw(st.sampled_from(NAME_EN if latin else NAME_ZH))
    if name and draw(st.booleans()):  # 客户经理（姓名）
        opening, closing = draw(st.sampled_from(BRACKETS[:5]))
        return draw(spelled([liaison, owner], latin)) + opening + name + closing
    return draw(spelled([liaison, owner, name], latin))


@hsettings(max_examples=400, deadline=None)
@given(billings_headers())
def test_composed_money_headers_are_billings_with_their_unit(case):
    header, mult = case
    found = match_headers(["客户名称", header])
    assert "billings" in found, header
    assert found["billings"].index == 1 and found["billings"].multiplier == mult, header


@hsettings(max_examples=300, deadline=None)
@given(last_visit_headers())
def test_composed_visit_headers_are_the_last_visit(header):
    found = match_headers(["客户名称", header])
    assert "last_visit" in found and found["last_visit"].index == 1, header


@hsettings(max_examples=300, deadline=None)
@given(owner_headers())
def test_composed_owner_headers_are_the_owner(header):
    found = match_headers(["客户名称", header])
    assert "owner" in found and found["owner"].index == 1, header


# ------------------------------------------------------------------ words that change the meaning

# (word, where it may stand) -- previous period, running total, forecast, target, a share or a
# rebate, part of a year: none of these is the last 12 months' billings of the client.
MONEY_CHANGERS = ["去年", "上年", "上年度", "上一年", "往年", "上期", "前12个月", "last year", "prior year",
                  "累计", "历史累计", "累积", "至今", "历年", "YTD", "lifetime", "cumulative",
                  "预计", "预估", "潜在", "预算", "expected", "forecast", "budget",
                  "目标", "计划", "指标", "target", "KPI",
                  "返点", "返利", "佣金", "折扣", "占比", "比例", "增长率", "同比", "环比", "%", "rebate", "discount", "share",
                  "月均", "月度", "1月", "3月份", "Q1", "上半年", "季度", "日均", "近6个月", "monthly", "average"]
VISIT_CHANGERS = ["下次", "下一次", "计划", "预计", "次数", "频次", "人", "人员", "记录", "目标", "next", "planned", "count"]
OWNER_NEGATIVES = ["客户联系人", "联系人", "对接人", "客户对接人", "甲方对接人", "甲方负责人", "客户方负责人", "客户方对接人",
                   "对接人电话", "Client Contact", "Contact Person", "销售额", "销售金额", "2026年销售", "Sales"]
OWNER_ATTRIBUTES = ["电话", "手机", "手机号", "邮箱", "微信", "工号", "phone", "email", "mobile"]


@st.composite
def changed_money_headers(draw):
    latin_word = draw(st.sampled_from(MONEY_CHANGERS))
    latin = latin_word.isascii() and latin_word != "%" and draw(st.booleans())
    subject = draw(st.sampled_from(MONEY_EN if latin else MONEY_ZH))
    unit, _ = draw(st.sampled_from(UNITS[:8]))
    where = draw(st.sampled_from(["before", "after", "bracket"]))
    if where == "bracket":
        return draw(with_unit(draw(spelled([subject], latin)), unit, latin_word))
    words = [latin_word, subject] if where == "before" else [subject, latin_word]
    return draw(with_unit(draw(spelled(words, latin or latin_word.isascii())), unit))


@st.composite
def changed_visit_headers(draw):
    word = draw(st.sampled_from(VISIT_CHANGERS))
    latin = word.isascii()
    recency = draw(st.sampled_from(["", *(RECENCY_EN if latin else RECENCY_ZH)]))
    if word in ("next", "下次", "下一次"):
        recency = ""
    subject = draw(st.sampled_from(VISIT_EN if latin else VISIT_ZH))
    date = draw(st.sampled_from(DATE_EN if latin else DATE_ZH))
    where = draw(st.sampled_from(["before", "after", "bracket"]))
    if where == "bracket":
        opening, closing = draw(st.sampled_from(BRACKETS[:5]))
        return draw(spelled([recency, subject, date], latin)) + opening + word + closing
    words = [word, recency, subject, date] if where == "before" else [recency, subject, date, word]
    return draw(spelled(words, latin))


@st.composite
def changed_owner_headers(draw):
    if draw(st.booleans()):
        return draw(spelled([draw(st.sampled_from(OWNER_NEGATIVES))], False))
    latin = draw(st.booleans())
    owner = draw(st.sampled_from(OWNER_EN if latin else OWNER_ZH))
    attribute = draw(st.sampled_from([a for a in OWNER_ATTRIBUTES if a.isascii() == latin]))
    if draw(st.booleans()):
        opening, closing = draw(st.sampled_from(BRACKETS[:5]))
        return draw(spelled([owner], latin)) + opening + attribute + closing
    return draw(spelled([owner, attribute], latin))


@hsettings(max_examples=400, deadline=None)
@given(changed_money_headers())
def test_money_with_a_meaning_changing_word_is_not_billings(header):
    found = match_headers(["客户名称", header])
    assert "billings" not in found, (header, found["billings"])


@hsettings(max_examples=300, deadline=None)
@given(changed_visit_headers())
def test_visit_with_a_meaning_changing_word_or_no_recency_is_not_the_last_visit(header):
    found = match_headers(["客户名称", header])
    assert "last_visit" not in found, (header, found["last_visit"])


@hsettings(max_examples=300, deadline=None)
@given(changed_owner_headers())
def test_the_clients_contact_or_an_attribute_of_the_ae_is_not_the_owner(header):
    found = match_headers(["客户名称", header])
    assert "owner" not in found, (header, found["owner"])


# ------------------------------------------------------------------ the issue's headers, evidence

@pytest.mark.parametrize("header, field, mult, evidence", [
    ("全年广告费(万)", "billings", 1e4, (("period", "全年"), ("money", "广告费"), ("unit", "万"))),
    ("拜访日期(最近)", "last_visit", 1.0, (("visit", "拜访"), ("date", "日期"), ("recency", "最近"))),
    ("对接AE", "owner", 1.0, (("liaison", "对接"), ("owner", "ae"))),
    ("营销费用（近12个月，万元）", "billings", 1e4, (("money", "营销费用"), ("period", "近12个月"), ("unit", "万元"))),
    ("去年广告费(万元)", "billings_prev", 1e4, (("prev", "去年"), ("money", "广告费"), ("unit", "万元"))),
    ("预计投放（万元）", "potential", 1e4, (("forecast", "预计"), ("money", "投放"), ("unit", "万元"))),
    ("Visit date (latest)", "last_visit", 1.0, (("visit", "visit"), ("date", "date"), ("recency", "latest"))),
    ("甲方负责人", "contact", 1.0, (("clientside", "甲方"), ("incharge", "负责人"))),
])
def test_the_issues_headers_and_their_evidence(header, field, mult, evidence):
    found = match_headers(["客户名称", header])
    m = found[field]
    assert (m.index, m.multiplier, m.how, m.evidence) == (1, mult, "parts", evidence)
    if field in ("billings", "billings_prev", "potential"):
        assert m.unit_from == "header"


def test_known_headers_keep_how_they_were_matched():
    found = match_headers(["客户名称", "最近拜访日期", "客户经理", "年度投放额（万元）"])
    assert {f: m.how for f, m in found.items()} == {"name": "alias", "last_visit": "alias", "owner": "alias",
                                                   "billings": "alias"}
    assert all(m.evidence == () for m in found.values())


def test_two_fields_named_by_one_header_are_unclear_not_guessed():
    hm = match_columns(["客户名称", "最近拜访AE", "AE投放额"])
    assert set(hm.columns) == {"name"}
    assert hm.unclear == {1: ("last_visit", "owner"), 2: ("billings", "owner")}


@pytest.mark.parametrize("header", ["投放额（累计）", "年度投放额(去年)", "2026年投放额（预计）", "投放额（Q1）", "合同金额（返点）",
                                    "投放额（目标，万元）"])
def test_a_known_money_header_with_a_meaning_changing_word_in_brackets_is_not_billings(header):
    assert "billings" not in match_headers(["客户名称", header])


def test_previous_and_forecast_words_in_brackets_give_their_own_field():
    assert match_headers(["客户名称", "投放额（去年，万元）"])["billings_prev"].multiplier == 1e4
    assert match_headers(["客户名称", "投放额（预计）"])["potential"].index == 1
    assert "owner" not in match_headers(["客户名称", "客户经理（电话）"])


def test_the_settings_mapping_still_wins():
    headers = ["客户名称", "全年广告费(万)", "年框", "对接AE", "负责销售"]
    found = match_headers(headers, {"billings": "年框", "owner": "负责销售"})
    assert found["billings"].index == 2 and found["billings"].how == "mapping"
    assert found["owner"].index == 4 and found["owner"].how == "mapping"
    # a header the words would not take is taken when the mapping names it
    assert match_headers(["客户名称", "累计投放额"], {"billings": "累计投放额"})["billings"].index == 1


def test_a_header_read_by_words_beside_a_known_one_is_its_rival():
    hm = match_columns(["客户名称", "年度投放额", "全年广告费(万)"])
    assert hm.columns["billings"].index == 1 and [r.index for r in hm.rivals["billings"]] == [2]


def test_years_decide_among_headers_read_by_words():
    found = match_headers(["客户名称", "2025年广告费", "2026年广告费(万)"])
    assert found["billings"].index == 2 and found["billings"].multiplier == 1e4
    assert found["billings_prev"].index == 1 and found["billings_prev"].how == "parts"


def test_a_foreign_currency_named_in_words_is_not_an_amount_in_yuan():
    hm = match_columns(["客户名称", "全年广告费美元"])
    assert "billings" not in hm.columns and hm.foreign["billings"] == (1, "美元")


@pytest.mark.parametrize("year", [1950, 1999, 2025, 2026, 2100])
def test_a_year_in_brackets_is_not_a_unit(year):
    assert match_headers(["客户名称", f"投放额({year})"])["billings"].multiplier == 1.0


@pytest.mark.parametrize("header", ["全年广告费", "Annual Spend", "拜访日期最近", "对接AE"])
def test_read_header_is_order_free(header):
    a = read_header(header)
    assert a is not None and a.field
    words = [w for _, w in a.parts]
    assert read_header(" ".join(reversed(words))).field == a.field


def test_a_book_with_everyday_headers_is_read_and_the_report_says_by_which_words():
    import datetime as dt

    from xlclient.engine.book import build_client_book, read_client_book
    from xlclient.engine.grid import SheetGrid
    from xlclient.engine.settings import Settings

    header = ["客户名称", "对接AE", "客户状态", "全年广告费(万)", "拜访日期(最近)", "客户对接人"]
    rows = [["甲公司", "张伟", "现有", 120, "2026-10-08", "王总"], ["乙公司", "李娜", "现有", 35, "2026-09-01", "赵经理"],
            ["丙公司", "张伟", "潜在", None, "2026-08-15", "钱总"]]
    book = build_client_book(header, rows, sheet="客户", header_row=0, settings=Settings(as_of=dt.date(2026, 11, 20)))
    assert list(book.frame["owner"]) == ["张伟", "李娜", "张伟"]
    assert list(book.frame["billings"][:2]) == [1_200_000, 350_000]
    assert book.columns["billings"].how == "parts" and book.columns["contact"].index == 5
    # the table is found by these headers too, and the reading report names the words
    found = read_client_book([SheetGrid("客户", [header, *rows], 0, 0)], settings=Settings(as_of=dt.date(2026, 11, 20)))
    lines = "\n".join(found.reading.report_lines("zh"))
    assert "按表头词义：全年·广告费·万" in lines and "按表头词义：对接·ae" in lines
