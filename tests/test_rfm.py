"""RFM quintile scores and the 8-class Chinese scheme (SPEC 4.4)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings as hsettings
from hypothesis import strategies as st

from xlclient.engine.rfm import quintile_scores, rfm_class, rfm_code


def test_five_distinct_values_score_one_to_five():
    assert list(quintile_scores(np.array([10.0, 20, 30, 40, 50]))) == [1, 2, 3, 4, 5]


def test_recency_scores_reverse():
    assert list(quintile_scores(np.array([10.0, 20, 30, 40, 50]), higher_is_better=False)) == [5, 4, 3, 2, 1]


def test_ten_values_two_per_quintile():
    assert list(quintile_scores(np.arange(10.0))) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_ties_share_a_score_and_all_equal_is_neutral():
    assert list(quintile_scores(np.array([7.0] * 6))) == [3] * 6
    s = quintile_scores(np.array([1.0, 5, 5, 5, 9]))
    assert s[1] == s[2] == s[3]


def test_single_client_and_empty_book():
    assert list(quintile_scores(np.array([42.0]))) == [3]
    assert quintile_scores(np.array([])).size == 0


def test_missing_values_stay_missing_and_are_not_in_the_population():
    s = quintile_scores(np.array([np.nan, 1.0, 2, 3, 4, 5]))
    assert np.isnan(s[0]) and list(s[1:]) == [1, 2, 3, 4, 5]


def test_value_scored_against_another_population():
    pop = np.arange(1.0, 101.0)
    assert list(quintile_scores(np.array([1.0, 100.0, 50.5]), pop)) == [1, 5, 3]


def test_rfm_code_text():
    assert list(rfm_code(np.array([5.0, np.nan]), np.array([4.0, 1]), np.array([5.0, 1]))) == ["545", ""]


def test_eight_classes_against_the_mean():
    # means: recency 50 days, frequency 5, monetary 100
    rd = np.array([10.0, 10, 90, 90, 10, 10, 90, 90])
    fq = np.array([9.0, 1, 9, 1, 9, 1, 9, 1])
    mo = np.array([190.0, 190, 190, 190, 10, 10, 10, 10])
    assert list(rfm_class(rd, fq, mo)) == [
        "important_value", "important_develop", "important_keep", "important_retain",
        "general_value", "general_develop", "general_keep", "general_retain"]


def test_class_boundaries_at_the_mean_are_high():
    # recency exactly the mean counts as recent; frequency/monetary at the mean count as high
    assert list(rfm_class(np.array([50.0]), np.array([5.0]), np.array([100.0]), means=(50.0, 5.0, 100.0))) == [
        "important_value"]


@hsettings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), min_size=1, max_size=80))
def test_scores_are_1_to_5_and_monotone(values):
    v = np.array(values)
    s = quintile_scores(v)
    assert set(np.unique(s)) <= {1, 2, 3, 4, 5}
    order = np.argsort(v, kind="stable")
    assert np.all(np.diff(s[order]) >= 0)
    r = quintile_scores(v, higher_is_better=False)
    assert np.all(np.diff(r[order]) <= 0)
