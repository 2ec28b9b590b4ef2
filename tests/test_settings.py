"""Settings sheet: defaults, reading, refusing bad values with the cell named."""

from __future__ import annotations

import datetime as dt

import pytest

from xlclient.engine.settings import Settings, SettingsError, settings_from_grid, settings_rows


def test_defaults_match_the_spec():
    s = Settings()
    assert (s.pareto_a, s.pareto_b, s.tier_margin) == (0.80, 0.95, 0.05)
    assert (s.cadence_A, s.cadence_B, s.cadence_C) == (14, 30, 90)
    assert (s.cadence_committed, s.cadence_strong, s.cadence_qualified, s.cadence_interested, s.cadence_on_hold) == (
        7, 14, 21, 30, 90)
    assert [s.prob_committed, s.prob_strong, s.prob_qualified, s.prob_interested, s.prob_on_hold, s.prob_refused] == [
        0.9, 0.6, 0.35, 0.15, 0.05, 0.0]
    assert (s.plan_weeks, s.daily_visits, s.daily_calls, s.monthly_development) == (4, 4, 8, 4)
    assert s.language == "zh"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_written_rows_read_back_to_the_same_settings(lang):
    s = Settings(language=lang, pareto_a=0.7, tier_method="rank", as_of=dt.date(2026, 11, 22), cadence_A=10,
                 columns={"billings": "本年消耗(万元)"})
    assert settings_from_grid(settings_rows(s, lang)) == s


def test_labels_keys_and_english_labels_all_work():
    grid = [["A类累计占比", 75], ["pareto_b", "90%"], ["Cadence A (days)", "10天"], ["显示语言", "English"]]
    s = settings_from_grid(grid)
    assert (s.pareto_a, s.pareto_b, s.cadence_A, s.language) == (0.75, 0.90, 10, "en")


def test_blank_value_keeps_the_default():
    assert settings_from_grid([["A类累计占比", None], ["B类累计占比", ""]]) == Settings()


def test_cut_offs_out_of_order_are_refused_naming_the_cells():
    with pytest.raises(SettingsError) as e:
        settings_from_grid([["A类累计占比", 0.96], ["B类累计占比", 0.95]], sheet="设置", first_row=4)
    assert "'设置'!B5" in str(e.value) and "'设置'!B6" in str(e.value)


def test_negative_cadence_refused():
    with pytest.raises(SettingsError) as e:
        settings_from_grid([["", ""], ["A类拜访周期(天)", -14]])
    assert "B2" in str(e.value) and "1 到 3650" in str(e.value)


@pytest.mark.parametrize("label, value", [("A类拜访周期(天)", 3651), ("每日拜访上限", 101), ("节前问候天数", 31),
                                          ("无合作月数", 0), ("即将到期提醒(天)", -1)])
def test_out_of_range_plan_settings_refused(label, value):
    with pytest.raises(SettingsError):
        settings_from_grid([[label, value]])


def test_unknown_method_refused_with_the_options():
    with pytest.raises(SettingsError) as e:
        settings_from_grid([["分级方法", "随便"]])
    assert "B1" in str(e.value) and "帕累托" in str(e.value)


def test_every_bad_cell_is_reported_at_once():
    with pytest.raises(SettingsError) as e:
        settings_from_grid([["分级方法", "x"], ["A类拜访周期(天)", "abc"], ["计划周数", 2.5]])
    assert len(e.value.errors) == 3


def test_columns_block():
    grid = [["列映射"], ["字段", "本工作簿的列名"], ["年度投放额", "本年消耗"], ["owner", "对接AE"], ["不存在的字段", "x"]]
    with pytest.raises(SettingsError) as e:
        settings_from_grid(grid)
    assert "A5" in str(e.value)
    s = settings_from_grid(grid[:4])
    assert dict(s.columns) == {"billings": "本年消耗", "owner": "对接AE"}


def test_replace_validates():
    with pytest.raises(SettingsError):
        Settings().replace(rank_a=0.6)
