"""A client table is found wherever a column plainly names the clients (issue 30).

The cases are generated, not listed: what a firm calls its clients (客户, 顾客, 门店, 经销商,
账户, 会员, Company, Store, Dealer ...) times how the column says it (名称, 姓名, 名, ID, 编号,
Name, No.), in simplified or traditional characters, any case, with spaces, underscores or
camel case -- the way people and exports write headers. Beside it stand a few columns the
reader may or may not know. The invariants: the table is found on the sheet that holds it,
the client column is the name (or ID) field, and a column that names something else (a
product, a brand, a licence plate, a bank account number, a person's job) never is.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from xlclient.engine.book import ClientTableNotFound, locate_client_table
from xlclient.engine.fields import match_headers
from xlclient.engine.grid import SheetGrid

ENTITIES_ZH = ["客户", "顾客", "门店", "店铺", "经销商", "代理商", "分销商", "加盟商", "商户", "会员", "企业", "账户",
               "客商", "用户", "机构"]
ENTITIES_EN = ["Customer", "Client", "Company", "Organization", "Store", "Shop", "Dealer", "Distributor", "Merchant",
               "Member", "Reseller", "Retailer", "Outlet"]
NAME_ZH, ID_ZH = ["名称", "姓名", "名", "全称", "简称"], ["编号", "ID", "代码", "编码", "号"]
NAME_EN, ID_EN = ["Name", "Full Name", ""], ["ID", "No", "Number", "Code"]
TO_TRADITIONAL = str.maketrans("户顾门铺经销账会员机构称编号码", "戶顧門鋪經銷賬會員機構稱編號碼")
# headers that name something else than the clients
NOT_CLIENTS = ["产品名称", "品牌", "品牌名称", "车牌号", "Account Number", "职位", "商品名称", "项目名称", "Product Name",
               "Job Title", "Brand"]
OTHERS = ["备注", "地址", "电话", "行业", "最近拜访", "客户经理", "年度投放额(万元)", "Region", "Notes", "Phone"]


def _english(entity: str, word: str, style: str) -> str:
    parts = [entity] + ([word] if word else [])
    if style == "snake":
        return "_".join(p.lower().replace(" ", "_") for p in parts)
    if style == "camel":
        return "".join(p.replace(" ", "") for p in parts)
    if style == "upper":
        return " ".join(parts).upper()
    return " ".join(parts)


@st.composite
def client_header(draw) -> tuple[str, str]:
    """(header, the field it names: name or client_id)."""
    if draw(st.booleans()):
        entity = draw(st.sampled_from(ENTITIES_ZH))
        is_id = draw(st.booleans())
        word = draw(st.sampled_from(ID_ZH if is_id else NAME_ZH))
        header = entity + word
        if draw(st.booleans()):
            header = header.translate(TO_TRADITIONAL)
        if draw(st.booleans()):
            header = header.replace(entity, entity + " ", 1)
        return header, "client_id" if is_id else "name"
    entity = draw(st.sampled_from(ENTITIES_EN))
    is_id = draw(st.booleans())
    word = draw(st.sampled_from(ID_EN if is_id else NAME_EN))
    return _english(entity, word, draw(st.sampled_from(["plain", "snake", "camel", "upper"]))), \
        "client_id" if is_id else "name"


def _sheet(name: str, headers: list, rows: int = 5) -> SheetGrid:
    data = [[f"{h}-{r}" if isinstance(h, str) else None for h in headers] for r in range(rows)]
    return SheetGrid(name=name, rows=[list(headers)] + data)


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(client_header(), st.lists(st.sampled_from(OTHERS + NOT_CLIENTS), max_size=4, unique=True),
       st.integers(min_value=0, max_value=4))
def test_a_column_that_names_clients_finds_the_table(client, others, at):
    header, field = client
    others = [o for o in others if re.sub(r"\W", "", o.lower()) != re.sub(r"\W", "", header.lower())]
    headers = list(others)
    headers.insert(min(at, len(headers)), header)
    sheets = [SheetGrid(name="说明", rows=[["本工作簿记录客户信息"]]), _sheet("Sheet1", headers)]
    sheet, _, row, _, found_headers, _ = locate_client_table(sheets)
    assert (sheet, row) == ("Sheet1", 0)
    m = match_headers(found_headers)
    assert m[field].header == header.strip(), (header, m)


@pytest.mark.parametrize("header", NOT_CLIENTS + ["名称", "Name"])
def test_a_list_of_other_things_is_not_a_client_table(header):
    """Products, brands, plates or a bare 名称 beside columns the reader does not know: no
    client column, so a refusal that says what it saw -- never a table of products taken
    for clients."""
    sheets = [_sheet("清单", [header, "规格", "单价"])]
    with pytest.raises(ClientTableNotFound) as e:
        locate_client_table(sheets)
    text = str(e.value)
    assert "工作表「清单」第 1 行" in text and "xlclient init" in text and "列映射" in text


@pytest.mark.parametrize("header", NOT_CLIENTS)
def test_other_names_are_never_the_client(header):
    beside = match_headers(["客户名称", header, "客户经理"])
    assert beside["name"].header == "客户名称" and "client_id" not in beside
    assert "name" not in match_headers([header]) and "client_id" not in match_headers([header])


def test_a_refusal_in_english_books_with_settings():
    from xlclient.engine.not_found import refusal

    sheets = [_sheet("Sales", ["Region", "Month", "Revenue"]), SheetGrid(name="Settings", rows=[["xlclient settings"]])]
    text = refusal(sheets, {}, {"settings"}, "en")
    assert text.startswith("No client table found")
    assert "sheet 'Sales', row 1: recognised 'Region' = region, 'Revenue' = billings; not recognised: Month" in text
    assert "xlclient init" not in text and "'name' row" in text  # Settings exist: only the row to fill


def test_a_refusal_lists_the_sheets_with_most_recognised_first_and_at_most_three():
    from xlclient.engine.not_found import MAX_SHEETS, MAX_UNKNOWN, refusal

    sheets = [_sheet("甲", ["区域", "月份"]), _sheet("乙", ["区域", "销售额", "最近拜访"]), _sheet("丙", ["序号", "备注"]),
              _sheet("丁", ["地区", "行业"]), _sheet("戊", ["规格", "单价"]),
              SheetGrid(name="隐藏", rows=[["区域", "销售额", "行业", "最近拜访"]], hidden=True),
              SheetGrid(name="分级结果", rows=[["客户名称", "等级"]])]
    lines = refusal(sheets, {}, {"分级结果"}, "zh").splitlines()
    assert lines[0].startswith("找不到客户表：没有哪一列写明客户")
    assert lines[1] == "看过的表："
    assert lines[2] == "  工作表「乙」第 1 行：认出 「区域」= 地区、「销售额」= 投放额、「最近拜访」= 最近拜访日期"
    assert lines[3].startswith("  工作表「丁」第 1 行：认出 「地区」= 地区、「行业」= 行业")
    assert lines[4] == "  工作表「甲」第 1 行：认出 「区域」= 地区；未认出：月份"
    assert len([x for x in lines if x.startswith("  工作表")]) == MAX_SHEETS
    assert lines[5] == "  另有 2 张工作表"  # 丙 and 戊; the hidden sheet and the owned one are not looked at
    assert lines[6].startswith("做法：先运行 xlclient init 工作簿")
    wide = [f"列{i}" for i in range(MAX_UNKNOWN + 3)]
    text = refusal([_sheet("宽", ["区域"] + wide)], {}, set(), "zh")
    assert f"未认出：{'、'.join(wide[:MAX_UNKNOWN])} 等 {len(wide)} 列" in text
    text = refusal([_sheet("Wide", ["Region"] + wide)], {}, set(), "en")
    assert f"not recognised: {', '.join(wide[:MAX_UNKNOWN])} and 3 more" in text


def test_a_refusal_of_a_book_with_no_table_at_all():
    from xlclient.engine.not_found import refusal

    sheets = [SheetGrid(name="封面", rows=[["2026 年度客户汇总"], [None, "制表：张伟"]])]
    assert refusal(sheets, {}, set(), "zh").splitlines()[1] == "工作簿里没有带表头的表格。"
    assert refusal(sheets, {}, set(), "en").splitlines()[1] == "The workbook holds no table with a header row."
    # a Settings sheet of either language means init was run: only the row to fill
    for name in ("设置", "Settings"):
        text = refusal(sheets + [SheetGrid(name=name, rows=[["x"]])], {}, set(), "zh")
        assert "xlclient init" not in text and "列映射中「客户名称」一行" in text


def test_the_mapping_decides_what_a_refusal_recognises():
    from xlclient.engine.not_found import refusal

    text = refusal([_sheet("表", ["甲列", "乙列"])], {"region": "甲列"}, set(), "zh")
    assert "认出 「甲列」= 地区；未认出：乙列" in text


def test_a_refusal_at_its_boundaries_and_in_english():
    from xlclient.engine.not_found import MAX_SHEETS, MAX_UNKNOWN, refusal

    exact = [f"列{i}" for i in range(MAX_UNKNOWN)]
    text = refusal([_sheet("宽", ["区域"] + exact)], {}, set(), "zh")
    assert f"未认出：{'、'.join(exact)}\n" in text  # exactly eight: all listed, no "等"
    sheets = [_sheet(f"S{i}", ["区域", f"x{i}"]) for i in range(MAX_SHEETS)]
    assert "另有" not in refusal(sheets, {}, set(), "zh")  # exactly three sheets: no "and more"
    titled = SheetGrid(name="Sales", rows=[["2026 sales by region"], ["Month", "Notes"], ["1", "x"]])
    lines = refusal([titled], {}, set(), "en").splitlines()
    assert lines == [
        "No client table found: no column names the clients (such as 客户名称, 客户编号, Client, Customer, Company, "
        "Account Name, Store name).",
        "What was looked at:",
        "  sheet 'Sales', row 2: no header recognised; not recognised: Month, Notes",
        "To fix: run xlclient init WORKBOOK (it adds the Settings sheet), then in the Settings column mapping, fill "
        "the 'name' row with the header of the column that holds the clients (other columns it did not recognise "
        "can be named there too), and run again."]
    zh = refusal([titled], {}, set(), "zh", settings_exist=True).splitlines()
    assert zh[2] == "  工作表「Sales」第 2 行：没有认出的表头；未认出：Month、Notes"
    assert zh[3] == ("做法：在「设置」的列映射中「客户名称」一行填入客户所在列的表头，其他认不出的列也可在那里指定，然后重新运行。")
    assert refusal([titled], {}, set(), "en", settings_exist=True).splitlines()[3].startswith(
        "To fix: in the Settings column mapping")


# ---------------------------------------------------------------- the client column by its values
CLIENT_WORDS = ["投保", "委托", "学员", "协议", "货主", "医院", "取引先", "车主", "患者", "租户", "业主", "学校", "门诊", "药店",
                "承租", "申请", "持卡", "借款"]
ENDINGS = ["名称", "姓名", "名", "单位", "人"]
NOT_CLIENT_WORDS = ["产品", "项目", "课程", "部门", "联系", "家长", "被保险", "负责", "销售", "对方", "城市"]


def _names_column(n: int, repeat: bool) -> list[str]:
    base = [f"{s}{g}" for s in "王李张刘陈杨黄赵吴周" for g in ("伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰")]
    return [base[i % 2] if repeat else base[i % len(base)] + ("公司" if i % 2 else "") for i in range(n)]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(what=st.sampled_from(CLIENT_WORDS), end=st.sampled_from(ENDINGS), at=st.integers(0, 3),
       n=st.integers(min_value=6, max_value=60))
def test_a_column_of_names_under_what_a_trade_calls_its_clients_is_the_client(what, end, at, n):
    from xlclient.engine.client_column import client_by_content

    headers = ["序号", "备注", "金额(元)"]
    headers.insert(at, what + end)
    rows = [[i + 1, "", 100 * i] for i in range(n)]
    names = _names_column(n, repeat=False)
    for r, name in zip(rows, names):
        r.insert(at, name)
    found = client_by_content(headers, rows)
    assert found is not None and found.index == at and found.n == n
    # the same header over a handful of names repeated (staff), or over numbers: not the client
    for i, r in enumerate(rows):
        r[at] = _names_column(n, repeat=True)[i]
    assert client_by_content(headers, rows) is None
    for i, r in enumerate(rows):
        r[at] = f"P{100000 + i}"
    assert client_by_content(headers, rows) is None


@pytest.mark.parametrize("what", NOT_CLIENT_WORDS)
@pytest.mark.parametrize("end", ["名称", "姓名", "人"])
def test_things_and_other_people_are_never_the_client_by_their_values(what, end):
    from xlclient.engine.client_column import client_by_content

    rows = [[name] for name in _names_column(20, repeat=False)]
    assert client_by_content([what + end], rows) is None


def test_the_leftmost_of_two_name_columns_is_the_client_and_the_other_passed_over():
    from xlclient.engine.client_column import client_by_content

    rows = [[a, b] for a, b in zip(_names_column(20, False), reversed(_names_column(20, False)))]
    found = client_by_content(["投保人", "受托人"], rows)
    assert found is not None and found.index == 0 and found.others == (1,)


def test_a_refusal_counts_one_more_header_and_more_sheets_in_english():
    from xlclient.engine.not_found import MAX_SHEETS, MAX_UNKNOWN, refusal

    nine = [f"c{i}" for i in range(MAX_UNKNOWN + 1)]
    assert f"not recognised: {', '.join(nine[:MAX_UNKNOWN])} and 1 more" in refusal(
        [_sheet("Wide", ["Region"] + nine)], {}, set(), "en")
    sheets = [_sheet(f"S{i}", ["Region", f"x{i}"]) for i in range(MAX_SHEETS + 2)]
    assert "\n  and 2 more sheet(s)\n" in refusal(sheets, {}, set(), "en")
