"""Strategy hints (SPEC 4.7)."""

from __future__ import annotations

import pytest

from xlclient.engine.strategy import UnknownType, known_types, strategy_for


@pytest.mark.parametrize("name", ["理智型", "理智", "理智型客户", "Rational", " 犹豫型 ", "金", "铅", "冲动型", "谨慎型",
                                  "任务型", "贪婪型", "主人翁型"])
def test_known_types_get_advice(name):
    assert len(strategy_for(name)) > 10


def test_quadrant_codes_and_labels_get_the_quadrant_action():
    assert strategy_for("Q1") == strategy_for("Q1 高价值/高需求")
    assert strategy_for("q5") != strategy_for("Q8")


def test_english_advice():
    assert strategy_for("理智型", "en").isascii()


def test_unknown_type_lists_the_known_ones():
    with pytest.raises(UnknownType) as e:
        strategy_for("外星型")
    for name in known_types("zh"):
        assert name in str(e.value)
    with pytest.raises(UnknownType):
        strategy_for("")
    with pytest.raises(UnknownType):
        strategy_for("Q9")
