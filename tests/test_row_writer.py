"""The column-by-column row writer gives the same bytes as the cell-by-cell one, for any
mix of values, wrapped columns, headers and widths (it is only faster)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlclient.xlsx import worksheet as W
from xlclient.xlsx.errors import CellValueError
from xlclient.xlsx.styles import MINIMAL_STYLES, StyleBook

values = st.one_of(
    st.none(), st.booleans(), st.integers(-2 ** 60, 2 ** 60), st.floats(allow_nan=True, allow_infinity=False),
    st.text(max_size=40), st.sampled_from(["", " lead", "trail ", "a\nb", "x & <y>", "_x0041_", "\x01", "长文本" * 9]),
    st.dates(min_value=dt.date(1899, 1, 1), max_value=dt.date(2100, 1, 1)),
    st.datetimes(min_value=dt.datetime(1899, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    st.times(),
)


def both(spec: W.SheetSpec) -> tuple[bytes, bytes]:
    fast = W.build_worksheet_xml(spec, StyleBook(MINIMAL_STYLES))[0]
    W.FAST_ROWS = False
    try:
        slow = W.build_worksheet_xml(spec, StyleBook(MINIMAL_STYLES))[0]
    finally:
        W.FAST_ROWS = True
    return fast, slow


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.lists(values, max_size=6), max_size=8), header_rows=st.integers(0, 2),
       wrap=st.frozensets(st.integers(0, 5), max_size=2),
       widths=st.dictionaries(st.integers(0, 5), st.floats(1, 60), max_size=3),
       formats=st.dictionaries(st.integers(0, 5), st.sampled_from(["0%", "yyyy-mm-dd", "#,##0.0"]), max_size=2),
       block=st.sampled_from([1, 2, 3, 4096]))
def test_the_same_bytes_as_cell_by_cell(rows, header_rows, wrap, widths, formats, block):
    """Any rows (ragged, blank, mixed types in a column), written in blocks of any size."""
    spec = W.SheetSpec("表", rows, header_rows=header_rows, wrap_columns=wrap, column_widths=widths,
                       number_formats=formats)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(W, "BLOCK_ROWS", block)
        fast, slow = both(spec)
    assert fast == slow


columns_of_one_type = st.sampled_from([
    st.one_of(st.none(), st.sampled_from(["A", "B", "甲公司", " lead", "a\nb", "x & <y>", "长文本" * 9])),
    st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=False), st.integers(-2 ** 60, 2 ** 60)),
    st.one_of(st.none(), st.dates(min_value=dt.date(1899, 12, 1), max_value=dt.date(1900, 4, 1)),
              st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 1, 1))),
])


@settings(max_examples=200, deadline=None)
@given(data=st.data(), n_rows=st.integers(0, 12), n_cols=st.integers(1, 4), block=st.sampled_from([1, 3, 5, 4096]),
       wrap=st.frozensets(st.integers(0, 3), max_size=2), date1904=st.booleans())
def test_columns_of_one_type_the_same_bytes_as_cell_by_cell(data, n_rows, n_cols, block, wrap, date1904):
    """The usual shape (a column holds one type, maybe blank; what the fast comprehensions
    take), including dates Excel cannot hold and numbers beyond 2**53."""
    kinds = [data.draw(columns_of_one_type) for _ in range(n_cols)]
    rows = [["h"] * n_cols] + [[data.draw(k) for k in kinds] for _ in range(n_rows)]
    spec = W.SheetSpec("表", rows, wrap_columns=wrap, column_widths={0: 10})
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(W, "BLOCK_ROWS", block)
        fast = W.build_worksheet_xml(spec, StyleBook(MINIMAL_STYLES), date1904)[0]
        mp.setattr(W, "FAST_ROWS", False)
        slow = W.build_worksheet_xml(spec, StyleBook(MINIMAL_STYLES), date1904)[0]
    assert fast == slow


def test_infinite_numbers_are_refused_either_way():
    for flag in (True, False):
        W.FAST_ROWS = flag
        try:
            with pytest.raises(CellValueError):
                W.build_worksheet_xml(W.SheetSpec("s", [["h"], [float("inf")]]), StyleBook(MINIMAL_STYLES))
        finally:
            W.FAST_ROWS = True


@settings(max_examples=150, deadline=None)
@given(data=st.data(), n_rows=st.integers(0, 11), n_cols=st.integers(1, 4), block=st.sampled_from([1, 3, 4096]),
       as_arrays=st.booleans())
def test_a_table_held_as_columns_is_written_as_its_rows(data, n_rows, n_cols, block, as_arrays):
    """engine.grid.ColumnRows (the classification's columns, read as rows): the sheet has
    the bytes of the same rows given as lists, and reads as those rows everywhere else."""
    import numpy as np

    from xlclient.engine.grid import ColumnRows

    kinds = [data.draw(columns_of_one_type) for _ in range(n_cols)]
    header = [f"h{c}" for c in range(n_cols)]
    columns = [[data.draw(k) for _ in range(n_rows)] for k in kinds]
    held = ColumnRows(header, [np.array(c, dtype=object) if as_arrays else c for c in columns])
    rows = [header] + [[c[i] for c in columns] for i in range(n_rows)]
    assert len(held) == len(rows) and list(held) == rows and held[1:3] == rows[1:3] and held[-1] == rows[-1]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(W, "BLOCK_ROWS", block)
        by_columns = W.build_worksheet_xml(W.SheetSpec("表", held, wrap_columns=frozenset({0})), StyleBook(MINIMAL_STYLES))
        by_rows = W.build_worksheet_xml(W.SheetSpec("表", rows, wrap_columns=frozenset({0})), StyleBook(MINIMAL_STYLES))
    assert by_columns == by_rows


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.lists(st.one_of(st.none(), st.just("v")), max_size=6), max_size=8),
       owned=st.frozensets(st.integers(0, 5), max_size=6))
def test_a_value_outside_the_owned_columns_is_named_as_the_cell_by_cell_writer_names_it(rows, owned):
    """The column-by-column guard looks only at the columns outside ``owned`` and names the
    column of the first such value, row by row."""
    from xlclient.xlsx.errors import SpecError

    first = next(((r, c) for r, values in enumerate(rows) for c, v in enumerate(values)
                  if v is not None and c not in owned), None)
    widest = max(map(len, rows), default=0)
    if first is None:
        W._only_owned("表", rows, owned, widest)
    else:
        with pytest.raises(SpecError, match=f"column {chr(65 + first[1])} is not"):
            W._only_owned("表", rows, owned, widest)
