"""Client tiers (客户等级, SPEC 4.1): A 重点客户, B 主要客户, C 普通客户, D 待开发.

Current clients with a positive value metric are ranked against a population (the whole
book, or the range given to a UDF):

* Pareto (default): the share of the total held by clients ranked *before* a client; A
  while that share is below 80%, B below 95%, C after.
* Rank: the share of clients ranked before it; A in the top 20%, B up to 50%.
* Threshold: A at or above 100万 a year, B at or above 30万, C below.

Equal values are tied: a client's position counts only the clients with a strictly
greater value, so clients with the same billings always get the same tier, whatever their
order or ID (the tie rule is deterministic and identical for one cell or a whole column).
Money is compared in whole fen (cents) and every comparison near a boundary is redone in
exact rational arithmetic, so 80% means exactly 80%.

Anti flip-flop: when the previous tier (A/B/C) is known, a client leaves it only when it
clears the boundary of that tier by the margin (5 points of share by default; for the
threshold method, 5% of the threshold). Prospects and current clients whose value is zero
are D; lost clients get no tier; a manager's pinned tier always wins.

A tier is given only when what it rests on was read (vouch or leave empty):

* A current client whose value is missing (a blank cell, 待定, 暂无) or could not be read
  gets no tier -- never D.
* Pareto and rank tiers rest on every current client's value: one amount that exists but
  could not be read (an error value, a text that is not an amount) may be the largest
  client and move every other tier. Then no current client gets a Pareto or rank tier,
  unless Settings say to tier from the rest (金额无法读取时 = 按其余客户分级). A missing amount
  does not block: it is not an amount, so the others are tiered from the rest.
* Thresholds rest on the client's own value only: unaffected but for the clients concerned.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .lookup import search_sorted
from .settings import Settings

TIERS = ("A", "B", "C", "D")
_RANK = {"A": 0, "B": 1, "C": 2}
_NEAR = 1e-9


def _fraction(x: float) -> Fraction:
    """The decimal a user typed (0.8 -> 4/5), not the binary float's expansion."""
    return Fraction(repr(float(x))).limit_denominator(10**12)


@dataclass(frozen=True)
class TierRule:
    """The tier method and its cut-offs, taken from Settings."""

    method: str = "pareto"
    cut_a: float = 0.80
    cut_b: float = 0.95
    margin: float = 0.05

    @classmethod
    def from_settings(cls, s: Settings) -> "TierRule":
        if s.tier_method == "pareto":
            return cls("pareto", s.pareto_a, s.pareto_b, s.tier_margin)
        if s.tier_method == "rank":
            return cls("rank", s.rank_a, s.rank_b, s.tier_margin)
        if s.tier_method == "threshold":
            return cls("threshold", s.threshold_a, s.threshold_b, s.tier_margin)
        raise ValueError(f"unknown tier method {s.tier_method!r}")

    def boundaries(self) -> tuple[list[Fraction], list[Fraction]]:
        """Boundaries on the position scale (lower = better) and the margin at each."""
        a, b, m = _fraction(self.cut_a), _fraction(self.cut_b), _fraction(self.margin)
        if self.method == "threshold":
            # position = -value in fen; margins proportional to each threshold
            return [-a * 100, -b * 100], [m * a * 100, m * b * 100]
        return [a, b], [m, m]


def to_fen(values: np.ndarray) -> np.ndarray:
    """Yuan to whole fen as int64 (NaN -> 0)."""
    v = np.nan_to_num(np.asarray(values, dtype=float), nan=0.0, posinf=0.0, neginf=0.0)
    return np.round(np.clip(v, -9e16, 9e16) * 100).astype(np.int64)  # parsers refuse amounts over 1e15


class TierScale:
    """A population of values, sorted once, that places any value on the tier scale.

    Build it once per population (the UDF layer caches it) and call :meth:`tiers` for one
    value or a million; each call is a binary search, not a pass over the population.
    """

    def __init__(self, population: np.ndarray, rule: TierRule):
        fen = to_fen(population)
        fen = fen[fen > 0]
        self.rule = rule
        self.n = int(fen.size)
        uniq, counts = np.unique(fen, return_counts=True)  # ascending distinct values
        self._uniq = uniq
        # suffix[k] = total (count) of the distinct values uniq[k:]; suffix[len] = 0
        self._suffix_sum = np.concatenate([np.cumsum((uniq * counts)[::-1])[::-1], [0]]).astype(np.int64)
        self._suffix_count = np.concatenate([np.cumsum(counts[::-1])[::-1], [0]]).astype(np.int64)
        self.total = int(self._suffix_sum[0])

    def _greater(self, fen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Sum and count of population values strictly greater than each value."""
        (k,) = search_sorted(self._uniq, fen, ("right",))
        return self._suffix_sum[k], self._suffix_count[k]

    def positions(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Float position (lower = better) and its exact numerator/denominator parts."""
        fen = to_fen(values)
        if self.rule.method == "threshold":
            return -fen.astype(float), -fen, np.ones_like(fen)
        gs, gc = self._greater(fen)
        if self.rule.method == "pareto":
            den = max(self.total, 1)
            return gs / den, gs, np.full(fen.shape, den, dtype=np.int64)
        den = max(self.n, 1)
        return gc / den, gc, np.full(fen.shape, den, dtype=np.int64)

    def _below(self, pos: np.ndarray, num: np.ndarray, den: np.ndarray, bound: Fraction) -> np.ndarray:
        """pos < bound (pos <= bound for thresholds: "at or above"), exact near the boundary."""
        fb = float(bound)
        inclusive = self.rule.method == "threshold"
        out = pos <= fb if inclusive else pos < fb
        near = np.flatnonzero(np.abs(pos - fb) <= _NEAR * max(1.0, abs(fb)))
        for i in near:
            exact = Fraction(int(num[i]), int(den[i]))
            out[i] = exact <= bound if inclusive else exact < bound
        return out

    def tier_of(self, fen: int, previous: str = "") -> str:
        """The tier of one positive value in fen: the rule of :meth:`tiers` in plain Python,
        for single-cell UDF calls where numpy's per-call overhead would dominate (the two
        are property-tested to agree)."""
        fast = self.__dict__.get("_fast")
        if fast is None:
            (c1, c2), (m1, m2) = self.rule.boundaries()
            den = max(self.total, 1) if self.rule.method == "pareto" else max(self.n, 1)
            fast = self._fast = (self._uniq.tolist(), self._suffix_sum.tolist(), self._suffix_count.tolist(), den,
                                 (c1, c2, c1 + m1, c1 - m1, c2 + m2, c2 - m2))
        uniq, ssum, scount, den, (c1, c2, keep_a, up_b, down_b, up_c) = fast
        method = self.rule.method
        if method == "threshold":
            pos, num, den = float(-fen), -fen, 1
        else:
            k = bisect_right(uniq, fen)
            num = ssum[k] if method == "pareto" else scount[k]
            pos = num / den
        inclusive = method == "threshold"

        def below(bound: Fraction) -> bool:
            fb = float(bound)
            if abs(pos - fb) <= _NEAR * max(1.0, abs(fb)):
                exact = Fraction(num, den)
                return exact <= bound if inclusive else exact < bound
            return pos <= fb if inclusive else pos < fb

        if previous == "A" and below(keep_a):
            return "A"
        if previous == "B":
            return "C" if not below(down_b) else "A" if below(up_b) else "B"
        if previous == "C" and not below(up_c):
            return "C"
        return "A" if below(c1) else "B" if below(c2) else "C"

    def tiers(self, values: np.ndarray, previous: np.ndarray | None = None) -> np.ndarray:
        """Tier A/B/C of each value (values must be > 0; others get "")."""
        values = np.asarray(values, dtype=float)
        pos, num, den = self.positions(values)
        (c1, c2), (m1, m2) = self.rule.boundaries()
        raw = np.where(self._below(pos, num, den, c1), "A", np.where(self._below(pos, num, den, c2), "B", "C"))
        if previous is not None:
            prev = np.asarray(previous, dtype=object)
            keep_a = (prev == "A") & self._below(pos, num, den, c1 + m1)
            up_from_b = self._below(pos, num, den, c1 - m1)
            down_from_b = ~self._below(pos, num, den, c2 + m2)
            up_from_c = self._below(pos, num, den, c2 - m2)
            out = raw.astype(object)
            out[keep_a] = "A"
            is_b = prev == "B"
            out[is_b & ~up_from_b & ~down_from_b] = "B"
            out[is_b & up_from_b] = "A"
            out[is_b & down_from_b] = "C"
            out[(prev == "C") & ~up_from_c] = "C"
            raw = out
        fen = to_fen(values)
        return np.where(fen > 0, raw, "").astype(object)


@dataclass(frozen=True)
class TierResult:
    """Tier per client, whether it is pinned, the tier before the anti flip-flop rule, the
    current clients left without a tier for their own value (missing or unreadable), and
    whether ranking tiers were withheld because some current client's amount is unreadable."""

    tier: np.ndarray
    pinned: np.ndarray
    raw: np.ndarray
    untiered: np.ndarray
    withheld: bool = False


def assign_tiers(value: np.ndarray, status: np.ndarray, rule: TierRule, previous: np.ndarray | None = None,
                 override: np.ndarray | None = None, *, unreadable: np.ndarray | None = None,
                 unread_elsewhere: int = 0, from_rest: bool = False) -> TierResult:
    """Tier every client of a book (SPEC 4.1); the population is the book's own current
    clients with a positive value. ``value`` is NaN where missing or unreadable;
    ``unreadable`` marks the clients whose amount exists but could not be read, or whose
    status could not be read beside an amount (``status`` "": either may be the largest
    current client); ``unread_elsewhere`` counts such amounts of clients outside ``value``
    (a row whose name could not be read); ``from_rest`` is the Settings switch that tiers
    the others from the readable amounts all the same."""
    value = np.asarray(value, dtype=float)
    status = np.asarray(status, dtype=object)
    n = value.size
    current = status == "current"
    known = ~np.isnan(value)
    positive = known & (to_fen(np.where(known, value, 0.0)) > 0)
    ranked = current & positive
    bad = np.zeros(n, dtype=bool) if unreadable is None else np.asarray(unreadable, dtype=bool)
    maybe_current = ~np.isin(status, ("prospect", "lost"))  # current, or a status not read
    withheld = rule.method != "threshold" and (bool((bad & maybe_current).any()) or unread_elsewhere > 0) \
        and not from_rest
    if withheld:
        ranked = np.zeros(n, dtype=bool)
    scale = TierScale(value[ranked], rule)
    tier = np.full(n, "", dtype=object)
    raw = np.full(n, "", dtype=object)
    if ranked.any():
        prev = None if previous is None else np.asarray(previous, dtype=object)[ranked]
        tier[ranked] = scale.tiers(value[ranked], prev)
        raw[ranked] = scale.tiers(value[ranked])
    develop = (status == "prospect") | (current & known & ~positive)
    tier[develop] = "D"
    raw[develop] = "D"
    pinned = np.zeros(n, dtype=bool)
    if override is not None:
        override = np.asarray(override, dtype=object)
        pinned = np.isin(override, TIERS)
        tier[pinned] = override[pinned]
    return TierResult(tier, pinned, raw, current & ~known & ~pinned, withheld)
