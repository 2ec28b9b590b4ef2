"""Real-style client books from many trades and tools, each judged by hand once (issue 30).

Every builder writes one workbook (fake, generated data: company names from the pools of
``tests/client_books.py``, people's names from the small generator below, never a real
person) into a folder it is given and returns ``(path, truth)``.  ``tests/test_real_books.py``
runs ``xlclient check`` and ``xlclient refresh`` on each and holds the reading to the truth.

How the books were chosen
-------------------------
From how people in those trades keep their lists, not from xlclient's code.  A sales team
anywhere keeps "one row per customer, who looks after it, how it stands, how much it buys,
when we last saw it", but every trade names these its own way and adds its own columns:

* a food maker's sales office keeps a 经销商名录: the distributor (经销商名称) is the client,
  the 业务员 looks after it, 年度进货额(万元) is what it bought from the maker this year, and
  合作状态 is an account state (正常 / 暂停 / 终止) rather than 现有/潜在/流失; there is no
  visit date (the salesmen keep that in their own notebooks);
* an ad agency's media team keeps an advertiser sheet copied from the advertisers' business
  cards: 负责人名称 there is the *advertiser's* person in charge, written beside his 职位 and
  联系电话 -- the agency's own AE is not in the sheet at all;
* a proxy reseller (代理/微商) writes one line per buyer: 客户姓名, 销售员, 成交金额, 成交日期;
  no status, no visit;
* FMCG field sales keep shop lists (门店名称 or just 店名, 所属区域, 业务代表, 上次拜访,
  月均进货): one with the distributor system's 账户状态 正常/闭户/冻结, one without a status;
* a car-repair shop's DMS exports customers by person and plate: 顾客姓名, 车牌号, 服务顾问,
  上次进站时间 (the customer's last visit to the shop), 累计消费 (lifetime, not a year);
* a bank branch's wealth desk: 客户姓名, 理财经理, 理财金额(万元) (what the client holds with
  the bank, its value measure), 风险等级 (a risk appetite, not a tier), 上次到店时间, 账户状态
  正常/闭户; a card centre's list: 客户号, 账户名称 (the card holder), 客户经理, 年消费金额,
  卡片状态 正常/冻结/销户;
* a Taiwan trading firm's ERP: 顧客ID, 顧客, 業務, 年購買金額 in NT$ (the number format says
  so), 狀態 往來中/新開發/停止往來;
* CRM exports in English as the tools write them: HubSpot companies (Lifecycle Stage, Lead
  Status beside it, Annual Revenue = the company's own revenue beside Number of Employees
  and Year Founded), Salesforce accounts (``Type`` holds Prospect / Customer - Direct /
  Customer - Channel / Former Customer; ``Billing City`` is an address, not money), a
  Kaggle-style pipeline (account, sales_agent, deal_stage, close_value in US$), a small
  CRM with Status New/Qualified/Opportunity/Customer/Churned Customer and ``Deal Value, $``,
  and a people list where ``Name`` is the person and ``Organization`` the client;
* Chinese agencies' newer layouts: an ad-platform account list (账户名称, 投放状态 在投/停投/
  未投放, 对接AE, 本年累计消耗(万元) beside 近30天消耗(元)), an advertiser list (广告主, 业务归属,
  合作状态, 年度广告费(万), 最近沟通日期, 广告主联系人), a contract list whose 客户阶段 holds
  statuses (已签约/谈判中/初步接触/已流失) and whose 品牌 sits beside the contracting company;
* and a book that truly has no client table: a monthly sales summary by region, where the
  only right answer is a refusal that says which sheet and which columns were found.

What a careful person reads is written down per book, once, by hand: the sheet and header
row, the header of each field, the fields that are missing (and must be named), the columns
that are the client's contact (never the AE), money columns that must not be taken as
billings (someone's own revenue, lifetime spend, a foreign currency) unless that is said out
loud, and per client the status class (a tuple where a careful person would accept either
reading, e.g. a frozen card: still a client, or "cannot tell").

Truth keys
----------
sheet, header_row (Excel, 1-based) -- or None with ``refusal`` = {sheet, found: headers};
fields        {field: header or tuple of acceptable headers} -- must be read from there;
may_read      {field: header} -- read from there or named missing, either is fine;
missing       [field] -- must not be read and must be named in a problem of the table;
contacts      [header] -- the client's own people: never the owner;
not_billings  {header: why} -- not billings unless a problem of the table says so;
foreign       {header: currency} -- money in a foreign currency: refused, or read with
              the currency said in a problem of the table;
clients       [name] (the 客户名称 written in 分级结果);
status        {name: class or tuple of classes}, classes current/prospect/lost/unknown,
              or None when the book says nothing a careful person could use;
billings_yuan {name: Decimal or None} when billings is read in yuan (else None).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from pathlib import Path
from typing import Callable

import xlsxwriter

from client_books import (
    CONTACTS_EN,
    CONTACTS_TW,
    OWNERS_CN,
    OWNERS_EN,
    OWNERS_TW,
    TODAY,
    C,
    fmts,
    gen,
    mdy_us,
    quant,
    set_amt,
    write_row,
    ymd_slash,
)

# --------------------------------------------------------------------------- people

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
            "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔")
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红玲芬燕彬鹏辉建国志文斌浩宇欣怡涵萱桐俊晨阳雪琳婷慧"
EN_GIVEN = "James Mary Robert Linda Michael Susan David Karen Daniel Nancy Mark Lisa Paul Betty Steven Helen".split()
EN_FAMILY = "Smith Johnson Brown Miller Davis Wilson Moore Taylor Anderson Thomas Jackson White Harris Martin".split()
PROVINCES = "广东 浙江 江苏 山东 河南 四川 湖北 湖南 福建 安徽 河北 陕西 江西 辽宁 云南 广西".split()
PLATE_PROV = "沪京粤浙苏鲁川鄂湘闽"


def person_names(seed: int, n: int) -> list[str]:
    """``n`` distinct fake Chinese personal names (surname + one or two given characters)."""
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < n:
        nm = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        if nm not in out:
            out.append(nm)
    return out


def en_people(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < n:
        nm = f"{rng.choice(EN_GIVEN)} {rng.choice(EN_FAMILY)}"
        if nm not in out:
            out.append(nm)
    return out


def phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}"


def truth(sheet: str | None, header_row: int | None, clients: list[C], *, fields=None, may_read=None,
          missing=(), contacts=(), not_billings=None, foreign=None, status=None, billings_yuan=None,
          refusal=None) -> dict:
    return {
        "sheet": sheet, "header_row": header_row, "fields": dict(fields or {}), "may_read": dict(may_read or {}),
        "missing": list(missing), "contacts": list(contacts), "not_billings": dict(not_billings or {}),
        "foreign": dict(foreign or {}), "clients": [c.name for c in clients],
        "status": None if status is None else dict(status),
        "billings_yuan": None if billings_yuan is None else dict(billings_yuan),
        "refusal": refusal,
    }


def classes(clients: list[C], override: dict[str, object] | None = None) -> dict[str, object]:
    """Each client's status class; ``override`` gives the ambiguous ones."""
    return {c.name: (override or {}).get(c.name, c.status) for c in clients}


def by_billings(clients: list[C]) -> dict[str, str]:
    """SPEC 2 without a status column: billings above zero current, else prospect."""
    return {c.name: "current" if c.yuan else "prospect" for c in clients}


def _d(d: dt.date | None) -> dt.datetime | None:
    return None if d is None else dt.datetime(d.year, d.month, d.day)


# =========================================================================== books

def food_distributors(folder: Path) -> tuple[Path, dict]:
    """A food maker's 经销商名录: 正常/暂停/终止, no visit date."""
    path = folder / "2026年经销商名录.xlsx"
    cl = gen(301, 64, names="cn_full", owners=OWNERS_CN[:6], mix=(0.7, 0.0), blanks=0, lo=2e5, hi=2e7)
    rng = random.Random(301)
    words, amb = {}, {}
    for c in cl:
        if c.status == "current":
            words[c.name] = "正常"
        elif rng.random() < 0.5:
            words[c.name], amb[c.name] = "暂停", ("lost", "unknown")  # paused: not buying; not plainly lost
        else:
            words[c.name] = "终止"
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb, font="宋体")
    ws = wb.add_worksheet("经销商名录")
    ws.merge_range(0, 0, 0, 10, "XX食品有限公司  2026年经销商名录", F.title)
    heads = ["序号", "经销商名称", "所在省份", "所在城市", "联系人", "联系电话", "业务员", "年度进货额(万元)",
             "合作状态", "签约日期", "备注"]
    write_row(ws, 2, 0, heads, F, F.head)
    contacts = person_names(3011, len(cl))
    for i, c in enumerate(cl):
        write_row(ws, 3 + i, 0, [i + 1, c.name, rng.choice(PROVINCES), c.name[:2], contacts[i], phone(rng), c.owner,
                                 c.amt, words[c.name], _d(c.first_order), rng.choice([None, None, "现款现货", "月结"])],
                  F, fmts_by_col={5: F.text, 7: F.num1, 9: F.date})
    ws.data_validation(3, 8, 3 + len(cl), 8, {"validate": "list", "source": ["正常", "暂停", "终止"]})
    wb.close()
    return path, truth("经销商名录", 3, cl, fields={
        "name": "经销商名称", "owner": "业务员", "status": "合作状态", "billings": "年度进货额(万元)"},
        missing=["last_visit"], contacts=["联系人"], status=classes(cl, amb),
        billings_yuan={c.name: c.yuan for c in cl})


def ad_advertisers_contact(folder: Path) -> tuple[Path, dict]:
    """An agency's advertiser sheet: 负责人名称 is the advertiser's own person (with 职位 and
    联系电话 beside it); the agency's AE is not in the book."""
    path = folder / "广告主信息表.xlsx"
    cl = gen(302, 48, names="cn_full", owners=["-"], blanks=0)
    rng = random.Random(302)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("广告主信息")
    heads = ["序号", "广告主名称", "所属行业", "负责人名称", "职位", "联系电话", "微信", "合作状态", "年度广告投放(万元)",
             "最近沟通日期"]
    write_row(ws, 0, 0, heads, F, F.head)
    people = person_names(3021, 12)  # a few people in charge recur: a chain's marketing head, say
    for i, c in enumerate(cl):
        who = rng.choice(people)
        write_row(ws, 1 + i, 0, [i + 1, c.name, c.industry, who, rng.choice(["市场总监", "品牌经理", "总经理", "市场部经理"]),
                                 phone(rng), f"wx_{rng.randint(100000, 999999)}",
                                 {"current": "合作中", "prospect": "洽谈中", "lost": "已终止"}[c.status], c.amt,
                                 _d(c.last_visit)], F, fmts_by_col={5: F.text, 8: F.num1, 9: F.date})
    wb.close()
    return path, truth("广告主信息", 1, cl, fields={
        "name": "广告主名称", "industry": "所属行业", "status": "合作状态", "billings": "年度广告投放(万元)",
        "last_visit": "最近沟通日期"}, missing=["owner"], contacts=["负责人名称"], status=classes(cl),
        billings_yuan={c.name: c.yuan for c in cl})


def proxy_reseller_sales(folder: Path) -> tuple[Path, dict]:
    """A reseller's sales sheet: one buyer a row; no status and no visit date."""
    path = folder / "销售记录.xlsx"
    cl = gen(303, 80, names="cn_short", owners=person_names(3031, 5), mix=(1.0, 0.0), blanks=0, unit=1,
             decimals=0, lo=800, hi=60000)
    names = person_names(3032, len(cl))
    for c, nm in zip(cl, names):
        c.name = nm
    rng = random.Random(303)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("Sheet1")
    heads = ["序号", "客户姓名", "联系电话", "所购产品", "成交金额", "成交日期", "销售员", "备注"]
    write_row(ws, 0, 0, heads, F, F.bold)
    for i, c in enumerate(cl):
        write_row(ws, 1 + i, 0, [i + 1, c.name, phone(rng), rng.choice(["面膜套装", "精华液", "护肤礼盒", "洁面乳"]),
                                 c.amt, _d(c.last_order), c.owner, rng.choice([None, None, "老客户介绍", "复购"])],
                  F, fmts_by_col={2: F.text, 4: F.int, 5: F.date})
    wb.add_worksheet("Sheet2")
    wb.close()
    return path, truth("Sheet1", 1, cl, fields={"name": "客户姓名", "owner": "销售员", "billings": "成交金额"},
                       may_read={"last_order": "成交日期"}, missing=["status", "last_visit"],
                       status=by_billings(cl), billings_yuan={c.name: c.yuan for c in cl})


def fmcg_stores_account_state(folder: Path) -> tuple[Path, dict]:
    """An FMCG shop list with the distributor system's 账户状态 正常/闭户/冻结."""
    path = folder / "门店客户清单.xlsx"
    cl = gen(304, 120, names="cn_short", owners=person_names(3041, 6), mix=(0.8, 0.0), blanks=0, unit=1,
             decimals=0, lo=2000, hi=80000)
    rng = random.Random(304)
    kinds = ["便利店", "超市", "烟酒店", "副食店", "母婴店"]
    words, amb = {}, {}
    for i, c in enumerate(cl):
        c.name = f"{c.name[:2]}{rng.choice(kinds)}（{rng.choice(['人民路', '解放路', '中山路', '建设路'])}{i + 1}号店）"
        if c.status == "current" and rng.random() < 0.08:
            words[c.name], amb[c.name] = "冻结", ("current", "unknown")  # frozen: a client whose account is held
        else:
            words[c.name] = "正常" if c.status == "current" else "闭户"
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("门店")
    heads = ["门店编号", "门店名称", "所属区域", "门店地址", "店主", "联系电话", "业务代表", "上次拜访", "月均进货(元)",
             "账户状态"]
    write_row(ws, 0, 0, heads, F, F.head)
    owners_of_shops = person_names(3042, len(cl))
    for i, c in enumerate(cl):
        c.cid = f"MD{20000 + i * 7}"
        write_row(ws, 1 + i, 0, [c.cid, c.name, rng.choice(["城东片区", "城西片区", "开发区", "高新区"]),
                                 f"{rng.choice(['人民路', '解放路', '中山路'])}{rng.randint(1, 400)}号", owners_of_shops[i],
                                 phone(rng), c.owner, _d(c.last_visit), c.amt, words[c.name]], F,
                  fmts_by_col={5: F.text, 7: F.date, 8: F.int})
    ws.autofilter(0, 0, len(cl), len(heads) - 1)
    wb.close()
    # 月均进货 is a monthly average: the same ranking as a year's purchases, but a person would say so
    return path, truth("门店", 1, cl, fields={
        "client_id": "门店编号", "name": "门店名称", "owner": "业务代表", "last_visit": "上次拜访", "status": "账户状态"},
        may_read={"billings": "月均进货(元)", "region": "所属区域"}, contacts=["店主"], status=classes(cl, amb),
        billings_yuan={c.name: c.yuan for c in cl})


def fmcg_shop_visits(folder: Path) -> tuple[Path, dict]:
    """A field team's route list: 店名, no status; 近12个月进货额 beside 月均进货."""
    path = folder / "业代线路表.xlsx"
    cl = gen(305, 90, names="cn_short", owners=person_names(3051, 5), mix=(0.85, 0.15), blanks=0, unit=1,
             decimals=0, lo=12000, hi=900000)
    rng = random.Random(305)
    for i, c in enumerate(cl):
        c.name = f"{c.name[:2]}{rng.choice(['便利', '超市', '商行', '烟酒'])}{i + 1:03d}"
        if c.status != "current":
            set_amt(c, None, 1)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("线路客户")
    ws.write_string(0, 0, "业代线路客户表（2026年11月）", F.title)
    heads = ["店名", "店铺编码", "所属区域", "渠道", "业务代表", "拜访频次", "上次拜访", "月均进货", "近12个月进货额(元)"]
    write_row(ws, 1, 0, heads, F, F.head)
    for i, c in enumerate(cl):
        c.cid = f"D{rng.randint(10, 99)}{i:04d}"
        monthly = None if c.amt is None else quant(float(c.amt) / 12, 0)
        write_row(ws, 2 + i, 0, [c.name, c.cid, rng.choice(["A线", "B线", "C线", "D线"]),
                                 rng.choice(["便利店", "传统小店", "连锁超市"]), c.owner,
                                 rng.choice(["每周", "双周", "每月"]), ymd_slash(c.last_visit), monthly, c.amt], F,
                  fmts_by_col={7: F.int, 8: F.int})
    wb.close()
    return path, truth("线路客户", 2, cl, fields={
        "name": "店名", "owner": "业务代表", "last_visit": "上次拜访", "billings": "近12个月进货额(元)"},
        may_read={"client_id": "店铺编码", "region": "所属区域"}, missing=["status"],
        not_billings={"月均进货": "a monthly average beside the 12-month amount"},
        status=by_billings(cl), billings_yuan={c.name: c.yuan for c in cl})


def car_repair_customers(folder: Path) -> tuple[Path, dict]:
    """A car-repair shop's DMS export: people and plates; 累计消费 is lifetime spend."""
    path = folder / "客户档案导出.xlsx"
    cl = gen(306, 150, names="cn_short", owners=person_names(3061, 4), mix=(1.0, 0.0), blanks=0, unit=1,
             decimals=0, lo=500, hi=90000)
    names = person_names(3062, len(cl))
    rng = random.Random(306)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb, "yyyy-mm-dd hh:mm")
    ws = wb.add_worksheet("客户档案")
    heads = ["顾客姓名", "车牌号", "车型", "联系电话", "服务顾问", "上次进站时间", "进站次数", "累计消费(元)", "会员等级"]
    write_row(ws, 0, 0, heads, F, F.bold)
    for i, (c, nm) in enumerate(zip(cl, names)):
        c.name = nm
        plate = f"{rng.choice(PLATE_PROV)}{rng.choice('ABCDE')}·{rng.randint(10000, 99999)}"
        seen = dt.datetime(c.last_visit.year, c.last_visit.month, c.last_visit.day, rng.randint(8, 18),
                           rng.choice([0, 15, 30, 45]))
        write_row(ws, 1 + i, 0, [nm, plate, rng.choice(["大众朗逸", "丰田卡罗拉", "本田雅阁", "日产轩逸", "别克英朗"]),
                                 phone(rng), c.owner, seen, c.orders, c.amt,
                                 rng.choice(["普通会员", "银卡会员", "金卡会员"])], F,
                  fmts_by_col={3: F.text, 5: F.date, 7: F.int})
    wb.close()
    return path, truth("客户档案", 1, cl, fields={
        "name": "顾客姓名", "owner": "服务顾问", "last_visit": "上次进站时间"},
        may_read={"orders": "进站次数"}, missing=["status", "billings"],
        not_billings={"累计消费(元)": "lifetime spend, not the last 12 months"}, status=None)


def wealth_clients(folder: Path) -> tuple[Path, dict]:
    """A bank branch's wealth clients: 理财金额(万元) is the value measure; 风险等级 is no tier."""
    path = folder / "理财客户名单.xlsx"
    cl = gen(307, 110, names="cn_short", owners=person_names(3071, 5), mix=(0.85, 0.0), blanks=0, unit=10000,
             decimals=1, lo=5e4, hi=2e7)
    names = person_names(3072, len(cl))
    rng = random.Random(307)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("理财客户")
    heads = ["客户号", "客户姓名", "性别", "年龄段", "理财经理", "理财金额(万元)", "风险等级", "上次到店时间", "账户状态",
             "联系电话"]
    write_row(ws, 0, 0, heads, F, F.head)
    for i, (c, nm) in enumerate(zip(cl, names)):
        c.name = nm
        c.cid = f"6230{rng.randint(10 ** 11, 10 ** 12 - 1)}"
        write_row(ws, 1 + i, 0, [c.cid, nm, rng.choice("男女"), rng.choice(["30-40", "40-50", "50-60", "60以上"]), c.owner,
                                 c.amt, rng.choice(["R1保守型", "R2稳健型", "R3平衡型", "R4成长型", "R5进取型"]),
                                 _d(c.last_visit), "正常" if c.status == "current" else "闭户", phone(rng)], F,
                  fmts_by_col={0: F.text, 5: F.num1, 7: F.date, 9: F.text})
    wb.close()
    return path, truth("理财客户", 1, cl, fields={
        "client_id": "客户号", "name": "客户姓名", "owner": "理财经理", "billings": "理财金额(万元)",
        "last_visit": "上次到店时间", "status": "账户状态"}, status=classes(cl),
        billings_yuan={c.name: c.yuan for c in cl})


def credit_card_customers(folder: Path) -> tuple[Path, dict]:
    """A card centre's list: 客户号, 账户名称 (the holder), 卡片状态 正常/冻结/销户; no visit date."""
    path = folder / "信用卡客户明细.xlsx"
    cl = gen(308, 140, names="cn_short", owners=person_names(3081, 6), mix=(0.85, 0.0), blanks=0, unit=1,
             decimals=2, lo=3000, hi=600000)
    names = person_names(3082, len(cl))
    rng = random.Random(308)
    words, amb = {}, {}
    for c, nm in zip(cl, names):
        c.name = nm
        if c.status == "current" and rng.random() < 0.1:
            words[nm], amb[nm] = "冻结", ("current", "unknown")
        else:
            words[nm] = "正常" if c.status == "current" else "销户"
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("客户明细")
    heads = ["客户号", "账户名称", "卡种", "发卡日期", "客户经理", "年消费金额", "卡片状态", "最近交易日期"]
    write_row(ws, 0, 0, heads, F, F.head)
    for i, c in enumerate(cl):
        c.cid = f"C{rng.randint(10 ** 9, 10 ** 10 - 1)}"
        write_row(ws, 1 + i, 0, [c.cid, c.name, rng.choice(["普卡", "金卡", "白金卡"]), _d(c.first_order), c.owner, c.amt,
                                 words[c.name], _d(c.last_order)], F, fmts_by_col={3: F.date, 5: F.num, 7: F.date})
    wb.close()
    return path, truth("客户明细", 1, cl, fields={
        "client_id": "客户号", "name": "账户名称", "owner": "客户经理", "billings": "年消费金额", "status": "卡片状态"},
        may_read={"last_order": "最近交易日期"}, missing=["last_visit"], status=classes(cl, amb),
        billings_yuan={c.name: c.yuan for c in cl})


def taiwan_trading(folder: Path) -> tuple[Path, dict]:
    """A Taiwan trading firm's ERP list: amounts in NT$ (said by the number format)."""
    path = folder / "顧客資料.xlsx"
    cl = gen(309, 60, names="tw", owners=OWNERS_TW, blanks=0, unit=1, decimals=0, lo=1e5, hi=5e7,
             contacts=CONTACTS_TW)
    rng = random.Random(309)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb, "yyyy/mm/dd", font="新細明體")
    ntd = wb.add_format({"num_format": '"NT$"#,##0', "font_name": "新細明體"})
    ws = wb.add_worksheet("顧客")
    heads = ["顧客ID", "顧客", "統一編號", "業務", "聯絡人", "電話", "年購買金額", "狀態", "最近聯絡日"]
    write_row(ws, 0, 0, heads, F, F.head)
    for i, c in enumerate(cl):
        c.cid = f"TW{1000 + i}"
        write_row(ws, 1 + i, 0, [c.cid, c.name, f"{rng.randint(10 ** 7, 10 ** 8 - 1)}", c.owner, c.contact,
                                 f"02-{rng.randint(2000, 2999)}-{rng.randint(1000, 9999)}", c.amt,
                                 {"current": "往來中", "prospect": "新開發", "lost": "停止往來"}[c.status],
                                 _d(c.last_visit)], F, fmts_by_col={2: F.text, 6: ntd, 8: F.date})
    wb.close()
    return path, truth("顧客", 1, cl, fields={
        "client_id": "顧客ID", "name": "顧客", "owner": "業務", "status": "狀態", "last_visit": "最近聯絡日"},
        contacts=["聯絡人"], foreign={"年購買金額": "NT$"}, status=classes(cl),
        billings_yuan={c.name: c.yuan for c in cl})


def hubspot_companies(folder: Path) -> tuple[Path, dict]:
    """A HubSpot-like companies export: Annual Revenue is the company's own revenue."""
    path = folder / "hubspot-crm-exports-all-companies-2026-11-18.xlsx"
    cl = gen(310, 100, names="en", owners=OWNERS_EN, mix=(0.35, 0.55), blanks=0, unit=1, contacts=CONTACTS_EN)
    rng = random.Random(310)
    stage = {}
    for c in cl:
        if c.status == "current":
            stage[c.name] = rng.choice(["Customer", "Customer", "Customer", "Evangelist"])
        elif c.status == "prospect":
            stage[c.name] = rng.choice(["Lead", "Marketing Qualified Lead", "Sales Qualified Lead", "Opportunity"])
        else:
            stage[c.name] = "Other"
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("Sheet1")
    heads = ["Record ID", "Company name", "Company owner", "Create Date", "Lifecycle Stage", "Lead Status",
             "Last Activity Date", "Industry", "City", "Phone Number", "Annual Revenue", "Number of Employees",
             "Year Founded", "Company Domain Name"]
    write_row(ws, 0, 0, heads, F)
    for i, c in enumerate(cl):
        created = dt.datetime(2022, 1, 1) + dt.timedelta(minutes=rng.randint(0, 1_500_000))
        lead_status = rng.choice(["New", "Open", "In Progress", "Attempted to Contact"]) if c.status == "prospect" \
            else None
        last = None if c.last_visit is None else \
            f"{c.last_visit:%Y-%m-%d} {rng.randint(8, 19):02d}:{rng.randint(0, 59):02d}"
        write_row(ws, 1 + i, 0, [str(8_000_000_000 + i * 137), c.name, c.owner, created.strftime("%Y-%m-%d %H:%M"),
                                 stage[c.name], lead_status, last, c.industry,
                                 rng.choice(["Shanghai", "Shenzhen", "Beijing", "Singapore", "Hong Kong"]),
                                 f"+86 {c.phone}", rng.choice([None, rng.randint(5, 5000) * 100_000]),
                                 rng.randint(10, 20000), rng.randint(1950, 2020),
                                 c.name.split()[0].lower() + ".example.com"], F)
    wb.close()
    # "Other" is HubSpot's catch-all lifecycle stage: it says nothing of current / prospect / lost
    st = {c.name: ("unknown" if stage[c.name] == "Other" else c.status) for c in cl}
    return path, truth("Sheet1", 1, cl, fields={
        "name": "Company name", "owner": "Company owner", "status": "Lifecycle Stage",
        "last_visit": "Last Activity Date"}, may_read={"client_id": "Record ID", "industry": "Industry"},
        missing=["billings"], not_billings={"Annual Revenue": "the company's own revenue, not the agency's billings"},
        status=st)


def salesforce_accounts(folder: Path) -> tuple[Path, dict]:
    """A Salesforce-like accounts report: Type holds the status; Billing City is an address."""
    path = folder / "New Accounts Report-2026-11-18-09-12-44.xlsx"
    cl = gen(311, 70, names="en", owners=OWNERS_EN[:6], mix=(0.5, 0.3), blanks=0, unit=1, contacts=CONTACTS_EN)
    rng = random.Random(311)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("Accounts")
    ws.write_string(0, 0, "New Accounts Report", F.bold)
    ws.write_string(1, 0, "As of 11/18/2026 9:12 AM · Generated by Kevin Zhang")
    heads = ["Account Owner", "Account Name", "Type", "Industry", "Billing City", "Billing State/Province", "Phone",
             "Last Activity", "Created Date"]
    write_row(ws, 3, 0, heads, F, F.bold)
    for i, c in enumerate(cl):
        typ = {"current": rng.choice(["Customer - Direct", "Customer - Channel"]), "prospect": "Prospect",
               "lost": "Former Customer"}[c.status]
        city, state = rng.choice([("Shanghai", "Shanghai"), ("Shenzhen", "Guangdong"), ("Hangzhou", "Zhejiang")])
        write_row(ws, 4 + i, 0, [c.owner, c.name, typ, c.industry, city, state, f"+86 {c.phone}", mdy_us(c.last_visit),
                                 mdy_us(c.first_order or TODAY - dt.timedelta(days=40))], F)
    r = 4 + len(cl) + 1
    ws.write_string(r, 0, "Total", F.bold)
    ws.write_number(r, 1, len(cl))
    ws.write_string(r + 2, 0, "Confidential Information - Do Not Distribute")
    ws.write_string(r + 3, 0, "Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.")
    wb.close()
    return path, truth("Accounts", 4, cl, fields={
        "name": "Account Name", "owner": "Account Owner", "status": "Type", "last_visit": "Last Activity"},
        may_read={"region": "Billing City", "industry": "Industry"}, missing=["billings"],
        not_billings={"Billing City": "an address", "Billing State/Province": "an address"}, status=classes(cl))


def kaggle_pipeline(folder: Path) -> tuple[Path, dict]:
    """A Kaggle-style sales pipeline, one opportunity per account; close_value in US$."""
    path = folder / "sales_pipeline.xlsx"
    cl = gen(312, 85, names="en", owners=en_people(3121, 8), mix=(0.45, 0.35), blanks=0, unit=1, decimals=0,
             lo=500, hi=30000)
    rng = random.Random(312)
    for c in cl:  # a lost deal closed at 0, an open one has no value yet
        if c.status != "current":
            set_amt(c, Decimal(0) if c.status == "lost" else None, 1)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    usd = wb.add_format({"num_format": "[$$-409]#,##0"})
    ws = wb.add_worksheet("sales_pipeline")
    heads = ["opportunity_id", "sales_agent", "product", "account", "deal_stage", "engage_date", "close_date",
             "close_value"]
    write_row(ws, 0, 0, heads, F)
    for i, c in enumerate(cl):
        stage = {"current": "Won", "lost": "Lost", "prospect": rng.choice(["Engaging", "Prospecting"])}[c.status]
        engage = TODAY - dt.timedelta(days=rng.randint(60, 400))
        close = None if c.status == "prospect" else engage + dt.timedelta(days=rng.randint(5, 50))
        value = c.amt
        write_row(ws, 1 + i, 0, ["".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(8)), c.owner,
                                 rng.choice(["GTX Basic", "GTX Pro", "MG Special", "GTK 500"]), c.name, stage,
                                 f"{engage:%Y-%m-%d}", None if close is None else f"{close:%Y-%m-%d}", value], F,
                  fmts_by_col={7: usd})
    wb.close()
    return path, truth("sales_pipeline", 1, cl, fields={
        "name": "account", "owner": "sales_agent", "status": "deal_stage"}, missing=["last_visit"],
        # a lost deal in a pipeline column is a prospect who said no (stage 拒绝), not a lost client
        foreign={"close_value": "USD"}, status=classes(cl, {c.name: "prospect" for c in cl if c.status == "lost"}),
        billings_yuan={c.name: c.yuan for c in cl})


def generic_crm_status(folder: Path) -> tuple[Path, dict]:
    """A small CRM's customer list: Status New/Qualified/Opportunity/Customer/Churned Customer."""
    path = folder / "customers_export.xlsx"
    cl = gen(313, 75, names="en", owners=en_people(3131, 5), mix=(0.45, 0.35), blanks=0, unit=1, decimals=0,
             lo=2000, hi=400000, contacts=CONTACTS_EN)
    rng = random.Random(313)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb, "mm/dd/yyyy")
    ws = wb.add_worksheet("Customers")
    heads = ["Customer ID", "Customer Name", "Contact Person", "Email", "Sales Rep", "Status", "Deal Value, $",
             "Last Contacted"]
    write_row(ws, 0, 0, heads, F, F.bold)
    for i, c in enumerate(cl):
        c.cid = f"CUST-{1000 + i}"
        word = {"current": "Customer", "lost": "Churned Customer",
                "prospect": rng.choice(["New", "Qualified", "Opportunity"])}[c.status]
        write_row(ws, 1 + i, 0, [c.cid, c.name, c.contact, f"{c.contact.split()[0].lower()}@{c.name.split()[0].lower()}"
                                 ".example.com", c.owner, word, c.amt, _d(c.last_visit)], F,
                  fmts_by_col={6: F.int, 7: F.date})
    wb.close()
    return path, truth("Customers", 1, cl, fields={
        "client_id": "Customer ID", "name": "Customer Name", "owner": "Sales Rep", "status": "Status",
        "last_visit": "Last Contacted"}, contacts=["Contact Person"], foreign={"Deal Value, $": "USD"},
        status=classes(cl), billings_yuan={c.name: c.yuan for c in cl})


def organization_people(folder: Path) -> tuple[Path, dict]:
    """A CRM people export: Name is the person, Organization the client (one key person each)."""
    path = folder / "people-export.xlsx"
    cl = gen(314, 55, names="en", owners=en_people(3141, 4), mix=(0.4, 0.6), blanks=0, unit=1)
    rng = random.Random(314)
    people = en_people(3142, len(cl))
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("People")
    heads = ["Name", "Organization", "Job title", "Email", "Phone", "Owner", "Label", "Open deals", "Won deals",
             "Last activity date", "Next activity date"]
    write_row(ws, 0, 0, heads, F, F.bold)
    for i, (c, who) in enumerate(zip(cl, people)):
        label = "Customer" if c.status == "current" else rng.choice(["Hot lead", "Warm lead", "Cold lead"])
        write_row(ws, 1 + i, 0, [who, c.name, rng.choice(["Marketing Director", "Brand Manager", "CMO", "Buyer"]),
                                 f"{who.split()[0].lower()}@{c.name.split()[0].lower()}.example.com", f"+86 {c.phone}",
                                 c.owner, label, rng.randint(0, 3), rng.randint(1, 6) if c.status == "current" else 0,
                                 f"{c.last_visit:%Y-%m-%d}" if c.last_visit else None,
                                 f"{TODAY + dt.timedelta(days=rng.randint(1, 30)):%Y-%m-%d}"], F)
    wb.close()
    return path, truth("People", 1, cl, fields={
        "name": "Organization", "owner": "Owner", "last_visit": "Last activity date"},
        may_read={"status": "Label"}, missing=["billings"], contacts=["Name"],
        status={c.name: c.status for c in cl})


def cn_agency_accounts(folder: Path) -> tuple[Path, dict]:
    """An agency's ad-platform account list: 在投/停投/未投放, 对接AE, 本年累计消耗(万元)."""
    path = folder / "账户投放情况.xlsx"
    cl = gen(315, 72, names="cn_full", owners=OWNERS_CN[6:11], mix=(0.6, 0.15), blanks=0)
    rng = random.Random(315)
    for c in cl:
        if c.status == "prospect":
            set_amt(c, None, 10000)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("账户列表")
    heads = ["账户ID", "账户名称", "行业", "投放状态", "对接AE", "客户对接人", "对接人电话", "近30天消耗(元)",
             "本年累计消耗(万元)", "最近沟通日期"]
    write_row(ws, 0, 0, heads, F, F.head)
    for i, c in enumerate(cl):
        c.cid = str(1_700_000_000_000_000 + rng.randint(0, 10 ** 12))
        recent = None if c.status != "current" or c.amt is None else quant(float(c.yuan) / 12 * rng.uniform(.5, 1.5), 2)
        word = {"current": "在投", "prospect": "未投放", "lost": "停投"}[c.status]
        write_row(ws, 1 + i, 0, [c.cid, c.name, c.industry, word,
                                 c.owner, c.contact, c.phone, recent, c.amt, _d(c.last_visit)], F,
                  fmts_by_col={0: F.text, 6: F.text, 7: F.num, 8: F.num1, 9: F.date})
    wb.close()
    # 本年累计 is this year so far (year to date), not the last 12 months: a client that began
    # in October ranks as small beside one that spent all year. The lead's decision: not
    # taken as billings, and named (unused columns); the tiers stay empty.
    return path, truth("账户列表", 1, cl, fields={
        "name": "账户名称", "owner": "对接AE", "status": "投放状态",
        "last_visit": "最近沟通日期"}, may_read={"client_id": "账户ID", "industry": "行业"}, contacts=["客户对接人"],
        missing=["billings"],
        not_billings={"近30天消耗(元)": "one month, not a year", "本年累计消耗(万元)": "year to date"},
        status=classes(cl))


def cn_advertiser_status(folder: Path) -> tuple[Path, dict]:
    """An agency's advertiser list: 广告主, 业务归属 (the AE), 年度广告费(万), 广告主联系人."""
    path = folder / "广告主跟进表.xlsx"
    cl = gen(316, 58, names="cn_full", owners=OWNERS_CN[2:7], blanks=1)
    rng = random.Random(316)
    words, amb = {}, {}
    for c in cl:
        if c.status == "lost" and rng.random() < 0.4:
            words[c.name], amb[c.name] = "暂停合作", ("lost", "unknown")
        else:
            words[c.name] = {"current": "合作中", "prospect": "跟进中", "lost": "已终止"}[c.status]
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb, "yyyy/m/d", font="宋体")
    ws = wb.add_worksheet("广告主")
    ws.merge_range(0, 0, 0, 8, "广告主跟进表", F.title)
    ws.write_string(1, 0, "更新：2026-11-15")
    heads = ["广告主", "所属集团", "业务归属", "合作状态", "年度广告费(万)", "最近沟通日期", "广告主联系人", "联系方式",
             "备注"]
    write_row(ws, 2, 0, heads, F, F.head)
    for i, c in enumerate(cl):
        write_row(ws, 3 + i, 0, [c.name, rng.choice([None, "华远集团", "星河控股", "博雅集团"]), c.owner, words[c.name],
                                 c.amt, _d(c.last_visit), c.contact, f"微信 {c.phone}",
                                 rng.choice([None, None, "年框", "季度框架", "竞品在接触"])], F,
                  fmts_by_col={4: F.num1, 5: F.date})
    wb.close()
    return path, truth("广告主", 3, cl, fields={
        "name": "广告主", "owner": "业务归属", "status": "合作状态", "billings": "年度广告费(万)",
        "last_visit": "最近沟通日期"}, contacts=["广告主联系人"], status=classes(cl, amb),
        billings_yuan={c.name: c.yuan for c in cl})


def cn_contract_stage(folder: Path) -> tuple[Path, dict]:
    """A contract list: 签约公司 (the client) beside 品牌; 客户阶段 holds statuses."""
    path = folder / "客户签约进度.xlsx"
    cl = gen(317, 66, names="cn_full", owners=OWNERS_CN[8:13], blanks=1)
    rng = random.Random(317)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("签约进度")
    heads = ["签约公司", "品牌", "跟进AE", "客户阶段", "2026年签约额(万元)", "上次拜访", "甲方对接人", "甲方职位"]
    write_row(ws, 0, 0, heads, F, F.head)
    brands = set()
    for i, c in enumerate(cl):
        brand = c.name[2:4] + rng.choice(["", "Plus", "优选", "家"])
        while brand in brands:
            brand += "·"
        brands.add(brand)
        word = {"current": "已签约", "prospect": rng.choice(["谈判中", "初步接触"]), "lost": "已流失"}[c.status]
        write_row(ws, 1 + i, 0, [c.name, brand, c.owner, word, c.amt, _d(c.last_visit), c.contact,
                                 rng.choice(["市场总监", "品牌经理", "采购经理"])], F, fmts_by_col={4: F.num1, 5: F.date})
    wb.close()
    return path, truth("签约进度", 1, cl, fields={
        "name": "签约公司", "owner": "跟进AE", "status": "客户阶段", "billings": "2026年签约额(万元)",
        "last_visit": "上次拜访"}, contacts=["甲方对接人"], status=classes(cl),
        billings_yuan={c.name: c.yuan for c in cl})


def sales_summary_no_client(folder: Path) -> tuple[Path, dict]:
    """A monthly sales summary by region: no client column anywhere -- refuse, saying so."""
    path = folder / "2026年月度销售汇总.xlsx"
    rng = random.Random(318)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("月度汇总")
    ws.merge_range(0, 0, 0, 6, "2026年1-10月 各大区销售汇总（万元）", F.title)
    heads = ["月份", "大区", "大区经理", "销售额(万元)", "目标(万元)", "完成率", "同比增长"]
    write_row(ws, 1, 0, heads, F, F.head)
    regions = [("华东", "张伟"), ("华南", "李娜"), ("华北", "王磊"), ("西南", "刘洋")]
    r = 2
    for m in range(1, 11):
        for reg, mgr in regions:
            sales = round(rng.uniform(80, 600), 1)
            target = round(sales * rng.uniform(0.8, 1.3), 1)
            write_row(ws, r, 0, [f"{m}月", reg, mgr, sales, target, f"{sales / target:.0%}",
                                 f"{rng.uniform(-0.2, 0.4):+.1%}"], F, fmts_by_col={3: F.num1, 4: F.num1})
            r += 1
    ws.write_string(r, 0, "合计", F.bold)
    wb.add_worksheet("Sheet2")
    wb.close()
    return path, truth(None, None, [], refusal={"sheet": "月度汇总", "found": ["大区", "大区经理", "销售额(万元)"]})


BOOKS: dict[str, Callable[[Path], tuple[Path, dict]]] = {f.__name__: f for f in [
    food_distributors, ad_advertisers_contact, proxy_reseller_sales, fmcg_stores_account_state, fmcg_shop_visits,
    car_repair_customers, wealth_clients, credit_card_customers, taiwan_trading, hubspot_companies,
    salesforce_accounts, kaggle_pipeline, generic_crm_status, organization_people, cn_agency_accounts,
    cn_advertiser_status, cn_contract_stage, sales_summary_no_client,
]}
