"""The template workbook (workbook/xlclient.xlsm): rebuilt from sources, current, and read
back by independent tools -- oletools' olevba, LibreOffice headless (load, render,
recalculate, even run the VBA helpers), and the engine's own reader.

LibreOffice tests skip only when ``soffice`` is missing (CI: apt-get install -y
libreoffice-calc-nogui poppler-utils fonts-wqy-microhei python3-uno).
"""

from __future__ import annotations

import ast
import datetime as dt
import inspect
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("ms_ovba", reason="the template builder needs ms-ovba (pip install ms-ovba)")
pytest.importorskip("oletools", reason="reading the VBA back needs oletools (pip install oletools)")

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from workbook import build as B  # noqa: E402
from workbook.ovba_compress import compress  # noqa: E402
from xlclient import jobs, macros, udfs  # noqa: E402
from xlclient.xlsx.reader import read_workbook  # noqa: E402

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_lo = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice not installed (apt-get install libreoffice-calc-nogui)")
BUILTINS = {"IF", "LEFT", "COUNTIF", "ROWS", "SUBTOTAL"}
ERROR_TEXTS = ("#NAME?", "#VALUE!", "Err:", "#REF!")


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, bytes]:
    """Two fresh builds from the sources: (path of the first, bytes of the second)."""
    d = tmp_path_factory.mktemp("build")
    first = B.build(d / "one.xlsm")
    second = B.build(d / "two.xlsm")
    return first, second.read_bytes()


@pytest.fixture(scope="module")
def template() -> Path:
    assert B.TEMPLATE.exists(), "workbook/xlclient.xlsm is missing: run python -m workbook.build"
    return B.TEMPLATE


@pytest.fixture(scope="module")
def vba_modules(template) -> dict[str, str]:
    """Module name -> source, as olevba extracts it from the committed template."""
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(template))
    try:
        return {Path(vba_filename).stem: code.replace("\r\n", "\n")
                for _, _, vba_filename, code in parser.extract_macros()}
    finally:
        parser.close()


@pytest.fixture(scope="module")
def sheet_xml(template) -> dict[str, str]:
    """Sheet name -> worksheet XML of the committed template."""
    with zipfile.ZipFile(template) as z:
        wb = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        targets = dict(re.findall(r'Id="(rId\d+)"[^>]*Target="([^"]+)"', rels))
        targets.update({k: v for v, k in re.findall(r'Target="([^"]+)"[^>]*Id="(rId\d+)"', rels)})
        out = {}
        for name, rid in re.findall(r'<sheet name="([^"]+)" sheetId="\d+" r:id="(rId\d+)"', wb):
            out[name] = z.read("xl/" + targets[rid].lstrip("/").removeprefix("xl/")).decode()
        return out


def _strip(code: str) -> str:
    lines = [ln for ln in code.replace("\r\n", "\n").split("\n") if not ln.startswith("Attribute VB_")]
    return "\n".join(lines).strip()


# --------------------------------------------------------------------------- sources and build


def test_every_sheet_has_the_code_name_of_a_document_module(sheet_xml, vba_modules):
    """Excel ties a sheet to its document module by the sheet's code name: a sheet without
    one leaves an orphaned module in the VBA editor (the writer once dropped the code
    names when it regenerated the owned sheets; it now keeps the sheet's own <sheetPr>)."""
    names = {}
    for sheet, xml in sheet_xml.items():
        m = re.search(r'<sheetPr\b[^>]*\bcodeName="([^"]+)"', xml)
        assert m, f"sheet {sheet!r} has no code name"
        names[sheet] = m[1]
    assert len(set(names.values())) == len(names)
    documents = {name for name, code in vba_modules.items() if "VB_Base" in code or name.startswith("Sheet")}
    assert set(names.values()) <= set(vba_modules), (names, sorted(vba_modules))
    assert {n for n in documents if n.startswith("Sheet")} == set(names.values())


def test_vba_sources_are_ascii_text_modules():
    files = sorted(B.VBA_DIR.glob("*.bas"))
    assert {p.stem for p in files} == {"XlClient", "xlwings_udfs"}
    for p in files:
        data = p.read_bytes()
        assert data.isascii(), f"{p.name} must be ASCII only"
        assert data.startswith(f'Attribute VB_Name = "{p.stem}"'.encode())
        assert max(len(line) for line in data.split(b"\r\n")) < 1024


def test_build_is_deterministic(built):
    first, second = built
    assert first.read_bytes() == second


def content_differences(committed: bytes, fresh: bytes) -> list[str]:
    """What differs between two builds as a reader sees it: every sheet's cells (values as
    calamine reads them), the VBA modules' source and the defined names."""
    from oletools.olevba import VBA_Parser

    out = []
    books = [pc_book(committed), pc_book(fresh)]
    if books[0].sheet_names != books[1].sheet_names:
        out.append(f"sheets {books[0].sheet_names} != {books[1].sheet_names}")
    for name in books[1].sheet_names:
        if name in books[0].sheet_names:
            a = books[0].get_sheet_by_name(name).to_python()
            b = books[1].get_sheet_by_name(name).to_python()
            if a != b:
                out.append(f"sheet {name}: cells differ")
    sources = []
    for data in (committed, fresh):
        parser = VBA_Parser("t.xlsm", data=data)
        try:
            sources.append({Path(f).stem: _strip(code) for _, _, f, code in parser.extract_macros()})
        finally:
            parser.close()
    if sources[0] != sources[1]:
        out.append("VBA modules differ")
    names = [re.findall(r"<definedName[^>]*>[^<]*</definedName>", B.parts(d)["xl/workbook.xml"].decode())
             for d in (committed, fresh)]
    if names[0] != names[1]:
        out.append("defined names differ")
    return out


def pc_book(data: bytes):
    import python_calamine as pc

    return pc.CalamineWorkbook.from_filelike(io.BytesIO(data))


def test_committed_template_is_current(built, template):
    """Fails when a source changed (VBA, demo book, settings, UDFs, jobs, this builder)
    without rebuilding: run `python -m workbook.build` and commit workbook/. Exact, byte for
    byte, on any machine (see B.stale_parts and test_likelihood.test_same_fit_on_another_machine)
    while the libraries that write the bytes are the versions the template was built with
    (workbook/build-info.json); with a newer release of one of them, by content: every cell,
    the VBA sources and the defined names."""
    recorded = json.loads(B.BUILD_INFO.read_text(encoding="utf-8"))
    if recorded == B.generator_versions():
        stale = B.stale_parts(template.read_bytes(), built[0].read_bytes())
    else:
        stale = content_differences(template.read_bytes(), built[0].read_bytes())
    assert not stale, "stale template: " + "; ".join(stale) + " -- run python -m workbook.build"


def _edit_vba(monkeypatch) -> None:
    """Build from VBA sources with one more comment line in the XlClient module."""
    original = B.vba_sources

    def edited() -> dict[str, bytes]:
        mods = original()
        mods["XlClient"] = mods["XlClient"] + b"' one more comment line\r\n"
        return mods

    monkeypatch.setattr(B, "vba_sources", edited)


def test_the_content_comparison_finds_a_changed_cell_and_module(template, tmp_path, monkeypatch):
    """The comparison used under newer library releases also fails on a real change."""
    same = content_differences(template.read_bytes(), template.read_bytes())
    assert same == []
    monkeypatch.setattr(B, "N_CLIENTS", B.N_CLIENTS - 1)
    _edit_vba(monkeypatch)
    changed = content_differences(template.read_bytes(), B.build(tmp_path / "c.xlsm").read_bytes())
    assert any(c.startswith("sheet 客户台账") for c in changed) and "VBA modules differ" in changed


@pytest.mark.parametrize("change", ["vba", "likelihood precision", "demo book"])
def test_staleness_check_fails_when_a_source_really_changes(change, template, tmp_path, monkeypatch):
    """The test of the test: a build from a changed source is reported stale, naming the
    part (and the cells) that changed."""
    from xlclient.engine import likelihood

    if change == "vba":
        _edit_vba(monkeypatch)
        expected = "xl/vbaProject.bin: differs"
    elif change == "likelihood precision":
        monkeypatch.setattr(likelihood, "LIKELIHOOD_DECIMALS", 4)
        expected = "xl/worksheets/sheet1.xml: cells"
    else:
        monkeypatch.setattr(B, "N_CLIENTS", B.N_CLIENTS - 1)
        expected = "xl/worksheets/sheet1.xml: cells"
    fresh = B.build(tmp_path / "changed.xlsm").read_bytes()
    stale = B.stale_parts(template.read_bytes(), fresh)
    assert any(line.startswith(expected) for line in stale), stale


def test_committed_udf_wrappers_are_what_xlwings_generates():
    generated = B.generate_udf_wrappers().replace("\r\n", "\n")
    assert B.UDF_MODULE_FILE.read_bytes().decode("ascii").replace("\r\n", "\n") == generated


@pytest.mark.parametrize("seed", range(40))
def test_ovba_compression_round_trips_through_olevba(seed):
    import random

    from oletools.olevba import decompress_stream

    rnd = random.Random(seed)
    words = [f"Sheet{rnd.randint(1, 12)}".encode() for _ in range(rnd.randint(1, 1500))]
    data = b"\x19\x00".join(words) + (B.VBA_DIR / "XlClient.bas").read_bytes()[: rnd.randint(0, 9000)]
    assert bytes(decompress_stream(bytearray(compress(data)))) == data


# --------------------------------------------------------------------------- olevba


def test_olevba_lists_the_modules(template):
    olevba = shutil.which("olevba") or str(Path(sys.executable).with_name("olevba"))
    out = subprocess.run([olevba, str(template)], capture_output=True, text=True, timeout=120).stdout
    found = re.findall(r"OLE stream: 'VBA/([^']+)'", out)
    n_sheets = len(_sheet_names(template))
    assert set(found) == {"ThisWorkbook", "XlClient", "xlwings_udfs"} | {f"Sheet{i}" for i in range(1, n_sheets + 1)}


def _sheet_names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return re.findall(r'<sheet name="([^"]+)"', z.read("xl/workbook.xml").decode())


def test_module_sources_in_the_workbook_are_the_repo_sources(vba_modules):
    for name in ("XlClient", "xlwings_udfs"):
        source = (B.VBA_DIR / f"{name}.bas").read_text("ascii")
        assert _strip(vba_modules[name]) == _strip(source)


def test_every_runpython_target_exists_in_xlclient_macros(vba_modules):
    code = vba_modules["XlClient"]
    assert re.search(r'PY_MODULE As String = "xlclient\.macros"', code)
    assert re.search(r'pyCode = "import " & PY_MODULE & "; " & PY_MODULE & "\." & job & "\(" & args & "\)"', code)
    assert re.search(r"""Application\.Run "'" & ADDIN_FILE & "'!RunPython", pyCode""", code)
    calls = re.findall(r'RunXlClient "(\w+)"(?:, (.+))?', code)
    assert {job for job, _ in calls} == set(macros.BUTTONS)
    for job, args in calls:
        target = getattr(macros, job)
        params = inspect.signature(target).parameters
        n_args = 0 if not args else args.count("PyStr(")
        assert n_args <= len(params), job
        assert all(p.default is not inspect.Parameter.empty for p in list(params.values())[n_args:]), job


def test_every_button_runs_a_public_macro(template, vba_modules):
    with zipfile.ZipFile(template) as z:
        vml = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".vml"))
    bound = re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", vml)
    assert bound == [m for m, _ in B.BUTTONS]
    public = set(re.findall(r"^Public Sub (\w+)\(\)", vba_modules["XlClient"], re.M))
    assert set(bound) <= public
    captions = re.findall(r"<font[^>]*>([^<]+)</font>", vml)
    assert captions == [c for _, c in B.BUTTONS]


def _calls(formula: str) -> list[tuple[str, int]]:
    """(function name, number of arguments) of every call in a formula."""
    out = []
    for m in re.finditer(r"([A-Z][A-Z0-9_.]*)\(", formula):
        depth, bracket, quoted, n, empty = 0, 0, False, 1, True
        for ch in formula[m.end():]:
            if quoted:
                quoted = ch != '"'
                empty = False
                continue
            if ch == '"':
                quoted = True
            elif ch == "[":
                bracket += 1
            elif ch == "]":
                bracket -= 1
            elif bracket == 0 and ch == "(":
                depth += 1
            elif bracket == 0 and ch == ")":
                if depth == 0:
                    break
                depth -= 1
            elif bracket == 0 and depth == 0 and ch == ",":
                n += 1
            if not ch.isspace():
                empty = False
        out.append((m[1], 0 if empty else n))
    return out


def test_every_udf_in_a_cell_exists_with_a_compatible_number_of_arguments(sheet_xml, vba_modules):
    wrappers = {name: [a for a in args.split(", ") if a]
                for name, args in re.findall(r"^Function (\w+)\(([^)]*)\)", vba_modules["xlwings_udfs"], re.M)}
    used = {}
    for xml in sheet_xml.values():
        for f in re.findall(r"<f>(.*?)</f>", xml):
            f = f.replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
            for name, n in _calls(f):
                used.setdefault(name, set()).add(n)
    udf_names = set(used) - BUILTINS
    assert udf_names == {o.function for o in B.OUTPUTS}
    assert udf_names <= set(udfs.__all__)
    for name in udf_names:
        params = [p for p in inspect.signature(getattr(udfs, name)).parameters.values()
                  if p.name not in ("settings", "holidays")]  # hidden: the wrapper passes them
        required = sum(p.default is inspect.Parameter.empty for p in params)
        for n in used[name]:
            assert required <= n <= len(params), (name, n)
            assert n <= len(wrappers[name]), f"VBA wrapper {name} takes fewer arguments than used"


def test_udf_cells_hold_cached_values_that_agree_with_refresh(template):
    """The formula columns show results without Python; where the UDF and the Refresh
    button answer the same question (tier, quadrant, stage, next visit, status, RFM) they agree."""
    data = read_workbook(template)
    table = next(t for t in data.tables if t.name == B.TABLE)
    headers = list(table.headers)
    cls = next(s for s in data.sheets if s.name == "分级结果")
    ch = list(cls.rows[0])
    ids = [r[0] for r in table.rows]
    by_id = {r[0]: r for r in cls.rows[1:] if ids.count(r[0]) == 1}
    pairs = [("等级", "等级"), ("象限", "象限"), ("下次拜访", "下次拜访"), ("拜访状态", "拜访状态"), ("RFM", "RFM"),
             ("RFM分类", "RFM分类")]
    compared = 0
    for r in table.rows:
        c = by_id.get(r[0])
        for out_col, cls_col in pairs:
            x = r[headers.index(out_col)]
            if c is None or (isinstance(x, str) and x.startswith("#")):
                continue
            y = c[ch.index(cls_col)]
            if out_col == "拜访状态" and c[ch.index("等级")] in (None, "") and x in (None, ""):
                continue  # 分级结果 says why a row has no tier; VISIT_STATUS of one cell answers "" there
            x = "" if x in (None, "") else str(int(x)) if isinstance(x, float) else str(x)
            y = "" if y in (None, "") else str(y)
            assert x == y, (r[0], out_col, x, y)
            compared += 1
    assert compared > 300
    tiers = [r[headers.index("等级")] for r in table.rows]
    assert {"A", "B", "C", "D"} <= set(tiers)
    assert any(isinstance(v, str) and v.startswith("#参数错误") for v in tiers)  # planted bad rows say why


def test_the_engine_reads_the_template_as_a_client_book(template):
    inputs = jobs.load_inputs(read_workbook(template), today=B.TEMPLATE_DATE)
    book = inputs.book
    assert (book.sheet, book.table, book.header_row) == (B.CLIENT_SHEET, B.TABLE, B.HEADER_ROW)
    outputs = {o.header for o in B.OUTPUTS}
    assert not {m.header for m in book.columns.values()} & outputs, "an output column was taken for an input"
    assert len(book) + book.left_out == B.N_CLIENTS


def test_workbook_settings_sheets_and_lists(template, sheet_xml):
    with zipfile.ZipFile(template) as z:
        wb = z.read("xl/workbook.xml").decode()
        ct = z.read("[Content_Types].xml").decode()
        core = z.read("docProps/core.xml").decode()
    assert 'calcId="191029"' in wb and "fullCalcOnLoad" not in wb
    assert "macroEnabled.main+xml" in ct and "vbaProject" in ct
    assert "2026-11-23T00:00:00Z" in core
    assert _sheet_names(template) == ["客户台账", "分级结果", "拜访计划", "未安排", "客户复盘", "看板", "数据问题", "运行日志", "设置",
                                      "节假日", "xlwings.conf"]
    client = sheet_xml["客户台账"]
    lists = re.findall(r'<dataValidation type="list".*?<formula1>(.*?)</formula1>', client)
    assert '"合作中,现有,潜在,意向,流失"' in lists and '"重要,主要,准,意向,暂缓,拒绝"' in lists
    assert lists.count('"是,否"') == 5 and '"A,B,C,D"' in lists and any("张伟" in x for x in lists)
    rules = re.findall(r'<cfRule type="containsText"[^>]*text="([^"]+)"', client)
    assert set(rules) == {"逾期", "Overdue", "即将到期", "Due soon"}


def test_xlwings_conf_sheet(template):
    data = read_workbook(template)
    conf = next(s for s in data.sheets if s.name == "xlwings.conf")
    assert (conf.first_row, conf.first_col) == (0, 0)
    pairs = {}
    for row in conf.rows:  # the add-in reads A1 down to the first blank
        if not row or not row[0]:
            break
        pairs[str(row[0]).upper()] = row[1]
    assert pairs["UDF MODULES"] == "xlclient.udfs"
    assert pairs["INTERPRETER_WIN"].startswith("%USERPROFILE%\\") and pairs["INTERPRETER_WIN"].endswith("pythonw.exe")
    assert pairs["INTERPRETER_MAC"].startswith("$HOME/")
    assert "%USERPROFILE%" in pairs["PYTHONPATH"] and "$HOME" in pairs["PYTHONPATH"]
    assert pairs["ADD_WORKBOOK_TO_PYTHONPATH"] == "False"
    assert len(pairs) == len(B.XLWINGS_CONF)


# --------------------------------------------------------------------------- LibreOffice


def _lo_env(home: Path) -> dict[str, str]:
    """LibreOffice's environment: a home of its own and a UTF-8 locale whatever the caller's
    (under LC_ALL=C it cannot name files like 分级结果.csv, and shows numbers by its locale)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    env.update(HOME=str(home), LC_ALL="C.UTF-8", LANG="C.UTF-8")
    return env


def _soffice(tmp: Path, args: list[str], recalc: bool = False) -> subprocess.CompletedProcess:
    profile = tmp / ("lo-profile-recalc" if recalc else "lo-profile")
    if recalc:
        user = profile / "user"
        user.mkdir(parents=True, exist_ok=True)
        (user / "registrymodifications.xcu").write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
            'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
            '<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item></oor:items>\n')
    home = tmp / "home"
    home.mkdir(exist_ok=True)
    cmd = [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=tmp,
                          env=_lo_env(home))


def _has_cjk_font() -> bool:
    fc = shutil.which("fc-list")
    return bool(fc and subprocess.run([fc, ":lang=zh"], capture_output=True, text=True).stdout.strip())


_CSV_ALL_SHEETS = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def _csv_sheets(tmp: Path, src: Path, recalc: bool) -> dict[str, list[list[str]]]:
    import csv

    out = tmp / ("csv-recalc" if recalc else "csv")
    out.mkdir()
    done = _soffice(tmp, ["--convert-to", _CSV_ALL_SHEETS, "--outdir", str(out), str(src)], recalc=recalc)
    assert done.returncode == 0, done.stderr
    sheets = {}
    for p in out.glob("*.csv"):
        name = p.stem.split("-", 1)[1] if "-" in p.stem else p.stem
        with p.open(encoding="utf-8", newline="") as f:
            sheets[name] = list(csv.reader(f))
    return sheets


@needs_lo
def test_libreoffice_loads_and_renders_every_sheet(template, tmp_path):
    done = _soffice(tmp_path, ["--convert-to", "pdf", "--outdir", str(tmp_path), str(template)])
    assert done.returncode == 0, done.stderr
    pdf = tmp_path / "xlclient.pdf"
    assert pdf.exists() and pdf.stat().st_size > 50_000
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, timeout=120).stdout
        for expected in ("KH0001", "Interpreter_Win", "UDF Modules", "xlclient.udfs"):
            assert expected in text, expected
        if _has_cjk_font():  # without one the Chinese glyphs cannot be drawn (apt-get install fonts-wqy-microhei)
            for expected in ("客户台账（演示数据", "客户编号", "Q1 高价值/高需求", "逾期", "工作表", "计算日期",
                             "概览", "按客户经理", "未安排的工作"):
                assert expected in text, expected
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "3", str(pdf), str(tmp_path / "page")],
                       check=True, timeout=120)
        pages = sorted(tmp_path.glob("page-*.png"))
        assert len(pages) == 3 and all(p.stat().st_size > 3_000 for p in pages)


@needs_lo
def test_libreoffice_imports_the_vba_and_binds_the_buttons(template, tmp_path):
    done = _soffice(tmp_path, ["--convert-to", "ods", "--outdir", str(tmp_path), str(template)])
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(tmp_path / "xlclient.ods") as z:
        names = z.namelist()
        content = z.read("content.xml").decode()
        module = z.read("Basic/VBAProject/XlClient.xml").decode()
    assert "Basic/VBAProject/xlwings_udfs.xml" in names
    assert "Public Sub XlClientRefresh()" in module
    bound = re.findall(r"vnd\.sun\.star\.script:VBAProject\.XlClient\.(\w+)\?", content)
    assert bound == [m for m, _ in B.BUTTONS]


@needs_lo
def test_libreoffice_shows_cached_values_and_recalculates_ordinary_formulas(template, tmp_path):
    # A copy whose ordinary formulas carry wrong cached values (0): only a recalculation fixes them.
    data = read_workbook(template)
    table = next(t for t in data.tables if t.name == B.TABLE)
    h = list(table.headers)
    status = [r[h.index("客户状态")] for r in table.rows]
    expected = {"B3": len(table.rows), "D3": sum(s in ("合作中", "现有") for s in status),
                "F3": sum(s in ("潜在", "意向") for s in status)}
    tampered = tmp_path / "tampered.xlsm"
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(tampered, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            part = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = part.decode()
                for ref in expected:
                    text, n = re.subn(rf'(<c r="{ref}"[^>]*><f>[^<]*</f><v>)[^<]*(</v>)', r"\g<1>0\g<2>", text)
                    assert n == 1, ref
                part = text.encode()
            dst.writestr(info, part)

    cached = _csv_sheets(tmp_path, tampered, recalc=False)["客户台账"]
    fresh = _csv_sheets(tmp_path, tampered, recalc=True)["客户台账"]

    def cell(grid, ref):
        col = ord(ref[0]) - 65
        return grid[int(ref[1:]) - 1][col]

    for ref, value in expected.items():
        assert float(cell(cached, ref)) == 0  # LibreOffice kept the (tampered) cached value ...
        assert float(cell(fresh, ref).replace(",", "")) == pytest.approx(value)  # ... and recalculated it right
    first = B.HEADER_ROW  # 0-based index of the first data row in the CSV
    tier_col = h.index("等级")
    tiers_cached = [row[tier_col] for row in cached[first:first + len(table.rows)]]
    tiers_fresh = [row[tier_col] for row in fresh[first:first + len(table.rows)]]
    assert {"A", "B", "C", "D"} <= set(tiers_cached)  # what a colleague without Python sees
    assert all(t.startswith(ERROR_TEXTS) for t in tiers_fresh)  # LibreOffice has no CLIENT_TIER


def _uno_python() -> str | None:
    """A Python with LibreOffice's uno module (Debian's python3-uno is for /usr/bin/python3)."""
    if SOFFICE is None:
        return None
    for py in ("/usr/bin/python3", shutil.which("python3")):
        if py and Path(py).exists() and subprocess.run([py, "-c", "import uno"], capture_output=True).returncode == 0:
            return py
    return None


_UNO_SCRIPT = r'''
import json, os, subprocess, sys, time, uno
from com.sun.star.beans import PropertyValue

def prop(name, value):
    p = PropertyValue(); p.Name = name; p.Value = value; return p

path, profile, calls = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
pipe = "xlclient_uno_%d" % os.getpid()
proc = subprocess.Popen([sys.argv[4], "-env:UserInstallation=" + profile, "--headless", "--norestore", "--invisible",
                         "--accept=pipe,name=%s;urp;" % pipe], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
desktop = None
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(300):
        try:
            ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            break
        except Exception:
            time.sleep(0.2)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(path), "_blank", 0,
                                       (prop("Hidden", True), prop("MacroExecutionMode", 4)))
    provider = doc.getScriptProvider()
    out = []
    for name, arg in calls:
        script = provider.getScript("vnd.sun.star.script:VBAProject.XlClient.%s?language=Basic&location=document" % name)
        out.append(script.invoke((arg,), (), ())[0])
    doc.close(True)
    print(json.dumps(out))
finally:
    try:
        desktop.terminate()
    except Exception:
        pass
    proc.wait(timeout=60)
'''


ERROR_WORDS = ("#VALUE!", "#NAME?", "#REF!", "#N/A", "#DIV/0!", "#NUM!", "#NULL!", "Err:", "#ERR")


@needs_lo
def test_the_shared_file_recalculated_without_python_shows_no_error_and_the_same_figures(template, tmp_path):
    """The decision for colleagues without the add-in: `xlclient values` (the 转为数值 button)
    turns the function cells into their values. LibreOffice, forced to recalculate every
    formula on load, then shows no error value in any sheet, the table's results unchanged,
    and the counts above the table (Excel's own COUNTIFs over the tier column) equal to
    分级结果. Without the step, the same recalculation breaks the function cells."""
    from xlclient.cli import main

    shared = tmp_path / "shared.xlsm"
    assert main(["values", str(template), "--out", str(shared), "-q"]) == 0
    cached = _csv_sheets(tmp_path / "a", shared, recalc=False) if (tmp_path / "a").mkdir() is None else None
    fresh = _csv_sheets(tmp_path / "b", shared, recalc=True) if (tmp_path / "b").mkdir() is None else None
    for name, grid in fresh.items():
        for r, row in enumerate(grid, 1):
            for c, v in enumerate(row):
                assert not v.startswith(ERROR_WORDS), (name, r, c + 1, v)
    assert fresh["客户台账"] == cached["客户台账"]  # nothing the recalculation could change
    table = next(t for t in read_workbook(template).tables if t.name == B.TABLE)
    h = list(table.headers)
    first = B.HEADER_ROW
    rows = fresh["客户台账"][first:first + len(table.rows)]
    tiers = [row[h.index("等级")] for row in rows]
    classified = {(row[0], row[1]): row[3] for row in fresh["分级结果"][1:] if row and row[0]}
    for row, tier in zip(rows, tiers):  # a tier cell says what Refresh wrote, or why not (a bad value)
        key = (row[h.index("客户编号")], row[h.index("客户名称")])
        assert tier == classified[key] or tier.startswith("#参数错误"), (key, tier)
    counts = {}
    for row in fresh["客户台账"][:first]:  # the counts above the table: label, then its COUNTIF
        for label, value in zip(row, row[1:]):
            if label in ("A类", "B类", "C类", "D类"):
                counts[label[0]] = float(value)
    assert set(counts) == set("ABCD")
    for tier in "ABCD":
        assert counts[tier] == tiers.count(tier) > 0, tier
    # the template itself, recalculated the same way, breaks: that is why the step exists
    broken = _csv_sheets(tmp_path / "c", template, recalc=True) if (tmp_path / "c").mkdir() is None else None
    tier_cells = [row[h.index("等级")] for row in broken["客户台账"][first:first + len(table.rows)]]
    assert all(v.startswith(ERROR_WORDS) for v in tier_cells)


@needs_lo
def test_the_vba_helpers_run_in_libreoffice(template, tmp_path):
    """LibreOffice's VBA interpreter runs U() and PyStr() from the workbook itself: every
    message decodes to Chinese, and names typed in the Reassign prompt reach Python intact."""
    py = _uno_python()
    if py is None:
        pytest.skip("python3-uno not installed (apt-get install python3-uno)")
    source = (B.VBA_DIR / "XlClient.bas").read_text("ascii")
    messages = re.findall(r'Private Const (MSG_\w+) As String = "([^"]*)"', source)
    names = ["张伟", "O'Brien \"Bob\"", "50%折扣 & <x> | ^", "a\\b c", "Zhang-Wei_2.0"]
    calls = [("U", text) for _, text in messages] + [("PyStr", n) for n in names]
    home = tmp_path / "home"
    home.mkdir()
    done = subprocess.run([py, "-c", _UNO_SCRIPT, str(template), (tmp_path / "uno-profile").as_uri(), json.dumps(calls),
                           SOFFICE], capture_output=True, text=True, timeout=300,
                          env=_lo_env(home))
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout.strip().splitlines()[-1])
    decoded, literals = results[:len(messages)], results[len(messages):]
    for (const, _), text in zip(messages, decoded):
        assert "\\u" not in text and re.search(r"[\u4e00-\u9fff]", text), const
    assert decoded[[c for c, _ in messages].index("MSG_REASSIGN_TITLE")] == "交接客户"
    for name, literal in zip(names, literals):
        assert literal.isascii() and '"' not in literal[1:-1] and "%" not in literal
        assert ast.literal_eval(literal) == name


def test_no_template_formula_totals_money_the_engine_reads_differently(sheet_xml):
    """A SUM or SUBTOTAL over the billings column skips text amounts such as 「1.2亿」 that
    the engine reads: the template has no such total (the total is on 看板)."""
    formulas = [f for xml in sheet_xml.values() for f in re.findall(r"<f>([^<]*)</f>", xml)]
    assert formulas  # the counts above the table are still formulas
    assert not [f for f in formulas if re.search(r"(SUM|SUBTOTAL)\(", f) and B.MONEY in f.replace("&#39;", "'")]
