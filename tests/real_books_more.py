"""A second, independent set of real-style client books (issue 30): the held-out test before
the held-out test.

Same contract as ``tests/real_books.py`` (whose helpers and truth keys this file reuses): each
builder writes one workbook of fake, generated data into the folder it is given and returns
``(path, truth)``; ``tests/test_real_books.py`` runs these too (``BOOKS`` is merged there).

How the books were chosen
-------------------------
From trades and tools the first set does not cover, each kept the way people in that trade
keep it, and judged by hand as a careful person reads it -- not from xlclient's code:

* an insurance agent's policyholders: 投保人 is the client, 被保险人 a family member beside
  him, 业务员 the agent, 年缴保费(元) what the client pays a year, 保单状态 有效/失效/退保;
* a gym's members: 会员姓名, 会籍顾问 (the membership salesman who owns renewals) beside
  私教教练, 会员状态 有效/已过期/冻结, 最近回访 (the consultant's call) beside 最近签到 (the
  member's own check-in at the gym);
* a Chinese SaaS CRM export (销售易 / 纷享销客 style): 客户名称, 负责人 beside 创建人 and
  所属部门, 客户级别 (重要/普通/一般: a manager's grade, not a status), 成交状态
  未成交/已成交/多次成交, 最后跟进时间, 近一年成交金额(元);
* a 4S car dealer's prospect list: 客户姓名, 销售顾问, 意向级别 in the trade's letter codes
  (H/A/B/C/O/F) explained in a 注 line under the table, 最近跟进日期; no money;
* a training school's students: 学员姓名 (the client; 家长姓名 and 家长电话 are the contact),
  课程顾问 (sales) beside 班主任 (the class teacher), 学员状态 在读/试听/停课/退费;
* a law firm's matters: 委托人 (the client) beside 对方当事人 (the other side: a name column
  that is NOT the client), 承办律师, 案件状态 在办/咨询中/已结案, 律师费(元);
* a hotel's corporate accounts: 协议单位, 销售经理, 协议价(元/间夜) (a price, not billings),
  近12个月间夜数 (a count), 协议状态 有效/待签约/已到期 -- no billings column at all;
* a logistics firm's shippers: 货主名称, 客服专员, 客户状态 活跃/沉睡/新开发/流失, 近12个月运费
  with the unit only in the title (单位：万元), 月均票数;
* a pharma rep team's hospitals: 医院名称, 医院等级 (三甲/二甲: a grade, not a tier), 科室,
  目标医生 (contact), 代表, 进院状态 已进院/开发中/已停药, 近12个月销售额(万元), 上次拜访;
* a WPS sheet with a two-row header: group cells 客户信息 / 业务信息 / 拜访记录 merged over
  short field names (名称, 联系人, 电话 | 负责人, 状态, 合同额(万) | 上次, 下次), 序号 and 区域
  merged down both rows;
* a Google-Sheets export in snake_case English: customer_id, customer_name,
  account_manager beside csm, arr_usd (US dollars), churn_flag TRUE/FALSE, last_touch_date;
* a Japanese 取引先 list: 取引先名, 担当者 (ours) beside 先方担当者 (theirs), 取引状況
  取引中/商談中/取引停止, 売上高(千円) (yen: a foreign currency), 最終訪問日;
* an ERP export with the header on row 6 under a company block and a filter line:
  客户编码, 客户全称 beside 客户简称, 销售负责人, 客户状态, 年度销售额(万元), 最近拜访时间;
* an agency's project list where 项目名称 comes first and 客户名称 second; 项目经理 beside
  客户经理; 项目状态 (执行中/比稿中/已结束) beside 客户状态 (现有/潜在/流失);
* a boss's own list with the status shown only by fill colours and no legend, and no owner:
  status from billings, lost cannot be told (SPEC 2) and no owner, each said once;
* an English agency sheet with the unit only in the title (RMB '000): Client, AE, Status
  Active/Pitch/Inactive, Billings, Last Meeting.

Status classes follow what a person in that trade reads at once; where two readings are
fair the truth holds both (a tuple), as in ``real_books.py``.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Callable

import xlsxwriter

from client_books import OWNERS_CN, OWNERS_EN, CONTACTS_EN, C, fmts, gen, patch_wps, set_amt, write_row
from real_books import by_billings, classes, en_people, person_names, phone, truth


def _d(d: dt.date | None) -> dt.datetime | None:
    return None if d is None else dt.datetime(d.year, d.month, d.day)


def _people_clients(cl: list[C], seed: int) -> None:
    """Give generated clients fake personal names (the client is a person in these trades)."""
    for c, nm in zip(cl, person_names(seed, len(cl))):
        c.name = nm


# =========================================================================== books

def insurance_policyholders(folder: Path) -> tuple[Path, dict]:
    """An insurance agent team's policy list: 投保人 is the client, 被保险人 a family member."""
    path = folder / "保单客户清单.xlsx"
    cl = gen(401, 90, names="cn_short", owners=person_names(4011, 5), mix=(0.8, 0.0), blanks=0, unit=1,
             decimals=0, lo=2000, hi=120000)
    _people_clients(cl, 4012)
    insured = person_names(4013, len(cl))
    rng = random.Random(401)
    words, amb = {}, {}
    for c in cl:
        if c.status == "current":
            words[c.name] = "有效"
        elif rng.random() < 0.5:
            # lapsed for an unpaid premium: may still be reinstated -- lost, or not told
            words[c.name], amb[c.name] = "失效", ("lost", "unknown")
        else:
            words[c.name] = "退保"
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("保单明细")
    heads = ["序号", "保单号", "投保人", "被保险人", "与投保人关系", "险种", "业务员", "年缴保费(元)", "投保日期",
             "保单状态", "投保人电话", "上次回访"]
    write_row(ws, 0, 0, heads, F, F.head)
    for i, c in enumerate(cl):
        c.cid = f"P{rng.randint(10 ** 13, 10 ** 14 - 1)}"
        write_row(ws, 1 + i, 0, [i + 1, c.cid, c.name, insured[i], rng.choice(["本人", "配偶", "子女", "父母"]),
                                 rng.choice(["重疾险", "年金险", "终身寿险", "医疗险"]), c.owner, c.amt,
                                 _d(c.first_order or dt.date(2025, 6, 1)), words[c.name], phone(rng),
                                 _d(c.last_visit)], F, fmts_by_col={1: F.text, 7: F.int, 8: F.date, 10: F.text,
                                                                      11: F.date})
    wb.close()
    return path, truth("保单明细", 1, cl, fields={
        "name": "投保人", "owner": "业务员", "status": "保单状态", "billings": "年缴保费(元)", "last_visit": "上次回访"},
        may_read={"client_id": "保单号"}, contacts=["被保险人"], status=classes(cl, amb),
        billings_yuan={c.name: c.yuan for c in cl})


def gym_members(folder: Path) -> tuple[Path, dict]:
    """A gym's members: 会籍顾问 owns the member; 最近回访 (our call) beside 最近签到 (theirs)."""
    path = folder / "会员信息表.xlsx"
    cl = gen(402, 120, names="cn_short", owners=person_names(4021, 4), mix=(0.8, 0.0), blanks=0, unit=1,
             decimals=0, lo=1500, hi=30000)
    _people_clients(cl, 4022)
    coaches = person_names(4023, 6)
    rng = random.Random(402)
    words, amb = {}, {}
    for c in cl:
        if c.status == "current" and rng.random() < 0.1:
            words[c.name], amb[c.name] = "冻结", ("current", "unknown")  # a paused card: still a member
        else:
            words[c.name] = "有效" if c.status == "current" else "已过期"
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb, "yyyy/m/d")
    ws = wb.add_worksheet("会员")
    heads = ["会员卡号", "会员姓名", "性别", "手机号", "卡种", "开卡日期", "到期日", "会籍顾问", "私教教练", "近一年消费(元)",
             "最近签到", "最近回访", "会员状态"]
    write_row(ws, 0, 0, heads, F, F.head)
    for i, c in enumerate(cl):
        c.cid = f"VIP{100000 + i * 13}"
        start = c.first_order or dt.date(2025, 12, 1)
        end = dt.date(2027, rng.randint(1, 12), rng.randint(1, 28)) if c.status == "current" else \
            dt.date(2026, rng.randint(1, 10), rng.randint(1, 28))
        checkin = dt.date(2026, 11, rng.randint(1, 19)) if c.status == "current" else \
            dt.date(2026, rng.randint(1, 9), rng.randint(1, 28))
        write_row(ws, 1 + i, 0, [c.cid, c.name, rng.choice("男女"), phone(rng), rng.choice(["年卡", "季卡", "次卡", "私教课包"]),
                                 _d(start), _d(end), c.owner, rng.choice([None, *coaches]), c.amt, _d(checkin),
                                 _d(c.last_visit), words[c.name]], F,
                  fmts_by_col={3: F.text, 5: F.date, 6: F.date, 9: F.int, 10: F.date, 11: F.date})
    wb.close()
    return path, truth("会员", 1, cl, fields={
        "name": "会员姓名", "owner": "会籍顾问", "status": "会员状态", "billings": "近一年消费(元)",
        "last_visit": "最近回访"}, may_read={"client_id": "会员卡号"}, status=classes(cl, amb),
        billings_yuan={c.name: c.yuan for c in cl})


def saas_crm_cn(folder: Path) -> tuple[Path, dict]:
    """A 销售易/纷享销客-style customer export: 负责人 beside 创建人, 成交状态, 客户级别 (a grade)."""
    path = folder / "客户_导出_20261118.xlsx"
    cl = gen(403, 110, names="cn_full", owners=OWNERS_CN[:7], mix=(0.55, 0.45), blanks=0, unit=1, decimals=2,
             lo=2e4, hi=3e6)
    rng = random.Random(403)
    for c in cl:
        if c.status == "prospect":
            set_amt(c, None, 1)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("客户")
    heads = ["客户编号", "客户名称", "客户级别", "成交状态", "负责人", "所属部门", "创建人", "创建时间", "最后跟进时间",
             "行业", "省份", "近一年成交金额(元)", "备注"]
    write_row(ws, 0, 0, heads, F, F.bold)
    for i, c in enumerate(cl):
        c.cid = f"KH{2026000 + i * 3}"
        deal = rng.choice(["已成交", "多次成交"]) if c.status == "current" else "未成交"
        created = dt.datetime(2024, 1, 1) + dt.timedelta(minutes=rng.randint(0, 900_000))
        follow = None if c.last_visit is None else \
            f"{c.last_visit:%Y-%m-%d} {rng.randint(8, 20):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
        write_row(ws, 1 + i, 0, [c.cid, c.name, rng.choice(["重要客户", "普通客户", "一般客户"]), deal, c.owner,
                                 rng.choice(["销售一部", "销售二部", "大客户部"]), rng.choice(OWNERS_CN[7:12]),
                                 created.strftime("%Y-%m-%d %H:%M:%S"), follow, c.industry,
                                 rng.choice(["广东省", "浙江省", "江苏省", "上海市"]),
                                 None if c.amt is None else f"{c.amt:,.2f}", None], F)
    wb.close()
    # a prospect's blank 近一年成交金额 is "no deal yet", not an unreadable amount
    return path, truth("客户", 1, cl, fields={
        "client_id": "客户编号", "name": "客户名称", "owner": "负责人", "status": "成交状态",
        "billings": "近一年成交金额(元)", "last_visit": "最后跟进时间"}, may_read={"industry": "行业"},
        status=classes(cl), billings_yuan={c.name: c.yuan for c in cl})


def car_dealer_leads(folder: Path) -> tuple[Path, dict]:
    """A 4S dealer's customer list: 意向级别 H/A/B/C/O/F, the codes explained under the table."""
    path = folder / "4S店客户跟进表.xlsx"
    cl = gen(404, 80, names="cn_short", owners=person_names(4041, 5), mix=(0.3, 0.55), blanks=0)
    _people_clients(cl, 4042)
    rng = random.Random(404)
    code = {}
    for c in cl:
        code[c.name] = {"current": "O", "prospect": rng.choice("HABC"), "lost": "F"}[c.status]
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("客户跟进")
    ws.merge_range(0, 0, 0, 9, "展厅客户跟进表（2026年11月）", F.title)
    heads = ["登记日期", "客户姓名", "联系电话", "意向车型", "意向级别", "销售顾问", "客户来源", "最近跟进日期", "下次跟进日期",
             "跟进情况"]
    write_row(ws, 1, 0, heads, F, F.head)
    for i, c in enumerate(cl):
        reg = (c.last_visit or dt.date(2026, 6, 1)) - dt.timedelta(days=rng.randint(0, 60))
        write_row(ws, 2 + i, 0, [_d(reg), c.name, phone(rng), rng.choice(["朗逸", "帕萨特", "途观L", "ID.4"]),
                                 code[c.name], c.owner, rng.choice(["自然到店", "汽车之家", "懂车帝", "老客户介绍"]),
                                 _d(c.last_visit), None, rng.choice([None, "已试驾", "对比竞品", "等优惠"])], F,
                  fmts_by_col={0: F.date, 2: F.text, 7: F.date})
    r = 2 + len(cl) + 1
    ws.write_string(r, 0, "注：意向级别 H-7天内购车，A-15天内，B-30天内，C-3个月内，O-已订车/已成交，F-战败（已购他品牌）", F.note)
    wb.close()
    # F (bought elsewhere) is a prospect who was lost: a prospect who refused, or lost
    st = classes(cl, {c.name: ("lost", "prospect") for c in cl if c.status == "lost"})
    return path, truth("客户跟进", 2, cl, fields={
        "name": "客户姓名", "owner": "销售顾问", "status": "意向级别", "last_visit": "最近跟进日期"},
        missing=["billings"], status=st)


def training_students(folder: Path) -> tuple[Path, dict]:
    """A training school's students: 学员 is the client, the 家长 his contact; 课程顾问 sells."""
    path = folder / "学员花名册.xlsx"
    cl = gen(405, 100, names="cn_short", owners=person_names(4051, 4), mix=(0.7, 0.15), blanks=0, unit=1,
             decimals=0, lo=3000, hi=40000)
    _people_clients(cl, 4052)
    parents = person_names(4053, len(cl))
    teachers = person_names(4054, 5)
    rng = random.Random(405)
    words, amb = {}, {}
    for c in cl:
        if c.status == "current" and rng.random() < 0.1:
            words[c.name], amb[c.name] = "停课", ("current", "unknown", "lost")  # paused a term
        else:
            words[c.name] = {"current": "在读", "prospect": "试听", "lost": "退费"}[c.status]
        if c.status == "prospect":
            set_amt(c, None, 1)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("学员")
    heads = ["学员编号", "学员姓名", "年级", "家长姓名", "家长电话", "报读课程", "课程顾问", "班主任", "近12个月缴费(元)",
             "学员状态", "最近回访"]
    write_row(ws, 0, 0, heads, F, F.head)
    for i, c in enumerate(cl):
        c.cid = f"XY{26000 + i}"
        write_row(ws, 1 + i, 0, [c.cid, c.name, rng.choice(["三年级", "四年级", "五年级", "初一", "初二"]), parents[i],
                                 phone(rng), rng.choice(["数学思维", "英语口语", "编程", "书法"]), c.owner,
                                 rng.choice(teachers), c.amt, words[c.name], _d(c.last_visit)], F,
                  fmts_by_col={4: F.text, 8: F.int, 10: F.date})
    wb.close()
    return path, truth("学员", 1, cl, fields={
        # renewals are the 课程顾问's or, in many schools, the 班主任's (学管师): either is the owner
        "name": "学员姓名", "owner": ("课程顾问", "班主任"), "status": "学员状态", "billings": "近12个月缴费(元)",
        "last_visit": "最近回访"}, may_read={"client_id": "学员编号"}, contacts=["家长姓名"],
        status=classes(cl, amb), billings_yuan={c.name: c.yuan for c in cl})


def law_firm_matters(folder: Path) -> tuple[Path, dict]:
    """A law firm's matters: 委托人 is the client, 对方当事人 the other side (not a client)."""
    path = folder / "律所客户台账.xlsx"
    cl = gen(406, 70, names="cn_full", owners=person_names(4061, 6), mix=(0.6, 0.2), blanks=0, unit=1,
             decimals=0, lo=2e4, hi=2e6)
    rng = random.Random(406)
    others = gen(4069, 70, names="cn_full", blanks=0)
    for c in cl:
        if c.status == "prospect":
            set_amt(c, None, 1)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb, "yyyy年m月d日")
    ws = wb.add_worksheet("案件登记")
    heads = ["收案编号", "委托人", "对方当事人", "案由", "承办律师", "委托日期", "律师费(元)", "案件状态", "委托人联系人",
             "联系电话", "最近沟通"]
    write_row(ws, 0, 0, heads, F, F.head)
    for i, c in enumerate(cl):
        other = others[i].name if others[i].name != c.name else others[(i + 1) % len(others)].name
        word = {"current": "在办", "prospect": "咨询中", "lost": "已结案"}[c.status]
        write_row(ws, 1 + i, 0, [f"（2026）律字第{100 + i}号", c.name, other,
                                 rng.choice(["买卖合同纠纷", "劳动争议", "知识产权", "股权转让", "常年法律顾问"]), c.owner,
                                 _d(c.first_order or dt.date(2026, 10, 1)), c.amt, word, c.contact, phone(rng),
                                 _d(c.last_visit)], F, fmts_by_col={5: F.date, 6: F.int, 9: F.text, 10: F.date})
    wb.close()
    # a closed matter: the client paid for it and may come back -- lost, current or not told
    st = classes(cl, {c.name: ("lost", "current", "unknown") for c in cl if c.status == "lost"})
    return path, truth("案件登记", 1, cl, fields={
        "name": "委托人", "owner": "承办律师", "status": "案件状态", "billings": "律师费(元)", "last_visit": "最近沟通"},
        contacts=["委托人联系人", "对方当事人"], status=st, billings_yuan={c.name: c.yuan for c in cl})


def hotel_corporate(folder: Path) -> tuple[Path, dict]:
    """A hotel's corporate accounts: 协议价 is a price, 间夜数 a count -- no billings column."""
    path = folder / "协议单位客户表.xlsx"
    cl = gen(407, 75, names="cn_full", owners=person_names(4071, 4), mix=(0.7, 0.15), blanks=0)
    rng = random.Random(407)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("协议单位")
    ws.merge_range(0, 0, 0, 9, "XX大酒店 协议单位客户表", F.title)
    ws.write_string(1, 0, "统计期间：2025年12月-2026年11月")
    heads = ["协议编号", "协议单位", "销售经理", "协议价(元/间夜)", "近12个月间夜数", "协议状态", "协议到期日", "单位联系人",
             "联系电话", "上次拜访"]
    write_row(ws, 2, 0, heads, F, F.head)
    for i, c in enumerate(cl):
        word = {"current": "有效", "prospect": "待签约", "lost": "已到期"}[c.status]
        nights = rng.randint(20, 900) if c.status == "current" else (0 if c.status == "prospect" else rng.randint(0, 30))
        write_row(ws, 3 + i, 0, [f"XY-2026-{i + 1:03d}", c.name, c.owner, rng.choice([368, 398, 428, 458, 518]), nights,
                                 word, _d(dt.date(2026 + (c.status == "current"), rng.randint(1, 12), 28)), c.contact,
                                 phone(rng), _d(c.last_visit)], F, fmts_by_col={6: F.date, 8: F.text, 9: F.date})
    wb.close()
    # an expired agreement: the unit stopped booking at our rate -- lost, or not told
    st = classes(cl, {c.name: ("lost", "unknown") for c in cl if c.status == "lost"})
    return path, truth("协议单位", 3, cl, fields={
        "name": "协议单位", "owner": "销售经理", "status": "协议状态", "last_visit": "上次拜访"},
        may_read={"orders": "近12个月间夜数"}, missing=["billings"], contacts=["单位联系人"],
        not_billings={"协议价(元/间夜)": "a price per room-night", "近12个月间夜数": "a count of room-nights"},
        status=st)


def logistics_shippers(folder: Path) -> tuple[Path, dict]:
    """A logistics firm's shippers: 近12个月运费 with the unit only in the title."""
    path = folder / "货主客户统计.xlsx"
    cl = gen(408, 85, names="cn_full", owners=person_names(4081, 5), mix=(0.75, 0.1), blanks=0, unit=10000,
             decimals=2, lo=5e4, hi=1e7)
    rng = random.Random(408)
    words, amb = {}, {}
    for c in cl:
        if c.status == "current" and rng.random() < 0.15:
            # dormant: no shipment for a while, not gone -- a client at risk, or not told
            words[c.name], amb[c.name] = "沉睡", ("current", "unknown", "lost")
        else:
            words[c.name] = {"current": "活跃", "prospect": "新开发", "lost": "流失"}[c.status]
        if c.status == "prospect":
            set_amt(c, None, 10000)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("货主")
    ws.merge_range(0, 0, 0, 8, "2026年货主客户运费统计（单位：万元）", F.title)
    heads = ["货主编号", "货主名称", "结算方式", "客服专员", "月均票数", "近12个月运费", "客户状态", "货主联系人", "最近回访"]
    write_row(ws, 1, 0, heads, F, F.head)
    for i, c in enumerate(cl):
        write_row(ws, 2 + i, 0, [f"HZ{5000 + i}", c.name, rng.choice(["月结", "现结", "到付"]), c.owner,
                                 rng.randint(5, 800) if c.status == "current" else 0, c.amt, words[c.name], c.contact,
                                 _d(c.last_visit)], F, fmts_by_col={5: F.num, 8: F.date})
    wb.close()
    return path, truth("货主", 2, cl, fields={
        "name": "货主名称", "owner": "客服专员", "status": "客户状态", "billings": "近12个月运费",
        "last_visit": "最近回访"}, may_read={"client_id": "货主编号"}, contacts=["货主联系人"],
        not_billings={"月均票数": "a count of waybills"}, status=classes(cl, amb),
        billings_yuan={c.name: c.yuan for c in cl})


def pharma_hospitals(folder: Path) -> tuple[Path, dict]:
    """A pharma rep team's hospitals: 医院等级 is a grade, 目标医生 the contact, 代表 the rep."""
    path = folder / "目标医院清单.xlsx"
    cl = gen(409, 60, names="cn_short", owners=person_names(4091, 6), mix=(0.6, 0.25), blanks=0)
    rng = random.Random(409)
    suffix = ["市第一人民医院", "市中心医院", "中医院", "妇幼保健院", "市第二人民医院", "人民医院"]
    used = set()
    for c in cl:
        nm = f"{rng.choice(['杭州', '宁波', '温州', '嘉兴', '湖州', '绍兴', '金华', '台州', '丽水', '衢州', '舟山'])}" \
             f"{rng.choice(suffix)}"
        while nm in used:
            nm = f"{rng.choice(['萧山', '余杭', '义乌', '慈溪', '诸暨', '瑞安', '乐清', '海宁', '桐乡', '临海', '温岭', '东阳', '永康', '余姚', '上虞', '富阳', '临安', '平湖', '长兴', '德清', '安吉', '嵊州', '新昌', '兰溪', '江山', '龙泉'])}" \
                 f"{rng.choice(suffix)}"
        used.add(nm)
        c.name = nm
        if c.status == "prospect":
            set_amt(c, None, 10000)
    doctors = person_names(4092, len(cl))
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("医院")
    heads = ["医院编码", "医院名称", "医院等级", "科室", "目标医生", "职称", "代表", "进院状态", "近12个月销售额(万元)",
             "上次拜访"]
    write_row(ws, 0, 0, heads, F, F.head)
    for i, c in enumerate(cl):
        word = {"current": "已进院", "prospect": "开发中", "lost": "已停药"}[c.status]
        write_row(ws, 1 + i, 0, [f"H33{i:04d}", c.name, rng.choice(["三甲", "三乙", "二甲"]),
                                 rng.choice(["心内科", "内分泌科", "神经内科", "肿瘤科"]), doctors[i],
                                 rng.choice(["主任医师", "副主任医师", "主治医师"]), c.owner, word, c.amt, _d(c.last_visit)],
                  F, fmts_by_col={8: F.num1, 9: F.date})
    wb.close()
    return path, truth("医院", 1, cl, fields={
        "name": "医院名称", "owner": "代表", "status": "进院状态", "billings": "近12个月销售额(万元)",
        "last_visit": "上次拜访"}, may_read={"client_id": "医院编码"}, contacts=["目标医生"], status=classes(cl),
        billings_yuan={c.name: c.yuan for c in cl})


def wps_two_row_header(folder: Path) -> tuple[Path, dict]:
    """WPS: group cells 客户信息 / 业务信息 / 拜访记录 merged over short names in the row below."""
    path = folder / "客户管理表.xlsx"
    cl = gen(410, 50, names="cn_full", owners=OWNERS_CN[3:8], blanks=0)
    rng = random.Random(410)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb, "yyyy/m/d", font="宋体")
    ws = wb.add_worksheet("Sheet1")
    ws.merge_range(0, 0, 0, 10, "客户管理表", F.title)
    ws.merge_range(1, 0, 2, 0, "序号", F.head)
    ws.merge_range(1, 1, 2, 1, "区域", F.head)
    ws.merge_range(1, 2, 1, 4, "客户信息", F.head)
    ws.merge_range(1, 5, 1, 7, "业务信息", F.head)
    ws.merge_range(1, 8, 1, 9, "拜访记录", F.head)
    ws.merge_range(1, 10, 2, 10, "备注", F.head)
    write_row(ws, 2, 2, ["名称", "联系人", "电话", "负责人", "状态", "合同额(万)", "上次", "下次"], F, F.head)
    for i, c in enumerate(cl):
        nxt = None if c.status == "lost" else (c.last_visit or dt.date(2026, 11, 1)) + dt.timedelta(days=30)
        write_row(ws, 3 + i, 0, [i + 1, c.region, c.name, c.contact, phone(rng), c.owner,
                                 {"current": "合作中", "prospect": "洽谈中", "lost": "已流失"}[c.status], c.amt,
                                 _d(c.last_visit), _d(nxt), None], F,
                  fmts_by_col={4: F.text, 7: F.num1, 8: F.date, 9: F.date})
    wb.add_worksheet("Sheet2")
    wb.add_worksheet("Sheet3")
    wb.close()
    patch_wps(path)
    return path, truth("Sheet1", 3, cl, fields={
        "name": "名称", "owner": "负责人", "status": "状态", "billings": "合同额(万)", "last_visit": ("上次", "拜访 上次", "拜访记录 上次")},
        contacts=["联系人"], status=classes(cl), billings_yuan={c.name: c.yuan for c in cl})


def gsheets_snake_case(folder: Path) -> tuple[Path, dict]:
    """A Google-Sheets export in snake_case: arr_usd in US$, churn_flag TRUE/FALSE."""
    path = folder / "customer_health.xlsx"
    cl = gen(411, 90, names="en", owners=OWNERS_EN[:5], mix=(0.8, 0.0), blanks=0, unit=1, decimals=0,
             lo=3000, hi=400000)
    csms = en_people(4111, 4)
    rng = random.Random(411)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    arial = wb.add_format({"font_name": "Arial"})
    ws = wb.add_worksheet("customers")
    heads = ["customer_id", "customer_name", "account_manager", "csm", "segment", "arr_usd", "churn_flag",
             "last_touch_date", "nps"]
    write_row(ws, 0, 0, heads, F, arial)
    for i, c in enumerate(cl):
        c.cid = f"cus_{rng.randint(10 ** 9, 10 ** 10 - 1)}"
        write_row(ws, 1 + i, 0, [c.cid, c.name, c.owner, rng.choice(csms), rng.choice(["SMB", "Mid-Market", "Enterprise"]),
                                 c.amt, c.status == "lost", None if c.last_visit is None else f"{c.last_visit:%Y-%m-%d}",
                                 rng.randint(0, 10)], F, arial)
    wb.close()
    return path, truth("customers", 1, cl, fields={
        "name": "customer_name", "owner": "account_manager", "status": "churn_flag", "last_visit": "last_touch_date"},
        may_read={"client_id": "customer_id"}, foreign={"arr_usd": "USD"}, status=classes(cl),
        billings_yuan={c.name: c.yuan for c in cl})


def japanese_torihikisaki(folder: Path) -> tuple[Path, dict]:
    """A Japanese 取引先 list: 担当者 is ours, 先方担当者 theirs; 売上高(千円) is in yen."""
    path = folder / "取引先一覧.xlsx"
    cl = gen(412, 60, names="cn_short", owners=["佐藤", "鈴木", "高橋", "田中", "伊藤"], mix=(0.6, 0.25), blanks=0,
             unit=1000, decimals=0, lo=1e6, hi=5e8)
    rng = random.Random(412)
    used = set()
    for c in cl:
        nm = f"株式会社{c.name[:2]}{rng.choice(['商事', '物産', '電機', '工業', '食品', '製作所'])}"
        while nm in used:
            nm += "ホールディングス" if "ホールディングス" not in nm else "・"
        used.add(nm)
        c.name = nm
        if c.status == "prospect":
            set_amt(c, None, 1000)
    theirs = ["山本", "中村", "小林", "加藤", "吉田", "山田", "松本", "井上"]
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb, "yyyy/mm/dd", font="ＭＳ Ｐゴシック")
    ws = wb.add_worksheet("取引先")
    heads = ["取引先コード", "取引先名", "担当者", "取引状況", "売上高(千円)", "最終訪問日", "先方担当者", "電話番号"]
    write_row(ws, 0, 0, heads, F, F.head)
    for i, c in enumerate(cl):
        word = {"current": "取引中", "prospect": "商談中", "lost": "取引停止"}[c.status]
        write_row(ws, 1 + i, 0, [f"T{3000 + i}", c.name, c.owner, word, c.amt, _d(c.last_visit), rng.choice(theirs),
                                 f"03-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"], F,
                  fmts_by_col={4: F.int, 5: F.date})
    wb.close()
    return path, truth("取引先", 1, cl, fields={
        "name": "取引先名", "owner": "担当者", "status": "取引状況", "last_visit": "最終訪問日"},
        may_read={"client_id": "取引先コード"}, contacts=["先方担当者"], foreign={"売上高(千円)": "JPY"},
        status=classes(cl), billings_yuan={c.name: c.yuan for c in cl})


def erp_header_row6(folder: Path) -> tuple[Path, dict]:
    """An ERP export: company block and a filter line above the header on row 6; 全称 and 简称."""
    path = folder / "客户资料报表.xlsx"
    cl = gen(413, 70, names="cn_full", owners=OWNERS_CN[4:9], blanks=1)
    rng = random.Random(413)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("客户资料")
    ws.merge_range(0, 0, 1, 7, "上海某某文化传播有限公司", F.title)
    ws.merge_range(2, 0, 2, 7, "地址：上海市静安区XX路100号  电话：021-6000XXXX")
    ws.write_string(4, 0, "查询条件：区域=全部；销售负责人=全部；客户状态=全部；打印日期：2026-11-18")
    heads = ["客户编码", "客户全称", "客户简称", "销售负责人", "客户状态", "年度销售额(万元)", "最近拜访时间", "开票信息"]
    write_row(ws, 5, 0, heads, F, F.head)
    shorts = set()
    for i, c in enumerate(cl):
        short = c.name[2:6]
        while short in shorts:
            short += "2"
        shorts.add(short)
        c.cid = f"C{rng.randint(100, 999)}{i:03d}"
        word = {"current": "正常合作", "prospect": "意向客户", "lost": "终止合作"}[c.status]
        write_row(ws, 6 + i, 0, [c.cid, c.name, short, c.owner, word, c.amt, _d(c.last_visit),
                                 rng.choice([None, "增值税专票", "普票"])], F, fmts_by_col={5: F.num1, 6: F.date})
    ws.autofilter(5, 0, 5 + len(cl), len(heads) - 1)
    wb.close()
    return path, truth("客户资料", 6, cl, fields={
        "client_id": "客户编码", "name": "客户全称", "owner": "销售负责人", "status": "客户状态",
        "billings": "年度销售额(万元)", "last_visit": "最近拜访时间"}, status=classes(cl),
        billings_yuan={c.name: c.yuan for c in cl})


def project_then_client(folder: Path) -> tuple[Path, dict]:
    """An agency's project list: 项目名称 first, 客户名称 second; 项目经理 beside 客户经理."""
    path = folder / "2026年项目客户表.xlsx"
    cl = gen(414, 55, names="cn_full", owners=OWNERS_CN[9:14], blanks=1)
    rng = random.Random(414)
    pms = person_names(4141, 5)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    ws = wb.add_worksheet("项目")
    heads = ["项目编号", "项目名称", "客户名称", "项目经理", "客户经理", "项目状态", "客户状态", "合同金额(万元)", "最近拜访"]
    write_row(ws, 0, 0, heads, F, F.head)
    for i, c in enumerate(cl):
        brand = c.name[2:4]
        proj = f"{brand}{rng.choice(['2026年度整合传播', '新品上市推广', '双11电商campaign', '品牌焕新'])}项目"
        pstate = {"current": "执行中", "prospect": "比稿中", "lost": "已结束"}[c.status]
        write_row(ws, 1 + i, 0, [f"PJ-2026-{i + 1:03d}", proj, c.name, rng.choice(pms), c.owner, pstate,
                                 {"current": "现有", "prospect": "潜在", "lost": "流失"}[c.status], c.amt,
                                 _d(c.last_visit)], F, fmts_by_col={7: F.num1, 8: F.date})
    wb.close()
    return path, truth("项目", 1, cl, fields={
        "name": "客户名称", "owner": "客户经理", "status": "客户状态", "billings": "合同金额(万元)",
        "last_visit": "最近拜访"}, status=classes(cl), billings_yuan={c.name: c.yuan for c in cl})


def colour_status_no_owner(folder: Path) -> tuple[Path, dict]:
    """A boss's own list: status only as fill colours with no legend; no owner column."""
    path = folder / "客户一览.xlsx"
    cl = gen(415, 45, names="cn_full", owners=["-"], mix=(0.7, 0.2), blanks=0, unit=1, decimals=0, lo=5e4, hi=5e6)
    for c in cl:
        if c.status != "current":
            set_amt(c, None, 1)
    rng = random.Random(415)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb)
    fill = {"current": wb.add_format({"bg_color": "#C6EFCE"}), "prospect": wb.add_format({"bg_color": "#FFEB9C"}),
            "lost": wb.add_format({"bg_color": "#D9D9D9"})}
    fill_amt = {k: wb.add_format({"bg_color": v, "num_format": "#,##0"}) for k, v in
                (("current", "#C6EFCE"), ("prospect", "#FFEB9C"), ("lost", "#D9D9D9"))}
    fill_date = {k: wb.add_format({"bg_color": v, "num_format": "yyyy-mm-dd"}) for k, v in
                 (("current", "#C6EFCE"), ("prospect", "#FFEB9C"), ("lost", "#D9D9D9"))}
    ws = wb.add_worksheet("客户")
    heads = ["客户名称", "行业", "城市", "年度合同额(元)", "最近拜访", "对方联系人", "备注"]
    write_row(ws, 0, 0, heads, F, F.head)
    for i, c in enumerate(cl):
        f = fill[c.status]
        write_row(ws, 1 + i, 0, [c.name, c.industry, c.name[:2], c.amt, _d(c.last_visit), c.contact,
                                 rng.choice([None, None, "老板朋友介绍", "展会认识"])], F, f,
                  fmts_by_col={3: fill_amt[c.status], 4: fill_date[c.status]})
    wb.close()
    return path, truth("客户", 1, cl, fields={
        "name": "客户名称", "billings": "年度合同额(元)", "last_visit": "最近拜访"}, may_read={"industry": "行业"},
        missing=["owner", "status"], contacts=["对方联系人"], status=by_billings(cl),
        billings_yuan={c.name: c.yuan for c in cl})


def english_title_unit(folder: Path) -> tuple[Path, dict]:
    """An English agency sheet: the unit (RMB '000) only in the title; Active/Pitch/Inactive."""
    path = folder / "Client list FY26.xlsx"
    cl = gen(416, 65, names="en", owners=OWNERS_EN[2:7], mix=(0.6, 0.25), blanks=1, unit=1000, decimals=0,
             lo=5e4, hi=2e7, contacts=CONTACTS_EN)
    rng = random.Random(416)
    wb = xlsxwriter.Workbook(path)
    F = fmts(wb, "d-mmm-yy")
    ws = wb.add_worksheet("Clients")
    ws.write_string(0, 0, "Client Billings FY2026 (RMB '000)", F.title)
    heads = ["Client", "AE", "Status", "Sector", "Billings", "Last Meeting", "Client Contact", "Comments"]
    write_row(ws, 2, 0, heads, F, F.bold)
    for i, c in enumerate(cl):
        word = {"current": "Active", "prospect": "Pitch", "lost": "Inactive"}[c.status]
        write_row(ws, 3 + i, 0, [c.name, c.owner, word, c.industry, c.amt, _d(c.last_visit), c.contact,
                                 rng.choice([None, None, "retainer", "project based"])], F,
                  fmts_by_col={4: F.int, 5: F.date})
    wb.close()
    # Inactive: not buying now -- a lapsed (lost) client, or not told
    st = classes(cl, {c.name: ("lost", "unknown") for c in cl if c.status == "lost"})
    return path, truth("Clients", 3, cl, fields={
        "name": "Client", "owner": "AE", "status": "Status", "billings": "Billings", "last_visit": "Last Meeting"},
        contacts=["Client Contact"], status=st, billings_yuan={c.name: c.yuan for c in cl})


BOOKS: dict[str, Callable[[Path], tuple[Path, dict]]] = {f.__name__: f for f in [
    insurance_policyholders, gym_members, saas_crm_cn, car_dealer_leads, training_students, law_firm_matters,
    hotel_corporate, logistics_shippers, pharma_hospitals, wps_two_row_header, gsheets_snake_case,
    japanese_torihikisaki, erp_header_row6, project_then_client, colour_status_no_owner, english_title_unit,
]}
