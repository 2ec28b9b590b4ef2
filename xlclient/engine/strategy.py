"""Strategy hints (SPEC 4.7): a short, actionable approach for a client's personality type,
for the 金/银/铁/铅 styles, or for a quadrant.

The advice is written for an agency AE preparing a visit. Types are recognised with or
without the suffix (``理智``, ``理智型``, ``理智型客户``) and in English. Unknown types get a
message listing the known ones.
"""

from __future__ import annotations

import unicodedata

from .labels import QUADRANTS, Language
from .quadrant import quadrant_action

# code -> (zh names, en names, zh advice, en advice)
PERSONALITIES: dict[str, tuple[tuple[str, ...], tuple[str, ...], str, str]] = {
    "rational": (("理智型", "理智"), ("rational", "analytical"),
                 "用数据和案例说话，坦陈方案的长处与短板；不送礼不奉承，答应的事按时兑现。",
                 "Lead with data and case studies, be frank about strengths and limits; no flattery, keep every promise."),
    "task": (("任务型", "任务"), ("task", "task-driven"),
             "对方只想把上级交代的事办好：主动替他比较方案、把进度和交付讲清楚，承诺要干脆；费用不宜让步过多。",
             "They want the assignment done: compare options for them, be crisp on timing and delivery; don't over-discount."),
    "greedy": (("贪婪型", "贪婪", "贪小便宜型"), ("greedy", "bargain hunter"),
               "稳住关系、给足安全感，价格与服务写进合同；小恩小惠可以给，但设好底线，不一味让步。",
               "Build trust and put price and service in writing; small gestures are fine but hold a firm floor."),
    "owner": (("主人翁型", "主人翁", "老板型"), ("owner", "owner-minded"),
              "多是老板或极负责的人，最看重性价比：先在价格上给出诚意，再用效果和质量说明价值。",
              "Often the owner, focused on value for money: show good faith on price first, then prove results."),
    "hesitant": (("犹豫型", "犹豫", "犹豫不决型"), ("hesitant", "indecisive"),
                 "替他缩小选择范围，给出明确建议和试单方案；用成功案例打消顾虑，约好下一步的时间。",
                 "Narrow the choice, recommend one option or a trial; use success stories and fix the next step's date."),
    "impulsive": (("冲动型", "冲动"), ("impulsive",),
                  "趁热打铁，当场确认关键条款；保持耐心和平稳语气，事后及时书面确认避免反悔。",
                  "Strike while interest is high, confirm key terms on the spot, stay calm, follow up in writing."),
    "cautious": (("谨慎型", "谨慎", "小心翼翼型"), ("cautious", "careful"),
                 "跟着他的节奏，逐条讲透方案，多用图表和第三方数据；留出考虑时间，别催单。",
                 "Go at their pace, explain point by point with charts and third-party data; give time, don't push."),
    "relationship": (("关系型", "关系"), ("relationship", "friend"),
                     "朋友归朋友、生意归生意：把分寸拿捏好，流程和报价一样规范，用专业维护信任。",
                     "Keep friendship and business apart: same process and pricing as anyone, win trust with professionalism."),
    "gold": (("金", "金牌", "金牌客户"), ("gold",),
             "结果导向、决策快：直奔主题，讲清能交付什么和预期效果，少寒暄。",
             "Results-driven and quick to decide: get to the point, state deliverables and expected results."),
    "silver": (("银", "银牌", "银牌客户"), ("silver",),
               "外向健谈、容易热络：别被气氛高估成交把握，多问关键问题，确认真实需求和预算。",
               "Outgoing and chatty: don't mistake warmth for a deal, ask the key questions, confirm need and budget."),
    "iron": (("铁", "铁牌", "铁牌客户"), ("iron",),
             "随和但慢热：先建立关系、理解他的团队和客户，价值观一致后才会真正合作。",
             "Easy-going but slow to commit: build the relationship first and understand their team and customers."),
    "lead": (("铅", "铅牌", "铅牌客户"), ("lead",),
             "分析型买家：准备充分的数据、标准和对比，耐心等待决策，不要急于求成。",
             "Analytical buyer: bring data, standards and comparisons, and be patient with the decision."),
}


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower().replace(" ", "")


_INDEX: dict[str, str] = {}
for _code, (_zh, _en, _, _) in PERSONALITIES.items():
    for _name in _zh + _en:
        _INDEX[_norm(_name)] = _code
        _INDEX[_norm(_name) + "客户"] = _code


class UnknownType(ValueError):
    """A personality type or quadrant that xlclient has no advice for."""


def known_types(lang: Language = "zh") -> list[str]:
    """The names staff can use, in the given language."""
    return [names[0] if lang == "zh" else en[0] for names, en, _, _ in PERSONALITIES.values()]


def strategy_for(type_or_quadrant: object, lang: Language = "zh") -> str:
    """Advice for a personality type, a 金/银/铁/铅 style, or a quadrant (``Q1`` or
    ``Q1 高价值/高需求``). Raises UnknownType listing the known types."""
    text = _norm(str(type_or_quadrant or ""))
    if not text:
        raise UnknownType("请给出客户类型或象限" if lang == "zh" else "give a personality type or a quadrant")
    q = text[:2].upper()
    if q in QUADRANTS and (len(text) == 2 or not text[2].isdigit()):
        return quadrant_action(q, lang)
    code = _INDEX.get(text) or _INDEX.get(text.removesuffix("客户"))
    if code is None:
        known = "、".join(known_types("zh")) if lang == "zh" else ", ".join(known_types("en"))
        if lang == "zh":
            raise UnknownType(f"未知的客户类型「{type_or_quadrant}」，可用：{known}，或象限 Q1–Q8")
        raise UnknownType(f"unknown type '{type_or_quadrant}'; known: {known}, or a quadrant Q1-Q8")
    _, _, zh, en = PERSONALITIES[code]
    return zh if lang == "zh" else en
