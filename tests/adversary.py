"""The contract every odd file and odd request is held to (SPEC 8), and the makers of odd
inputs that tests/test_adversarial.py puts in its one-line cases.

A :class:`Case` names how to make its input in an empty folder (from a small demo book,
the .xlsm template or nothing), the command line, the exit code expected and a fragment of
the message. :func:`run_case` runs it and checks, whatever the case:

* the exit code is the one expected, and nothing ends in an internal error or a traceback;
* the expected fragment is in what the command printed (in the language of the book:
  the fragment is written in it);
* refused (exit 2): every file in the folder is byte for byte what it was, and no file was
  added or removed;
* run (exit 0 or 1): every file other than the workbook written is as it was; in the
  workbook written, every zip member outside what xlclient owns (its own sheets and
  what hangs off them, the workbook's shared parts it edits) is byte-identical.

A case whose input could make a run wait (a pipe, a device) runs in a child process with
a time limit, so a hang fails the case instead of blocking the suite.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import traceback
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

TODAY = "2026-11-22"
TEMPLATE = Path(__file__).resolve().parents[1] / "workbook" / "xlclient.xlsm"

#: Shared parts that a write of owned sheets may edit (names, sheet list, styles ...).
SHARED_PARTS = {"/[content_types].xml", "/xl/workbook.xml", "/xl/_rels/workbook.xml.rels", "/xl/styles.xml",
                "/xl/sharedstrings.xml", "/docprops/app.xml", "/xl/calcchain.xml"}


@dataclasses.dataclass(frozen=True)
class Case:
    """One odd input and what must come of it (see the module's text)."""

    name: str
    make: Callable[[Path, "Books"], Path | None]  # builds the input in the folder; returns the workbook
    argv: str  # split as a shell would; {book} (the workbook) and {dir} (the folder) filled in after
    exit: int | tuple[int, ...]
    says: str = ""  # a fragment of the output, in the book's language
    child: bool = False  # run in a child process with a time limit
    head: bool = False  # the child's stdout is closed after its first line (| head -1)
    lang: str = "zh"  # the book's Settings language: a refusal must be said in it

    def __str__(self) -> str:
        return self.name


class Books:
    """Small books to start from, made once per test session."""

    def __init__(self, folder: Path):
        from xlclient.demo import write_demo_workbook
        from xlclient.engine.settings import Settings

        self.zh = folder / "demo.xlsx"
        self.en = folder / "demo-en.xlsx"
        write_demo_workbook(self.zh, n_clients=40, seed=11, today=dt.date(2026, 11, 22))
        write_demo_workbook(self.en, n_clients=40, seed=11, today=dt.date(2026, 11, 22),
                            settings=Settings(language="en"))

    def copy(self, folder: Path, name: str = "book.xlsx", lang: str = "zh") -> Path:
        path = folder / name
        shutil.copyfile(self.en if lang == "en" else self.zh, path)
        return path


# --------------------------------------------------------------------------- running


def _files(folder: Path) -> dict[str, bytes | str]:
    """Every entry under ``folder``: a file's bytes, a link's target, a folder, a pipe."""
    out: dict[str, bytes | str] = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            p = Path(root) / name
            rel = str(p.relative_to(folder))
            if p.is_symlink():
                out[rel] = "link:" + os.readlink(p)
            elif p.is_dir():
                out[rel] = "folder"
            elif p.is_file():
                out[rel] = p.read_bytes()
            else:
                out[rel] = "special"
    return out


def run_main(argv: list[str]) -> tuple[int, str, str]:
    """``xlclient.cli.main(argv)`` in this process: (exit code, stdout, stderr)."""
    from xlclient.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            code = main(argv)
        except SystemExit as e:  # argparse
            code = e.code if isinstance(e.code, int) else 2
        except BaseException:  # noqa: BLE001 - main must never raise: a traceback fails the case
            traceback.print_exc(file=err)
            code = -1
    return code, out.getvalue(), err.getvalue()


def run_child(argv: list[str], head: bool = False, timeout: float = 90) -> tuple[int, str, str]:
    """The command in a child process; a run past ``timeout`` is a hang (exit -9)."""
    cmd = [sys.executable, "-c", "import sys; from xlclient.cli import run; sys.exit(run())", *argv]
    if not head:
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as e:
            return -9, str(e.stdout or ""), f"hang: no answer in {timeout} s"
        return done.returncode, done.stdout, done.stderr
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                          text=True) as child:
        first = child.stdout.readline()
        child.stdout.close()  # the reader goes away, as `| head -1` does
        try:
            err = child.stderr.read()
            code = child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            return -9, first, "hang"
    return code, first, err


def owned_zip_members(data: bytes) -> set[str]:
    """Zip members (as "/xl/..." in lower case) of the sheets xlclient owns and of the parts
    their relationships reach (drawings, charts, tables, comments)."""
    from xlclient.engine.labels import SHEET_NAMES

    owned_names = {n.casefold() for names in SHEET_NAMES.values() for n in names.values()}
    z = zipfile.ZipFile(io.BytesIO(data))
    names = {n.lower(): n for n in z.namelist()}

    def rels_of(part: str) -> dict[str, str]:
        folder, base = part.rsplit("/", 1)
        rels = f"{folder}/_rels/{base}.rels".lstrip("/")
        if rels.lower() not in names:
            return {}
        text = z.read(names[rels.lower()]).decode("utf-8", "replace")
        out = {}
        for m in re.finditer(r"<(?:\w+:)?Relationship\b([^>]*)>", text):
            rid = re.search(r'\bId="([^"]+)"', m[1])
            target = re.search(r'\bTarget="([^"]+)"', m[1])
            if rid and target and 'TargetMode="External"' not in m[1]:
                t = target[1]
                path = t if t.startswith("/") else os.path.normpath(f"{folder}/{t}").replace("\\", "/")
                out[rid[1]] = "/" + path.lstrip("/")
        return out

    wb_rels = rels_of("/xl/workbook.xml")
    workbook = z.read(names["xl/workbook.xml"]).decode("utf-8", "replace")
    owned: set[str] = set()
    for m in re.finditer(r"<(?:\w+:)?sheet\b([^>]*)/?>", workbook):
        name = re.search(r'\bname="([^"]*)"', m[1])
        rid = re.search(r'\br:id="([^"]*)"', m[1]) or re.search(r'\b\w+:id="([^"]*)"', m[1])
        if not name or not rid or rid[1] not in wb_rels:
            continue
        from xml.sax.saxutils import unescape

        if unescape(name[1], {"&quot;": '"', "&apos;": "'"}).casefold() not in owned_names:
            continue
        todo = [wb_rels[rid[1]]]
        while todo:
            part = todo.pop()
            if part.lower() in owned:
                continue
            owned.add(part.lower())
            folder, base = part.rsplit("/", 1)
            owned.add(f"{folder}/_rels/{base}.rels".lower())
            todo.extend(rels_of(part).values())
    return owned


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {"/" + i.filename.lower(): z.read(i) for i in z.infolist()}


def foreign_parts_changed(before: bytes, after: bytes) -> list[str]:
    """Zip members that xlclient does not own and that differ (or vanished) after a write."""
    a, b = _members(before), _members(after)
    owned = owned_zip_members(after) | owned_zip_members(before) | SHARED_PARTS
    return sorted(p for p in a if p not in owned and a[p] != b.get(p))


INTERNAL = ("内部错误", "internal error", "Traceback (most recent call last)")


def run_case(case: Case, folder: Path, books: Books) -> None:
    """Make the input, run the command, hold it to the contract (AssertionError if not)."""
    book = case.make(folder, books)
    book = book if book is not None else folder / "book.xlsx"
    argv = [a.format(book=book, dir=folder) for a in shlex.split(case.argv)]
    before = _files(folder)
    if case.child or case.head:
        code, out, err = run_child(argv, head=case.head)
    else:
        code, out, err = run_main(argv)
    said = out + err
    where = f"{case.name}: `xlclient {' '.join(argv)}` exited {code}\n--- stdout\n{out[-3000:]}\n--- stderr\n{err[-3000:]}"
    assert not any(s in said for s in INTERNAL), "internal error or traceback: " + where
    wanted = case.exit if isinstance(case.exit, tuple) else (case.exit,)
    assert code in wanted, f"expected exit {wanted}: " + where
    if case.says:
        assert case.says in said, f"expected {case.says!r} in the output: " + where
    if code == 2:
        said_in(case.lang, err, where)
    after = _files(folder)
    if code == 2:
        changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        assert not changed, f"refused, yet files changed: {changed}: " + where
        return
    written = _written_book(argv, book, folder)
    for rel, content in before.items():
        p = folder / rel
        if written is not None and p.resolve() == written.resolve():
            continue
        if rel.startswith(".xlclient-backup") or rel.startswith(".~xlclient"):
            continue
        assert after.get(rel) == content, f"{rel} changed though the run wrote {written}: " + where
    if written is not None and book.is_file() and isinstance(before.get(str(_rel(book, folder))), bytes):
        old = before[str(_rel(book, folder))]
        new = written.read_bytes() if written.exists() else b""
        if new and old != new and zipfile.is_zipfile(io.BytesIO(new)):
            lost = foreign_parts_changed(old, new)
            assert not lost, f"parts xlclient does not own changed: {lost}: " + where


_CJK = re.compile(r"[\u4e00-\u9fff]")
_ENGLISH = re.compile(r"[A-Za-z]{2,} [a-z]{2,} [a-z]{2,}")


def said_in(lang: str, stderr: str, where: str) -> None:
    """A refusal's message (stderr, progress lines aside) is in the book's language: a
    Chinese book's has Chinese, an English book's an English sentence (a message given
    before the language is known has both)."""
    message = "\n".join(ln for ln in stderr.splitlines() if not ln.startswith("["))
    assert message.strip(), "refused without a word: " + where
    if lang == "zh":
        assert _CJK.search(message), "a Chinese book's refusal has no Chinese: " + where
    else:
        assert _ENGLISH.search(message), "an English book's refusal has no English sentence: " + where


def _rel(path: Path, folder: Path) -> Path:
    try:
        return path.relative_to(folder)
    except ValueError:
        return path


def _written_book(argv: list[str], book: Path, folder: Path) -> Path | None:
    """The file a writing command wrote: --out's, else the workbook (None for check)."""
    if not argv or argv[0] in ("check", "doctor"):
        return None
    if "--out" in argv:
        return Path(argv[argv.index("--out") + 1])
    return book


# --------------------------------------------------------------------------- makers


def member_edit(path: Path, part: str, edit: Callable[[bytes], bytes]) -> None:
    """Rewrite one zip member of ``path`` (others copied as they are, same order)."""
    data = path.read_bytes()
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == part:
                body = edit(body)
            dst.writestr(info, body, compress_type=info.compress_type)
    path.write_bytes(buf.getvalue())


def sheet_part(path: Path, sheet: str) -> str:
    """The zip member of the worksheet called ``sheet``."""
    z = zipfile.ZipFile(path)
    wb = z.read("xl/workbook.xml").decode()
    rels = z.read("xl/_rels/workbook.xml.rels").decode()
    m = re.search(rf'<sheet [^>]*name="{re.escape(sheet)}"[^>]*r:id="([^"]+)"', wb)
    target = re.search(rf'Id="{m[1]}"[^>]*Target="([^"]+)"', rels) or \
        re.search(rf'Target="([^"]+)"[^>]*Id="{m[1]}"', rels)
    t = target[1]
    return t.lstrip("/") if t.startswith("/") else "xl/" + t


def header_column(path: Path, header: str, sheet: str = "客户台账") -> tuple[str, int]:
    """(column letters, header row) of ``header`` in ``sheet`` (via python-calamine)."""
    import python_calamine as pc

    rows = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if str(v).strip() == header:
                from xlclient.xlsx.cells import column_letter

                return column_letter(c), r + 1
    raise KeyError(header)


def set_cell(path: Path, sheet: str, ref: str, cell_xml: str) -> None:
    """Put ``cell_xml`` (``<v>..</v>`` and attributes as ``t="e"|<v>#N/A</v>``) at ``ref``."""
    attrs, _, inner = cell_xml.partition("|")
    part = sheet_part(path, sheet)

    def edit(body: bytes) -> bytes:
        text = body.decode("utf-8")
        new = f'<c r="{ref}" {attrs}>{inner}</c>'.replace("  ", " ")
        pattern = re.compile(rf'<c r="{ref}"(?:[^>]*?/>|[^>]*?[^/]>.*?</c>)', re.S)
        if pattern.search(text):
            return pattern.sub(lambda _m: new, text, count=1).encode("utf-8")
        col, row = re.fullmatch(r"([A-Z]+)(\d+)", ref).groups()
        m = re.search(rf'<row r="{row}"[^>]*?(/>|>)', text)
        if m is None:
            raise KeyError(f"row {row} not found in {sheet}")
        if m[1] == "/>":  # an empty row element
            return (text[:m.start()] + m[0][:-2] + ">" + new + "</row>" + text[m.end():]).encode("utf-8")
        end = text.index("</row>", m.end())
        at = end
        for c in re.finditer(r'<c r="([A-Z]+)\d+"', text[m.end():end]):
            if (len(c[1]), c[1]) > (len(col), col):
                at = m.end() + c.start()
                break
        return (text[:at] + new + text[at:]).encode("utf-8")

    member_edit(path, part, edit)


def column_cell(path: Path, header: str, offset: int = 1, sheet: str = "客户台账") -> str:
    """The reference of the ``offset``-th data cell under ``header``."""
    col, row = header_column(path, header, sheet)
    return f"{col}{row + offset}"


def client_rows(n: int = 24) -> list[list]:
    """A small client table, as an agency would keep it, to put into a corpus book."""
    rows = [["客户编号", "客户名称", "客户经理", "客户状态", "年度投放额(万元)", "最近拜访日期", "行业"]]
    for i in range(n):
        rows.append([f"C{i + 1:03d}", f"客户{i + 1}", ("王芳", "李娜", "张伟")[i % 3],
                     ("现有", "现有", "潜在", "流失")[i % 4], (i * 37) % 500 + 10,
                     dt.date(2025, 1 + i % 12, 1 + i % 27), ("快消", "汽车", "金融")[i % 3]])
    return rows
