"""What a person sees in a cell through its Excel number format (SPEC 2, "Read what a
person sees"), as a money amount.

A cell holding 12.2 under ``0.0"万"`` shows ``12.2万`` (122,000 yuan); one holding 177000
under ``0!.0,"万"`` shows ``17.7万`` (177,000 yuan: the trailing comma divides by 1,000 and
``!.`` is a literal dot, one digit from the right). So a format may

* scale the number shown: each thousands comma after the last digit placeholder divides by
  1,000; a literal dot (``!.``, ``\\.``, ``"."``) between digit placeholders of the
  integer part divides by 10 per placeholder after it; ``%`` multiplies by 100;
* write a unit as literal text (``"万"``, ``\\万``, ``万元``, ``亿``, ``百万``, ``k``, ``元``);
* show no money at all: a date or time, a percentage, text (``@``), or another word
  (``0"户"``, a foreign currency such as ``[$$-409]``).

:func:`reading` says which, for the section of the format a value falls in (``pos;neg;
zero;text``, or ``[>=10000]...`` conditions); :func:`shown_yuan` turns a stored number into
the yuan a person reads; :func:`shown_text` renders the text Excel shows (the evidence
quoted in a report). Currency signs (¥, ￥, RMB, CNY, ``[$¥-804]``) are no unit, as in a
cell's text (SPEC 2): ``¥48.1`` under 投放额(万元) is 48.1万.

Written here rather than taken from the PyPI ``ssf`` port of SheetJS: ssf 0.2.2 renders
``0!.0,"万"`` as ``177!.0万`` (it does not know the ``!`` escape; LibreOffice does not
either, Excel does), fails to start with Babel >= 2.12 unless locale support is turned off,
and pulls in Babel, convertdate, PyYAML and a python-dateutil that conflicts with
``holidays``. Only the number part of formats is interpreted; date and time formats are
recognised, not rendered (calamine already reads those cells as dates). Pure: no I/O.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import lru_cache

from .fields import HEADER_UNITS
from .parse import TRADITIONAL

#: Kinds of :class:`Reading`.
MONEY = "money"  # a money unit is written in the format (万, 万元, 亿, 元 ...)
NUMBER = "number"  # a number without a unit word: the header's / banner's unit applies
DATE = "date"  # a date or time: not money
PERCENT = "percent"  # a percentage: not money
TEXT = "text"  # the text section / the text format ``@``: not a number
OTHER = "other"  # another word (0"户", 0"次") or a foreign currency: not yuan, not guessed

#: Built-in number formats (ECMA-376 Part 1, 18.8.30) as a Chinese (zh-CN) Excel shows them:
#: 5-8 and 23-26 are locale-dependent currency formats (¥ in zh-CN), 27-36 and 50-58 the
#: Chinese date formats, 14 the short date.
BUILTIN_FORMATS: dict[int, str] = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00",
    5: '"¥"#,##0;"¥"\\-#,##0', 6: '"¥"#,##0;[Red]"¥"\\-#,##0',
    7: '"¥"#,##0.00;"¥"\\-#,##0.00', 8: '"¥"#,##0.00;[Red]"¥"\\-#,##0.00',
    9: "0%", 10: "0.00%", 11: "0.00E+00", 12: "# ?/?", 13: "# ??/??",
    14: "yyyy/m/d", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM", 19: "h:mm:ss AM/PM",
    20: "h:mm", 21: "h:mm:ss", 22: "yyyy/m/d h:mm",
    23: "General", 24: "General", 25: "General", 26: "General",
    27: 'yyyy"年"m"月"', 28: 'm"月"d"日"', 29: 'm"月"d"日"', 30: "m-d-yy", 31: 'yyyy"年"m"月"d"日"',
    32: 'h"时"mm"分"', 33: 'h"时"mm"分"ss"秒"', 34: '上午/下午h"时"mm"分"', 35: '上午/下午h"时"mm"分"ss"秒"',
    36: 'yyyy"年"m"月"',
    37: "#,##0_);(#,##0)", 38: "#,##0_);[Red](#,##0)", 39: "#,##0.00_);(#,##0.00)", 40: "#,##0.00_);[Red](#,##0.00)",
    41: '_(* #,##0_);_(* (#,##0);_(* "-"_);_(@_)',
    42: '_("¥"* #,##0_);_("¥"* \\(#,##0\\);_("¥"* "-"_);_(@_)',
    43: '_(* #,##0.00_);_(* (#,##0.00);_(* "-"??_);_(@_)',
    44: '_("¥"* #,##0.00_);_("¥"* \\(#,##0.00\\);_("¥"* "-"??_);_(@_)',
    45: "mm:ss", 46: "[h]:mm:ss", 47: "mmss.0", 48: "##0.0E+0", 49: "@",
    50: 'yyyy"年"m"月"', 51: 'm"月"d"日"', 52: 'yyyy"年"m"月"', 53: 'm"月"d"日"', 54: 'm"月"d"日"',
    55: '上午/下午h"时"mm"分"', 56: '上午/下午h"时"mm"分"ss"秒"', 57: 'yyyy"年"m"月"', 58: 'm"月"d"日"',
}


def format_code(num_fmt_id: int, custom: Mapping[int, str] | None = None) -> str:
    """The format code of a ``numFmtId``: the workbook's own (``<numFmt>`` in styles.xml)
    first, then the built-in one; General for an id neither knows."""
    if custom and num_fmt_id in custom:
        return custom[num_fmt_id]
    return BUILTIN_FORMATS.get(num_fmt_id, "General")


# ---------------------------------------------------------------- parsing a format code

@dataclass(frozen=True)
class _Section:
    """One section of a format code (``pos;neg;zero;text``), as tokens."""

    tokens: tuple[tuple[str, str], ...]  # (kind, text): d digit, . point, , comma, lit, % , E exp, / frac, g, @
    condition: tuple[str, float] | None
    date: bool
    currency: str  # the symbol of a [$xx-LCID] currency, "" when none
    foreign: bool  # a currency other than yuan ($, €, [$¥-411] yen ...)
    dbnum: bool


_COND_RE = re.compile(r"^(<=|>=|<>|<|>|=)\s*(-?\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)$")
_DATE_WORDS = ("am/pm", "a/p", "上午/下午")
_GENERAL_WORDS = ("general", "g/通用格式", "g/標準", "g/标准")
_FOREIGN_RE = re.compile(r"[$€£₩₹]|usd|eur|hkd|jpy|gbp|us\$|hk\$|美元|港币|港元|日元|欧元|英镑", re.I)
_FOREIGN_LCIDS = {"411", "412", "409", "809", "c04", "404", "407", "40c", "410"}  # ja, ko, en, de, fr, it, zh-HK/TW


def _split_sections(code: str) -> list[str]:
    out, cur, i = [], [], 0
    while i < len(code):
        ch = code[i]
        if ch in '"[':  # a quoted literal or a [condition]/[$…] kept whole, to its closing mark
            j = code.find('"' if ch == '"' else "]", i + 1)
            j = len(code) if j < 0 else j
            cur.append(code[i:j + 1])
            i = j + 1
            continue
        if ch in "\\!_*" and i + 1 < len(code):
            cur.append(code[i:i + 2])
            i += 2
            continue
        if ch == ";":
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    out.append("".join(cur))
    return out


def _parse_section(text: str) -> _Section:
    tokens: list[tuple[str, str]] = []
    condition = None
    date = dbnum = foreign = False
    currency = ""
    seen_point = False
    i, n = 0, len(text)
    low = text.lower()
    while i < n:
        ch = text[i]
        if ch == '"':
            j = text.find('"', i + 1)
            j = n if j < 0 else j
            tokens.append(("lit", text[i + 1:j]))
            i = j + 1
        elif ch in "\\!" and i + 1 < n:
            tokens.append(("lit", text[i + 1]))
            i += 2
        elif ch == "_" and i + 1 < n:
            tokens.append(("lit", " "))
            i += 2
        elif ch == "*" and i + 1 < n:
            i += 2  # a fill: repeats a character to the column's width; nothing of the amount
        elif ch == "[":
            j = text.find("]", i + 1)
            j = n if j < 0 else j
            inner = text[i + 1:j].strip()
            cond = _COND_RE.match(inner)
            if cond:
                condition = (cond.group(1), float(cond.group(2)))
            elif inner.startswith("$"):
                sym, _, lcid = inner[1:].partition("-")
                currency = sym
                if sym:
                    tokens.append(("cur", sym))
                    foreign = foreign or bool(_FOREIGN_RE.search(sym)) or (
                        sym in "¥￥" and lcid.lower().lstrip("0") in _FOREIGN_LCIDS)
            elif inner.lower().startswith("dbnum"):
                dbnum = True
            elif re.fullmatch(r"[hms]+", inner.lower()):
                date = True
            # colours ([Red], [红色], [Color10], [颜色10]) and the rest show nothing
            i = j + 1
        elif ch in "0#?":
            tokens.append(("d", ch))
            i += 1
        elif ch == "." and not seen_point and not date:
            seen_point = True
            tokens.append((".", "."))
            i += 1
        elif ch == ",":
            tokens.append((",", ","))
            i += 1
        elif ch == "%":
            tokens.append(("%", "%"))
            i += 1
        elif ch in "eE" and i + 1 < n and text[i + 1] in "+-" and any(k == "d" for k, _ in tokens):
            tokens.append(("E", text[i + 1]))
            i += 2
        elif ch == "@":
            tokens.append(("@", "@"))
            i += 1
        elif any(low.startswith(w, i) for w in _GENERAL_WORDS):
            w = next(w for w in _GENERAL_WORDS if low.startswith(w, i))
            tokens.append(("g", ""))
            i += len(w)
        elif any(low.startswith(w, i) for w in _DATE_WORDS):
            date = True
            i += len(next(w for w in _DATE_WORDS if low.startswith(w, i)))
        elif ch.lower() in "ymdhsebg" and ch.isascii():
            date = True
            i += 1
        elif ch == "/" and tokens and tokens[-1][0] == "d" and i + 1 < n and (text[i + 1] in "0#?" or text[i + 1].isdigit()):
            tokens.append(("/", "/"))
            i += 1
        else:
            tokens.append(("lit", ch))
            i += 1
    return _Section(tuple(tokens), condition, date, currency, foreign, dbnum)


@lru_cache(maxsize=4096)
def _sections(code: str) -> tuple[_Section, ...]:
    parts = _split_sections(code)[:4]
    return tuple(_parse_section(p) for p in parts)


def _holds(cond: tuple[str, float], v: float) -> bool:
    op, x = cond
    return {"<": v < x, ">": v > x, "=": v == x, "<=": v <= x, ">=": v >= x, "<>": v != x}[op]


def _pick(code: str, value: float) -> tuple[int, bool]:
    """The index of the section a number falls in, and whether Excel itself shows its minus
    sign (a negative number in a one-section format or a conditional one) rather than the
    section's own text (``0.0;(0.0)``, ``0;\\-0``)."""
    secs = _sections(code)
    numeric = list(range(min(3, len(secs))))
    while len(numeric) > 1 and any(k == "@" for k, _ in secs[numeric[-1]].tokens):
        numeric.pop()  # a text section is for text
    if any(secs[k].condition for k in numeric):
        for k in numeric[:2]:
            if secs[k].condition is not None and _holds(secs[k].condition, value):
                return k, value < 0
        free = [k for k in numeric if secs[k].condition is None]
        return (free[0] if free else numeric[-1]), value < 0
    if len(numeric) == 1:
        return 0, value < 0
    if value > 0 or (value == 0 and len(numeric) == 2):
        return 0, False
    if value < 0:
        return 1, False
    return 2, False


# ---------------------------------------------------------------- what the format says about money

@dataclass(frozen=True)
class Reading:
    """What a format shows of a number, as money.

    ``kind`` is one of MONEY, NUMBER, DATE, PERCENT, TEXT, OTHER. The number a person reads
    is ``stored * scale``; with MONEY it is in ``unit`` (``multiplier`` yuan each), with
    NUMBER in the unit the header or a line around the table states. ``words`` is the
    literal text of the section (the evidence: ``万``, ``户``, ``$``)."""

    kind: str
    divisor: float = 1.0  # the number shown is stored / divisor (1000 per scaling comma ...)
    unit: str | None = None
    multiplier: float | None = None
    words: str = ""
    approx: bool = False  # the format says the amount is approximate (``"约"0"万"``)

    @property
    def scale(self) -> float:
        """The number a person reads per unit stored (before the unit)."""
        return 1.0 / self.divisor

    @property
    def factor(self) -> float | None:
        """Yuan per unit stored, for MONEY (``0!.0,"万"``: 1.0; ``0.0"万"``: 10000.0)."""
        return self.multiplier / self.divisor if self.kind == MONEY else None

    @property
    def money(self) -> bool:
        """A money amount (with or without a unit word in the format)."""
        return self.kind in (MONEY, NUMBER)

    def yuan(self, stored: float, default_multiplier: float | None = 1.0) -> float | None:
        """The yuan a person reads in a cell storing ``stored``; None when the cell does
        not show money, or shows a number without unit and ``default_multiplier`` is None."""
        if self.kind == MONEY:
            return stored * (self.multiplier / self.divisor)
        if self.kind == NUMBER and default_multiplier is not None:
            return stored * (default_multiplier / self.divisor)
        return None


# Units a format's literal text may write, after NFKC, lower case and traditional->simplified.
_CURRENCY_WORDS_RE = re.compile(r"人民币|rmb|cny|[¥]")
_APPROX_RE = re.compile(r"^(?:大约|约合|约)|(?:左右|上下)$")
_NOISE_RE = re.compile(r"[\s()（）\-+:：.,，/'~^{}<>=&]")
FORMAT_UNITS: dict[str, float] = {k: v for k, v in HEADER_UNITS.items()
                                  if v != 1.0 or k == "元"} | {"块": 1.0}


def _words(section: _Section) -> tuple[str, bool]:
    """The literal text of a section, and whether a currency sign is in it."""
    lits = []
    toks = section.tokens
    for i, (k, t) in enumerate(toks):
        if k in ("lit", "cur"):
            if k == "lit" and t == "." and _between_digits(toks, i):
                continue
            lits.append(t)
    text = "".join(lits)
    return text, bool(section.currency)


def _between_digits(toks: tuple[tuple[str, str], ...], i: int) -> bool:
    before = [k for k, _ in toks[:i] if k in ("d", ".", "E")]
    after = [k for k, _ in toks[i + 1:] if k in ("d", ".", "E")]
    return bool(before) and before[-1] == "d" and bool(after) and after[0] == "d" and "." not in before


@lru_cache(maxsize=4096)
def _section_reading(code: str, index: int) -> Reading:
    s = _sections(code)[index]
    kinds = [k for k, _ in s.tokens]
    words, _ = _words(s)
    if s.date:
        return Reading(DATE, words=words)
    if "@" in kinds:
        return Reading(TEXT, words=words)
    if "%" in kinds:
        return Reading(PERCENT, 0.01 ** kinds.count("%"), words=words)
    key = _NOISE_RE.sub("", unicodedata.normalize("NFKC", words).lower().translate(TRADITIONAL))
    if "d" not in kinds and not s.foreign:
        key = _CURRENCY_WORDS_RE.sub("", key)
    if "d" not in kinds and "g" not in kinds:  # a fixed text: "-" (a zero) or a word ("暂无")
        return Reading(NUMBER if not key else OTHER, words=words)
    if _dot_shift(s.tokens) and "." in kinds:
        return Reading(OTHER, words=words)  # 1.2.3: two decimal points, no amount a person reads
    divisor = float(1000 ** _scale_commas(s.tokens) * 10 ** _dot_shift(s.tokens))
    if s.foreign or _FOREIGN_RE.search(key):
        return Reading(OTHER, divisor, words=words)
    bare = _APPROX_RE.sub("", key)
    approx = bare != key
    key = _CURRENCY_WORDS_RE.sub("", bare)
    if not key:
        return Reading(NUMBER, divisor, words=words, approx=approx)
    if key in FORMAT_UNITS:
        return Reading(MONEY, divisor, key, FORMAT_UNITS[key], words, approx)
    return Reading(OTHER, divisor, words=words)


def foreign_currency(code: str | None) -> str | None:
    """The currency a format shows when it is not yuan (``"NT$"#,##0`` -> ``NT$``,
    ``[$$-409]#,##0`` -> ``$``); None for yuan, no currency or no format."""
    if not code:
        return None
    s = _sections(code)[0]
    words, _ = _words(s)
    syms = [t for k, t in s.tokens if k == "cur"]
    if s.foreign or _FOREIGN_RE.search(unicodedata.normalize("NFKC", words)):
        return (words.strip() or "".join(syms)) or "$"
    return None


def _scale_commas(toks: tuple[tuple[str, str], ...]) -> int:
    """Commas after the last digit placeholder of the number (before an exponent): each
    divides what is shown by 1,000."""
    kinds = [k for k, _ in toks]
    end = kinds.index("E") if "E" in kinds else len(kinds)
    last = max((i for i in range(end) if kinds[i] == "d"), default=-1)
    if last < 0:
        return 0
    n = 0
    for k in kinds[last + 1:end]:
        if k == ",":
            n += 1
        elif k in ("d", "."):
            break
    return n


def _dot_shift(toks: tuple[tuple[str, str], ...]) -> int:
    """Digit placeholders after a literal dot in the integer part (``0!.0`` shows 177 as
    17.7: one place)."""
    kinds = [k for k, _ in toks]
    end = next((i for i, k in enumerate(kinds) if k in (".", "E", "/")), len(kinds))
    dots = [i for i in range(end) if toks[i] == ("lit", ".") and _between_digits(toks, i)]
    if not dots:
        return 0
    return sum(1 for k in kinds[dots[-1] + 1:end] if k == "d")


def reading(code: str | None, value: float = 1.0) -> Reading:
    """What ``code`` shows of ``value`` (its section), as money; General for None/empty."""
    if not code:
        return Reading(NUMBER)
    return _section_reading(code, _pick(code, value)[0])


def text_reading(code: str | None) -> Reading | None:
    """What ``code`` shows of a text cell: a TEXT reading with the words around ``@`` of its
    text section (``@"万元"``), or None when the format leaves text as typed."""
    if not code:
        return None
    secs = _sections(code)
    for k, s in enumerate(secs):
        if any(t == "@" for t, _ in s.tokens) and (k == 3 or len(secs) < 4):
            return _section_reading(code, k)
    return None


def shown_yuan(code: str | None, value: float, default_multiplier: float | None = 1.0) -> float | None:
    """The yuan a person reads in a cell storing ``value`` under ``code`` (see
    :meth:`Reading.yuan`)."""
    return reading(code, value).yuan(value, default_multiplier)


@lru_cache(maxsize=4096)
def telling(code: str | None) -> bool:
    """Whether a format makes a number read differently from the number stored: a scale,
    a unit or other words, a percentage, a text section, a foreign currency. General,
    plain digit formats (``0.00``, ``#,##0``, ``#,##0_);(#,##0)``), ``¥#,##0`` and dates
    (which calamine already reads as dates) are not telling."""
    if not code:
        return False
    try:
        secs = _sections(code)
        for k in range(len(secs)):
            if k and any(t == "@" for t, _ in secs[k].tokens):
                continue  # the text section: a number never shows through it
            r = _section_reading(code, k)
            if r.kind == DATE:
                continue
            if r.kind != NUMBER or r.divisor != 1.0 or r.approx:
                return True
        return False
    except Exception:  # noqa: BLE001 - a code we cannot read is kept, to be reported
        return True


# ---------------------------------------------------------------- rendering

def shown_text(code: str | None, value: float | str) -> str:
    """The text Excel shows for ``value`` under ``code`` (numbers and text; a date format
    gives the General rendering of the serial). ``[DBNum]`` formats are rendered with
    Arabic digits."""
    if isinstance(value, str):
        tr = text_reading(code)
        if tr is None:
            return value
        secs = _sections(code or "")
        sec = next(s for k, s in enumerate(secs) if any(t == "@" for t, _ in s.tokens) and (k == 3 or len(secs) < 4))
        return "".join(value if k == "@" else t for k, t in sec.tokens if k in ("lit", "cur", "@"))
    if not code:
        return _general(value)
    index, sign = _pick(code, value)
    section = _sections(code)[index]
    x = Decimal(repr(abs(float(value))))
    if section.date:
        return ("-" if sign else "") + _general(float(x))
    out = _render(section, x)
    if sign and not any(ch in "123456789" for ch in out):
        return out  # rounded to zero: shown without a minus (as LibreOffice shows it)
    return ("-" + out) if sign else out


def _general(x: float) -> str:
    if x == int(x) and abs(x) < 1e11:
        return str(int(x))
    a = abs(x)
    if 1e-9 <= a < 1e11:
        digits = max(0, 10 - max(0, int(math.floor(math.log10(a))) + 1))
        s = f"{x:.{digits}f}".rstrip("0").rstrip(".")
        return s
    return f"{x:.5E}".replace("E+0", "E+").replace("E-0", "E-")


def _render(section: _Section, x: Decimal) -> str:
    toks = list(section.tokens)
    kinds = [k for k, _ in toks]
    if "@" in kinds:
        return _general(float(x))
    if "g" in kinds:
        return "".join(_general(float(x)) if k == "g" else (t if k in ("lit", "cur") else "")
                       for k, t in toks)
    if "d" not in kinds:
        return "".join(t for k, t in toks if k in ("lit", "cur"))
    x *= Decimal(100) ** kinds.count("%")
    x /= Decimal(1000) ** _scale_commas(section.tokens)
    if "E" in kinds:
        return _render_exp(toks, x)
    if "/" in kinds:
        return _render_fraction(toks, x)
    point = kinds.index(".") if "." in kinds else len(toks)
    int_toks = toks[:point]
    frac_toks = toks[point + 1:] if point < len(toks) else []
    n_frac = sum(1 for k, _ in frac_toks if k == "d")
    q = x.quantize(Decimal(1).scaleb(-n_frac), rounding=ROUND_HALF_UP)
    ip, _, fp = f"{q:f}".partition(".")
    fp = fp.ljust(n_frac, "0")
    ip = ip.lstrip("0")  # a literal dot (0!.0) is one of the integer part's literals
    group = any(k == "," and any(kk == "d" for kk, _ in int_toks[:i]) and any(kk == "d" for kk, _ in int_toks[i + 1:])
                for i, (k, _) in enumerate(int_toks))
    # integer part: placeholders right to left, the leftmost one taking every digit left
    places = [i for i, (k, _) in enumerate(int_toks) if k == "d"]
    cells: dict[int, str] = {}
    rest = ip
    for n, i in enumerate(reversed(places)):
        ph = int_toks[i][1]
        take, rest = (rest, "") if n == len(places) - 1 else (rest[-1:], rest[:-1])
        cells[i] = take or ("0" if ph == "0" else " " if ph == "?" else "")
    left = [("lit", rest)] if rest else []  # no integer placeholder (".00"): the digits still show
    for i, (k, t) in enumerate(int_toks):
        if k == "d":
            left.append(("d", cells[i]))
        elif k in ("lit", "cur", "%"):
            left.append(("lit", t))
    if group:
        left = _grouped(left)
    out = "".join(t for _, t in left)
    if point < len(toks):
        fcells = []
        places_f = [i for i, (k, _) in enumerate(frac_toks) if k == "d"]
        digs = list(fp)
        shown = {}
        for n, i in enumerate(places_f):
            shown[i] = digs[n] if n < len(digs) else "0"
        for i in reversed(places_f):  # trailing zeros under # and ? are not shown
            if shown[i] == "0" and frac_toks[i][1] in "#?":
                shown[i] = "" if frac_toks[i][1] == "#" else " "
            else:
                break
        for i, (k, t) in enumerate(frac_toks):
            if k == "d":
                fcells.append(shown[i])
            elif k in ("lit", "cur", "%"):
                fcells.append(t)
        out += "." + "".join(fcells)
    return out


def _grouped(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Thousands separators between the digits of the integer part (literals stay put)."""
    digits_right = 0
    out: list[tuple[str, str]] = []
    prev_digit = False
    for kind, text in reversed(items):
        if kind != "d":
            out.append((kind, text))
            prev_digit = False
            continue
        chars = []
        for ch in reversed(text):
            if ch.isdigit():
                if digits_right and digits_right % 3 == 0 and prev_digit:
                    chars.append(",")
                digits_right += 1
                prev_digit = True
            chars.append(ch)
        out.append((kind, "".join(reversed(chars))))
    out.reverse()
    return out


def _render_exp(toks: list[tuple[str, str]], x: Decimal) -> str:
    kinds = [k for k, _ in toks]
    e_at = kinds.index("E")
    mant, exp = toks[:e_at], toks[e_at + 1:]
    mk = [k for k, _ in mant]
    point = mk.index(".") if "." in mk else len(mant)
    int_ph = [t for k, t in mant[:point] if k == "d"]
    n_int = max(1, len(int_ph))
    n_frac = sum(1 for k, _ in mant[point + 1:] if k == "d")
    if x == 0:
        e = 0
    else:
        e = int(math.floor(math.log10(float(x))))
        e = (e // n_int) * n_int if "#" in int_ph and n_int > 1 else e - (n_int - 1)
    m = (x / Decimal(10) ** e).quantize(Decimal(1).scaleb(-n_frac), rounding=ROUND_HALF_UP)
    if m >= Decimal(10) ** n_int and x != 0:
        e += n_int if "#" in int_ph and n_int > 1 else 1
        m = (x / Decimal(10) ** e).quantize(Decimal(1).scaleb(-n_frac), rounding=ROUND_HALF_UP)
    ip, _, fp = f"{m:f}".partition(".")
    lead = "".join(t for k, t in mant[:point] if k in ("lit", "cur"))
    body = ip + ("." + fp if point < len(mant) else "")
    e_digits = sum(1 for k, _ in exp if k == "d")
    sign = "-" if e < 0 else ("+" if toks[e_at][1] == "+" else "")
    tail = "".join(t for k, t in exp if k in ("lit", "cur"))
    return f"{lead}{body}E{sign}{str(abs(e)).rjust(e_digits, '0')}{tail}"


def _render_fraction(toks: list[tuple[str, str]], x: Decimal) -> str:
    kinds = [k for k, _ in toks]
    slash = kinds.index("/")
    den_digits = sum(1 for k, _ in toks[slash + 1:] if k == "d") or 1
    whole_ph = any(k == "d" for k, _ in toks[:slash]) and any(k == "lit" and t == " " for k, t in toks[:slash])
    f = Fraction(x).limit_denominator(10 ** den_digits - 1)
    whole, num = divmod(f.numerator, f.denominator)
    if whole_ph:
        if num == 0:
            return str(whole)
        return (f"{whole} " if whole else "") + f"{num}/{f.denominator}"
    return f"{f.numerator}/{f.denominator}"
