"""A realistic synthetic agency client book, for ``xlclient demo``, the template and tests.

The book looks like one an agency keeps by hand: a title row above the header, money in
万元 in some columns, a mix of Excel dates and typed text dates, Chinese company names, six
account executives, current clients, prospects at every stage and a few lost ones -- and a
handful of planted data problems (an amount typed as ``1.2亿``, an impossible date, a visit
dated in the future, an unknown status, a duplicate client ID, a 合计 row ...) so the
Issues sheet has something to show. Everything is generated from a seed: the same seed and
date give the same book.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .engine.settings import Settings, settings_rows
from .udf_support import HOLIDAYS_NAME, SETTINGS_NAME

OWNERS = ("张伟", "李娜", "王芳", "刘洋", "陈静", "赵磊")
CITIES = ("上海", "杭州", "苏州", "南京", "广州", "深圳", "北京", "成都", "武汉", "西安", "厦门", "宁波", "长沙", "青岛")
BRANDS = ("云帆", "金禾", "华彩", "盛源", "蓝海", "恒泰", "佳美", "新锐", "天润", "鼎力", "优品", "嘉禾", "瑞丰", "星河",
          "博远", "安达", "明德", "汇通", "锦程", "悦动", "青禾", "万象", "立信", "海纳", "东升", "启航", "沐光", "百川")
INDUSTRIES = {
    "快消": ("食品", "饮料", "日化"),
    "汽车": ("汽车销售服务", "新能源汽车"),
    "地产": ("置业", "地产"),
    "互联网": ("网络科技", "信息技术"),
    "金融": ("财富管理", "保险代理"),
    "医药": ("医药", "健康科技"),
    "教育": ("教育科技", "培训"),
    "零售": ("商贸", "连锁超市"),
    "文旅": ("文化旅游", "酒店管理"),
}
REGIONS = {"上海": "华东", "杭州": "华东", "苏州": "华东", "南京": "华东", "宁波": "华东", "厦门": "华东", "青岛": "华北",
           "广州": "华南", "深圳": "华南", "北京": "华北", "成都": "西南", "武汉": "华中", "长沙": "华中", "西安": "西北"}
PERSONALITIES = ("理智型", "任务型", "主人翁型", "犹豫型", "谨慎型", "冲动型", "贪婪型", "关系型", "")
STAGES = ("重要", "主要", "准", "意向", "暂缓", "拒绝")

HEADERS = ["客户编号", "客户名称", "客户经理", "客户状态", "行业", "地区", "规模", "年度投放额(万元)", "上年投放额(万元)",
           "毛利(万元)", "服务工时", "合作次数", "首次合作日期", "最近合作日期", "最近拜访日期", "潜力评分", "需求评分",
           "意向阶段", "沟通次数", "已付定金", "性格类型", "经营困难", "竞品接触", "管理层变动", "付款逾期", "锁定等级"]


@dataclass(frozen=True)
class PlantedProblem:
    """A data problem the demo book contains on purpose: Excel row and header."""

    row: int
    column: str
    what: str


def _company_names(rng: np.random.Generator, n: int) -> tuple[list[str], list[str], list[str]]:
    """n unique company names (city + brand + business + 有限公司) with their industry and
    city; beyond the few thousand single-brand names, brands get two words, then a branch
    number."""
    industries = list(INDUSTRIES)
    city = rng.integers(len(CITIES), size=n)
    industry = rng.integers(len(industries), size=n)
    pick = rng.integers(0, 2, size=n)
    brand1 = rng.integers(len(BRANDS), size=n)
    brand2 = rng.integers(len(BRANDS), size=n)
    names, used = [], set()
    for i in range(n):
        ind = industries[industry[i]]
        suffixes = INDUSTRIES[ind]
        base = f"{CITIES[city[i]]}{BRANDS[brand1[i]]}{suffixes[pick[i] % len(suffixes)]}有限公司"
        name = base
        if name in used:
            name = f"{CITIES[city[i]]}{BRANDS[brand1[i]]}{BRANDS[brand2[i]]}{suffixes[pick[i] % len(suffixes)]}有限公司"
        k = 1
        while name in used:
            name = f"{base[:-4]}第{k}分公司"
            k += 1
        used.add(name)
        names.append(name)
    return names, [industries[j] for j in industry], [CITIES[j] for j in city]


def demo_book(n_clients: int = 300, seed: int = 2026, today: dt.date | None = None,
              plant_problems: bool = True) -> tuple[list[list[Any]], list[PlantedProblem]]:
    """Header + rows of a synthetic client book, and the list of planted problems.

    Rows are what a person would type: amounts in 万元 (floats), dates as ``datetime``
    (Excel dates) or, for about a tenth of them, typed text like ``2026年3月5日``. The
    random draws are made column-wise, so 100,000 clients take a second or two.
    """
    today = today or dt.date.today()
    rng = np.random.default_rng(seed)
    n = n_clients
    names, industries, cities = _company_names(rng, n)
    owner = rng.integers(len(OWNERS), size=n)
    kind = rng.choice(np.array(["current", "prospect", "lost"]), size=n, p=[0.62, 0.3, 0.08])
    size = rng.choice(np.array(["大型", "中型", "小型"]), size=n, p=[0.2, 0.45, 0.35])
    personality = rng.choice(np.array(PERSONALITIES), size=n)
    billings = np.round(rng.lognormal(4.2, 1.1, size=n), 1)
    prev_factor = rng.uniform(0.6, 1.5, size=n)
    has_prev = rng.random(n) < 0.8
    margin = rng.uniform(0.08, 0.3, size=n)
    hours = (rng.uniform(20, 60, size=n) * np.sqrt(billings)).astype(int)
    orders = np.maximum(1, rng.poisson(1 + billings / 40))
    first_ago = rng.uniform(60, 3000, size=n)
    last_ago = np.minimum(rng.exponential(90, size=n), first_ago)
    visit_ago = rng.exponential(45, size=n)
    prospect_visit_ago = rng.exponential(40, size=n)
    has_visit = rng.random(n) < 0.75
    need = rng.integers(1, 6, size=n)
    potential = rng.integers(1, 6, size=n)
    stage = rng.choice(np.array(STAGES), size=n, p=[0.06, 0.14, 0.22, 0.38, 0.12, 0.08])
    extra_meetings = rng.poisson(0.7, size=n)
    deposit_no = rng.random(n) < 0.6
    current_status = rng.choice(np.array(["合作中", "现有"]), size=n, p=[0.7, 0.3])
    prospect_status = rng.choice(np.array(["潜在", "意向"]), size=n, p=[0.6, 0.4])
    risks = {name: rng.random(n) < p for name, p in (("经营困难", 0.04), ("竞品接触", 0.08), ("管理层变动", 0.05),
                                                      ("付款逾期", 0.06))}
    pinned = rng.random(n) < 0.02
    lost_prev = np.round(rng.lognormal(3.5, 1.0, size=n), 1)
    lost_ago = rng.uniform(400, 900, size=n)
    style = rng.random((n, 4))  # how each of the four dates is typed

    def typed(days_ago: float, r: float) -> Any:
        d = today - dt.timedelta(days=int(max(0.0, days_ago)))
        if r < 0.05:
            return f"{d.year}年{d.month}月{d.day}日"
        if r < 0.10:
            return f"{d.year}/{d.month}/{d.day}"
        return dt.datetime(d.year, d.month, d.day)

    rows: list[list[Any]] = [list(HEADERS)]
    for i in range(n):
        row: dict[str, Any] = dict.fromkeys(HEADERS)
        row.update({"客户编号": f"KH{i + 1:04d}", "客户名称": names[i], "客户经理": OWNERS[owner[i]],
                    "行业": industries[i], "地区": REGIONS[cities[i]], "规模": str(size[i]),
                    "性格类型": str(personality[i])})
        if kind[i] == "current":
            b = float(billings[i])
            row.update({
                "客户状态": str(current_status[i]), "年度投放额(万元)": b,
                "上年投放额(万元)": float(np.round(b * prev_factor[i], 1)) if has_prev[i] else None,
                "毛利(万元)": float(np.round(b * margin[i], 1)), "服务工时": int(hours[i]), "合作次数": int(orders[i]),
                "首次合作日期": typed(first_ago[i], style[i, 0]), "最近合作日期": typed(last_ago[i], style[i, 1]),
                "最近拜访日期": typed(visit_ago[i], style[i, 2]), "需求评分": int(need[i]),
                "锁定等级": "A" if pinned[i] else None,
            })
            for risk, flags in risks.items():
                row[risk] = "是" if flags[i] else "否"
        elif kind[i] == "prospect":
            st = str(stage[i])
            row.update({
                "客户状态": str(prospect_status[i]), "意向阶段": st,
                "沟通次数": {"重要": 3, "主要": 2, "准": 1}.get(st, 0) + int(extra_meetings[i]),
                "已付定金": "是" if st == "重要" else ("否" if deposit_no[i] else None),
                "潜力评分": int(potential[i]), "需求评分": int(need[i]),
                "最近拜访日期": typed(prospect_visit_ago[i], style[i, 3]) if has_visit[i] else None,
            })
        else:
            row.update({"客户状态": "流失", "上年投放额(万元)": float(lost_prev[i]),
                        "最近合作日期": typed(lost_ago[i], style[i, 1])})
        rows.append([row[h] for h in HEADERS])

    planted: list[PlantedProblem] = []
    col = {h: j for j, h in enumerate(HEADERS)}

    def plant(i: int, header: str, value: Any, what: str) -> None:
        rows[i][col[header]] = value
        planted.append(PlantedProblem(i + TABLE_FIRST_ROW, header, what))

    current_rows = [i for i in range(1, len(rows)) if rows[i][col["客户状态"]] in ("合作中", "现有")]
    unbilled = [i for i in range(1, len(rows)) if rows[i][col["年度投放额(万元)"]] in (None, "")
                and i not in current_rows[:11]]
    # a small book may lack the eleven current clients and the client without billings they need
    if plant_problems and len(current_rows) >= 11 and unbilled:
        plant(current_rows[0], "年度投放额(万元)", "1.2亿", "amount typed as text with its own unit (valid)")
        planted.pop()  # a valid text amount, not a problem
        plant(current_rows[1], "年度投放额(万元)", "约50万", "amount with a word in it")
        plant(current_rows[2], "最近拜访日期", "2026-02-30", "impossible date")
        plant(current_rows[3], "最近拜访日期", dt.datetime.combine(today + dt.timedelta(days=40), dt.time()),
              "visit dated in the future")
        # on a client without billings this year: an unknown status beside an amount could be the
        # largest current client and would withhold every Pareto tier (SPEC 4.1)
        unbilled.sort(key=lambda i: rows[i][col["客户状态"]] != "流失")  # a lost client first, else a prospect
        plant(unbilled[0], "客户状态", "合作过", "unknown status")
        plant(current_rows[5], "付款逾期", "也许", "not a yes/no")
        plant(current_rows[6], "需求评分", 8, "score out of range")
        plant(current_rows[7], "合作次数", 2.5, "count that is not whole")
        dup_source = rows[current_rows[8]][col["客户编号"]]
        plant(current_rows[9], "客户编号", dup_source, "duplicate client ID")
        planted.append(PlantedProblem(current_rows[8] + TABLE_FIRST_ROW, "客户编号", "duplicate client ID"))
        plant(current_rows[10], "锁定等级", "S", "unknown pinned tier")
    return rows, planted


TITLE_ROW = 1  # Excel row of the title
TABLE_HEADER_ROW = 3  # Excel row of the header
TABLE_FIRST_ROW = TABLE_HEADER_ROW  # Excel row of data row i is i + TABLE_FIRST_ROW (i counts the header as 0)


def write_demo_workbook(path: str | Path, n_clients: int = 300, seed: int = 2026, today: dt.date | None = None,
                        settings: Settings | None = None) -> list[PlantedProblem]:
    """Write a new demo workbook (client book as an Excel table under a title row, plus
    Settings and Holidays sheets); returns the planted problems. Overwrites ``path``."""
    import xlsxwriter  # only needed for creating new files

    today = today or dt.date.today()
    settings = settings or Settings()
    rows, planted = demo_book(n_clients, seed, today)
    wb = xlsxwriter.Workbook(str(path))
    title = wb.add_format({"bold": True, "font_size": 14})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    money_fmt = wb.add_format({"num_format": "#,##0.0"})
    ws = wb.add_worksheet("客户台账")
    ws.write(TITLE_ROW - 1, 0, f"客户台账（截至 {today:%Y年%m月%d日}）", title)
    header_index = TABLE_HEADER_ROW - 1
    last_row = header_index + len(rows) - 1
    ws.add_table(header_index, 0, last_row, len(HEADERS) - 1, {
        "name": "客户表", "style": "Table Style Medium 2",
        "columns": [{"header": h} for h in HEADERS],
    })
    for i, row in enumerate(rows[1:], start=header_index + 1):
        for j, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, dt.datetime):
                ws.write_datetime(i, j, v, date_fmt)
            elif isinstance(v, float):
                ws.write_number(i, j, v, money_fmt)
            elif isinstance(v, str):
                ws.write_string(i, j, v)
            else:
                ws.write(i, j, v)
    widths = {"客户名称": 28, "客户经理": 9, "客户编号": 9}
    for j, h in enumerate(HEADERS):
        ws.set_column(j, j, widths.get(h, max(9, len(h) * 1.6)))
    ws.freeze_panes(header_index + 1, 2)
    # A total row under the table, as agencies often keep one.
    ws.write(last_row + 2, 1, "合计")
    ws.write_formula(last_row + 2, HEADERS.index("年度投放额(万元)"),
                     "=SUBTOTAL(109,客户表[年度投放额(万元)])", money_fmt)

    s = wb.add_worksheet("设置")
    for r, row in enumerate(settings_rows(settings)):
        for c, v in enumerate(row):
            if v is not None:
                s.write(r, c, v)
    s.set_column(0, 0, 24)
    s.set_column(1, 1, 14)
    s.set_column(2, 2, 48)
    s.set_column(3, 3, 20)

    h = wb.add_worksheet("节假日")
    h.write_row(0, 0, ["日期", "类型", "名称"])
    h.write(0, 4, "在此填写公司额外假期或国务院公布的次年放假安排：类型为「放假」或「调休上班」。")
    h.set_column(0, 0, 14)
    h.set_column(2, 2, 30)
    # where the Excel functions' hidden arguments find Settings and Holidays (udf_support)
    wb.define_name(SETTINGS_NAME, "='设置'!$A$1")
    wb.define_name(HOLIDAYS_NAME, "='节假日'!$A$1")
    wb.close()
    return planted
