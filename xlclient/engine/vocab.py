"""What the cells of a client book's text columns mean: status words (现有, 合作中, 老客户,
流失 ...), intent-stage words and tiers (A, B类, 重点客户 ...), compared after the same
normalisation as headers. Used to read the cells, and to recognise a column by its content
(a 客户类型 column full of 现有客户 / 潜在客户 is the status). A status or stage word followed
by a remark is read from the word (合作中（有流失风险） is current); a text whose words point to
two different statuses is ambiguous (:func:`status_reading`), never decided by word order.

Status vocabularies as people keep them (issue 30). A client book's status column may be an
account state (正常 / 冻结 / 闭户), a CRM status or lifecycle stage (New, Qualified, Customer,
Churned Customer; HubSpot Subscriber ... Evangelist), a Salesforce account Type or
opportunity stage, a Chinese CRM's 商机阶段 (初步接触 ... 赢单 / 输单). Each word maps to current,
prospect (with an intent stage, SPEC 4.2, where the word says one) or lost -- or to nothing,
and then it is reported with the column's other words, never guessed. Most words say the
same in any status column; a few say something only where the **header** says what the
column is the state of (:func:`status_context`):

* ``account``: 账户状态, 帐户状态, 卡片状态, 会员状态, Account Status, card status;
* ``client``: 客户状态, 状态, Status, Type, 客户类型, Lifecycle Stage, 合作状态 (and a column the
  Settings mapping names as the status);
* ``pipeline``: 阶段, Stage, deal_stage, 商机阶段, 销售阶段, 跟进状态, Lead Status, Opportunity;
* ``other``: a state of something else -- 设备状态, 发票状态, 付款状态, 订单状态, 审核状态,
  经营状态 (a company's registration), 风险等级, 项目阶段 ...: never the client status by content;
* ``""``: no evidence (no header, 备注, Col7): only the words that say a client status anyway.

Decisions, per word, as an agency's staff read them (any case, width, spacing, traditional
form, 已 before a verb, a remark in brackets; stages: 重要 committed, 主要 strong, 准 qualified,
意向 interested, 暂缓 on hold, 拒绝 refused).

In any status column (the same reading whatever the header):

====================================================  ==============  ==========================================
words                                                 reads as        why
====================================================  ==============  ==========================================
Won, Closed Won, 赢单, 已成交, Customer, Customer -     current         the deal is won, the account pays; an
Direct, Customer - Channel, Evangelist, 往來中, 活跃                    Evangelist is a client who recommends us
New, Subscriber, Lead, Marketing Qualified Lead, MQL,  prospect 意向   first contact or interest only; a
Prospecting, Qualification, 初步接触, 线索                              Salesforce Qualification deal is still
                                                                      being qualified (10 %)
Qualified, Sales Qualified Lead, SQL, Opportunity,     prospect 准     qualified, needs being discussed: a
Engaging, Needs Analysis, Value Proposition, Id.                      meeting held, intent not yet strong
Decision Makers, Perception Analysis, 需求确认
Proposal/Price Quote, Negotiation/Review, 方案报价,     prospect 主要   a price or terms under discussion is
谈判审核, 商务谈判, 谈判中                                              strong intent; never 重要, which takes a
                                                                      paid deposit (SPEC 4.2)
未成交, 商机, Prospect                                 prospect        not yet a client; no stage said
Churned, Churned Customer, Former Customer, Lost      lost            the relationship ended
Customer, 不活跃
====================================================  ==============  ==========================================

Where the header decides (A account, C client, P pipeline, N no evidence; -- not a status):

====================================================  ==============  ==========================================
words                                                 reads as        why
====================================================  ==============  ==========================================
Lost, Closed Lost, 输单, 丢单, 败单                    P: prospect     a lost deal is a prospect who said no; in
                                                      拒绝; A C N:    a client column (Status: Lost) a lost
                                                      lost            client
正常, 启用                                            A C: current;   a client or account in normal standing is
                                                      P N: --         served; 正常 under 设备状态, 发票状态 or
                                                                      风险等级 is no client status
闭户, 销户, 注销, 停用, 休眠                           A C: lost;      the account is closed, deregistered,
                                                      P N: --         switched off or dormant (as dormant)
冻结, 暂停                                            A 冻结: current; held, not ended: a frozen account or card
                                                      P 暂停: 暂缓;    is still the client's (current); elsewhere
                                                      else --         not current (no business is done), not
                                                                      lost (it may resume): the owner says which.
                                                                      暂停投放 / 暂停合作 say what stopped (lost);
                                                                      a paused deal is 暂缓
有效, Open, 开户 / 无效, Closed, 关闭                   A: current /    an account valid or open is served; in a
                                                      lost; C P N:    CRM 有效/无效 says whether a lead is
                                                      --              genuine, and Closed may be won or lost
意向, 准, 暂缓, 拒绝, 重要, 主要 (intent stages)        P: prospect     a stage column names a prospect's stage
                                                      at that stage
====================================================  ==============  ==========================================

Never a status, in any column (reported with the column's other words): Other, Partner,
Channel Partner / Reseller, Installation Partner, Technology Partner, Reseller, Unqualified,
异常 -- a partner, a catch-all or a fault says nothing of being a client; the owner of the
book says which it is.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
import pandas as pd

from .parse import BLANK_TOKENS
from .fields import normalise_header
from .labels import STAGE_NAMES, STAGES, STATUS_NAMES

__all__ = ["CONTEXTS", "CONTEXT_WORDS", "STAGE_WORDS", "STATUS_WORDS", "WORD_STAGES", "StatusReading", "column_words",
           "remark_head", "remark_parts", "stage_codes", "status_codes", "status_context", "status_reading",
           "status_stage_reading", "tier_codes"]

def _key(text: object) -> str:
    """The comparable form of a word: :func:`normalise_header` (simplified characters,
    through parse.TRADITIONAL: 凍結, 閉戶, 贏單 ...)."""
    return normalise_header(text)


STATUS_WORDS: dict[str, str] = {}
for _code, _names in STATUS_NAMES.items():
    for _n in _names.values():
        STATUS_WORDS[_key(_n)] = _code
for _word, _code in {
    "合作中": "current", "在合作": "current", "现有客户": "current", "老客户": "current", "签约": "current",
    "已签约": "current", "active": "current", "existing": "current", "client": "current",
    "潜在客户": "prospect", "意向": "prospect", "意向客户": "prospect", "新客户": "prospect", "待开发": "prospect",
    "lead": "prospect", "prospective": "prospect", "跟进中": "prospect",
    "已流失": "lost", "流失客户": "lost", "终止合作": "lost", "停止合作": "lost", "churned": "lost",
    "inactive": "lost", "former": "lost",
    # more of what agencies type: 合作情况 / 客户性质 / 客户类型 columns and CRM account types
    "合作客户": "current", "签约客户": "current", "正式客户": "current", "已合作": "current", "长期合作": "current",
    "在服客户": "current", "服务中": "current", "续约": "current", "已续约": "current", "现有合作": "current",
    "customer": "current", "current": "current", "currentclient": "current", "closedwon": "current",
    "未合作": "prospect", "洽谈中": "prospect", "在谈": "prospect", "潜客": "prospect", "待签约": "prospect",
    "储备客户": "prospect", "目标客户": "prospect", "新开发": "prospect", "开发中": "prospect", "prospect": "prospect",
    "潜在": "prospect", "pipeline": "prospect",
    "已停止合作": "lost", "已终止": "lost", "终止": "lost", "已解约": "lost", "解约": "lost", "已终止合作": "lost",
    "formercustomer": "lost", "formerclient": "lost", "lostclient": "lost", "closedlost": "lost",
    "成交客户": "current", "已成交": "current", "在投": "current", "投放中": "current", "合作": "current",
    "retained": "current", "retainer": "current", "project": "current", "projectbased": "current",
    "newbusiness": "prospect", "pitching": "prospect", "pitch": "prospect", "比稿中": "prospect", "比稿": "prospect",
    "已停投": "lost", "停投": "lost", "暂停投放": "lost", "dormant": "lost",
    "往来中": "current", "已往来": "current", "停止往来": "lost", "无往来": "lost",
}.items():
    STATUS_WORDS[_key(_word)] = _code


# CRM statuses, lifecycle stages, account types and opportunity stages (issue 30): word ->
# (status, intent stage or ""); the same in every status column (the table in the docstring).
_CRM_WORDS: dict[str, tuple[str, str]] = {
    "won": ("current", ""), "closed won": ("current", ""), "赢单": ("current", ""), "已赢单": ("current", ""),
    "customer - direct": ("current", ""), "customer - channel": ("current", ""), "evangelist": ("current", ""),
    "活跃": ("current", ""), "活跃客户": ("current", ""),
    "new": ("prospect", "interested"), "subscriber": ("prospect", "interested"), "lead": ("prospect", "interested"),
    "marketing qualified lead": ("prospect", "interested"), "mql": ("prospect", "interested"),
    "prospecting": ("prospect", "interested"), "qualification": ("prospect", "interested"),
    "初步接触": ("prospect", "interested"), "线索": ("prospect", "interested"),
    "qualified": ("prospect", "qualified"), "sales qualified lead": ("prospect", "qualified"),
    "sql": ("prospect", "qualified"), "opportunity": ("prospect", "qualified"), "engaging": ("prospect", "qualified"),
    "needs analysis": ("prospect", "qualified"), "value proposition": ("prospect", "qualified"),
    "id. decision makers": ("prospect", "qualified"), "identify decision makers": ("prospect", "qualified"),
    "perception analysis": ("prospect", "qualified"), "需求确认": ("prospect", "qualified"),
    "proposal/price quote": ("prospect", "strong"), "proposal": ("prospect", "strong"),
    "negotiation/review": ("prospect", "strong"), "negotiation": ("prospect", "strong"),
    "方案报价": ("prospect", "strong"), "方案/报价": ("prospect", "strong"), "谈判审核": ("prospect", "strong"),
    "谈判/审核": ("prospect", "strong"), "商务谈判": ("prospect", "strong"), "谈判中": ("prospect", "strong"),
    "谈判": ("prospect", "strong"),
    "未成交": ("prospect", ""), "商机": ("prospect", ""),
    "churned customer": ("lost", ""), "lost customer": ("lost", ""), "不活跃": ("lost", ""),
    # a lost deal: lost here, a prospect who refused in a pipeline column (CONTEXT_WORDS)
    "lost": ("lost", ""), "closed lost": ("lost", ""), "输单": ("lost", ""), "丢单": ("lost", ""), "败单": ("lost", ""),
    "已输单": ("lost", ""), "已丢单": ("lost", ""),
    # what other trades' lists say at once: renewals and orders (current), expiry, surrender
    # and cancellation (lost), trials and first contacts (prospect); "no cooperation yet" is a
    # prospect, though 合作 alone says current
    "续费": ("current", ""), "已续费": ("current", ""), "renewed": ("current", ""), "paying": ("current", ""),
    "已下单": ("current", ""), "回款中": ("current", ""), "已开发": ("current", ""),
    "未续费": ("lost", ""), "到期": ("lost", ""), "已到期": ("lost", ""), "过期": ("lost", ""), "已过期": ("lost", ""),
    "expired": ("lost", ""), "退保": ("lost", ""), "已退保": ("lost", ""), "cancelled": ("lost", ""),
    "canceled": ("lost", ""), "沉睡": ("lost", ""), "沉睡客户": ("lost", ""), "休眠客户": ("lost", ""),
    "睡眠客户": ("lost", ""),
    "未下单": ("prospect", ""), "待跟进": ("prospect", ""), "无合作": ("prospect", ""), "暂无合作": ("prospect", ""),
    "尚未合作": ("prospect", ""), "没有合作": ("prospect", ""), "从未合作": ("prospect", ""),
    "初次接触": ("prospect", "interested"), "首次接触": ("prospect", "interested"),
    "试用中": ("prospect", "qualified"), "试用": ("prospect", "qualified"), "trial": ("prospect", "qualified"),
    "free trial": ("prospect", "qualified"), "报价中": ("prospect", "strong"), "已报价": ("prospect", "strong"),
}
#: Words that say an intent stage besides their status (Qualified: a prospect, 准).
WORD_STAGES: dict[str, str] = {}
for _word, (_code, _stage) in _CRM_WORDS.items():
    STATUS_WORDS[_key(_word)] = _code
    if _stage:
        WORD_STAGES[_key(_word)] = _stage

STAGE_WORDS: dict[str, str] = {}
for _code in STAGES:
    for _n in STAGE_NAMES[_code].values():
        STAGE_WORDS[_key(_n)] = _code
for _word, _code in {
    "重要客户": "committed", "已付定金": "committed", "hot": "committed",
    "主要客户": "strong", "强意向": "strong", "意向强烈": "strong",
    "准客户": "qualified", "已见面": "qualified",
    "意向客户": "interested", "初步意向": "interested", "lead": "interested",
    "暂缓客户": "on_hold", "暂不需要": "on_hold", "onhold": "on_hold", "搁置": "on_hold",
    "已拒绝": "refused", "拒绝客户": "refused", "不需要": "refused", "lost": "refused",
}.items():
    STAGE_WORDS[_key(_word)] = _code


# What a pipeline's words say of a prospect's stage, in a stage column too (Prospecting, 需求确认,
# Closed Lost ...). A won deal is no prospect's stage.
_DEAL_LOST = ("lost", "closed lost", "输单", "丢单", "败单", "已输单", "已丢单")
for _word in _DEAL_LOST:
    STAGE_WORDS.setdefault(_key(_word), "refused")
for _word, _stage in WORD_STAGES.items():
    STAGE_WORDS.setdefault(_word, _stage)
STAGE_WORDS.setdefault(_key("暂停"), "on_hold")

# ---- words whose meaning is the column's (see the module docstring)
CONTEXTS: tuple[str, ...] = ("account", "client", "pipeline", "", "other")
_STATE_WORDS = {"正常": "current", "启用": "current", "已启用": "current", "闭户": "lost", "已闭户": "lost",
                "销户": "lost", "已销户": "lost", "注销": "lost", "已注销": "lost", "停用": "lost", "已停用": "lost",
                "休眠": "lost", "睡眠": "lost"}
_ACCOUNT_WORDS = {"有效": "current", "无效": "lost", "open": "current", "opened": "current", "开户": "current",
                  "已开户": "current", "closed": "lost", "关闭": "lost", "已关闭": "lost",
                  # a frozen account or card is still the client's (a hold, not an end): current
                  "冻结": "current", "frozen": "current"}
#: context -> word -> (status, stage): read before :data:`STATUS_WORDS` in a column of that context.
CONTEXT_WORDS: dict[str, dict[str, tuple[str, str]]] = {c: {} for c in CONTEXTS}
for _word, _code in _STATE_WORDS.items():
    CONTEXT_WORDS["account"][_key(_word)] = CONTEXT_WORDS["client"][_key(_word)] = (_code, "")
for _word, _code in _ACCOUNT_WORDS.items():
    CONTEXT_WORDS["account"][_key(_word)] = (_code, "")
for _word, _stage in STAGE_WORDS.items():  # a stage column names a prospect's stage
    CONTEXT_WORDS["pipeline"][_word] = ("prospect", _stage)
for _word in _DEAL_LOST:
    CONTEXT_WORDS["pipeline"][_key(_word)] = ("prospect", "refused")
CONTEXT_WORDS["pipeline"][_key("暂停")] = ("prospect", "on_hold")
CONTEXT_WORDS["pipeline"][_key("已暂停")] = ("prospect", "on_hold")

# What a header says the column is the state of, checked in this order: a state of something
# else first (设备状态, 风险等级), then a client's life cycle, a pipeline, an account, a client.
_HEADER_CONTEXTS: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("other", r"发票|开票|票据|设备|机器|付款|回款|收款|支付|缴费|订单|物流|发货|配送|快递|审核|审批|风险|等级|级别|评级|经营|登记|工商|"
              r"营业|项目|任务|工单|库存|商品|产品|员工|在职|健康|网络|系统|婚姻|学历|性别|邮件|短信|电话|号码|微信|登录|联系人|对接人",
     frozenset("invoice invoicing billing device machine payment payments paid order orders shipping delivery approval "
               "review risk grade level rating tier project task ticket stock inventory product employee staff health "
               "network system email sms phone login contact verification kyc compliance".split())),
    ("client", r"生命周期", frozenset({"lifecycle", "lifecyclestage"})),
    ("pipeline", r"阶段|商机|漏斗|销售进度|跟进|进展|进度|线索",
     frozenset("stage stages pipeline funnel opportunity opportunities opp deal deals dealstage lead leads leadstatus".split())),
    # an account, a card, a membership, a policy, an agreement or a subscription: valid or not
    ("account", r"账户|帐户|账号|帐号|开户|卡片|卡|会员|会籍|保单|协议|合同|合约|订阅",
     frozenset("account accounts card cards member membership policy contract agreement subscription".split())),
    ("client", r"客户|顾客|合作|往来|投放|类型|类别|性质|状态|状况|情况|分类",
     frozenset("client clients customer customers type status state relationship".split())),
)
_CAMEL_RE = re.compile(r"(?<=[a-z])(?=[A-Z])")


def status_context(header: object) -> str:
    """What a header says its column is the state of: ``account``, ``client``, ``pipeline``,
    ``other`` (a device, an invoice, a risk grade ...) or ``""`` (no evidence)."""
    if header is None:
        return ""
    text = _CAMEL_RE.sub(" ", unicodedata.normalize("NFKC", str(header)))
    zh = _key(text)
    words = set(re.findall(r"[a-z]+", text.lower()))
    for context, chinese, english in _HEADER_CONTEXTS:
        if re.search(chinese, zh) or words & english:
            return context
    return ""


_TIER_RE = re.compile(r"^([abcd])(?:类|级|级客户|类客户|tier|客户)?$")
_TIER_WORDS = {"重点客户": "A", "重点": "A", "主要客户": "B", "普通客户": "C", "一般客户": "C", "待开发": "D"}


def _codes(text: np.ndarray, words: Mapping[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """Map text cells to codes; returns (codes or "", unknown-nonblank mask)."""
    s = pd.Series(text, dtype=object).fillna("")
    codes_u, uniques = pd.factorize(s)
    keys = pd.Series(uniques, dtype=object).map(lambda v: _key(v) if v else "")
    mapped = keys.map(words).fillna("").to_numpy(dtype=object)
    codes = mapped[codes_u] if len(codes_u) else np.zeros(0, dtype=object)
    typed = pd.Series(uniques, dtype=object).map(_typed)
    unknown = typed.to_numpy(dtype=bool)[codes_u] & (codes == "") if len(codes_u) else np.zeros(0, dtype=bool)
    return codes, unknown


def tier_codes(text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A/B/C/D from cells like ``A``, ``a类``, ``B级``, ``重点客户``; returns (codes, unknown)."""
    codes_u, uniques = pd.factorize(pd.Series(text, dtype=object).fillna(""))
    s = pd.Series([unicodedata.normalize("NFKC", str(v)).strip().lower() if v else "" for v in uniques], dtype=object)
    m = s.str.extract(_TIER_RE)[0].str.upper()
    words = s.map(_TIER_WORDS)
    codes = m.fillna(words).fillna("").to_numpy(dtype=object)
    unknown = (s != "").to_numpy(dtype=bool) & (codes == "")
    if not len(codes_u):
        return np.zeros(0, dtype=object), np.zeros(0, dtype=bool)
    return codes[codes_u], unknown[codes_u]


# ---- a status or stage with a remark
# A remark in brackets of any kind (合作中（有流失风险）, 合作中【续约中】) or after a dash,
# colon, comma, semicolon, full stop or bar (合作中-有流失风险, 合作中：有流失风险, 合作中，但…) is
# a remark: the status is read from the part before it. A slash, bar, 、, 或 or a space joins
# words of equal weight (合作中/已流失, 现有 流失): no remark there.
_OPENERS = "([{<【〔「『《〈〖﹝"
_CLOSERS = ")]}>】〕」』》〉〗﹞"
_BRACKETED_RE = re.compile(rf"[{re.escape(_OPENERS)}][^{re.escape(_CLOSERS)}]*(?:[{re.escape(_CLOSERS)}]|$)")
_REMARK_SEPARATOR_RE = re.compile(r"[-—–―:;,。]")


def remark_parts(text: str) -> tuple[str, list[str]]:
    """(the part of a cell before its remark, the pieces of the remark): the text itself
    and no remark when it has none, or when nothing stands before the remark (【合作中】)."""
    s = unicodedata.normalize("NFKC", text).strip()
    inside = [m.group()[1:].rstrip(_CLOSERS) for m in _BRACKETED_RE.finditer(s)]
    pieces = _REMARK_SEPARATOR_RE.split(_BRACKETED_RE.sub(" ", s))
    head = pieces[0].strip()
    if not head:
        bare = [p.strip() for p in _REMARK_SEPARATOR_RE.split(re.sub(rf"[{re.escape(_OPENERS + _CLOSERS)}]", " ", s))]
        return next((p for p in bare if p), ""), []
    remark = [p.strip() for p in inside + pieces[1:] if p.strip()]
    return head, remark


def remark_head(text: str) -> str:
    """The part of a cell before its remark (see :func:`remark_parts`)."""
    return remark_parts(text)[0]


# ---- status words inside a longer text, read by their structure
# A text that is no known status word is read from the words in it, each found once,
# leftmost first and a phrase before the words it is made of:
# - words that end a relationship (流失, 解约, 停投, 停止, 终止; 暂停 / 不再 + 合作, 往来, 投放 ...)
#   say lost; words of a relationship not yet begun (潜在, 意向, 洽谈, 开发, 比稿; 未 / 待 / 拟 +
#   合作, 签约, 成交 ...) say prospect; words of a running one (现有, 合作中, 在投, 签约, 成交,
#   续约, active) say current; a lost deal (lost, 输单) says lost, or in a pipeline column a
#   prospect who refused;
# - a bare relationship word (合作, 往来, 投放, 服务, client) says current unless another word
#   says more (长期合作 is current, 潜在合作 a prospect, 已停止合作 lost);
# - a word made past (曾流失, 曾经合作, 合作过), a risk (流失风险, 停投预警, 有流失可能), a doubt
#   (疑似流失, 即将流失) or negated (未流失) says nothing of now and is passed over.
# Words that point to two different statuses (合作中/已流失, 现有 流失, 潜在或现有) are
# ambiguous: reported, never decided by which came first.
_RELATION = r"合作|往来|投放|服务"
# ... and as other trades say it: a course, a drug, a policy or a membership stopped or refunded
# (停课, 已停药, 退保, 退费), a case closed (结案), a deal stopped (取引停止)
_LOST = r"流失|解约|停投|已失效|失效|(?:无|没有)往来|停药|停课|停保|退保|退费|退学|退租|退会|退卡|结案|churned|churn|" \
        r"inactive|former|dormant"
_DEAL_LOST_RE = r"closedlost|lost|输单|丢单|败单"
_STOP = rf"(?:停止|终止|中止|结束)(?:{_RELATION})?|(?:暂停|不再)(?:{_RELATION})"
_NOT_YET = r"(?:未|没有|没|尚未|还未|待|拟|准备)(?:合作|往来|投放|签约|签|成交)"
_PROSPECT = r"潜在|意向|洽谈|在谈|开发|比稿|储备|潜客|目标客户|新客户|跟进中|咨询中|咨询|接洽|商谈|试听|试用|试驾|试单|" \
            r"prospective|prospect|potential|lead|pitching|pitch|pipeline|newbusiness"
# 在 + what is going on (在读, 在办, 在保) is under way; 已进院 / 已准入 admitted (a hospital, a store)
_CURRENT = r"现有|合作中|在合作|往来中|在投|投放中|服务中|在服|在读|在办|在保|在营|在用|在租|已进院|进院|已准入|已入驻|" \
           r"取引中|交易中|续约|签约|签|成交|赢单|老客户|正式客户|active|current|existing|retained|retainer|closedwon"
_ANY = rf"{_STOP}|{_NOT_YET}|{_LOST}|{_DEAL_LOST_RE}|{_PROSPECT}|{_CURRENT}|{_RELATION}|client|customer"
_STATUS_TOKEN_RE = re.compile(
    rf"(?P<neutral>(?:曾经|曾|以前|之前|原先|过去|历史|疑似|可能|或将|即将|将要|担心|防止|预防|避免)(?:{_ANY})(?:过)?"
    rf"|(?:未|没有|没|不|并未|尚未)(?:{_LOST}|{_STOP}|{_DEAL_LOST_RE})"
    rf"|(?:{_ANY})(?:过|风险|预警|隐患|可能|倾向|迹象|危险|警告))"
    rf"|(?P<lost>{_STOP}|{_LOST})|(?P<deal_lost>{_DEAL_LOST_RE})|(?P<prospect>{_NOT_YET}|{_PROSPECT})"
    rf"|(?P<current>{_CURRENT})|(?P<relation>{_RELATION}|client|customer)")


# Words that join items of equal weight: each item is read on its own (合作客户/潜在客户 names
# two statuses, where 潜在合作客户 is one prospect). A space joins items next to a Chinese
# word (现有 流失), not inside an English phrase (former client).
_ITEM_JOINER_RE = re.compile(r"\s*(?:[/、|&→⇒]|或者|以及|或|及|和|与|\bor\b|\band\b)\s*"
                             r"|(?<=[\u3400-\u9fff])\s+|\s+(?=[\u3400-\u9fff])")

_Said = tuple[str, str]  # (status, stage or "")
_ALL_WORDS = frozenset(STATUS_WORDS).union(*CONTEXT_WORDS.values())


def _items(text: str) -> list[str]:
    """The items of a text joined by / 、 或 ..., a known word that holds a joiner kept whole
    (Proposal/Price Quote, 方案/报价, Negotiation / Review)."""
    pieces: list[str] = []
    joiners: list[str] = []
    pos = 0
    for m in _ITEM_JOINER_RE.finditer(text):
        pieces.append(text[pos:m.start()])
        joiners.append(m.group())
        pos = m.end()
    pieces.append(text[pos:])
    items, i = [], 0
    while i < len(pieces):
        j = next((j for j in range(len(pieces), i + 1, -1)
                  if _key("".join(p + s for p, s in zip(pieces[i:j - 1], joiners[i:j - 1])) + pieces[j - 1])
                  in _ALL_WORDS), i + 1)
        items.append("".join(p + s for p, s in zip(pieces[i:j - 1], joiners[i:j - 1])) + pieces[j - 1])
        i = j
    return items


def _word(key: str, context: str) -> _Said | None:
    """(status, stage) of one known word in a column of the context, or None."""
    for k in (key, key[1:] if key.startswith("已") else None):  # 已冻结 is 冻结, 已赢单 赢单: 已 says "done"
        if not k:
            continue
        hit = CONTEXT_WORDS.get(context, {}).get(k)
        if hit is not None:
            return hit
        if k in STATUS_WORDS:
            return STATUS_WORDS[k], WORD_STAGES.get(k, "")
    return None


def _words_said(key: str, context: str) -> tuple[list[_Said], bool]:
    """(what the words of a normalised text say, a bare relationship word in it?)."""
    said: list[_Said] = []
    relation = False
    for m in _STATUS_TOKEN_RE.finditer(key):
        kind = m.lastgroup
        if kind in ("lost", "prospect", "current"):
            said.append((kind, ""))
        elif kind == "deal_lost":
            said.append(("prospect", "refused") if context == "pipeline" else ("lost", ""))
        elif kind == "relation":
            relation = True
    return said, relation


def _one(said: list[_Said]) -> tuple[str, str, bool]:
    """(status, stage, ambiguous) of what several words said: one status, and its stage when
    the words name just one; two statuses are ambiguous."""
    statuses = {code for code, _ in said}
    if len(statuses) > 1:
        return "", "", True
    stages = {stage for _, stage in said if stage}
    return (statuses.pop() if statuses else ""), (stages.pop() if len(stages) == 1 else ""), False


def _status_by_words(text: str, context: str) -> tuple[str, str, bool]:
    """(status or "", stage or "", ambiguous?) from the words of a text (see above): each item
    (parts joined by / 、 或 ...) a known status word or read from its words."""
    said: list[_Said] = []
    relation = False
    for item in _items(unicodedata.normalize("NFKC", text)):
        key = _key(item)
        hit = _word(key, context)
        if hit is not None:
            said.append(hit)
        else:
            item_said, item_relation = _words_said(key, context)
            said += item_said
            relation |= item_relation
    code, stage, ambiguous = _one(said)
    if code or ambiguous:
        return code, stage, ambiguous
    return ("current" if relation else ""), "", False


def _status_of_text(text: str, context: str = "") -> tuple[str, str, bool]:
    """(status or "", stage or "", ambiguous?) of one status cell: a known status word; else
    the part before its remark, as a known word or read from its words. A remark that is
    nothing but a status word of another status (合作中，已流失; 现有（潜在）) makes two statuses:
    ambiguous."""
    # a word with a dash in it (Customer - Direct, Closed - Won) is that word, before a remark in brackets
    s = unicodedata.normalize("NFKC", text)
    hit = _word(_key(_BRACKETED_RE.sub(" ", s)), context)
    if hit is not None:
        inside = [m.group()[1:].rstrip(_CLOSERS) for m in _BRACKETED_RE.finditer(s)]
        if any((_word(_key(piece), context) or hit)[0] != hit[0] for piece in inside):
            return "", "", True
        return hit[0], hit[1], False
    head, remark = remark_parts(text)
    hit = _word(_key(head), context)
    code, stage, ambiguous = (hit[0], hit[1], False) if hit is not None else _status_by_words(head, context)
    if code and any((_word(_key(piece), context) or (code,))[0] != code for piece in remark):
        return "", "", True
    return code, stage, ambiguous


class StatusReading(NamedTuple):
    """The status cells as read: codes (current / prospect / lost or ""), unknown (a typed
    cell without a status), ambiguous (a part of unknown: two statuses named), stages (the
    intent stage a word says, such as 准 for Qualified, or ""), and the column's context."""

    codes: np.ndarray
    unknown: np.ndarray
    ambiguous: np.ndarray
    stages: np.ndarray
    context: str


def _typed(value: object) -> bool:
    """Anything but a blank or a blank word (-, /, n/a): a lone ? is typed, and unknown."""
    return bool(value) and str(value).strip().lower() not in BLANK_TOKENS


def status_stage_reading(text: np.ndarray, header: object = None, *, context: str | None = None) -> StatusReading:
    """current / prospect / lost, and the stage a word says, from the status cells of a column
    whose header is ``header`` (its :func:`status_context`; ``context`` overrides it, e.g.
    ``"client"`` for a column the Settings mapping names as the status). A known word, the
    part before a remark (合作中（有流失风险） is current), else the words inside the text
    (已停止往来 is lost, 洽谈中 a prospect). Each distinct text is looked at once."""
    ctx = status_context(header) if context is None else context
    values = pd.Series(np.asarray(text, dtype=object), dtype=object).fillna("")
    if not len(values):
        empty = np.zeros(0, dtype=object)
        return StatusReading(empty, np.zeros(0, dtype=bool), np.zeros(0, dtype=bool), empty.copy(), ctx)
    where, uniques = pd.factorize(values)
    read = [_status_of_text(str(v), ctx) if _typed(v) else ("", "", False) for v in uniques]
    typed = np.array([_typed(v) for v in uniques], dtype=bool)[where]
    codes = np.array([r[0] for r in read], dtype=object)[where]
    stages = np.array([r[1] for r in read], dtype=object)[where]
    ambiguous = np.array([r[2] for r in read], dtype=bool)[where]
    return StatusReading(codes, typed & (codes == ""), ambiguous, stages, ctx)


def status_reading(text: np.ndarray, header: object = None, *,
                   context: str | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """current / prospect / lost from the status cells: (codes or "", unknown, ambiguous).
    Unknown: a non-blank cell without a status; ambiguous (a part of unknown): one whose
    words point to two different statuses (合作中/已流失). See :func:`status_stage_reading`."""
    r = status_stage_reading(text, header, context=context)
    return r.codes, r.unknown, r.ambiguous


def status_codes(text: np.ndarray, header: object = None, *,
                 context: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """current / prospect / lost from the status cells; returns (codes, unknown). An
    ambiguous text (合作中/已流失) is unknown here; :func:`status_reading` tells it apart."""
    r = status_stage_reading(text, header, context=context)
    return r.codes, r.unknown


def column_words(text: np.ndarray, codes: np.ndarray | None = None, limit: int = 12) -> tuple[tuple[str, str], ...]:
    """The words of a column as a message shows them -- what an unknown word was read
    against: the distinct typed texts (trimmed), most frequent first, each with its status
    code ("" for one not read), at most ``limit`` of them."""
    values = np.asarray(text, dtype=object)
    codes = np.full(len(values), "", dtype=object) if codes is None else np.asarray(codes, dtype=object)
    count: Counter[str] = Counter()
    code_of: dict[str, str] = {}
    for v, c in zip(values, codes):
        if v is None or (isinstance(v, float) and v != v) or not _typed(v):
            continue
        word = str(v).strip()
        count[word] += 1
        code_of.setdefault(word, str(c or ""))
    return tuple((w, code_of[w]) for w, _n in count.most_common(limit))


def stage_codes(text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Intent-stage codes from the stage cells (a known stage word, or one before a remark:
    意向（下月再谈） is 意向; a pipeline's words: Needs Analysis is 准, Closed Lost 拒绝); returns
    (codes, unknown)."""
    codes, unknown = _codes(text, STAGE_WORDS)
    if unknown.any():
        idx = np.flatnonzero(unknown)
        where, uniques = pd.factorize(pd.Series(np.asarray(text, dtype=object)[idx], dtype=object))
        found = np.array([STAGE_WORDS.get(_key(remark_head(str(v))), "") for v in uniques], dtype=object)[where]
        codes = codes.copy()
        codes[idx] = found
        unknown = unknown.copy()
        unknown[idx] = found == ""
    return codes, unknown
