"""The client column when no header names it outright (issue 30): read as a person would.

Other trades call their clients by their own words: 投保人 (an insurer's policyholder),
委托人 (a law firm's client), 学员姓名, 协议单位, 货主名称, 医院名称, 取引先名. A person sees at
once that such a column holds the clients: its header is *something's name* (``X名称``,
``X姓名``, ``X名``, ``X单位``) or *the person who does something* (``X人``), and its cells
are names, one per row, nearly all different. So a column is the client column by content
when

* its header has that shape and the something is not a thing or a role that is not the
  client (a product, a project, a course, a department, a place, the client's contact or
  family, our own staff: 产品名称, 项目名称, 课程名称, 部门名称, 联系人, 家长姓名, 负责人 ...);
* at least :data:`MIN_ROWS` cells hold text, at least :data:`DISTINCT_SHARE` of them
  different, and hardly any is a number, a date or a code.

When two columns qualify, the leftmost is taken (books put the client first; 投保人 before
被保险人, 委托人 before 对方当事人) and the other is named as passed over. Either way the
choice is said out loud as a problem of the table, to be checked. Pure: values in, a
decision out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .fields import normalise_header

MIN_ROWS = 2
DISTINCT_SHARE = 0.8
# X名称 / X姓名 / X名 / X全称 / X单位 / X人 / X方 (the something is 1-6 characters)
_SHAPE_RE = re.compile(r"^(?P<what>[\u3400-\u9fff\u3040-\u30ff]{1,6}?)(?:名称|姓名|全称|名字|名|单位|人|方)$")
# Somethings that are not the client: things, places, roles on the client's side or ours.
_NOT_CLIENT_RE = re.compile(
    r"产品|商品|货品|物品|品牌|型号|规格|车型|车辆|项目|工程|课程|班级|活动|任务|文件|合同|部门|科室|岗位|职位|"
    r"城市|地区|区域|省份|国家|行业|类别|类型|渠道|平台|媒体|媒介|账号|店员|员工|职员|"
    r"联系|对接|负责|经办|责任|被保|受益|家长|监护|紧急|推荐|介绍|创建|录入|修改|审核|操作|填报|制表|对方|"
    r"销售|业务|客服|顾问|经理|主管|代表|律师|教练|老师|医生|专员|跟进|归属|所属|收件|发件|计量|币种|货币|"
    r"^姓$|^乙$|^我$|^本$")  # a bare 姓名 may list anyone; 乙方 / 我方 / 本人 are our side
# Cells that are not names: numbers, dates, codes.
_NOT_NAME_RE = re.compile(r"^[\d\s.,:/\-]+$|^[A-Za-z]{0,4}[-_]?\d[\dA-Za-z\-_/]*$")


@dataclass(frozen=True)
class ClientColumn:
    """The client column found by content: its index, how many text cells it holds and how
    many differ, and the other columns that qualified too (passed over)."""

    index: int
    n: int
    distinct: int
    others: tuple[int, ...] = ()


def _shaped(header: Any) -> bool:
    key = normalise_header(header)
    m = _SHAPE_RE.match(key)
    return bool(m) and not _NOT_CLIENT_RE.search(m.group("what") or "")


def _names(values: Sequence[Any]) -> tuple[int, int] | None:
    """(text cells, distinct) when the cells look like names, one per row; else None."""
    text = [unicodedata.normalize("NFKC", v).strip() for v in values if isinstance(v, str) and v.strip()]
    others = sum(1 for v in values if v is not None and not isinstance(v, str) and v == v)
    if len(text) < MIN_ROWS or others > 0.1 * (len(text) + others):
        return None
    if sum(1 for t in text if _NOT_NAME_RE.match(t)) > 0.1 * len(text):
        return None
    distinct = len(set(text))
    return (len(text), distinct) if distinct >= DISTINCT_SHARE * len(text) else None


def client_by_content(headers: Sequence[Any], rows: Sequence[Sequence[Any]], taken: set[int] = frozenset()
                      ) -> ClientColumn | None:
    """The client column of a table whose headers name none (see the module docstring);
    ``taken``: columns already read as another field."""
    found: list[tuple[int, int, int]] = []
    for i, h in enumerate(headers):
        if i in taken or not isinstance(h, str) or not _shaped(h):
            continue
        got = _names([r[i] if i < len(r) else None for r in rows])
        if got is not None:
            found.append((i, *got))
    if not found:
        return None
    i, n, distinct = found[0]
    return ClientColumn(i, n, distinct, tuple(j for j, _, _ in found[1:]))
