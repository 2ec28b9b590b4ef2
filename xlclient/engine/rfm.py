"""RFM scores and the Chinese 8-class RFM scheme (SPEC 4.4).

Recency (days since the last order; fewer is better), frequency (orders) and monetary
(billings) are each scored 1-5 by quintiles of the population using mid-ranks: a value's
score is ``floor(5 * (mid_rank - 0.5) / n) + 1`` where ``mid_rank`` is the average rank of
the values equal to it. Ties therefore share a score, a book of identical values scores 3
(not 5 or 1), a single client scores 3, and five distinct values score 1..5. The code is
the three digits R, F, M (e.g. ``545``).

The 8 classes compare each raw value with the population mean: recency is high when the
days since the last order are at most the mean, frequency and monetary when at least the
mean (重要价值 = all three high ... 一般挽留 = all low).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .labels import RFM_CLASSES
from .lookup import search_sorted


def quintile_scores(values: np.ndarray, population: np.ndarray | None = None, *, higher_is_better: bool = True) -> np.ndarray:
    """Score 1-5 of each value against the population (itself when None); NaN stays NaN."""
    values = np.asarray(values, dtype=float)
    pop = values if population is None else np.asarray(population, dtype=float)
    pop = np.sort(pop[~np.isnan(pop)])
    n = pop.size
    out = np.full(values.shape, np.nan)
    if n == 0:
        return out
    ok = ~np.isnan(values)
    v = values[ok]
    below, upto = search_sorted(pop, v, ("left", "right"))
    # mid-rank of v among the population (a value not in the population sits between ranks)
    mid = (below + upto + 1) / 2.0
    fraction = (mid - 0.5) / n
    if not higher_is_better:
        fraction = 1.0 - fraction
    out[ok] = np.clip(np.floor(5 * fraction + 1e-12) + 1, 1, 5)
    return out


def rfm_code(r: np.ndarray, f: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Three-digit RFM codes like ``545`` ("" where a score is missing)."""
    r, f, m = (np.asarray(x, dtype=float) for x in (r, f, m))
    ok = ~(np.isnan(r) | np.isnan(f) | np.isnan(m))
    num = np.where(ok, np.nan_to_num(r) * 100 + np.nan_to_num(f) * 10 + np.nan_to_num(m), 0).astype(int)
    return np.where(ok, pd.Series(num).astype(str).to_numpy(dtype=object), "").astype(object)


def rfm_class(recency_days: np.ndarray, frequency: np.ndarray, monetary: np.ndarray,
              means: tuple[float, float, float] | None = None) -> np.ndarray:
    """Class code of the 8-class scheme ("" where a value is missing).

    ``means`` = (mean recency days, mean frequency, mean monetary) of the population;
    computed from the given values when None.
    """
    rd, fq, mo = (np.asarray(x, dtype=float) for x in (recency_days, frequency, monetary))
    if means is None:
        means = tuple(float(np.nanmean(x)) if np.any(~np.isnan(x)) else np.nan for x in (rd, fq, mo))
    r_high = rd <= means[0]
    f_high = fq >= means[1]
    m_high = mo >= means[2]
    ok = ~(np.isnan(rd) | np.isnan(fq) | np.isnan(mo))
    index = r_high.astype(int) * 4 + f_high.astype(int) * 2 + m_high.astype(int)
    lookup = np.empty(8, dtype=object)
    for (r, f, m), code in RFM_CLASSES.items():
        lookup[int(r) * 4 + int(f) * 2 + int(m)] = code
    return np.where(ok, lookup[index], "").astype(object)
