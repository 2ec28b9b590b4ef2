"""A corpus of client books (客户台账) "made by other makers", each with its truth.

Every builder writes one workbook into a folder it is given (nothing binary is committed) and
returns the truth about it: which header means which field, the unit of the money columns,
the real clients (no group labels, subtotals, totals, notes or titles), their billings in
yuan and their status, the fields a careful reader must refuse (missing or ambiguous) and
the cells it must report.  `tests/test_client_books.py` runs ``xlclient refresh`` on each
and checks the reading against this truth; the tiers are computed there, not here.

How the books were chosen
-------------------------
Not from the product's code: from how agencies actually keep their books.  Who makes the
file (a person typing in Excel or WPS, an Excel table, a CRM or finance system export, a
data-team script, pandas, Google Sheets), where it comes from (mainland 4A and local
agencies, media buying agencies that deal with 代理商 as well as 品牌方, Hong Kong and
Taiwan offices, an English-speaking international agency), and the habits of those
makers: titles and banners, units written wherever there was room, subtotals per AE or per
region, notes under the table, blocks per status, hidden columns, sheets that also look like
client lists (a summary by AE, a contacts list), and the columns that sit next to the real
one and mean something else -- the client's contact next to the AE, the creator of a CRM
record next to its owner, lifetime or last-year spend next to last-12-months spend, a
prospect's expected budget next to actual spend, rebates next to billings, a 客户类型 that
is a personality or an industry.  Each book mixes several of these and no two books are
alike.  Eight books (refuse_*) cannot be read for billings, owner or status and a careful
reader must say so out loud; the finance book has no visit date, which must be reported too.

Beyond the brief's examples the corpus adds: a media agency's book (客户类别 代理商/品牌方/
直客, 投放状态 在投/洽谈中/已停投, a 返点 column); a 4A English book (Account Lead vs Client
Contact, Retained/Project/New Business/Lost, RMB mn); a Hong Kong book in HK$'000 with
dd/mm/yyyy dates; a Taiwan book with 民國 dates (115/03/05) and NT$ amounts; a CRM export
with 创建人/负责人 and 创建时间/最后跟进时间; 累计投放额 beside 近12个月投放额; 预计年度预算
beside 今年已投放; a hidden 上年营业额 column; monthly columns with and without an annual
total; a pandas export with a MultiIndex header (and pandas' blank index-name row); a
summary sheet and a contacts sheet placed before the client sheet; ties that straddle the
80 % and 95 % Pareto boundaries; dotted dates (2026.3.5); formulas with cached values.

The books (id: what it tests)
-----------------------------
hand_typed_title_banner      hand-typed Excel: merged title, 更新日期 line, header at B4, 序号,
                             data validation on 客户状态, a blank row, 注/制表人 notes; 万元 in
                             header; Excel dates.
wps_grouped_by_ae            WPS (app.xml, KSO properties), Sheet1..3; rows grouped by AE with
                             the AE's name alone on a row, `张伟 小计` rows and 总计; 客户/跟进人/
                             合作情况/签约金额/万/上次见面; text dates 2026/3/5.
excel_table_bilingual        Excel table (ListObject) at B3 with a totals row, bilingual headers
                             `Client 客户`, `Billings 投放额 (RMB 10k)`; 洽谈中; a 说明 sheet.
crm_export_en_us_dates       English CRM export: Account ID/Name/Owner/Status (Active/Prospect/
                             Churned), Annual Revenue as text, Last Activity `3/5/2026`, Created
                             Date beside it.
crm_export_zh_wide           Chinese CRM export, ~18 columns: 创建人 vs 负责人, 创建时间 vs
                             最后跟进时间 (text datetimes), 成交金额(元) as `1,250,000.00` text,
                             成交客户/意向客户/流失客户.
finance_wanyuan_banner       finance sheet: title, 编制单位 line and `单位：万元` banner, 本年收入
                             and 毛利 with no unit of their own, 合计 row, 数据来源/制表人 notes;
                             no visit date at all -> last_visit refused (tiers still given).
openpyxl_formula_headers     a script wrote every header (and the title) as a formula `="…"`
                             with no cached value; amounts in yuan without a unit.
pandas_index_export          pandas to_excel with an unnamed index column; 客户/所属AE/客户性质
                             (老客户/意向客户/已停止合作)/年度消耗/最近走访; NaN billings.
pandas_multiindex_years      pandas MultiIndex header: `客户信息` over 客户名称/负责销售/客户状态,
                             `投放额（万元）` over 2025年/2026年, pandas' index-name row; billings
                             = 2026年 in 万元 (unit only in the group header).
google_sheets_export         Google-Sheets-like: Arial, checkboxes (TRUE/FALSE), `Spend (¥)` with
                             a currency number format, Active/Pipeline/Churned.
tw_traditional_roc_dates     Taiwan 繁體: 客戶名稱/業務負責人/往來狀態(往來中/開發中/已停止往來)/
                             年度營業額(新台幣)/最近拜訪日 in 民國 text dates, 聯絡人 column
                             (NT$ amounts: read with unit 1, or refused as not yuan).
hk_bilingual_hkd_thousands   Hong Kong: `客戶 Client`, `客戶經理 AE`, `營業額 Billings (HK$'000)`
                             (unit 1000 in HK$; a reader may instead refuse HK$ as not yuan),
                             Active/Pitching/Lost, dd/mm/yyyy dates, 聯絡人 Contact.
fourA_english_rmb_million    4A English: Account Lead vs Client Contact, Retained/Project/New
                             Business/Lost, `FY26 Billings (RMB mn)`, `Fee Income (RMB mn)`.
media_agency_rebate          media agency: 客户类别 代理商/品牌方/直客 (not a status), 对接销售,
                             投放状态 在投/洽谈中/已停投, 年度消耗（万元）, a 返点（万元） column,
                             毛利（万元）, 最近走访.
client_type_is_status        客户类型 holds 现有客户/潜在客户/流失客户 (the status); 编号; 负责销售;
                             广告预算(万元); dates `2026年3月5日`; a hidden 客户地址 column.
client_type_personality      客户类型 holds 理智型/犹豫型… (not the status; 客户状态 is);
                             归属销售 with 客户联系人 beside it; 合同额(万).
contact_next_to_ae           header at C3; `客户名称 Client Name`; 对接人 + 对接人电话 before 所属AE;
                             `投放额 万RMB`; ISO text dates.
ids_in_kehu_column           `客户` holds IDs (KH-2026-001) and `客户名称` the names; 营业额(元)
                             with `3,500元` text; 首次/最近合作日期; text dates 2026/3/5.
monthly_with_annual_total    `2026年投放（万元）` group over 1月…12月 and 全年合计 (a SUM formula
                             with cached values): billings = 全年合计, unit from the group.
multi_block_by_status        one sheet, three blocks (一、现有客户 / 二、潜在客户 / 三、流失客户),
                             each with its own title and repeated header, a `小计：` row.
merged_owner_region          大区 and 销售 merged down their rows, `华东区合计` rows, 全国总计,
                             `投放金额（含税,万元）`, 注 line.
wan_currency_signs_conflict  a 万元 column with ¥48.1, ￥120, RMB 35, CNY 12.5, 86万 and one
                             `48.1元` that conflicts (must be reported); 毛利（万元）.
unitless_text_amounts        no unit anywhere: 1250000, `120万`, `1.2亿`, `3,500元`, `12.5k`,
                             `¥86,000`; 业务员; serial-number dates in General format.
summary_and_contacts_first   sheet order 汇总 (by AE: 客户经理/投放额合计) / 联系人 (客户名称/联系人)
                             / 客户明细 (the table) / 填写说明; blank rows in the table.
notes_above_header_breaks    three 注 lines between title and header; header at D6 with line
                             breaks (`年度投放额\\n(万元)`) and a trailing space.
cumulative_vs_last12         累计投放额(万元) (lifetime) beside 近12个月投放额(万元) and
                             近12个月毛利(万元); 首次合作日期.
budget_vs_spend_stage        预计年度预算（万元） beside 今年已投放（万元）; 跟进阶段 for prospects;
                             跟进人; 现有/意向/流失.
finance_qianyuan_two_level   `金额单位：千元` banner, `客户信息` / `2026年1-10月` / `拜访` group
                             headers, 营业额 + 毛利, 业务负责人, a hidden 上年营业额, 合计 row.
wps_ties_w_unit              WPS Sheet1, `消耗(w)`, dotted dates 2026.3.5, autofilter, validation,
                             equal billings straddling the 80 % and 95 % boundaries.
refuse_no_billings           a contacts-style book (联系人/职务/电话/地址): no billings -> refused.
refuse_billings_twice        `投放额（万元）` twice in one header row with different numbers.
refuse_contract_vs_spend     `合同金额（万元）` and `年度投放额（万元）` with different numbers.
refuse_monthly_no_total      1月…12月 under `2026年月度投放（万元）` and no total: no column is the
                             billings (picking a month is silently wrong; summing is a guess).
refuse_owner_missing         a director's key-account list: no AE column; 客户联系人 is not one.
refuse_owner_competing       客户经理 and 负责人 with different people on the same rows.
refuse_status_reconciliation 状态 holds 已对账/未对账/对账中: not a client status.
refuse_status_missing        no status column; 客户类型 holds industries (快消/汽车/…): status told
                             by billings, lost clients cannot be told (said once).

Values are generated from fixed seeds; billings are drawn so that no current client's
Pareto share lies within 1e-4 of 80 % or 95 % (except where ties are planted on purpose).
"""

from __future__ import annotations

import datetime as dt
import math
import random
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace
from typing import Callable

import openpyxl
import pandas as pd
import xlsxwriter
from openpyxl.styles import Font

TODAY = dt.date(2026, 11, 20)


# --------------------------------------------------------------------------- pools

CITIES = "北京 上海 广州 深圳 杭州 南京 苏州 成都 武汉 西安 重庆 天津 长沙 郑州 青岛 厦门 宁波 合肥 福州 济南 昆明 无锡 佛山 东莞".split()
CORES = ("星河 远景 恒信 嘉禾 润泽 蓝海 凯盛 鼎丰 金穗 瑞丰 天禾 明德 众诚 华远 新锐 博雅 万象 优品 云帆 安居 "
         "康宁 锦绣 盛世 宏图 汇通 佳美 悦享 青禾 睿思 启航 晨光 和信 永泰 海纳 拓新 微光 朗悦 知味 森屿 木棉").split()
INDUSTRY_WORDS = "食品 乳业 汽车 置业 科技 教育 医药 美妆 电器 酒业 饮料 服饰 保险 文旅 电商 母婴 家居 通信 游戏 物流".split()
SUFFIXES = ["有限公司", "股份有限公司", "（集团）有限公司", "实业有限公司"]
INDUSTRIES = "快消 汽车 房地产 互联网 教育 医药健康 美妆个护 家电 酒水饮料 金融保险 文旅 母婴 3C数码".split()
REGIONS = "华东 华南 华北 华中 西南 西北 东北".split()

CORES_T = ("星河 遠景 恆信 嘉禾 潤澤 藍海 凱盛 鼎豐 金穗 瑞豐 天禾 明德 眾誠 華遠 新銳 博雅 萬象 優品 雲帆 安居 "
           "康寧 錦繡 盛世 宏圖 匯通 佳美 悅享 青禾 睿思 啟航").split()
INDUSTRY_WORDS_T = "食品 乳業 汽車 建設 科技 教育 醫藥 美妝 電器 酒業 飲料 服飾 保險 旅遊 電商 家居 通訊 遊戲".split()
INDUSTRIES_T = "快速消費品 汽車 不動產 網路 教育 醫療保健 美妝 家電 餐飲 金融 觀光 3C".split()
CITIES_TW = "台北 新北 桃園 台中 台南 高雄 新竹".split()

EN_FIRST = ("Starriver Evergreen Lumina Harbor Summit Jade Bluewave Sunrise Redwood Silverline Northwind "
            "Pinecrest Oakridge Brightpath Crescent Horizon Maple Orchid Phoenix Zenith Coral Aurora Vista "
            "Goldleaf Meadow Kestrel Lotus Nimbus").split()
EN_SECOND = ("Foods Dairy Motors Cosmetics Beverage Pharma Apparel Electronics Insurance Realty Travel "
             "Games Home Tech Telecom Babycare Logistics Wines").split()
EN_SUFFIX = ["", " Co., Ltd.", " (China)", " Group", " Holdings"]

OWNERS_CN = "张伟 李娜 王磊 刘洋 陈静 杨帆 赵敏 孙浩 周婷 吴昊 何佳 马超 胡明 林晓 高远 郭倩".split()
CONTACTS_CN = "冯晓燕 许志强 韩冬 曹雪 邓建国 彭丽 蒋涛 沈洋 卢秀英 谢晨 唐亮 宋佳琪 董浩然 袁芳 潘俊 杜鹃 叶青 程刚 蔡敏 丁一凡".split()
OWNERS_TW = "陳怡君 林志明 黃淑芬 張家豪 李美玲 王建宏".split()
CONTACTS_TW = "吳佩珊 蔡宗翰 劉雅婷 楊冠宇 許志偉 鄭詩涵 謝孟儒 洪嘉玲".split()
OWNERS_HK = "Karen Chan|Jacky Wong|Winnie Lau|Raymond Cheung|Joyce Ho".split("|")
CONTACTS_EN = "Michael Tan|Sarah Lim|David Ng|Rachel Goh|Peter Yip|Emily Kwok|Daniel Fung|Olivia Mak|Henry Lo|Sophia Tse".split("|")
OWNERS_EN = "Kevin Zhang|Amy Li|Jason Wang|Cindy Liu|Eric Chen|Grace Zhou|Tony Huang|Vivian Xu".split("|")


# --------------------------------------------------------------------------- clients

@dataclass
class C:
    """One generated client; `amt` is billings in the book's own unit (Decimal), `yuan` in yuan."""
    name: str
    owner: str
    status: str  # current / prospect / lost
    amt: Decimal | None
    yuan: Decimal | None
    gp: Decimal | None  # gross profit in the book's unit
    last_visit: dt.date | None
    first_order: dt.date | None
    last_order: dt.date | None
    orders: int | None
    industry: str
    region: str
    contact: str
    phone: str
    stage: str | None
    cid: str = ""
    extra: dict = field(default_factory=dict)


def pareto_shares(values: dict[str, Decimal]) -> dict[str, Fraction]:
    """Share of the total held by clients with strictly greater values (exact)."""
    vals = {k: Fraction(v) for k, v in values.items() if v is not None and v > 0}
    total = sum(vals.values())
    return {k: sum((w for w in vals.values() if w > v), Fraction(0)) / total for k, v in vals.items()}


def pareto_margin_ok(clients: list[C], margin: float = 1e-4) -> bool:
    shares = pareto_shares({c.name: c.yuan for c in clients if c.status == "current"})
    return all(abs(float(s) - b) > margin for s in shares.values() for b in (0.80, 0.95))


def _name(rng: random.Random, style: str) -> str:
    if style == "cn_full":
        return f"{rng.choice(CITIES)}{rng.choice(CORES)}{rng.choice(INDUSTRY_WORDS)}{rng.choice(SUFFIXES)}"
    if style == "cn_short":
        return f"{rng.choice(CORES)}{rng.choice(INDUSTRY_WORDS)}"
    if style == "cn_mixed":
        return _name(rng, rng.choice(["cn_full", "cn_short", "cn_short"]))
    if style == "tw":
        core = f"{rng.choice(CORES_T)}{rng.choice(INDUSTRY_WORDS_T)}"
        return core + rng.choice(["股份有限公司", "股份有限公司", "有限公司", ""])
    if style == "en":
        return f"{rng.choice(EN_FIRST)} {rng.choice(EN_SECOND)}{rng.choice(EN_SUFFIX)}"
    if style == "hk":
        return f"{rng.choice(EN_FIRST)} {rng.choice(EN_SECOND)} {rng.choice(['Limited', 'Ltd', 'Company Limited', '(HK) Ltd'])}"
    raise ValueError(style)


def quant(x: float, decimals: int) -> Decimal:
    q = Decimal(1).scaleb(-decimals)
    d = Decimal(repr(x)).quantize(q)
    return d if d > 0 else q


def gen(seed: int, n: int, *, names: str = "cn_full", owners=None, mix=(0.65, 0.22), unit: int = 10000,
        decimals: int = 1, lo: float = 3e4, hi: float = 3e7, blanks: int = 1, gp: bool = False,
        industries=INDUSTRIES, regions=REGIONS, contacts=CONTACTS_CN, stages=None) -> list[C]:
    """`n` clients: `mix` = shares of current and prospect (the rest lost); billings log-uniform
    in [lo, hi] yuan, rounded to the book's unit and decimals; `blanks` current clients have no
    billings.  Retried with the next sub-seed until no Pareto share is near a boundary."""
    owners = owners or OWNERS_CN[:4]
    stages = stages or ["意向", "准客户", "主要", "重要", "暂缓"]
    for attempt in range(200):
        rng = random.Random(seed * 1000 + attempt)
        n_cur = round(n * mix[0])
        n_pro = round(n * mix[1])
        statuses = ["current"] * n_cur + ["prospect"] * n_pro + ["lost"] * (n - n_cur - n_pro)
        rng.shuffle(statuses)
        seen: set[str] = set()
        out: list[C] = []
        blank_left = blanks
        for i, st in enumerate(statuses):
            nm = _name(rng, names)
            while nm in seen:
                nm = _name(rng, names)
            seen.add(nm)
            y = math.exp(rng.uniform(math.log(lo), math.log(hi)))
            amt: Decimal | None
            if st == "current":
                if blank_left and i > 2 and rng.random() < 0.3:
                    amt, blank_left = None, blank_left - 1
                else:
                    amt = quant(y / unit, decimals)
            elif st == "lost":
                amt = quant(y / unit / 4, decimals) if rng.random() < 0.5 else None
            else:
                amt = quant(min(y, lo * 3) / unit, decimals) if rng.random() < 0.2 else None
            g = quant(float(amt) * rng.uniform(0.08, 0.3), decimals) if (gp and amt is not None) else None
            first = TODAY - dt.timedelta(days=rng.randint(200, 2800)) if st != "prospect" else None
            last_o = (first + dt.timedelta(days=rng.randint(0, (TODAY - first).days - 30))) if first else None
            if st == "current":
                lv = TODAY - dt.timedelta(days=rng.randint(3, 120))
            elif st == "prospect":
                lv = TODAY - dt.timedelta(days=rng.randint(5, 200)) if rng.random() > 0.1 else None
            else:
                lv = TODAY - dt.timedelta(days=rng.randint(120, 500))
            out.append(C(
                name=nm, owner=rng.choice(owners), status=st, amt=amt,
                yuan=None if amt is None else amt * unit, gp=g, last_visit=lv, first_order=first,
                last_order=last_o,
                orders={"current": rng.randint(1, 24), "lost": rng.randint(1, 6), "prospect": 0}[st],
                industry=rng.choice(industries), region=rng.choice(regions), contact=rng.choice(contacts),
                phone=f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}",
                stage=rng.choice(stages) if st == "prospect" else None,
            ))
        if blank_left == 0 or blanks == 0:
            if pareto_margin_ok(out) and any(c.status == "current" and c.yuan for c in out):
                return out
    raise RuntimeError("no safe draw")


def set_amt(c: C, amt: Decimal | None, unit) -> None:
    c.amt = amt
    c.yuan = None if amt is None else amt * Decimal(unit)


# --------------------------------------------------------------------------- truth

def make_truth(sheet: str, fields: dict[str, str], units: dict[str, float], clients: list[C], *,
               refuse=(), bad_cells=(), units_may_be_null=(), formula_cells=None, yuan=None,
               may_refuse=()) -> dict:
    """`yuan` overrides the billings of some clients (a conflicting cell -> None: unreadable).

    `units_may_be_null`: money fields whose column declares no unit (values are yuan): the
    reading may give their unit as 1 or null.  `may_refuse`: fields a reader may either read
    or refuse for a stated reason (amounts in a foreign currency: HK$, NT$ -- tiers are the
    same in any currency, but a reader may decline to treat them as yuan); when refused, the
    results that need them are empty as for `refuse`."""
    yuan = yuan or {}
    if "billings" in refuse:  # the book gives no billings a reader could use
        yuan = {c.name: None for c in clients}
    return {
        "sheet": sheet,
        "fields": dict(fields),
        "units": dict(units),
        "units_may_be_null": list(units_may_be_null),
        "clients": [c.name for c in clients],
        "billings_yuan": {c.name: (yuan[c.name] if c.name in yuan else c.yuan) for c in clients},
        # clients whose billings cell holds an amount that cannot be read (SPEC 4.1: Pareto
        # tiers withheld), as opposed to a blank one (that client alone untiered)
        "billings_unreadable": [c.name for c in clients if c.name in yuan and yuan[c.name] is None],
        "status": {c.name: c.status for c in clients},
        "refuse": list(refuse),
        "bad_cells": [tuple(b) for b in bad_cells],
        "formula_cells": dict(formula_cells or {}),
        "may_refuse": list(may_refuse),
    }


# --------------------------------------------------------------------------- writing helpers

def fmts(wb: xlsxwriter.Workbook, date_fmt: str = "yyyy-mm-dd", font: str | None = None) -> SimpleNamespace:
    base = {"font_name": font} if font else {}
    f = lambda **kw: wb.add_format({**base, **kw})  # noqa: E731
    return SimpleNamespace(
        date=f(num_format=date_fmt), bold=f(bold=True), head=f(bold=True, bg_color="#D9E1F2", border=1,
                                                                  align="center", valign="vcenter",
                                                                  text_wrap=True),
        title=f(bold=True, font_size=16, align="center", valign="vcenter"), num=f(num_format="#,##0.00"),
        num1=f(num_format="0.0"), int=f(num_format="#,##0"), text=f(num_format="@"),
        group=f(bold=True, bg_color="#FFF2CC"), sub=f(bold=True, bg_color="#F2F2F2", num_format="#,##0.00"),
        note=f(italic=True, font_color="#595959"), plain=f(),
    )


def w(ws, r: int, c: int, v, F: SimpleNamespace, fmt=None) -> None:
    """Write one value (0-based r, c) as the type a person would have typed."""
    if v is None:
        if fmt is not None:
            ws.write_blank(r, c, None, fmt)
        return
    if isinstance(v, bool):
        ws.write_boolean(r, c, v, fmt)
    elif isinstance(v, dt.datetime):
        ws.write_datetime(r, c, v, fmt or F.date)
    elif isinstance(v, dt.date):
        ws.write_datetime(r, c, dt.datetime(v.year, v.month, v.day), fmt or F.date)
    elif isinstance(v, Decimal):
        ws.write_number(r, c, float(v), fmt)
    elif isinstance(v, (int, float)):
        ws.write_number(r, c, v, fmt)
    else:
        ws.write_string(r, c, str(v), fmt)


def write_row(ws, r: int, c0: int, values, F, fmt=None, fmts_by_col: dict | None = None) -> None:
    for j, v in enumerate(values):
        w(ws, r, c0 + j, v, F, (fmts_by_col or {}).get(j, fmt))


def ymd_slash(d):  # 2026/3/5
    return None if d is None else f"{d.year}/{d.month}/{d.day}"


def ymd_cn(d):  # 2026年3月5日
    return None if d is None else f"{d.year}年{d.month}月{d.day}日"


def mdy_us(d):  # 3/5/2026
    return None if d is None else f"{d.month}/{d.day}/{d.year}"


def roc(d):  # 115/03/05
    return None if d is None else f"{d.year - 1911}/{d.month:02d}/{d.day:02d}"


def dotted(d):  # 2026.3.5
    return None if d is None else f"{d.year}.{d.month}.{d.day}"


def serial(d):
    return None if d is None else (d - dt.date(1899, 12, 30)).days


def status_word(c: C, words: tuple[str, str, str]) -> str:
    return words[("current", "prospect", "lost").index(c.status)]


def patch_wps(path: Path) -> None:
    """Make the file look saved by WPS 表格 (docProps/app.xml), as WPS books are."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "docProps/app.xml":
                data = data.replace(b"<Application>Microsoft Excel</Application>",
                                    b"<Application>WPS \xe8\xa1\xa8\xe6\xa0\xbc</Application>")
            zout.writestr(item, data)
    tmp.replace(path)


def by_owner(clients: list[C]) -> list[C]:
    order = list(dict.fromkeys(c.owner for c in clients))
    return sorted(clients, key=lambda c: order.index(c.owner))


# =========================================================================== books

def hand_typed_title_banner(folder: Path) -> tuple[Path, dict]:
    path = folder / "2026客户台账.xlsx"
    cl = gen(101, 24, names="cn_full", owners=OWNERS_CN[:4], blanks=1)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb, "yyyy/m/d", font="宋体")
    ws = wb.add_worksheet("客户台账")
    heads = ["序号", "客户名称", "所属行业", "客户经理", "客户状态", "年度投放额(万元)", "合作次数", "最近拜访日期"]
    ws.merge_range(0, 1, 0, 8, "上海晨星广告有限公司  2026年度客户台账", F.title)
    ws.set_row(0, 30)
    ws.merge_range(1, 6, 1, 8, "更新日期：2026年10月31日", F.plain)
    write_row(ws, 3, 1, heads, F, F.head)
    r = 4
    for i, c in enumerate(cl, 1):
        if i == 13:
            r += 1  # someone deleted a client's contents and left the row
        write_row(ws, r, 1, [i, c.name, c.industry, c.owner, status_word(c, ("现有", "潜在", "流失")),
                             c.amt, c.orders if c.status != "prospect" else None, c.last_visit], F,
                  fmts_by_col={5: F.num1, 7: F.date})
        r += 1
    ws.data_validation(4, 5, r, 5, {"validate": "list", "source": ["现有", "潜在", "流失"]})
    ws.write_string(r + 1, 1, "注：1. 投放额为近12个月含税投放；2. 客户状态每月底由客户经理更新。", F.note)
    ws.write_string(r + 2, 1, "制表人：李娜        审核：王磊", F.note)
    ws.freeze_panes(4, 3)
    ws.set_column(2, 2, 30)
    wb.close()
    return path, make_truth("客户台账", {
        "name": "客户名称", "industry": "所属行业", "owner": "客户经理", "status": "客户状态",
        "billings": "年度投放额(万元)", "orders": "合作次数", "last_visit": "最近拜访日期"},
        {"billings": 10000}, cl)


def wps_grouped_by_ae(folder: Path) -> tuple[Path, dict]:
    path = folder / "客户跟进表.xlsx"
    cl = by_owner(gen(102, 20, names="cn_short", owners=["张伟", "陈静", "孙浩"], blanks=0))
    wb = xlsxwriter.Workbook(path)
    wb.set_custom_property("KSOProductBuildVer", "2052-12.1.0.16120")
    wb.set_custom_property("ICV", "8A1C2E3F4B5D4E6F8A9B0C1D2E3F4A5B")
    F = fmts(wb, font="宋体")
    ws = wb.add_worksheet("Sheet1")
    wb.add_worksheet("Sheet2")
    wb.add_worksheet("Sheet3")
    ws.merge_range(0, 0, 0, 5, "客户跟进表（按销售分组）", F.title)
    write_row(ws, 1, 0, ["客户", "跟进人", "合作情况", "签约金额/万", "上次见面", "备注"], F, F.head)
    r = 2
    grand = Decimal(0)
    notes = ["年底续约", "", "竞品在接触", "预算待批", "", "新品上市", "", "老板亲自对接"]
    for owner in dict.fromkeys(c.owner for c in cl):
        ws.write_string(r, 0, owner, F.group)
        r += 1
        sub = Decimal(0)
        for c in (c for c in cl if c.owner == owner):
            write_row(ws, r, 0, [c.name, c.owner, status_word(c, ("合作中", "意向", "已流失")), c.amt,
                                 ymd_slash(c.last_visit), notes[r % len(notes)] or None], F,
                      fmts_by_col={3: F.num1})
            sub += c.amt or 0
            r += 1
        ws.write_string(r, 0, f"{owner} 小计", F.sub)
        ws.write_number(r, 3, float(sub), F.sub)
        grand += sub
        r += 1
    ws.write_string(r, 0, "总计", F.sub)
    ws.write_number(r, 3, float(grand), F.sub)
    wb.close()
    patch_wps(path)
    return path, make_truth("Sheet1", {
        "name": "客户", "owner": "跟进人", "status": "合作情况", "billings": "签约金额/万", "last_visit": "上次见面"},
        {"billings": 10000}, cl)


def excel_table_bilingual(folder: Path) -> tuple[Path, dict]:
    path = folder / "Client Book FY2026.xlsx"
    cl = gen(103, 28, names="cn_full", owners=OWNERS_CN[4:9], blanks=1)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("Clients 客户")
    ws.write_string(0, 1, "Client Book 客户台账 FY2026", F.title)
    heads = ["Client 客户", "Industry 行业", "AE 客户经理", "Status 状态", "Billings 投放额 (RMB 10k)",
             "Last Visit 上次拜访"]
    first, last = 2, 2 + len(cl) + 1  # header row, data, totals row
    total = sum((c.amt or 0) for c in cl)
    cols = [{"header": h} for h in heads]
    cols[0]["total_string"] = "Total 合计"
    cols[4].update(total_function="sum", total_value=float(total), format=F.num)
    cols[5]["format"] = F.date
    ws.add_table(first, 1, last, 6, {"name": "tblClientBook", "style": "Table Style Medium 2",
                                     "columns": cols, "total_row": True})
    for i, c in enumerate(cl):
        write_row(ws, first + 1 + i, 1, [c.name, c.industry, c.owner,
                                         status_word(c, ("合作中", "洽谈中", "已流失")), c.amt, c.last_visit],
                  F, fmts_by_col={4: F.num, 5: F.date})
    ws.set_column(1, 1, 34)
    ws.set_column(5, 6, 18)
    notes = wb.add_worksheet("说明 Notes")
    for i, t in enumerate(["填写说明 / How to fill in",
                           "1. 每个客户一行；Status 只填 合作中 / 洽谈中 / 已流失。",
                           "2. Billings 为近12个月投放，单位：万元 (RMB 10k)。",
                           "3. Last Visit 填最近一次面访日期。"]):
        notes.write_string(i, 0, t)
    wb.close()
    return path, make_truth("Clients 客户", {
        "name": "Client 客户", "industry": "Industry 行业", "owner": "AE 客户经理", "status": "Status 状态",
        "billings": "Billings 投放额 (RMB 10k)", "last_visit": "Last Visit 上次拜访"}, {"billings": 10000}, cl)


def crm_export_en_us_dates(folder: Path) -> tuple[Path, dict]:
    path = folder / "report1730712345678.xlsx"
    cl = gen(104, 40, names="en", owners=OWNERS_EN[:5], unit=1, decimals=2, blanks=1,
             contacts=CONTACTS_EN, industries=["Consumer Goods", "Automotive", "Real Estate", "Internet",
                                               "Education", "Healthcare", "Beauty", "Financial Services"])
    rng = random.Random(104)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("Accounts")
    heads = ["Account ID", "Account Name", "Account Owner", "Account Status", "Industry", "Billing City",
             "Annual Revenue", "Last Activity", "Created Date", "Phone"]
    write_row(ws, 0, 0, heads, F, F.bold)
    cities = ["Shanghai", "Beijing", "Shenzhen", "Guangzhou", "Hangzhou", "Chengdu"]
    for i, c in enumerate(cl, 1):
        c.cid = "0015g00000" + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(8))
        created = dt.datetime(2023, 1, 1) + dt.timedelta(minutes=rng.randint(0, 900_000))
        write_row(ws, i, 0, [c.cid, c.name, c.owner, status_word(c, ("Active", "Prospect", "Churned")),
                             c.industry, rng.choice(cities), None if c.amt is None else f"{c.amt:.2f}",
                             mdy_us(c.last_visit), created.strftime("%-m/%-d/%Y %-I:%M %p"),
                             f"+86 {c.phone}"], F)
    wb.close()
    return path, make_truth("Accounts", {
        "client_id": "Account ID", "name": "Account Name", "owner": "Account Owner", "status": "Account Status",
        "industry": "Industry", "billings": "Annual Revenue", "last_visit": "Last Activity"},
        {"billings": 1}, cl, units_may_be_null=["billings"])


def crm_export_zh_wide(folder: Path) -> tuple[Path, dict]:
    path = folder / "客户_导出_20261101.xlsx"
    cl = gen(105, 45, names="cn_full", owners=OWNERS_CN[:6], unit=1, decimals=2, blanks=2)
    rng = random.Random(105)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("客户")
    heads = ["客户编号", "客户名称", "客户状态", "客户来源", "行业", "省份", "城市", "详细地址", "负责人",
             "负责人主属部门", "创建人", "创建时间", "最后修改人", "最后修改时间", "最后跟进时间",
             "成交金额(元)", "合作次数", "备注"]
    write_row(ws, 0, 0, heads, F)
    provinces = [("上海", "上海市"), ("广东", "深圳市"), ("浙江", "杭州市"), ("北京", "北京市"), ("四川", "成都市")]
    for i, c in enumerate(cl, 1):
        c.cid = f"CUS{20240000 + 37 * i}"
        prov, city = rng.choice(provinces)
        creator = rng.choice(OWNERS_CN[:8])  # who typed the record in: often not the owner
        created = dt.datetime(2024, 1, 1) + dt.timedelta(seconds=rng.randint(0, 40_000_000))
        modified = created + dt.timedelta(seconds=rng.randint(0, 20_000_000))
        follow = (dt.datetime.combine(c.last_visit, dt.time(rng.randint(9, 18), rng.randint(0, 59),
                                                                rng.randint(0, 59)))
                  if c.last_visit else None)
        write_row(ws, i, 0, [
            c.cid, c.name, status_word(c, ("成交客户", "意向客户", "流失客户")),
            rng.choice(["展会", "转介绍", "官网", "电话营销", "老客户推荐"]), c.industry, prov, city,
            f"{city}{rng.choice(['浦东新区', '南山区', '西湖区', '朝阳区', '高新区'])}{rng.randint(1, 999)}号",
            c.owner, f"{c.region}销售{rng.choice('一二三')}部", creator, created.strftime("%Y-%m-%d %H:%M:%S"),
            rng.choice(OWNERS_CN[:8]), modified.strftime("%Y-%m-%d %H:%M:%S"),
            follow.strftime("%Y-%m-%d %H:%M:%S") if follow else None,
            None if c.amt is None else f"{c.amt:,.2f}", str(c.orders), None], F)
    wb.close()
    return path, make_truth("客户", {
        "client_id": "客户编号", "name": "客户名称", "status": "客户状态", "industry": "行业", "owner": "负责人",
        "billings": "成交金额(元)", "last_visit": "最后跟进时间", "orders": "合作次数"}, {"billings": 1}, cl)


def finance_wanyuan_banner(folder: Path) -> tuple[Path, dict]:
    path = folder / "2026年1-10月客户收入明细.xlsx"
    cl = gen(106, 22, names="cn_full", owners=OWNERS_CN[6:10], mix=(0.82, 0.0), decimals=2, blanks=0, gp=True)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb, font="宋体")
    ws = wb.add_worksheet("收入明细")
    ws.merge_range(0, 0, 0, 6, "2026年1-10月客户收入及毛利明细表", F.title)
    ws.write_string(1, 0, "编制单位：晨星广告（上海）有限公司")
    ws.write_string(1, 6, "单位：万元")
    heads = ["序号", "客户名称", "业务员", "合作状态", "本年收入", "毛利", "毛利率"]
    write_row(ws, 2, 0, heads, F, F.head)
    pct = wb.add_format({"num_format": "0.0%"})
    r = 3
    for i, c in enumerate(cl, 1):
        rate = (c.gp / c.amt) if (c.amt and c.gp) else None
        write_row(ws, r, 0, [i, c.name, c.owner, status_word(c, ("合作中", "", "已终止合作")), c.amt, c.gp,
                             None if rate is None else float(rate)], F, fmts_by_col={4: F.num, 5: F.num, 6: pct})
        r += 1
    ws.write_string(r, 0, "合计", F.sub)
    ws.write_number(r, 4, float(sum(c.amt or 0 for c in cl)), F.sub)
    ws.write_number(r, 5, float(sum(c.gp or 0 for c in cl)), F.sub)
    ws.write_string(r + 2, 0, "数据来源：用友U8财务系统，按开票口径统计")
    ws.write_string(r + 3, 0, "制表人：财务部 赵敏      复核：孙浩      日期：2026-11-05")
    wb.close()
    return path, make_truth("收入明细", {
        "name": "客户名称", "owner": "业务员", "status": "合作状态", "billings": "本年收入", "gross_profit": "毛利"},
        {"billings": 10000, "gross_profit": 10000}, cl, refuse=["last_visit"])


def openpyxl_formula_headers(folder: Path) -> tuple[Path, dict]:
    path = folder / "clients_export.xlsx"
    cl = gen(107, 30, names="cn_short", owners=OWNERS_CN[2:6], unit=1, decimals=0, blanks=1, gp=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "clients"
    heads = ["客户编号", "客户名称", "客户经理", "客户状态", "近12月投放额", "毛利", "最近拜访日期"]
    ws["A1"] = '="客户台账（系统导出）"'
    formula_cells = {("clients", 0, 0): "客户台账（系统导出）"}
    for j, h in enumerate(heads):
        ws.cell(row=3, column=j + 1, value=f'="{h}"').font = Font(bold=True)
        formula_cells[("clients", 2, j)] = h
    for i, c in enumerate(cl):
        c.cid = f"C{1001 + i}"
        row = [c.cid, c.name, c.owner, status_word(c, ("现有", "潜在", "流失")),
               None if c.amt is None else int(c.amt), None if c.gp is None else int(c.gp), c.last_visit]
        for j, v in enumerate(row):
            cell = ws.cell(row=4 + i, column=j + 1, value=v)
            if isinstance(v, dt.date):
                cell.number_format = "yyyy-mm-dd"
    wb.save(path)
    return path, make_truth("clients", {
        "client_id": "客户编号", "name": "客户名称", "owner": "客户经理", "status": "客户状态",
        "billings": "近12月投放额", "gross_profit": "毛利", "last_visit": "最近拜访日期"},
        {"billings": 1, "gross_profit": 1}, cl, units_may_be_null=["billings", "gross_profit"],
        formula_cells=formula_cells)


def pandas_index_export(folder: Path) -> tuple[Path, dict]:
    path = folder / "客户数据_df.xlsx"
    cl = gen(108, 35, names="cn_mixed", owners=["吴昊", "何佳", "马超"], unit=1, decimals=2, blanks=2)
    df = pd.DataFrame({
        "客户": [c.name for c in cl],
        "所属AE": [c.owner for c in cl],
        "客户性质": [status_word(c, ("老客户", "意向客户", "已停止合作")) for c in cl],
        "年度消耗": [float("nan") if c.amt is None else float(c.amt) for c in cl],
        "最近走访": [pd.NaT if c.last_visit is None else pd.Timestamp(c.last_visit) for c in cl],
    })
    df.to_excel(path, sheet_name="客户数据", engine="openpyxl")
    return path, make_truth("客户数据", {
        "name": "客户", "owner": "所属AE", "status": "客户性质", "billings": "年度消耗", "last_visit": "最近走访"},
        {"billings": 1}, cl, units_may_be_null=["billings"])


def pandas_multiindex_years(folder: Path) -> tuple[Path, dict]:
    path = folder / "客户投放_按年.xlsx"
    cl = gen(109, 26, names="cn_full", owners=["杨帆", "赵敏", "周婷", "林晓"], blanks=1)
    rng = random.Random(109)
    prev = [None if (c.status == "prospect" or rng.random() < 0.15) else quant(rng.uniform(5, 900), 1)
            for c in cl]
    cols = pd.MultiIndex.from_tuples([("客户信息", "客户名称"), ("客户信息", "负责销售"), ("客户信息", "客户状态"),
                                      ("投放额（万元）", "2025年"), ("投放额（万元）", "2026年"),
                                      ("跟进", "最近拜访")])
    rows = [[c.name, c.owner, status_word(c, ("合作中", "潜在", "流失")),
             float("nan") if p is None else float(p), float("nan") if c.amt is None else float(c.amt),
             pd.NaT if c.last_visit is None else pd.Timestamp(c.last_visit)] for c, p in zip(cl, prev)]
    df = pd.DataFrame(rows, columns=cols, index=pd.RangeIndex(1, len(cl) + 1, name="序号"))
    df.to_excel(path, sheet_name="投放汇总", engine="openpyxl")
    return path, make_truth("投放汇总", {
        "name": "客户名称", "owner": "负责销售", "status": "客户状态", "billings": "2026年", "last_visit": "最近拜访"},
        {"billings": 10000}, cl)


def google_sheets_export(folder: Path) -> tuple[Path, dict]:
    path = folder / "Client tracker - Client list.xlsx"
    cl = gen(110, 18, names="en", owners=["Lily", "Max", "Jun"], unit=1, decimals=0, lo=2e4, hi=8e6, blanks=1,
             contacts=CONTACTS_EN)
    rng = random.Random(110)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Client list"
    heads = ["Client", "Owner", "Status", "Spend (¥)", "Last visit", "Key account", "Notes"]
    arial = Font(name="Arial", size=10)
    for j, h in enumerate(heads, 1):
        ws.cell(row=1, column=j, value=h).font = Font(name="Arial", size=10, bold=True)
    for i, c in enumerate(cl, 2):
        vals = [c.name, c.owner, status_word(c, ("Active", "Pipeline", "Churned")),
                None if c.amt is None else int(c.amt), c.last_visit,
                bool(c.amt and c.amt > 1_000_000), rng.choice([None, "renewal in Q1", "new CMO", "pitch deck sent"])]
        for j, v in enumerate(vals, 1):
            cell = ws.cell(row=i, column=j, value=v)
            cell.font = arial
            if j == 4:
                cell.number_format = '"¥"#,##0'
            if j == 5:
                cell.number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"
    wb.save(path)
    return path, make_truth("Client list", {
        "name": "Client", "owner": "Owner", "status": "Status", "billings": "Spend (¥)", "last_visit": "Last visit"},
        {"billings": 1}, cl, units_may_be_null=["billings"])


def tw_traditional_roc_dates(folder: Path) -> tuple[Path, dict]:
    path = folder / "115年度客戶往來明細.xlsx"
    cl = gen(111, 20, names="tw", owners=OWNERS_TW[:4], unit=1, decimals=0, lo=2e5, hi=6e7, blanks=1,
             industries=INDUSTRIES_T, regions=CITIES_TW, contacts=CONTACTS_TW)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb, font="新細明體")
    ws = wb.add_worksheet("客戶資料")
    ws.merge_range(0, 0, 0, 8, "115年度 客戶往來明細", F.title)
    heads = ["客戶編號", "客戶名稱", "產業別", "業務負責人", "往來狀態", "年度營業額(新台幣)", "最近拜訪日",
             "聯絡人", "聯絡電話"]
    write_row(ws, 2, 0, heads, F, F.head)
    for i, c in enumerate(cl):
        c.cid = f"TW{115}{i + 1:03d}"
        write_row(ws, 3 + i, 0, [c.cid, c.name, c.industry, c.owner, status_word(c, ("往來中", "開發中", "已停止往來")),
                                 c.amt, roc(c.last_visit), c.contact, f"09{c.phone[3:11]}"], F,
                  fmts_by_col={5: F.int})
    wb.close()
    return path, make_truth("客戶資料", {
        "client_id": "客戶編號", "name": "客戶名稱", "industry": "產業別", "owner": "業務負責人", "status": "往來狀態",
        "billings": "年度營業額(新台幣)", "last_visit": "最近拜訪日"}, {"billings": 1}, cl,
        units_may_be_null=["billings"], may_refuse=["billings"])


def hk_bilingual_hkd_thousands(folder: Path) -> tuple[Path, dict]:
    path = folder / "Client Book 客戶名冊 2026.xlsx"
    cl = gen(112, 16, names="hk", owners=OWNERS_HK[:3], unit=1000, decimals=0, lo=5e4, hi=2e7, blanks=0,
             contacts=CONTACTS_EN, industries=["零售 Retail", "地產 Property", "金融 Finance", "餐飲 F&B",
                                               "旅遊 Travel", "美容 Beauty"])
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb, "dd/mm/yyyy", font="Arial")
    ws = wb.add_worksheet("Client Book")
    ws.write_string(0, 0, "Bright Harbour Creative (HK) Ltd — Client Book 客戶名冊", F.bold)
    ws.write_string(1, 0, "As at 31 Oct 2026")
    heads = ["客戶 Client", "行業 Sector", "客戶經理 AE", "狀態 Status", "營業額 Billings (HK$'000)",
             "最近會面 Last Meeting", "聯絡人 Contact"]
    write_row(ws, 3, 0, heads, F, F.head)
    for i, c in enumerate(cl):
        write_row(ws, 4 + i, 0, [c.name, c.industry, c.owner, status_word(c, ("Active", "Pitching", "Lost")),
                                 c.amt, c.last_visit, c.contact], F, fmts_by_col={4: F.int})
    wb.close()
    return path, make_truth("Client Book", {
        "name": "客戶 Client", "industry": "行業 Sector", "owner": "客戶經理 AE", "status": "狀態 Status",
        "billings": "營業額 Billings (HK$'000)", "last_visit": "最近會面 Last Meeting"}, {"billings": 1000}, cl,
        may_refuse=["billings"])


def fourA_english_rmb_million(folder: Path) -> tuple[Path, dict]:
    path = folder / "SH Client Portfolio FY26.xlsx"
    cl = gen(113, 22, names="en", owners=OWNERS_EN[3:8], unit=1_000_000, decimals=2, lo=3e5, hi=6e7,
             blanks=0, gp=True, contacts=CONTACTS_EN,
             industries=["FMCG", "Auto", "Luxury", "Tech", "Pharma", "Financial Services", "Retail"])
    rng = random.Random(113)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb, "d-mmm-yy", font="Calibri")
    ws = wb.add_worksheet("FY26 Client List")
    ws.write_string(0, 0, "Client Portfolio FY26 — Shanghai Office", F.title)
    ws.write_string(1, 0, "Confidential. Internal use only.", F.note)
    heads = ["Client", "Brand(s)", "Category", "Account Lead", "Client Contact", "Status",
             "FY26 Billings (RMB mn)", "Fee Income (RMB mn)", "Last Client Meeting"]
    write_row(ws, 3, 0, heads, F, F.head)
    words = {"current": ["Retained", "Project"], "prospect": ["New Business"], "lost": ["Lost"]}
    for i, c in enumerate(cl):
        brands = ", ".join(rng.sample(["Aqua", "Nova", "Fresh", "Prime", "Pure", "Bloom", "Spark", "Velvet"], 2))
        write_row(ws, 4 + i, 0, [c.name, brands, c.industry, c.owner, c.contact, rng.choice(words[c.status]),
                                 c.amt, c.gp, c.last_visit], F, fmts_by_col={6: F.num, 7: F.num})
    wb.close()
    return path, make_truth("FY26 Client List", {
        "name": "Client", "industry": "Category", "owner": "Account Lead", "status": "Status",
        "billings": "FY26 Billings (RMB mn)", "gross_profit": "Fee Income (RMB mn)",
        "last_visit": "Last Client Meeting"}, {"billings": 1_000_000, "gross_profit": 1_000_000}, cl)


def media_agency_rebate(folder: Path) -> tuple[Path, dict]:
    path = folder / "媒介客户台账.xlsx"
    cl = gen(114, 30, names="cn_mixed", owners=["高远", "郭倩", "胡明", "林晓"], decimals=1, blanks=1, gp=True)
    rng = random.Random(114)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("媒介客户")
    ws.merge_range(0, 0, 0, 9, "2026年媒介代理客户台账（含代理商）", F.title)
    heads = ["客户名称", "客户类别", "品牌", "对接销售", "投放状态", "年度消耗（万元）", "返点（万元）", "毛利（万元）",
             "最近走访", "主投媒体"]
    write_row(ws, 1, 0, heads, F, F.head)
    for i, c in enumerate(cl):
        kind = rng.choice(["代理商", "品牌方", "品牌方", "直客"])
        rebate = None if c.amt is None else quant(float(c.amt) * rng.uniform(0.02, 0.12), 1)
        write_row(ws, 2 + i, 0, [c.name, kind, rng.choice(["悦享", "轻氧", "小鹿", "元气", "鲜语"]) + rng.choice(["系列", "", "Pro"]),
                                 c.owner, status_word(c, ("在投", "洽谈中", "已停投")), c.amt, rebate, c.gp,
                                 c.last_visit, rng.choice(["抖音", "小红书", "分众", "腾讯广告", "央视"])], F,
                  fmts_by_col={5: F.num1, 6: F.num1, 7: F.num1})
    wb.close()
    return path, make_truth("媒介客户", {
        "name": "客户名称", "owner": "对接销售", "status": "投放状态", "billings": "年度消耗（万元）",
        "gross_profit": "毛利（万元）", "last_visit": "最近走访"}, {"billings": 10000, "gross_profit": 10000}, cl)


def client_type_is_status(folder: Path) -> tuple[Path, dict]:
    path = folder / "客户名单.xlsx"
    cl = gen(115, 32, names="cn_full", owners=["马超", "周婷", "张伟", "李娜", "吴昊"], blanks=2)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("客户名单")
    heads = ["编号", "客户名称", "客户类型", "负责销售", "广告预算(万元)", "最近拜访", "客户地址", "备注"]
    write_row(ws, 0, 0, heads, F, F.head)
    for i, c in enumerate(cl):
        c.cid = f"{i + 1:04d}"
        write_row(ws, 1 + i, 0, [c.cid, c.name, status_word(c, ("现有客户", "潜在客户", "流失客户")), c.owner,
                                 c.amt, ymd_cn(c.last_visit), f"{c.name[:2]}市某某路{i * 7 + 3}号", None], F,
                  fmts_by_col={0: F.text, 4: F.num1})
    ws.set_column(6, 6, 30, None, {"hidden": True})
    wb.close()
    return path, make_truth("客户名单", {
        "client_id": "编号", "name": "客户名称", "status": "客户类型", "owner": "负责销售",
        "billings": "广告预算(万元)", "last_visit": "最近拜访"}, {"billings": 10000}, cl)


def client_type_personality(folder: Path) -> tuple[Path, dict]:
    path = folder / "客户管理表.xlsx"
    cl = gen(116, 27, names="cn_short", owners=["郑颖", "何佳", "孙浩"], blanks=1)
    rng = random.Random(116)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb, "yyyy年m月d日")
    ws = wb.add_worksheet("客户管理")
    ws.merge_range(0, 0, 0, 8, "客户管理表", F.title)
    heads = ["客户名称", "客户类型", "客户状态", "归属销售", "客户联系人", "联系电话", "合同额(万)", "上次拜访", "沟通要点"]
    write_row(ws, 1, 0, heads, F, F.head)
    for i, c in enumerate(cl):
        write_row(ws, 2 + i, 0, [c.name, rng.choice(["理智型", "犹豫型", "冲动型", "挑剔型", "稳健型"]),
                                 status_word(c, ("合作中", "潜在", "流失")), c.owner, c.contact, c.phone, c.amt,
                                 c.last_visit, rng.choice(["重数据", "要案例", "看价格", "决策链长", None])], F,
                  fmts_by_col={5: F.text, 6: F.num1})
    wb.close()
    return path, make_truth("客户管理", {
        "name": "客户名称", "status": "客户状态", "owner": "归属销售", "billings": "合同额(万)", "last_visit": "上次拜访"},
        {"billings": 10000}, cl)


def contact_next_to_ae(folder: Path) -> tuple[Path, dict]:
    path = folder / "客户台账-华南.xlsx"
    cl = gen(117, 21, names="cn_full", owners=["林晓", "高远", "郭倩"], decimals=2, blanks=1)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("客户台账")
    heads = ["客户名称 Client Name", "对接人", "对接人电话", "所属AE", "状态", "投放额 万RMB", "最近拜访"]
    write_row(ws, 2, 2, heads, F, F.head)
    for i, c in enumerate(cl):
        write_row(ws, 3 + i, 2, [c.name, c.contact, c.phone, c.owner, status_word(c, ("现有", "潜在", "流失")),
                                 c.amt, None if c.last_visit is None else c.last_visit.isoformat()], F,
                  fmts_by_col={2: F.text, 5: F.num})
    wb.close()
    return path, make_truth("客户台账", {
        "name": "客户名称 Client Name", "owner": "所属AE", "status": "状态", "billings": "投放额 万RMB",
        "last_visit": "最近拜访"}, {"billings": 10000}, cl)


def ids_in_kehu_column(folder: Path) -> tuple[Path, dict]:
    path = folder / "台账.xlsx"
    cl = gen(118, 25, names="cn_full", owners=["王磊", "刘洋", "陈静"], unit=1, decimals=0, blanks=1)
    rng = random.Random(118)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("台账")
    heads = ["客户", "客户名称", "客户经理", "状态", "营业额(元)", "首次合作日期", "最近合作日期", "最近拜访日期"]
    write_row(ws, 0, 0, heads, F, F.head)
    for i, c in enumerate(cl):
        c.cid = f"KH-2026-{i + 1:03d}"
        if c.amt is None:
            amt = None
        elif rng.random() < 0.3:
            amt = f"{c.amt:,}元"  # typed with the unit, as people do
        elif rng.random() < 0.3:
            amt = f"{c.amt:,}"
        else:
            amt = c.amt
        write_row(ws, 1 + i, 0, [c.cid, c.name, c.owner, status_word(c, ("合作中", "意向", "流失")), amt,
                                 c.first_order, c.last_order, ymd_slash(c.last_visit)], F,
                  fmts_by_col={4: F.int})
    wb.close()
    return path, make_truth("台账", {
        "client_id": "客户", "name": "客户名称", "owner": "客户经理", "status": "状态", "billings": "营业额(元)",
        "first_order": "首次合作日期", "last_order": "最近合作日期", "last_visit": "最近拜访日期"},
        {"billings": 1}, cl)


def _monthly(c: C, rng: random.Random) -> list[Decimal | None]:
    """Split a 万元 amount over Jan..Oct (Nov, Dec still empty) in tenths of 万 that add up exactly."""
    if c.amt is None:
        return [None] * 12
    tenths = int(c.amt * 10)
    k = max(1, min(tenths, rng.randint(2, 10)))
    cuts = sorted(rng.sample(range(1, tenths), k - 1)) if k > 1 else []
    parts = [b - a for a, b in zip([0] + cuts, cuts + [tenths])]
    months: list[Decimal | None] = [None] * 12
    for m, part in zip(sorted(rng.sample(range(10), k)), parts):
        months[m] = Decimal(part) / 10
    return months


def monthly_with_annual_total(folder: Path) -> tuple[Path, dict]:
    path = folder / "2026月度投放统计.xlsx"
    cl = gen(119, 20, names="cn_short", owners=["杨帆", "周婷", "高远"], blanks=1)
    rng = random.Random(119)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("2026投放")
    ws.merge_range(0, 0, 0, 16, "2026年客户月度投放统计", F.title)
    ws.merge_range(1, 0, 1, 3, "客户信息", F.head)
    ws.merge_range(1, 4, 1, 16, "2026年投放（万元）", F.head)
    heads = ["客户名称", "客户经理", "客户状态", "最近拜访"] + [f"{m}月" for m in range(1, 13)] + ["全年合计"]
    write_row(ws, 2, 0, heads, F, F.head)
    for i, c in enumerate(cl):
        r = 3 + i
        months = _monthly(c, rng)
        write_row(ws, r, 0, [c.name, c.owner, status_word(c, ("现有", "潜在", "流失")), c.last_visit] + months, F,
                  fmts_by_col={j: F.num1 for j in range(4, 16)})
        ws.write_formula(r, 16, f"=SUM(E{r + 1}:P{r + 1})", F.num1, float(sum(m or 0 for m in months)))
        # the SUM of no months is a read 0: a current client billing nothing is D (SPEC 4.1)
        set_amt(c, sum((m or 0) for m in months), 10000)
    wb.close()
    return path, make_truth("2026投放", {
        "name": "客户名称", "owner": "客户经理", "status": "客户状态", "last_visit": "最近拜访", "billings": "全年合计"},
        {"billings": 10000}, cl)


def multi_block_by_status(folder: Path) -> tuple[Path, dict]:
    path = folder / "客户分类台账.xlsx"
    cl = gen(120, 24, names="cn_full", owners=["张伟", "李娜", "何佳"], mix=(0.5, 0.33), blanks=0)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("客户")
    heads = ["客户名称", "负责人", "状态", "年度投放额（万元）", "最近拜访日期", "备注"]
    order: list[C] = []
    r = 0
    for title, st, words in [("一、现有客户", "current", "现有"), ("二、潜在客户", "prospect", "潜在"),
                             ("三、流失客户", "lost", "流失")]:
        block = [c for c in cl if c.status == st]
        ws.merge_range(r, 0, r, 5, title, F.group)
        write_row(ws, r + 1, 0, heads, F, F.head)
        r += 2
        for c in block:
            write_row(ws, r, 0, [c.name, c.owner, words, c.amt, c.last_visit, None], F, fmts_by_col={3: F.num1})
            order.append(c)
            r += 1
        if st == "current":
            ws.write_string(r, 0, "小计：", F.sub)
            ws.write_number(r, 3, float(sum(c.amt or 0 for c in block)), F.sub)
            r += 1
        r += 2
    wb.close()
    return path, make_truth("客户", {
        "name": "客户名称", "owner": "负责人", "status": "状态", "billings": "年度投放额（万元）",
        "last_visit": "最近拜访日期"}, {"billings": 10000}, order)


def merged_owner_region(folder: Path) -> tuple[Path, dict]:
    path = folder / "区域客户汇总.xlsx"
    regions = {"华东区": ["张伟", "李娜"], "华南区": ["林晓", "高远"], "华北区": ["王磊", "马超"]}
    cl = gen(121, 24, names="cn_full", owners=[o for os_ in regions.values() for o in os_], blanks=1)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb, "yyyy-m-d")
    mid = wb.add_format({"valign": "vcenter", "align": "center", "border": 1})
    ws = wb.add_worksheet("区域客户")
    ws.merge_range(0, 0, 0, 5, "2026年区域客户汇总表", F.title)
    heads = ["大区", "销售", "客户名称", "客户状态", "投放金额（含税,万元）", "最近一次拜访"]
    write_row(ws, 1, 0, heads, F, F.head)
    r = 2
    order: list[C] = []
    grand = Decimal(0)
    for region, owners in regions.items():
        r_region = r
        total = Decimal(0)
        for o in owners:
            mine = [c for c in cl if c.owner == o]
            if not mine:
                continue
            for k, c in enumerate(mine):
                c.region = region
                write_row(ws, r + k, 2, [c.name, status_word(c, ("现有", "潜在", "流失")), c.amt, c.last_visit], F,
                          fmts_by_col={2: F.num1, 3: F.date})
                order.append(c)
                total += c.amt or 0
            if len(mine) > 1:
                ws.merge_range(r, 1, r + len(mine) - 1, 1, o, mid)
            else:
                ws.write_string(r, 1, o, mid)
            r += len(mine)
        if r - r_region > 1:
            ws.merge_range(r_region, 0, r - 1, 0, region, mid)
        else:
            ws.write_string(r_region, 0, region, mid)
        ws.merge_range(r, 0, r, 3, f"{region}合计", F.sub)
        ws.write_number(r, 4, float(total), F.sub)
        grand += total
        r += 1
    ws.merge_range(r, 0, r, 3, "全国总计", F.sub)
    ws.write_number(r, 4, float(grand), F.sub)
    ws.write_string(r + 2, 0, "注：投放金额为含税口径，数据截至2026年10月31日。", F.note)
    wb.close()
    return path, make_truth("区域客户", {
        "region": "大区", "owner": "销售", "name": "客户名称", "status": "客户状态",
        "billings": "投放金额（含税,万元）", "last_visit": "最近一次拜访"}, {"billings": 10000}, order)


def wan_currency_signs_conflict(folder: Path) -> tuple[Path, dict]:
    path = folder / "客户台账_含税.xlsx"
    cl = gen(122, 20, names="cn_short", owners=["赵敏", "孙浩", "吴昊"], blanks=0, gp=True)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("客户台账")
    heads = ["客户名称", "客户经理", "客户状态", "年度投放额（含税，万元）", "毛利（万元）", "最近拜访日期"]
    write_row(ws, 0, 0, heads, F, F.head)
    styles = [lambda a: f"¥{a}", lambda a: f"￥{a}", lambda a: f"RMB {a}", lambda a: f"CNY{a}", lambda a: f"{a}万",
              lambda a: a, lambda a: a]
    # the conflicting cell: a current client in the middle of the ranking
    cur = sorted((c for c in cl if c.status == "current" and c.amt), key=lambda c: c.amt)
    victim = cur[len(cur) // 2]
    bad_row = None
    for i, c in enumerate(cl):
        if c is victim:
            amt = f"{c.amt}元"
            bad_row = 2 + i
        elif c.amt is None:
            amt = None
        else:
            amt = styles[i % len(styles)](c.amt)
        write_row(ws, 1 + i, 0, [c.name, c.owner, status_word(c, ("现有", "潜在", "流失")), amt, c.gp, c.last_visit],
                  F, fmts_by_col={4: F.num1})
    wb.close()
    truth = make_truth("客户台账", {
        "name": "客户名称", "owner": "客户经理", "status": "客户状态", "billings": "年度投放额（含税，万元）",
        "gross_profit": "毛利（万元）", "last_visit": "最近拜访日期"}, {"billings": 10000, "gross_profit": 10000}, cl,
        bad_cells=[(bad_row, "年度投放额（含税，万元）")], yuan={victim.name: None})
    return path, truth


def unitless_text_amounts(folder: Path) -> tuple[Path, dict]:
    path = folder / "客户.xlsx"
    cl = gen(123, 16, names="cn_full", owners=["陈静", "杨帆"], unit=1, decimals=0, blanks=0)
    # the amounts as different people typed them into a column with no unit: (cell, yuan)
    typed = [("1.2亿", 120_000_000), ("120万", 1_200_000), (1_250_000, 1_250_000), ("12.5k", 12_500),
             ("¥86,000", 86_000), ("2,360,000", 2_360_000), ("45.5万", 455_000), ("3,500元", 3_500),
             ("880万", 8_800_000), (640000, 640_000), ("RMB 1,900,000", 1_900_000), ("0.35亿", 35_000_000),
             ("27万", 270_000), ("5,400,000.00", 5_400_000), ("¥318,000", 318_000), ("9.8万", 98_000)]
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("客户")
    heads = ["客户名称", "业务员", "客户状态", "年度投放", "最近拜访日期"]
    write_row(ws, 0, 0, heads, F, F.bold)
    for i, c in enumerate(cl):
        cell, y = typed[i]
        if c.status == "prospect" and i % 2:
            cell, y = None, None
        set_amt(c, None if y is None else Decimal(y), 1)
        write_row(ws, 1 + i, 0, [c.name, c.owner, status_word(c, ("现有", "潜在", "流失")), cell,
                                 serial(c.last_visit)], F)
    wb.close()
    return path, make_truth("客户", {
        "name": "客户名称", "owner": "业务员", "status": "客户状态", "billings": "年度投放", "last_visit": "最近拜访日期"},
        {"billings": 1}, cl, units_may_be_null=["billings"])


def summary_and_contacts_first(folder: Path) -> tuple[Path, dict]:
    path = folder / "客户台账（含汇总）.xlsx"
    cl = gen(124, 30, names="cn_full", owners=["张伟", "王磊", "陈静", "周婷"], blanks=1)
    rng = random.Random(124)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    summ = wb.add_worksheet("汇总")
    summ.write_string(0, 0, "各客户经理客户汇总", F.title)
    write_row(summ, 2, 0, ["客户经理", "客户数", "投放额合计(万元)", "现有", "潜在", "流失"], F, F.head)
    r = 3
    for o in dict.fromkeys(c.owner for c in cl):
        mine = [c for c in cl if c.owner == o]
        write_row(summ, r, 0, [o, len(mine), sum((c.amt or 0) for c in mine)]
                  + [sum(1 for c in mine if c.status == s) for s in ("current", "prospect", "lost")], F,
                  fmts_by_col={2: F.num1})
        r += 1
    write_row(summ, r, 0, ["合计", len(cl), sum((c.amt or 0) for c in cl)], F, F.sub)
    contacts = wb.add_worksheet("联系人")
    write_row(contacts, 0, 0, ["客户名称", "联系人", "职务", "手机", "邮箱"], F, F.head)
    for i, c in enumerate(cl):
        write_row(contacts, 1 + i, 0, [c.name, c.contact, rng.choice(["市场总监", "品牌经理", "采购经理", "CMO"]),
                                       c.phone, f"contact{i + 1}@example.com"], F, fmts_by_col={3: F.text})
    ws = wb.add_worksheet("客户明细")
    heads = ["客户编号", "客户名称", "行业", "地区", "客户经理", "客户状态", "近12月投放额(万元)", "最近拜访日期"]
    write_row(ws, 0, 0, heads, F, F.head)
    r = 1
    for i, c in enumerate(cl):
        if i in (9, 21):
            r += 1  # blank rows people leave between batches
        c.cid = f"KH{2026000 + i * 3 + 1}"
        write_row(ws, r, 0, [c.cid, c.name, c.industry, c.region, c.owner, status_word(c, ("合作中", "意向", "流失")),
                             c.amt, c.last_visit], F, fmts_by_col={6: F.num1})
        r += 1
    guide = wb.add_worksheet("填写说明")
    for i, t in enumerate(["1. 客户明细每个客户一行，客户编号不可重复。", "2. 客户状态：合作中 / 意向 / 流失。",
                           "3. 汇总表由公式生成，请勿手改。"]):
        guide.write_string(i, 0, t)
    wb.close()
    return path, make_truth("客户明细", {
        "client_id": "客户编号", "name": "客户名称", "industry": "行业", "region": "地区", "owner": "客户经理",
        "status": "客户状态", "billings": "近12月投放额(万元)", "last_visit": "最近拜访日期"}, {"billings": 10000}, cl)


def notes_above_header_breaks(folder: Path) -> tuple[Path, dict]:
    path = folder / "2026客户台账_v3(终版).xlsx"
    cl = gen(125, 14, names="cn_short", owners=["李娜", "马超"], decimals=2, blanks=1)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb, "yyyy\"年\"m\"月\"d\"日\"")
    ws = wb.add_worksheet("2026客户台账")
    ws.merge_range(0, 3, 0, 7, "2026年客户台账", F.title)
    ws.write_string(1, 3, "注：1. 本表由各AE每周五下班前更新；", F.note)
    ws.write_string(2, 3, "2. 状态口径：合作中=近12个月有投放，潜在=已接触未签约，流失=已停止合作；", F.note)
    ws.write_string(3, 3, "3. 金额单位见表头。", F.note)
    heads = ["客户\n名称", "负责销售 ", "客户\n状态", "年度投放额\n(万元)", "最近\n拜访日期"]
    ws.set_row(5, 36)
    write_row(ws, 5, 3, heads, F, F.head)
    for i, c in enumerate(cl):
        write_row(ws, 6 + i, 3, [c.name, c.owner, status_word(c, ("合作中", "潜在", "流失")), c.amt, c.last_visit], F,
                  fmts_by_col={3: F.num})
    wb.close()
    return path, make_truth("2026客户台账", {
        "name": "客户\n名称", "owner": "负责销售 ", "status": "客户\n状态", "billings": "年度投放额\n(万元)",
        "last_visit": "最近\n拜访日期"}, {"billings": 10000}, cl)


def cumulative_vs_last12(folder: Path) -> tuple[Path, dict]:
    path = folder / "客户价值分析.xlsx"
    cl = gen(126, 26, names="cn_full", owners=["吴昊", "郑颖", "高远"], blanks=1, gp=True)
    rng = random.Random(126)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("客户价值")
    heads = ["客户编号", "客户名称", "客户经理", "合作状态", "首次合作日期", "累计投放额(万元)", "近12个月投放额(万元)",
             "近12个月毛利(万元)", "最近拜访日期"]
    write_row(ws, 0, 0, heads, F, F.head)
    for i, c in enumerate(cl):
        c.cid = f"V{i + 1:03d}"
        # lifetime spend: the last 12 months plus years before -- in another order than the last 12 months
        earlier = quant(rng.uniform(0, 3000), 1) if c.first_order and c.first_order.year < 2025 else Decimal(0)
        lifetime = None if (c.amt is None and not earlier) else (c.amt or 0) + earlier
        write_row(ws, 1 + i, 0, [c.cid, c.name, c.owner, status_word(c, ("合作中", "潜在", "已流失")), c.first_order,
                                 lifetime, c.amt, c.gp, c.last_visit], F,
                  fmts_by_col={5: F.num1, 6: F.num1, 7: F.num1})
    wb.close()
    return path, make_truth("客户价值", {
        "client_id": "客户编号", "name": "客户名称", "owner": "客户经理", "status": "合作状态",
        "first_order": "首次合作日期", "billings": "近12个月投放额(万元)", "gross_profit": "近12个月毛利(万元)",
        "last_visit": "最近拜访日期"}, {"billings": 10000, "gross_profit": 10000}, cl)


def budget_vs_spend_stage(folder: Path) -> tuple[Path, dict]:
    path = folder / "客户及商机跟进.xlsx"
    stages = ["初次接触", "需求沟通", "方案提报", "商务谈判", "暂缓"]
    cl = gen(127, 30, names="cn_mixed", owners=["孙浩", "何佳", "胡明", "林晓"], mix=(0.55, 0.33), blanks=1,
             stages=stages)
    rng = random.Random(127)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("客户及商机")
    ws.merge_range(0, 0, 0, 8, "客户及商机跟进表（2026）", F.title)
    heads = ["客户名称", "所属行业", "跟进人", "客户状态", "跟进阶段", "预计年度预算（万元）", "今年已投放（万元）", "最近拜访",
             "下一步动作"]
    write_row(ws, 1, 0, heads, F, F.head)
    for i, c in enumerate(cl):
        budget = quant(rng.uniform(20, 2500), 0)
        write_row(ws, 2 + i, 0, [c.name, c.industry, c.owner, status_word(c, ("现有", "意向", "流失")),
                                 c.stage if c.status == "prospect" else ("已签约" if c.status == "current" else None),
                                 budget, c.amt, c.last_visit,
                                 rng.choice(["约见CMO", "发报价", "提案", "续约沟通", None])], F,
                  fmts_by_col={5: F.int, 6: F.num1})
    wb.close()
    return path, make_truth("客户及商机", {
        "name": "客户名称", "industry": "所属行业", "owner": "跟进人", "status": "客户状态", "stage": "跟进阶段",
        "billings": "今年已投放（万元）", "last_visit": "最近拜访"}, {"billings": 10000}, cl)


def finance_qianyuan_two_level(folder: Path) -> tuple[Path, dict]:
    path = folder / "2026年1-10月客户经营情况表.xlsx"
    cl = gen(128, 24, names="cn_full", owners=["王磊", "赵敏", "郭倩"], unit=1000, decimals=1, blanks=1, gp=True)
    rng = random.Random(128)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb, font="宋体")
    ws = wb.add_worksheet("业务报表")
    ws.merge_range(0, 0, 0, 8, "2026年1-10月客户经营情况表", F.title)
    ws.write_string(1, 0, "金额单位：千元")
    ws.merge_range(2, 0, 2, 3, "客户信息", F.head)
    ws.merge_range(2, 4, 2, 5, "2026年1-10月", F.head)
    ws.merge_range(2, 6, 2, 7, "拜访", F.head)
    heads = ["客户编号", "客户名称", "业务负责人", "客户状态", "营业额", "毛利", "最近拜访日期", "拜访次数", "上年营业额"]
    write_row(ws, 3, 0, heads, F, F.head)
    for i, c in enumerate(cl):
        c.cid = f"2026-{i + 1:03d}"
        last_year = None if c.status == "prospect" else quant(rng.uniform(50, 40000), 1)
        write_row(ws, 4 + i, 0, [c.cid, c.name, c.owner, status_word(c, ("在合作", "潜在", "流失")), c.amt, c.gp,
                                 c.last_visit, rng.randint(0, 12), last_year], F,
                  fmts_by_col={4: F.num1, 5: F.num1, 8: F.num1})
    r = 4 + len(cl)
    ws.write_string(r, 0, "合计", F.sub)
    ws.write_number(r, 4, float(sum(c.amt or 0 for c in cl)), F.sub)
    ws.write_number(r, 5, float(sum(c.gp or 0 for c in cl)), F.sub)
    ws.set_column(8, 8, 12, None, {"hidden": True})
    wb.close()
    return path, make_truth("业务报表", {
        "client_id": "客户编号", "name": "客户名称", "owner": "业务负责人", "status": "客户状态", "billings": "营业额",
        "gross_profit": "毛利", "last_visit": "最近拜访日期"}, {"billings": 1000, "gross_profit": 1000}, cl)


def wps_ties_w_unit(folder: Path) -> tuple[Path, dict]:
    """Equal billings straddle both boundaries: 80+80 of 1000 (shares before 75 % for both; a
    running sum would put the second at 83 %) and 22+22 (94.8 % for both, not 97 %)."""
    path = folder / "客户消耗.xlsx"
    cl = gen(129, 15, names="cn_short", owners=["刘洋", "周婷"], blanks=0)
    plan = [("current", 300), ("current", 80), ("prospect", None), ("current", 22), ("current", 200),
            ("lost", 55), ("current", 150), ("current", None), ("current", 38), ("prospect", 3),
            ("current", 100), ("current", 22), ("current", 6), ("current", 80), ("current", 2)]
    for c, (st, a) in zip(cl, plan):
        c.status = st
        set_amt(c, None if a is None else Decimal(a), 10000)
        if st == "prospect" and c.last_visit is None:
            c.last_visit = TODAY - dt.timedelta(days=40)
    wb = xlsxwriter.Workbook(path)
    wb.set_custom_property("KSOProductBuildVer", "2052-11.1.0.14309")
    F = fmts(wb)
    ws = wb.add_worksheet("Sheet1")
    heads = ["客户名称", "客户经理", "状态", "消耗(w)", "最近拜访日期"]
    write_row(ws, 0, 0, heads, F, F.bold)
    for i, c in enumerate(cl):
        write_row(ws, 1 + i, 0, [c.name, c.owner, status_word(c, ("现有", "潜在", "流失")), c.amt,
                                 dotted(c.last_visit)], F)
    ws.autofilter(0, 0, len(cl), 4)
    ws.data_validation(1, 2, 200, 2, {"validate": "list", "source": ["现有", "潜在", "流失"]})
    ws.freeze_panes(1, 0)
    wb.close()
    patch_wps(path)
    return path, make_truth("Sheet1", {
        "name": "客户名称", "owner": "客户经理", "status": "状态", "billings": "消耗(w)", "last_visit": "最近拜访日期"},
        {"billings": 10000}, cl)


# --------------------------------------------------------------------------- books to refuse

def refuse_no_billings(folder: Path) -> tuple[Path, dict]:
    path = folder / "客户通讯录.xlsx"
    cl = gen(131, 18, names="cn_full", owners=["张伟", "李娜", "王磊"], blanks=0)
    rng = random.Random(131)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("客户通讯录")
    ws.merge_range(0, 0, 0, 7, "客户通讯录（2026年10月更新）", F.title)
    heads = ["客户名称", "客户经理", "客户状态", "联系人", "职务", "电话", "地址", "最近拜访日期"]
    write_row(ws, 1, 0, heads, F, F.head)
    for i, c in enumerate(cl):
        write_row(ws, 2 + i, 0, [c.name, c.owner, status_word(c, ("现有", "潜在", "流失")), c.contact,
                                 rng.choice(["市场总监", "品牌经理", "总经理"]), c.phone,
                                 f"{c.name[:2]}市{rng.choice(['人民路', '解放路', '中山路'])}{rng.randint(1, 500)}号",
                                 c.last_visit], F, fmts_by_col={5: F.text})
    wb.close()
    return path, make_truth("客户通讯录", {
        "name": "客户名称", "owner": "客户经理", "status": "客户状态", "last_visit": "最近拜访日期"}, {}, cl,
        refuse=["billings"])


def refuse_billings_twice(folder: Path) -> tuple[Path, dict]:
    path = folder / "客户台账_合并版.xlsx"
    cl = gen(132, 20, names="cn_short", owners=["陈静", "杨帆", "赵敏"], blanks=0)
    rng = random.Random(132)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("客户台账")
    heads = ["客户名称", "客户经理", "状态", "投放额（万元）", "最近拜访日期", "备注", "投放额（万元）"]
    write_row(ws, 0, 0, heads, F, F.head)
    for i, c in enumerate(cl):
        other = c.amt
        if c.amt is not None and rng.random() < 0.45:
            other = quant(float(c.amt) * rng.uniform(0.5, 1.6), 1)
        write_row(ws, 1 + i, 0, [c.name, c.owner, status_word(c, ("现有", "潜在", "流失")), c.amt, c.last_visit,
                                 rng.choice([None, "已核对", "待确认"]), other], F,
                  fmts_by_col={3: F.num1, 6: F.num1})
    wb.close()
    return path, make_truth("客户台账", {
        "name": "客户名称", "owner": "客户经理", "status": "状态", "last_visit": "最近拜访日期"}, {}, cl,
        refuse=["billings"])


def refuse_contract_vs_spend(folder: Path) -> tuple[Path, dict]:
    path = folder / "客户合同与投放.xlsx"
    cl = gen(133, 22, names="cn_full", owners=["周婷", "吴昊", "何佳"], blanks=0)
    rng = random.Random(133)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("客户")
    heads = ["客户名称", "客户经理", "客户状态", "合同金额（万元）", "年度投放额（万元）", "最近拜访日期"]
    write_row(ws, 0, 0, heads, F, F.head)
    for i, c in enumerate(cl):
        contract = None if c.amt is None else quant(float(c.amt) * rng.choice([0.6, 0.8, 1.0, 1.3, 2.0, 3.5]), 1)
        write_row(ws, 1 + i, 0, [c.name, c.owner, status_word(c, ("现有", "潜在", "流失")), contract, c.amt,
                                 c.last_visit], F, fmts_by_col={3: F.num1, 4: F.num1})
    wb.close()
    return path, make_truth("客户", {
        "name": "客户名称", "owner": "客户经理", "status": "客户状态", "last_visit": "最近拜访日期"}, {}, cl,
        refuse=["billings"])


def refuse_monthly_no_total(folder: Path) -> tuple[Path, dict]:
    path = folder / "月度投放明细.xlsx"
    cl = gen(134, 16, names="cn_short", owners=["马超", "林晓"], blanks=0)
    rng = random.Random(134)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("月度投放")
    ws.merge_range(0, 0, 0, 3, "客户信息", F.head)
    ws.merge_range(0, 4, 0, 15, "2026年月度投放（万元）", F.head)
    heads = ["客户名称", "客户经理", "客户状态", "最近拜访"] + [f"{m}月" for m in range(1, 13)]
    write_row(ws, 1, 0, heads, F, F.head)
    for i, c in enumerate(cl):
        write_row(ws, 2 + i, 0, [c.name, c.owner, status_word(c, ("现有", "潜在", "流失")), c.last_visit]
                  + _monthly(c, rng), F, fmts_by_col={j: F.num1 for j in range(4, 16)})
    wb.close()
    return path, make_truth("月度投放", {
        "name": "客户名称", "owner": "客户经理", "status": "客户状态", "last_visit": "最近拜访"}, {}, cl,
        refuse=["billings"])


def refuse_owner_missing(folder: Path) -> tuple[Path, dict]:
    path = folder / "重点客户跟踪表.xlsx"
    cl = gen(135, 20, names="cn_full", owners=["-"], blanks=1)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("重点客户")
    ws.merge_range(0, 0, 0, 7, "重点客户跟踪表（总监用）", F.title)
    heads = ["客户编号", "客户名称", "行业", "客户状态", "年度投放额(万元)", "最近拜访日期", "客户联系人", "联系电话"]
    write_row(ws, 1, 0, heads, F, F.head)
    for i, c in enumerate(cl):
        c.cid = f"ZD{i + 1:02d}"
        write_row(ws, 2 + i, 0, [c.cid, c.name, c.industry, status_word(c, ("现有", "潜在", "流失")), c.amt,
                                 c.last_visit, c.contact, c.phone], F, fmts_by_col={4: F.num1, 7: F.text})
    wb.close()
    return path, make_truth("重点客户", {
        "client_id": "客户编号", "name": "客户名称", "industry": "行业", "status": "客户状态",
        "billings": "年度投放额(万元)", "last_visit": "最近拜访日期"}, {"billings": 10000}, cl, refuse=["owner"])


def refuse_owner_competing(folder: Path) -> tuple[Path, dict]:
    path = folder / "客户台账_交接中.xlsx"
    cl = gen(136, 20, names="cn_short", owners=["张伟", "李娜", "王磊", "刘洋"], blanks=1)
    rng = random.Random(136)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("客户台账")
    heads = ["客户名称", "客户经理", "负责人", "状态", "投放额(万元)", "最近拜访"]
    write_row(ws, 0, 0, heads, F, F.head)
    others = ["陈静", "杨帆", "赵敏", "孙浩", "张伟", "李娜"]
    for i, c in enumerate(cl):
        second = c.owner if rng.random() < 0.4 else rng.choice([o for o in others if o != c.owner])
        write_row(ws, 1 + i, 0, [c.name, c.owner, second, status_word(c, ("现有", "潜在", "流失")), c.amt,
                                 c.last_visit], F, fmts_by_col={4: F.num1})
    wb.close()
    return path, make_truth("客户台账", {
        "name": "客户名称", "status": "状态", "billings": "投放额(万元)", "last_visit": "最近拜访"},
        {"billings": 10000}, cl, refuse=["owner"])


def refuse_status_reconciliation(folder: Path) -> tuple[Path, dict]:
    path = folder / "客户对账表.xlsx"
    cl = gen(137, 18, names="cn_full", owners=["郭倩", "高远"], mix=(0.75, 0.1), blanks=0)
    rng = random.Random(137)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("对账")
    heads = ["客户名称", "业务员", "状态", "本年投放(万元)", "最近拜访日期"]
    write_row(ws, 0, 0, heads, F, F.head)
    for i, c in enumerate(cl):
        write_row(ws, 1 + i, 0, [c.name, c.owner, rng.choice(["已对账", "未对账", "对账中"]), c.amt, c.last_visit], F,
                  fmts_by_col={3: F.num1})
    wb.close()
    return path, make_truth("对账", {
        "name": "客户名称", "owner": "业务员", "billings": "本年投放(万元)", "last_visit": "最近拜访日期"},
        {"billings": 10000}, cl, refuse=["status"])


def refuse_status_missing(folder: Path) -> tuple[Path, dict]:
    path = folder / "客户投放排行.xlsx"
    cl = gen(138, 20, names="cn_full", owners=["何佳", "胡明", "周婷"], mix=(0.85, 0.0), blanks=0)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("排行")
    heads = ["客户名称", "客户类型", "客户经理", "年度投放额(万元)", "最近拜访日期"]
    write_row(ws, 0, 0, heads, F, F.head)
    for i, c in enumerate(cl):
        write_row(ws, 1 + i, 0, [c.name, c.industry, c.owner, c.amt, c.last_visit], F, fmts_by_col={3: F.num1})
    wb.close()
    # SPEC 2: without a status column, billings tell current from prospect and lost clients
    # cannot be told -- the results are written and that is said once (status_from_billings)
    for c in cl:
        c.status = "current" if c.yuan else "prospect"
    truth = make_truth("排行", {
        "name": "客户名称", "owner": "客户经理", "billings": "年度投放额(万元)", "last_visit": "最近拜访日期"},
        {"billings": 10000}, cl)
    truth["table_codes"] = {"status": "status_from_billings"}
    return path, truth


BOOKS: dict[str, Callable[[Path], tuple[Path, dict]]] = {f.__name__: f for f in [
    hand_typed_title_banner, wps_grouped_by_ae, excel_table_bilingual, crm_export_en_us_dates, crm_export_zh_wide,
    finance_wanyuan_banner, openpyxl_formula_headers, pandas_index_export, pandas_multiindex_years,
    google_sheets_export, tw_traditional_roc_dates, hk_bilingual_hkd_thousands, fourA_english_rmb_million,
    media_agency_rebate, client_type_is_status, client_type_personality, contact_next_to_ae, ids_in_kehu_column,
    monthly_with_annual_total, multi_block_by_status, merged_owner_region, wan_currency_signs_conflict,
    unitless_text_amounts, summary_and_contacts_first, notes_above_header_breaks, cumulative_vs_last12,
    budget_vs_spend_stage, finance_qianyuan_two_level, wps_ties_w_unit,
    refuse_no_billings, refuse_billings_twice, refuse_contract_vs_spend, refuse_monthly_no_total,
    refuse_owner_missing, refuse_owner_competing, refuse_status_reconciliation, refuse_status_missing,
]}
