"""What the cells of a client book's text columns mean: status words (现有, 合作中, 老客户,
流失 ...), intent-stage words and tiers (A, B类, 重点客户 ...), compared after the same
normalisation as headers. Used to read the cells, and to recognise a column by its content
(a 客户类型 column full of 现有客户 / 潜在客户 is the status).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .fields import normalise_header
from .labels import STAGE_NAMES, STAGES, STATUS_NAMES

__all__ = ["STAGE_WORDS", "STATUS_WORDS", "stage_codes", "status_codes", "tier_codes"]

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
    unknown = (keys.to_numpy(dtype=object)[codes_u] != "") & (codes == "") if len(codes_u) else np.zeros(0, dtype=bool)
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


# Words inside a longer status text, checked in this order when the whole text is not a known
# status: an ended relationship first (已停止往来, 终止合作), then one not yet begun (未合作,
# 洽谈中, 开发中), then a running one (长期合作中, 往来中, 在投).
_STATUS_KEYWORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("lost", re.compile(r"停止|终止|中止|流失|解约|停投|不再合作|已失效|churn|former|lost")),
    ("prospect", re.compile(r"未合作|未签|潜在|意向|洽谈|在谈|开发|待签|待开发|比稿|prospect|lead|pitch|pipeline")),
    # 合作过 / 曾合作 (worked together once) says nothing of now: left unknown
    ("current", re.compile(r"(?<!曾)合作(?!过)|(?<!曾)往来(?!过)|在投|签约|成交|续约|服务中|active|current|customer|client")),
)


def _status_by_keyword(key: str) -> str:
    for code, rx in _STATUS_KEYWORDS:
        if rx.search(key):
            return code
    return ""


def status_codes(text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """current / prospect / lost from the status cells (a known status word, else a word
    inside the text: 已停止往来 is lost, 洽谈中 a prospect, 长期合作中 current); returns
    (codes, unknown)."""
    codes, unknown = _codes(text, STATUS_WORDS)
    if unknown.any():  # looked at once per distinct text, not per cell
        idx = np.flatnonzero(unknown)
        where, uniques = pd.factorize(pd.Series(np.asarray(text, dtype=object)[idx], dtype=object))
        found = np.array([_status_by_keyword(normalise_header(v)) for v in uniques], dtype=object)[where]
        codes = codes.copy()
        codes[idx] = found
        unknown = unknown.copy()
        unknown[idx] = found == ""
    return codes, unknown


def stage_codes(text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Intent-stage codes from the stage cells; returns (codes, unknown)."""
    return _codes(text, STAGE_WORDS)
