"""What the cells of a client book's text columns mean: status words (现有, 合作中, 老客户,
流失 ...), intent-stage words and tiers (A, B类, 重点客户 ...), compared after the same
normalisation as headers. Used to read the cells, and to recognise a column by its content
(a 客户类型 column full of 现有客户 / 潜在客户 is the status). A status or stage word followed
by a remark is read from the word (合作中（有流失风险） is current); a text whose words point to
two different statuses is ambiguous (:func:`status_reading`), never decided by word order.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .parse import BLANK_TOKENS
from .fields import normalise_header
from .labels import STAGE_NAMES, STAGES, STATUS_NAMES

__all__ = ["STAGE_WORDS", "STATUS_WORDS", "remark_head", "remark_parts", "stage_codes", "status_codes", "status_reading", "tier_codes"]

STATUS_WORDS: dict[str, str] = {}
for _code, _names in STATUS_NAMES.items():
    for _n in _names.values():
        STATUS_WORDS[normalise_header(_n)] = _code
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
    STATUS_WORDS[normalise_header(_word)] = _code

STAGE_WORDS: dict[str, str] = {}
for _code in STAGES:
    for _n in STAGE_NAMES[_code].values():
        STAGE_WORDS[normalise_header(_n)] = _code
for _word, _code in {
    "重要客户": "committed", "已付定金": "committed", "hot": "committed",
    "主要客户": "strong", "强意向": "strong", "意向强烈": "strong",
    "准客户": "qualified", "已见面": "qualified",
    "意向客户": "interested", "初步意向": "interested", "lead": "interested",
    "暂缓客户": "on_hold", "暂不需要": "on_hold", "onhold": "on_hold", "搁置": "on_hold",
    "已拒绝": "refused", "拒绝客户": "refused", "不需要": "refused", "lost": "refused",
}.items():
    STAGE_WORDS[normalise_header(_word)] = _code

_TIER_RE = re.compile(r"^([abcd])(?:类|级|级客户|类客户|tier|客户)?$")
_TIER_WORDS = {"重点客户": "A", "重点": "A", "主要客户": "B", "普通客户": "C", "一般客户": "C", "待开发": "D"}


def _codes(text: np.ndarray, words: Mapping[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """Map text cells to codes; returns (codes or "", unknown-nonblank mask)."""
    s = pd.Series(text, dtype=object).fillna("")
    codes_u, uniques = pd.factorize(s)
    keys = pd.Series(uniques, dtype=object).map(lambda v: normalise_header(v) if v else "")
    mapped = keys.map(words).fillna("").to_numpy(dtype=object)
    codes = mapped[codes_u] if len(codes_u) else np.zeros(0, dtype=object)
    # typed: anything but a blank or a blank word (-, /, n/a): a lone ? is typed, and unknown
    typed = pd.Series(uniques, dtype=object).map(lambda v: bool(v) and str(v).strip().lower() not in BLANK_TOKENS)
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
#   续约, active) say current;
# - a bare relationship word (合作, 往来, 投放, 服务, client) says current unless another word
#   says more (长期合作 is current, 潜在合作 a prospect, 已停止合作 lost);
# - a word made past (曾流失, 曾经合作, 合作过), a risk (流失风险, 停投预警, 有流失可能), a doubt
#   (疑似流失, 即将流失) or negated (未流失) says nothing of now and is passed over.
# Words that point to two different statuses (合作中/已流失, 现有 流失, 潜在或现有) are
# ambiguous: reported, never decided by which came first.
_RELATION = r"合作|往来|投放|服务"
_LOST = r"流失|解约|停投|已失效|失效|(?:无|没有)往来|churned|churn|inactive|former|lost|dormant"
_STOP = rf"(?:停止|终止|中止|结束)(?:{_RELATION})?|(?:暂停|不再)(?:{_RELATION})"
_NOT_YET = r"(?:未|没有|没|尚未|还未|待|拟|准备)(?:合作|往来|投放|签约|签|成交)"
_PROSPECT = r"潜在|意向|洽谈|在谈|开发|比稿|储备|潜客|目标客户|新客户|跟进中|prospective|prospect|potential|lead|pitching|" \
            r"pitch|pipeline|newbusiness"
_CURRENT = r"现有|合作中|在合作|往来中|在投|投放中|服务中|在服|续约|签约|签|成交|老客户|正式客户|active|current|existing|" \
           r"retained|retainer|closedwon"
_ANY = rf"{_STOP}|{_NOT_YET}|{_LOST}|{_PROSPECT}|{_CURRENT}|{_RELATION}|client|customer"
_STATUS_TOKEN_RE = re.compile(
    rf"(?P<neutral>(?:曾经|曾|以前|之前|原先|过去|历史|疑似|可能|或将|即将|将要|担心|防止|预防|避免)(?:{_ANY})(?:过)?"
    rf"|(?:未|没有|没|不|并未|尚未)(?:{_LOST}|{_STOP})"
    rf"|(?:{_ANY})(?:过|风险|预警|隐患|可能|倾向|迹象|危险|警告))"
    rf"|(?P<lost>{_STOP}|{_LOST})|(?P<prospect>{_NOT_YET}|{_PROSPECT})|(?P<current>{_CURRENT})"
    rf"|(?P<relation>{_RELATION}|client|customer)")


# Words that join items of equal weight: each item is read on its own (合作客户/潜在客户 names
# two statuses, where 潜在合作客户 is one prospect). A space joins items next to a Chinese
# word (现有 流失), not inside an English phrase (former client).
_ITEM_JOINER_RE = re.compile(r"\s*(?:[/、|&→⇒]|或者|以及|或|及|和|与|\bor\b|\band\b)\s*"
                             r"|(?<=[\u3400-\u9fff])\s+|\s+(?=[\u3400-\u9fff])")


def _words_said(key: str) -> tuple[set[str], bool]:
    """(the statuses the words of a normalised text say, a bare relationship word in it?)."""
    said: set[str] = set()
    relation = False
    for m in _STATUS_TOKEN_RE.finditer(key):
        kind = m.lastgroup
        if kind in ("lost", "prospect", "current"):
            said.add(kind)
        elif kind == "relation":
            relation = True
    return said, relation


def _status_by_words(text: str) -> tuple[str, bool]:
    """(status code or "", ambiguous?) from the words of a text (see above): each item
    (parts joined by / 、 或 ...) a known status word or read from its words."""
    said: set[str] = set()
    relation = False
    for item in _ITEM_JOINER_RE.split(unicodedata.normalize("NFKC", text)):
        key = normalise_header(item)
        if key in STATUS_WORDS:
            said.add(STATUS_WORDS[key])
        else:
            item_said, item_relation = _words_said(key)
            said |= item_said
            relation |= item_relation
    if len(said) > 1:
        return "", True
    if said:
        return said.pop(), False
    return ("current" if relation else ""), False


def _status_of_text(text: str) -> tuple[str, bool]:
    """(status code or "", ambiguous?) of one status cell: a known status word; else the part
    before its remark, as a known word or read from its words. A remark that is nothing but
    a status word of another status (合作中，已流失; 现有（潜在）) makes two statuses: ambiguous."""
    key = normalise_header(text)
    if key in STATUS_WORDS:
        return STATUS_WORDS[key], False
    head, remark = remark_parts(text)
    head_key = normalise_header(head)
    code, ambiguous = (STATUS_WORDS[head_key], False) if head_key in STATUS_WORDS else _status_by_words(head)
    if code and any(STATUS_WORDS.get(normalise_header(piece), code) != code for piece in remark):
        return "", True
    return code, ambiguous


def status_reading(text: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """current / prospect / lost from the status cells: (codes or "", unknown, ambiguous).
    A known status word, the part before a remark (合作中（有流失风险） is current), else the
    words inside the text (已停止往来 is lost, 洽谈中 a prospect, 长期合作中 current). Unknown:
    a non-blank cell without a status; ambiguous (a part of unknown): one whose words point
    to two different statuses (合作中/已流失). Each distinct text is looked at once."""
    codes, unknown = _codes(text, STATUS_WORDS)
    ambiguous = np.zeros(len(codes), dtype=bool)
    if unknown.any():
        idx = np.flatnonzero(unknown)
        where, uniques = pd.factorize(pd.Series(np.asarray(text, dtype=object)[idx], dtype=object))
        read = [_status_of_text(str(v)) for v in uniques]
        found = np.array([r[0] for r in read], dtype=object)[where]
        codes = codes.copy()
        codes[idx] = found
        unknown = unknown.copy()
        unknown[idx] = found == ""
        ambiguous[idx] = np.array([r[1] for r in read], dtype=bool)[where]
    return codes, unknown, ambiguous


def status_codes(text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """current / prospect / lost from the status cells; returns (codes, unknown). An
    ambiguous text (合作中/已流失) is unknown here; :func:`status_reading` tells it apart."""
    codes, unknown, _ambiguous = status_reading(text)
    return codes, unknown


def stage_codes(text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Intent-stage codes from the stage cells (a known stage word, or one before a remark:
    意向（下月再谈） is 意向); returns (codes, unknown)."""
    codes, unknown = _codes(text, STAGE_WORDS)
    if unknown.any():
        idx = np.flatnonzero(unknown)
        where, uniques = pd.factorize(pd.Series(np.asarray(text, dtype=object)[idx], dtype=object))
        found = np.array([STAGE_WORDS.get(normalise_header(remark_head(str(v))), "") for v in uniques],
                         dtype=object)[where]
        codes = codes.copy()
        codes[idx] = found
        unknown = unknown.copy()
        unknown[idx] = found == ""
    return codes, unknown
