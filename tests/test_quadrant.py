"""Eight client quadrants (SPEC 4.3)."""

from __future__ import annotations

import numpy as np
import pytest

from xlclient.engine.quadrant import quadrant_action, quadrant_codes, quadrant_label

nan = np.nan


def q(status, tier="", need=nan, score=nan, money=nan, **kw):
    return quadrant_codes(np.array([status], dtype=object), np.array([tier], dtype=object), np.array([need]),
                          np.array([score]), np.array([money]), **kw)[0]


@pytest.mark.parametrize("tier, need, code", [
    ("A", 5, "Q1"), ("B", 3, "Q1"), ("A", 2.9, "Q2"), ("C", 3, "Q3"), ("D", 4, "Q3"), ("C", 1, "Q4"),
    ("B", nan, "Q2"),  # unknown need counts as low
])
def test_current_clients(tier, need, code):
    assert q("current", tier, need) == code


@pytest.mark.parametrize("score, need, code", [
    (4, 3, "Q5"), (5, 1, "Q6"), (3.9, 3, "Q7"), (1, 2, "Q8"), (nan, 5, "Q7"),
])
def test_prospects_by_potential_score(score, need, code):
    assert q("prospect", "D", need, score) == code


def test_prospects_by_budget_against_the_median():
    status = np.array(["prospect"] * 4, dtype=object)
    money = np.array([100.0, 200, 300, 400])  # median 250
    codes = quadrant_codes(status, np.array(["D"] * 4, dtype=object), np.full(4, 4.0), np.full(4, nan), money)
    assert list(codes) == ["Q7", "Q7", "Q5", "Q5"]


def test_lost_clients_have_no_quadrant():
    assert q("lost", "A", 5) == ""


def test_labels_and_actions():
    assert quadrant_label("Q5") == "Q5 潜在高价值/高需求"
    assert quadrant_label("Q1", "en") == "Q1 High value / high need"
    assert quadrant_action("Q8")
    assert quadrant_label("") == ""
