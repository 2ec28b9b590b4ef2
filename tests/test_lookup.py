"""engine.lookup.search_sorted: the answers of np.searchsorted, found distinct value by value."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlclient.engine import lookup
from xlclient.engine.lookup import search_sorted

numbers = st.one_of(st.integers(-5, 5).map(float), st.floats(allow_nan=False), st.sampled_from([0.0, -0.0, 1e300]))


@settings(max_examples=300, deadline=None)
@given(population=st.lists(numbers, max_size=40), values=st.lists(numbers, max_size=60), many=st.sampled_from([0, 1, 4096]))
def test_the_same_answers_as_numpy(population, values, many):
    pop = np.sort(np.array(population, dtype=float))
    v = np.array(values, dtype=float)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(lookup, "MANY", many)  # 0 and 1: the distinct-value path on every size
        left, right = search_sorted(pop, v, ("left", "right"))
    assert left.tolist() == np.searchsorted(pop, v, side="left").tolist()
    assert right.tolist() == np.searchsorted(pop, v, side="right").tolist()


def test_integers_and_a_big_population():
    rng = np.random.default_rng(7)
    pop = np.sort(rng.integers(-1000, 1000, 200_000))
    v = rng.integers(-1200, 1200, 50_000)
    (k,) = search_sorted(pop, v, ("right",))
    assert (k == np.searchsorted(pop, v, side="right")).all()
