"""Layout mutations never make xlclient write a wrong value (issue 25).

The engine is tests/book_mutations.py: client books drawn from tests/client_books.gen under
several seeds and name styles, rewritten in the layouts agencies use (the mutation kinds
and the class each stands for are listed in its docstring), rendered to .xlsx, and read
and classified in-process exactly as ``xlclient refresh`` does.  The invariant, for every
client: the written tier, owner and next visit equal the truth (SPEC 2, 4.1, 4.5; Pareto
computed exactly with fractions), or are empty with a reason on the client's row or in a
problem of the table; no row is invented, no client lost without a reason, every planted
Excel error value reported on its row.

* ``test_seed_books_hold`` -- the unmutated books (the truth itself is right);
* ``test_each_kind`` -- one mutation kind at a time, every seed book, so a failure names
  its kind; kinds the product does not hold yet are in ``NOT_YET_HELD`` (one line each: what
  goes wrong) and are ``xfail(strict=True)``: the day one starts passing it turns red and
  its line is removed;
* ``test_held_kinds_compose`` -- hypothesis draws sets of 2-5 held kinds at once;
  ``XLCLIENT_MUTATIONS`` sets the number of examples (default 120, about 30 s, for CI; 2000 by hand:
  ``XLCLIENT_MUTATIONS=2000 python -m pytest -q -p no:cacheprovider tests/test_book_mutations.py
  -k compose``); derandomized, so CI is deterministic;
* ``test_all_kinds_compose`` -- the same over every kind (xfail while the table is not empty);
* ``test_end_to_end`` -- a few books through ``xlclient refresh --out --json`` and the
  written 分级结果 sheet read back with python-calamine: the same invariant, and the same
  results as the in-process run;
* ``test_the_checker_can_fail`` -- wrong outcomes planted by hand are caught.
"""

from __future__ import annotations

import copy
import datetime as dt
import os

import pytest
from hypothesis import HealthCheck, Phase, event, given, settings, strategies as st

import book_mutations as bm

#: kind -> what goes wrong today (the lead removes a line when its kind is held).
# The splits over sheets (split_by_status / owner / region) hold by saying so: the sheets that
# continue the table are reported as not read (on their own sheet) and the Pareto tiers are
# withheld unless the other sheets are named for statuses other than current; reading them
# all as one table is still to come.
NOT_YET_HELD: dict[str, str] = {
}

HELD = [k for k in bm.MUTATIONS if k not in NOT_YET_HELD]
EXAMPLES = int(os.environ.get("XLCLIENT_MUTATIONS", "120"))  # ~30 s
PER_KIND = [(index, index) for index in range(len(bm.SEEDS))]  # (seed book, generator seed) per kind


def _fails(book: bm.Book, folder) -> list[str]:
    return bm.check_book(book, folder)


# --------------------------------------------------------------------------- the truth itself

@pytest.mark.parametrize("index", range(len(bm.SEEDS)))
def test_seed_books_hold(index, tmp_path):
    """Unmutated: every client written, each with exactly the truth (not merely 'or empty')."""
    book = bm.base_book(index)
    rendered = bm.render(book, tmp_path / "book.xlsx")
    outcome = bm.run_in_process(rendered.path)
    assert outcome.refused is None, outcome.refused
    assert not bm.violations(book, rendered, outcome)
    exp = bm.expectations(book)
    got = {r["name"]: r for r in outcome.rows}
    assert set(got) == set(exp)
    for name, e in exp.items():
        assert (got[name]["tier"] or None) in e.tiers, name
        assert got[name]["owner"] == e.owner, name
    tiers = {t for e in exp.values() for t in e.tiers}
    assert {"A", "B", "C", "D", None} <= tiers  # the seed books exercise every tier


# --------------------------------------------------------------------------- one kind at a time

def _kind_param(kind: str):
    if kind in NOT_YET_HELD:
        return pytest.param(kind, marks=pytest.mark.xfail(strict=True, reason=NOT_YET_HELD[kind]))
    return kind


#: error_value is error_in_<field> with the field drawn too: its rows here are the error_in_* kinds
#: (a fixed draw could miss the two fields not held yet and pass by chance)
@pytest.mark.parametrize("kind", [_kind_param(k) for k in bm.MUTATIONS if k != "error_value"])
def test_each_kind(kind, tmp_path):
    report = []
    for index, seed in PER_KIND:
        book = bm.mutate(index, [kind], seed)
        fails = _fails(book, tmp_path / f"{index}-{seed}")
        if fails:
            report.append(f"seed book {index}, generator {seed}: {bm.describe(book)}\n    " + "\n    ".join(fails[:4]))
    assert not report, f"{kind}: {len(report)} books break the invariant\n" + "\n".join(report[:3])


# --------------------------------------------------------------------------- several kinds at once

COMPOSE = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                   phases=(Phase.explicit, Phase.generate, Phase.shrink),  # no explain phase: it reruns hundreds
                   suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _compose(tmp_path_factory, index, kinds, seed):
    book = bm.mutate(index, kinds, seed)
    event(f"{len(kinds)} kinds")
    fails = _fails(book, tmp_path_factory.mktemp("m"))
    assert not fails, bm.describe(book) + "\n  " + "\n  ".join(fails[:6])


@COMPOSE
@given(index=st.integers(0, len(bm.SEEDS) - 1), kinds=st.lists(st.sampled_from(HELD), min_size=2, max_size=5, unique=True),
       seed=st.integers(0, 2 ** 16))
def test_held_kinds_compose(tmp_path_factory, index, kinds, seed):
    _compose(tmp_path_factory, index, kinds, seed)


@pytest.mark.xfail(bool(NOT_YET_HELD), reason="draws from NOT_YET_HELD kinds too", strict=False)
@settings(COMPOSE, max_examples=max(EXAMPLES // 4, 10), phases=(Phase.explicit, Phase.generate))
@given(index=st.integers(0, len(bm.SEEDS) - 1),
       kinds=st.lists(st.sampled_from(list(bm.MUTATIONS)), min_size=2, max_size=5, unique=True),
       seed=st.integers(0, 2 ** 16))
def test_all_kinds_compose(tmp_path_factory, index, kinds, seed):
    _compose(tmp_path_factory, index, kinds, seed)


# --------------------------------------------------------------------------- end to end

E2E = [(0, ["unit_title", "hidden_rows", "total_row", "date_text"], 3),
       (4, ["header_words", "extra_columns", "reorder_rows", "no_amount_yet"], 5),
       (1, ["unit_numfmt_scaled", "title_rows", "blank_rows", "unreadable_visit", "notes_below"], 7)]


@pytest.mark.parametrize("index,kinds,seed", [pytest.param(*e, id="+".join(e[1])) for e in E2E])
def test_end_to_end(index, kinds, seed, tmp_path):
    """The command itself: what it writes holds the invariant and equals the in-process run."""
    if set(kinds) & set(NOT_YET_HELD):
        pytest.skip("a kind not yet held")
    book = bm.mutate(index, kinds, seed)
    rendered = bm.render(book, tmp_path / "book.xlsx")
    code, written = bm.run_cli(rendered.path, tmp_path / "out.xlsx")
    assert code in (0, 1) and written.refused is None, (code, written.refused)
    assert not bm.violations(book, rendered, written), bm.describe(book)
    inproc = bm.run_in_process(rendered.path)

    def results(outcome):
        return {r["name"]: (r["tier"], r["owner"], r["next_visit"], r["visit_status"]) for r in outcome.rows}
    assert results(written) == results(inproc)
    assert written.rows and any(r["tier"] for r in written.rows)


# --------------------------------------------------------------------------- the checker itself

def test_not_yet_held_names_kinds():
    assert set(NOT_YET_HELD) <= set(bm.MUTATIONS)
    assert len(HELD) >= 25  # the property walks most of the classes


def test_the_checker_can_fail(tmp_path):
    """Wrong outcomes planted by hand: each is caught (so a green run means something)."""
    book = bm.mutate(2, ["no_amount_yet", "unreadable_visit"], 1)
    rendered = bm.render(book, tmp_path / "book.xlsx")
    good = bm.run_in_process(rendered.path)
    assert not bm.violations(book, rendered, good)
    exp = bm.expectations(book)
    tiered = next(r for r in good.rows if r["tier"] in ("A", "B", "C"))
    untiered = next(r for r in good.rows if exp[r["name"]].tiers == {None} and r["name"] in
                    {book.clients[i].name for (i, f), c in book.cells.items() if f == "billings"})
    unvisited = next(r for r in good.rows if not exp[r["name"]].visit_known)

    def planted(edit) -> list[str]:
        bad = copy.deepcopy(good)
        edit(bad)
        return bm.violations(book, rendered, bad)

    def row(outcome, name):
        return next(r for r in outcome.rows if r["name"] == name)

    other = {"A": "B", "B": "C", "C": "A"}[tiered["tier"]]
    assert planted(lambda o: row(o, tiered["name"]).update(tier=other))
    assert planted(lambda o: row(o, untiered["name"]).update(tier="D"))  # 待定 is not D
    assert planted(lambda o: row(o, tiered["name"]).update(owner="某某"))
    assert planted(lambda o: row(o, tiered["name"]).update(next_visit=row(o, tiered["name"])["next_visit"]
                                                          + dt.timedelta(days=1)))
    assert planted(lambda o: row(o, unvisited["name"]).update(visit_status="从未拜访"))
    assert planted(lambda o: row(o, unvisited["name"]).update(next_visit=dt.date(2026, 12, 1)))
    assert planted(lambda o: o.rows.append({**o.rows[0], "name": "合计", "row": 99}))  # a total is no client
    assert planted(lambda o: o.rows.remove(row(o, tiered["name"])))  # lost without a reason
    # emptied without a reason
    assert planted(lambda o: row(o, tiered["name"]).update(tier="", next_visit=None))
