"""Header matching (SPEC 2): aliases in Chinese and English, width- and case-insensitive,
units in headers, the Settings Columns mapping winning, qualified headers (years, totals,
names) matched without one field stealing another's column."""

from __future__ import annotations

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from xlclient.engine.fields import (
    FIELDS,
    display_header,
    is_non_yuan_unit,
    match_headers,
    normalise_header,
    split_unit,
    unit_multiplier,
)


def fields_of(headers, mapping=None, default_multiplier=1.0) -> dict[str, tuple[int, float]]:
    return {f: (m.index, m.multiplier) for f, m in match_headers(headers, mapping, default_multiplier).items()}


@pytest.mark.parametrize("field, alias", [(f, a) for f, (_, aliases) in FIELDS.items() for a in aliases])
def test_every_alias_names_its_field(field, alias):
    other = "客户编号" if field == "name" else "客户名称"
    found = match_headers([other, alias])
    assert found[field].index == 1


@pytest.mark.parametrize("header", ["客户名称", " 客户名称 ", "客户名称：", "客户 名称", "客户\n名称", "客户\r\n名称 ",
                                    "ＣＬＩＥＮＴ　ＮＡＭＥ", "client name", "Client  Name", "CLIENT_NAME",
                                    "Client-Name", "客户名称*", "【客户名称】"])
def test_headers_match_width_case_space_and_punctuation_insensitively(header):
    assert match_headers([header, "客户经理"])["name"].index == 0


@pytest.mark.parametrize("header, mult", [
    ("年度投放额（万元）", 1e4), ("年度投放额(万元)", 1e4), ("年度投放额【万元】", 1e4), ("年度投放额 (万)", 1e4),
    ("合同金额/元", 1.0), ("合同金额／万元", 1e4), ("毛利(千元)", 1e3), ("毛利（千）", 1e3), ("年度投放额(亿元)", 1e8),
    ("年度投放额（万元/年）", 1e4), ("年度投放额（单位：万元）", 1e4), ("年度投放额(RMB)", 1.0), ("Billings (k)", 1e3),
    ("年度投放额(含税)", 1.0), ("年度投放额（百万元）", 1e6), ("年度投放额万元", 1e4), ("2026年投放额（万元）", 1e4),
    ("Billings (RMB '000)", 1e3), ("Revenue (in RMB thousands)", 1e3), ("Revenue (RMB mn)", 1e6), ("毛利（单位：千元）", 1e3),
    ("年度投放額（萬元）", 1e4),
])
def test_units_in_headers(header, mult):
    found = match_headers(["客户名称", header])
    field = "gross_profit" if "毛利" in header else "billings"
    assert found[field].multiplier == mult and found[field].index == 1


@pytest.mark.parametrize("header", ["年度投放额(%)", "年度投放额（占比）", "投放额占比", "年度投放额(USD)", "年度投放额（美元）",
                                    "Billings ($)", "毛利率", "毛利(%)"])
def test_a_share_or_a_foreign_currency_is_not_an_amount_in_yuan(header):
    found = match_headers(["客户名称", header])
    assert "billings" not in found and "gross_profit" not in found


def test_traditional_chinese_headers():
    found = fields_of(["客戶編號", "客戶名稱", "客戶經理", "狀態", "年度投放額（萬元）", "最近拜訪日期", "已付定金"])
    assert list(found) == ["client_id", "name", "owner", "status", "billings", "last_visit", "deposit_paid"]
    assert found["billings"] == (4, 1e4)


def test_units_helpers():
    assert split_unit("年度投放额（万元）") == ("年度投放额", "万元")
    assert split_unit("合同金额/元") == ("合同金额", "元")
    assert split_unit("客户名称") == ("客户名称", None)
    assert split_unit("(万元)") == ("(万元)", None)  # nothing before the brackets: not a unit
    assert unit_multiplier(None) == 1.0 and unit_multiplier("万元") == 1e4 and unit_multiplier("万元/年") == 1e4
    assert unit_multiplier("USD") is None and unit_multiplier("人") is None
    assert is_non_yuan_unit("%") and is_non_yuan_unit("美元") and not is_non_yuan_unit("万元")
    assert is_non_yuan_unit("港幣") and unit_multiplier("USD '000") is None


def test_the_settings_mapping_wins():
    headers = ["客户名称", "品牌主", "投放", "客户经理", "AE"]
    found = fields_of(headers, {"name": "品牌主", "billings": "投放", "owner": "AE"})
    assert found["name"] == (1, 1.0) and found["billings"] == (2, 1.0) and found["owner"] == (4, 1.0)
    # a mapped header keeps its unit; the mapping may give the header with or without it
    assert fields_of(["品牌主", "年框(万元)"], {"name": "品牌主", "billings": "年框"})["billings"] == (1, 1e4)
    assert fields_of(["品牌主", "年框(万元)"], {"name": "品牌主", "billings": "年框（万元）"})["billings"] == (1, 1e4)
    # an unknown field or an absent header in the mapping is ignored
    assert fields_of(["客户名称"], {"nonsense": "客户名称", "owner": "不存在"}) == {"name": (0, 1.0)}


@pytest.mark.parametrize("headers, owner, name", [
    (["客户", "客户经理"], 1, 0), (["客户经理", "客户"], 0, 1), (["客户经理", "客户名称"], 0, 1),
    (["客户名称", "客户经理电话", "客户经理"], 2, 0), (["客户经理姓名", "客户名称"], 0, 1),
])
def test_client_is_not_taken_from_account_manager(headers, owner, name):
    found = match_headers(headers)
    assert found["owner"].index == owner and found["name"].index == name


@pytest.mark.parametrize("header", ["客户经理电话", "客户经理邮箱", "联系电话", "投放额增长率", "目标投放额",
                                    "feedback", "account number", "最近一次拜访人", "合同编号",
                                    "产品名称", "2026年销售", "客户数"])
def test_a_qualified_header_naming_another_attribute_is_not_matched(header):
    assert set(match_headers(["客户名称", header])) == {"name"}


@pytest.mark.parametrize("headers, owner", [
    (["客户名称", "对接人", "客户经理"], 2), (["客户名称", "客户联系人", "负责销售"], 2), (["客户名称", "联系人", "跟进人"], 2),
    (["Client", "Contact Person", "Salesperson"], 2), (["客户名称", "甲方对接人"], None),
])
def test_the_contact_at_the_client_is_never_the_owner(headers, owner):
    found = match_headers(headers)
    assert found["contact"].index == 1
    assert (found["owner"].index if "owner" in found else None) == owner


@pytest.mark.parametrize("header, field", [
    ("2026年度投放额", "billings"), ("年度投放额合计", "billings"), ("本年投放额", "billings"), ("实际投放额", "billings"),
    ("客户经理姓名", "owner"), ("所属行业", "industry"), ("最近拜访时间", "last_visit"), ("Annual Revenue", "billings"),
    ("Owner Name", "owner"), ("2026年毛利", "gross_profit"), ("当前状态", "status"), ("去年营业额", "billings_prev"),
    ("上一年投放额", "billings_prev"), ("近12月合作次数", "orders"),
])
def test_qualified_headers_match(header, field):
    assert match_headers(["客户名称", header])[field].index == 1


def test_year_named_columns_latest_is_billings_the_year_before_billings_prev():
    assert fields_of(["客户名称", "2025年投放额", "2026年投放额"]) == {
        "name": (0, 1.0), "billings_prev": (1, 1.0), "billings": (2, 1.0)}
    assert fields_of(["客户名称", "2026年投放额（万元）", "2025年投放额（万元）", "2024年投放额（万元）"]) == {
        "name": (0, 1.0), "billings": (1, 1e4), "billings_prev": (2, 1e4)}
    assert fields_of(["Client", "Revenue 2025", "Revenue 2026"])["billings"] == (2, 1.0)
    # only the year right before the latest is "previous"
    assert "billings_prev" not in fields_of(["客户名称", "2023年投放额", "2026年投放额"])
    # an explicit previous-period header wins over the year rule
    found = fields_of(["客户名称", "2025年投放额", "2026年投放额", "上年投放额"])
    assert found["billings"] == (2, 1.0) and found["billings_prev"] == (3, 1.0)
    # an exact alias is billings; year-named columns beside it stay unused
    assert fields_of(["客户名称", "年度投放额", "2025年投放额"]) == {"name": (0, 1.0), "billings": (1, 1.0)}
    # years decide other amounts too
    assert fields_of(["客户名称", "2025年毛利", "2026年毛利"])["gross_profit"] == (2, 1.0)


def test_the_most_canonical_alias_wins_then_the_leftmost_column():
    assert match_headers(["名称", "客户名称"])["name"].index == 1
    assert match_headers(["客户简称", "客户全称"])["name"].index == 1
    assert match_headers(["投放额", "年度投放额"])["billings"].index == 1
    assert match_headers(["客户名称", "客户名称"])["name"].index == 0


def test_default_multiplier_applies_only_to_amounts_without_their_own_unit():
    found = fields_of(["客户名称", "年度投放额", "毛利/元", "潜力评分", "合作次数"], default_multiplier=1e4)
    assert found["billings"] == (1, 1e4) and found["gross_profit"] == (2, 1.0) and found["orders"] == (4, 1.0)


def test_display_header_and_normalise():
    assert display_header("客户\n名称") == "客户名称"
    assert display_header("Client\nName ") == "Client Name"
    assert display_header(" 负责人 ") == "负责人"
    assert display_header(None) == ""
    assert normalise_header("ＣＬＩＥＮＴ　Ｎａｍｅ：") == "clientname"
    assert normalise_header(None) == ""
    assert match_headers(["客户\n名称", "负责人 "])["owner"].header == "负责人"


def test_header_score_needs_the_client():
    from xlclient.engine.book import _score

    def header_score(headers, mapping=None):  # how the table finder scores a candidate header row
        return _score(headers, mapping or {})

    assert header_score(["客户名称", "客户经理", "年度投放额"]) == 3
    assert header_score(["客户经理", "年度投放额", "行业"]) == 0  # no name or ID: not a client table
    assert header_score(["客户编号", "年度投放额"]) == 2
    assert header_score(["华东区客户台账（2026年）", None, None]) == 0
    assert header_score([]) == 0
    assert header_score(["品牌主", "对接AE"], {"name": "品牌主", "owner": "对接AE"}) == 2


header_pool = sorted({a for _, (_, aliases) in FIELDS.items() for a in aliases[:3]}
                     | {"联系电话", "备注", "2025年投放额", "2026年投放额（万元）", "客户经理电话", "序号", "", None, 2026.0,
                        "年度投放额(%)", "投放额占比"}, key=str)


@hsettings(max_examples=300, deadline=None)
@given(headers=st.lists(st.sampled_from(header_pool), max_size=15),
       mapping=st.dictionaries(st.sampled_from(sorted(FIELDS)), st.sampled_from([h for h in header_pool if h]),
                               max_size=3))
def test_each_field_and_each_column_is_used_at_most_once(headers, mapping):
    found = match_headers(headers, mapping)
    indexes = [m.index for m in found.values()]
    assert len(indexes) == len(set(indexes))
    for f, m in found.items():
        assert m.field == f and headers[m.index] is not None and str(headers[m.index]).strip()
        assert m.multiplier > 0
    assert [m.index for m in found.values()] == sorted(indexes)  # in column order
    for f, wanted in mapping.items():  # a mapped header present and free is taken by its field
        if any(normalise_header(h) == normalise_header(wanted) for h in headers if h is not None):
            owner = [m.field for m in found.values() if normalise_header(headers[m.index]) == normalise_header(wanted)]
            assert owner, (f, wanted)


@pytest.mark.parametrize("header, billings", [
    ("近12个月投放额", True), ("近十二个月投放额", True), ("过去12月投放额", True), ("最近12个月投放额（万元）", True),
    ("近6个月投放额", False), ("最近3个月投放额", False), ("过去6月投放额", False), ("近1个月投放额（万元）", False),
])
def test_only_the_last_twelve_months_are_billings(header, billings):
    # billings are the last 12 months (SPEC 2): a shorter window is part of a year, not the field
    assert ("billings" in match_headers(["客户名称", header])) is billings


@pytest.mark.parametrize("header, field", [
    ("投放额（2026）", "billings"), ("Billings (2025)", "billings"), ("毛利(2026)", "gross_profit"),
])
def test_a_year_in_brackets_is_not_a_scale(header, field):
    assert match_headers(["客户名称", header])[field].multiplier == 1.0


@pytest.mark.parametrize("header, field", [
    ("投放额（累计）", "billings"), ("年度投放额（预计）", "billings"), ("合同金额（目标）", "billings"),
    ("毛利（累计）", "gross_profit"), ("最近拜访日期（计划）", "last_visit"), ("最近拜访（记录）", "last_visit"),
    ("客户经理（电话）", "owner"), ("负责人(手机)", "owner"), ("合作次数（历年）", "orders"),
])
def test_a_known_header_with_a_meaning_changing_word_in_brackets_is_not_its_field(header, field):
    assert field not in match_headers(["客户名称", header])
