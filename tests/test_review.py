"""Review flags with reasons (SPEC 4.6)."""

from __future__ import annotations

import numpy as np

from xlclient.engine.review import ReviewInput, review_flags

nan = np.nan


def run(n=1, lang="zh", **over):
    base = dict(status=np.array(["current"] * n, dtype=object), tier=np.array(["B"] * n, dtype=object),
                previous_tier=np.array([""] * n, dtype=object), pinned=np.zeros(n, bool),
                gross_profit=np.full(n, nan), service_hours=np.full(n, nan), days_since_last_order=np.full(n, 30.0),
                billings=np.full(n, 1e6), billings_prev=np.full(n, nan), risks={}, problem_count=np.zeros(n, int))
    for k, v in over.items():
        base[k] = v if k == "risks" else np.asarray(v, dtype=object if k in ("status", "tier", "previous_tier") else None)
    return review_flags(ReviewInput(**base), lang=lang)


def test_nothing_to_say():
    codes, text = run()
    assert codes[0] == "" and text[0] == ""


def test_downgrade_with_reason():
    codes, text = run(tier=["C"], previous_tier=["A"])
    assert codes[0] == "downgrade" and "A → C" in text[0]
    assert run(tier=["A"], previous_tier=["B"])[0][0] == ""   # upgrade is not a flag
    assert run(tier=["D"], previous_tier=["B"])[0][0] == "downgrade"


def test_drop_candidates_lowest_tenth_by_profit_per_hour():
    gp = np.arange(1, 21) * 1000.0   # 20 clients, per hour 10..200
    hours = np.full(20, 100.0)
    codes, text = run(20, gross_profit=gp, service_hours=hours)
    flagged = [i for i, c in enumerate(codes) if "drop" in c]
    assert flagged == [0, 1]  # floor(20 x 10%) = 2 lowest
    assert "每工时毛利" in text[0]


def test_small_books_flag_no_decile_but_still_flag_losses():
    codes, text = run(3, gross_profit=[-100.0, 500, 900], service_hours=[10.0, 10, 10])
    assert list(codes) == ["drop", "", ""]
    assert "亏本" in text[0]


def test_no_order_for_twelve_months():
    codes, _ = run(2, days_since_last_order=[365.0, 366.0])
    assert list(codes) == ["", "drop"]


def test_churn_risk_from_flags_and_falling_billings():
    codes, text = run(3, risks={"risk_competitor": np.array([1.0, 0.0, nan])}, billings=[1e6, 7.9e5, 8e5],
                      billings_prev=[nan, 1e6, 1e6])
    assert codes[0] == "churn" and "竞品接触" in text[0]
    assert codes[1] == "churn" and "21%" in text[1]  # fell 21%: more than 20%
    assert codes[2] == ""                            # fell exactly 20%: not more than 20%


def test_lost_clients_get_no_churn_or_drop_flags():
    codes, _ = run(1, status=["lost"], risks={"risk_overdue": np.array([1.0])}, days_since_last_order=[900.0])
    assert codes[0] == ""


def test_data_problems_and_pinned():
    codes, text = run(1, problem_count=[2], pinned=[True], tier=["A"])
    assert codes[0] == "data,pinned"
    assert "2 项" in text[0] and "经理指定为 A" in text[0]


def test_english_reasons():
    _, text = run(tier=["C"], previous_tier=["A"], lang="en")
    assert text[0].startswith("Downgrade: A → C")


def test_cutoff_from_another_population():
    from xlclient.engine.review import drop_cutoff
    assert drop_cutoff(np.arange(10, 210, 10.0), 0.10) == 20.0
    assert drop_cutoff(np.array([5.0, 7.0]), 0.10) is None
    codes, _ = run(2, gross_profit=[1500.0, 9000.0], service_hours=[100.0, 100.0])
    assert list(codes) == ["", ""]  # two clients: no lowest tenth in the book itself
    from xlclient.engine.review import ReviewInput, review_flags
    x = ReviewInput(status=np.array(["current"] * 2, dtype=object), tier=np.array(["C"] * 2, dtype=object),
                    previous_tier=np.array(["", ""], dtype=object), pinned=np.zeros(2, bool),
                    gross_profit=np.array([1500.0, 9000.0]), service_hours=np.array([100.0, 100.0]),
                    days_since_last_order=np.full(2, 10.0), billings=np.full(2, 1e6), billings_prev=np.full(2, nan),
                    risks={}, problem_count=np.zeros(2, int))
    codes, _ = review_flags(x, cutoff=20.0)
    assert list(codes) == ["drop", ""]
