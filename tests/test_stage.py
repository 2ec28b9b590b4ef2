"""Intent stage derivation of prospects (SPEC 4.2)."""

from __future__ import annotations

import numpy as np
import pytest

from xlclient.engine.settings import Settings
from xlclient.engine.stage import derive_stage, stage_probability

nan = np.nan


@pytest.mark.parametrize("typed, meetings, deposit, expected", [
    ("", nan, 1.0, "committed"),            # deposit paid: 重要
    ("interested", 0, 1.0, "committed"),
    ("strong", 3, nan, "strong"),           # strong intent and >= 2 meetings: 主要
    ("strong", 2, 0.0, "strong"),
    ("strong", 1, nan, "qualified"),        # strong intent but only one meeting: 准
    ("strong", nan, nan, "strong"),         # meeting count unknown: trust the AE
    ("committed", 2, nan, "committed"),     # typed 重要, deposit column blank: kept
    ("committed", 2, 0.0, "strong"),        # typed 重要 but deposit recorded as not paid
    ("committed", 0, 0.0, "qualified"),
    ("", 1, nan, "qualified"),              # first meeting held: 准
    ("qualified", 0, nan, "qualified"),
    ("", 0, nan, "interested"),             # nothing known: 意向
    ("", nan, nan, "interested"),
    ("", 5, nan, "qualified"),              # many meetings but no stated intent: 准
    ("on_hold", 4, nan, "on_hold"),         # decisions stand
    ("refused", 0, nan, "refused"),
])
def test_stage_rules(typed, meetings, deposit, expected):
    stage, conflict = derive_stage(np.array([typed], dtype=object), np.array([meetings]), np.array([deposit]))
    assert stage[0] == expected
    assert not conflict[0]


def test_deposit_with_a_refusal_is_a_conflict_and_the_decision_stands():
    stage, conflict = derive_stage(np.array(["refused"], dtype=object), np.array([2.0]), np.array([1.0]))
    assert stage[0] == "refused" and conflict[0]


def test_default_probabilities_and_blank_for_non_prospects():
    p = stage_probability(np.array(["committed", "strong", "qualified", "interested", "on_hold", "refused", ""],
                                   dtype=object), Settings())
    assert list(p[:6]) == [0.9, 0.6, 0.35, 0.15, 0.05, 0.0]
    assert np.isnan(p[6])
