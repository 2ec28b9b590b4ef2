"""Formulas of other sheets that read an owned sheet lose their cached value (xlclient.xlsx.recalc)."""

from __future__ import annotations

from xlclient.xlsx.recalc import stale_formulas


def sheet(cells: str) -> str:
    return ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            f'<row r="1">{cells}</row></sheetData></worksheet>')


def test_only_formulas_that_read_ours_lose_their_value():
    text = sheet('<c r="A1"><f>COUNTIF(分级结果!D:D,"A")</f><v>3</v></c>'
                 '<c r="B1"><f>SUM(客户台账!C:C)</f><v>7</v></c>'
                 '<c r="C1" t="str"><f>计划表[@状态]&amp;"!"</f><v>x</v></c>'
                 '<c r="D1"><v>5</v></c>')
    new, n = stale_formulas(text, ["分级结果"], ["计划表"])
    assert n == 2
    assert '<c r="A1"><f>COUNTIF(分级结果!D:D,"A")</f></c>' in new
    assert '<c r="B1"><f>SUM(客户台账!C:C)</f><v>7</v></c>' in new
    assert '<c r="C1"><f>' in new and "<v>x</v>" not in new  # its type goes with its value
    assert '<c r="D1"><v>5</v></c>' in new


def test_names_spelt_with_character_references_or_escapes_are_found():
    escaped = sheet('<c r="A1"><f>COUNTIF(&#20998;&#32423;&#32467;&#26524;!D:D,"A")</f><v>3</v></c>')
    assert stale_formulas(escaped, ["分级结果"])[1] == 1
    amp = sheet("<c r=\"A1\"><f>'R&amp;D plan'!A1</f><v>1</v></c>")
    assert stale_formulas(amp, ["R&D plan"])[1] == 1
    assert stale_formulas(amp, ["Other"]) == (amp, 0)


def test_a_shared_formula_group_follows_its_master_and_a_defined_name_counts():
    text = sheet('<c r="A1"><f t="shared" ref="A1:A2" si="0">Log!B1*2</f><v>2</v></c>'
                 '<c r="A2"><f t="shared" si="0"/><v>4</v></c>'
                 '<c r="B1"><f>xlc_pareto_a*2</f><v>160</v></c>'
                 '<c r="C1"><f>LOG(100)</f><v>2</v></c>')
    new, n = stale_formulas(text, ["Log"], names=["xlc_pareto_a"])
    assert n == 3 and "<v>2</v></c></row>" in new  # LOG( is a function, not the sheet Log
