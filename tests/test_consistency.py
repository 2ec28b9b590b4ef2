"""Cross-sheet consistency after any sequence of commands (issue 26).

Random small client books (10-60 clients, 2-5 AEs, current / prospect / lost clients,
stages, tiers pinned or not, last visits recent, overdue or blank, optional columns
present or absent, Chinese or English sheets) go through random sequences of 1-6 steps:
``refresh``, ``plan --start S --weeks W``, ``review``, ``dashboard``, ``reassign --from AE``
(all run in process through ``xlclient.cli.main`` with ``--today``), and a person's edits
to the plan between commands (状态 to 已完成/已取消, ticking 锁定, a note in 备注, deleting a
row).  After every step :func:`consistency.check_workbook` must find no disagreement; the
failure message lists the book and the steps.  Exit codes 0 and 1 are normal; exit 2 (a
refusal) must come with a message and is recorded in :data:`REFUSALS`.

Examples: ``XLCLIENT_CONSISTENCY_EXAMPLES`` (default 25, the CI run);
``XLCLIENT_CONSISTENCY_ONLY`` (comma-separated invariant names) narrows the property test
to some invariants, e.g. to shrink one finding at a time; ``XLCLIENT_CONSISTENCY_SHRINK=1``
shrinks a failure to a minimal book and steps (minutes; off by default).

Negative controls plant one disagreement per invariant in a written book and require the
checker to name it; a plain test runs the demo book through refresh -> plan -> dashboard ->
review -> reassign.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import consistency
from consistency import check_workbook, find_sheet, load_sheets, text

import xlclient.cli as cli

EXAMPLES = int(os.environ.get("XLCLIENT_CONSISTENCY_EXAMPLES", "25"))
#: Shrinking a failure to a minimal book takes minutes: only when asked (CI stays short and
#: still fails loudly, with the full book and steps of the first failing example).
PHASES = tuple(Phase) if os.environ.get("XLCLIENT_CONSISTENCY_SHRINK") else \
    (Phase.explicit, Phase.reuse, Phase.generate)
ONLY = [w.strip() for w in os.environ.get("XLCLIENT_CONSISTENCY_ONLY", "").split(",") if w.strip()] or None
TODAYS = ("2026-03-16", "2026-06-08", "2026-09-21", "2026-11-20")
AES = ("张伟", "王芳", "李娜", "刘洋", "陈静")
STATUSES = ("现有", "潜在", "流失")
STAGES = ("", "重要", "主要", "准", "意向", "暂缓", "拒绝")
OPTIONAL = ("客户编号", "毛利(万元)", "服务工时", "合作次数", "最近合作日期", "潜力评分", "需求评分", "意向阶段",
            "沟通次数", "已付定金", "行业", "锁定等级")
INDUSTRIES = ("快消", "汽车", "地产", "互联网", "教育")

#: Every refusal (exit 2) met by the property test: (steps so far, message).
REFUSALS: list[tuple[str, str]] = []


# ----------------------------------------------------------------------------- books


@dataclass(frozen=True)
class Client:
    status: int  # index into STATUSES
    owner: int  # index into the book's AEs
    billings: int  # 万元; 0 -> blank
    last_visit: int | None  # days before today; None -> blank (never visited)
    stage: int
    need: int
    potential: int
    margin: int  # gross profit, % of billings
    hours: int
    orders: int
    last_order: int  # days before today
    pinned: int  # 0: none, 1-4: A-D


@dataclass(frozen=True)
class BookSpec:
    clients: tuple[Client, ...]
    n_ae: int
    columns: frozenset[str]
    lang: str
    today: str
    no_owner: bool  # the first client has no owner

    def describe(self) -> str:
        mix = Counter(STATUSES[c.status] for c in self.clients)
        return (f"{len(self.clients)} clients ({dict(mix)}), AEs {list(AES[:self.n_ae])}, lang {self.lang}, "
                f"today {self.today}, optional columns {sorted(self.columns)}, first client without owner: "
                f"{self.no_owner}")


clients_st = st.builds(
    Client,
    status=st.integers(0, 2), owner=st.integers(0, 4), billings=st.integers(0, 3000),
    last_visit=st.one_of(st.none(), st.integers(0, 200)), stage=st.integers(0, len(STAGES) - 1),
    need=st.integers(1, 5), potential=st.integers(1, 5), margin=st.integers(-5, 40), hours=st.integers(10, 2000),
    orders=st.integers(0, 20), last_order=st.integers(0, 700),
    pinned=st.sampled_from((0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4)),
)

books_st = st.builds(
    BookSpec,
    clients=st.lists(clients_st, min_size=10, max_size=60).map(tuple),
    n_ae=st.integers(2, 5),
    columns=st.sets(st.sampled_from(OPTIONAL)).map(frozenset),
    lang=st.sampled_from(("zh", "zh", "zh", "en")),
    today=st.sampled_from(TODAYS),
    no_owner=st.sampled_from((False, False, False, False, False, True)),
)


def write_book(spec: BookSpec, path: Path) -> None:
    """The client table (客户台账, header in row 1) as a person keeps it."""
    today = dt.date.fromisoformat(spec.today)
    head = ["客户编号", "客户名称", "客户经理", "客户状态", "年度投放额(万元)", "最近拜访日期"]
    head = [h for h in head if h != "客户编号" or h in spec.columns] + [h for h in OPTIONAL[1:] if h in spec.columns]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户台账"
    ws.append(head)
    for i, c in enumerate(spec.clients):
        status = STATUSES[c.status]
        billings = c.billings if c.billings and status != "潜在" else None
        values = {
            "客户编号": f"KH{i + 1:04d}",
            "客户名称": f"客户{i + 1:03d}{INDUSTRIES[i % 5]}有限公司",
            "客户经理": "" if spec.no_owner and i == 0 else AES[c.owner % spec.n_ae],
            "客户状态": status,
            "年度投放额(万元)": billings,
            "最近拜访日期": (dt.datetime.combine(today - dt.timedelta(days=c.last_visit), dt.time())
                         if c.last_visit is not None else None),
            "毛利(万元)": round(billings * c.margin / 100, 1) if billings else None,
            "服务工时": c.hours if status == "现有" else None,
            "合作次数": c.orders if status != "潜在" else 0,
            "最近合作日期": (dt.datetime.combine(today - dt.timedelta(days=c.last_order), dt.time())
                         if status != "潜在" else None),
            "潜力评分": c.potential,
            "需求评分": c.need,
            "意向阶段": STAGES[c.stage] if status == "潜在" else "",
            "沟通次数": c.stage % 4 if status == "潜在" else None,
            "已付定金": "是" if status == "潜在" and c.stage == 1 else "否",
            "行业": INDUSTRIES[(i * 7 + c.owner) % 5],
            "锁定等级": "ABCD"[c.pinned - 1] if c.pinned else None,
        }
        ws.append([values[h] for h in head])
    wb.save(path)


# ----------------------------------------------------------------------------- steps


def run(path: Path, *argv: str, today: str) -> tuple[int, str, dict | None]:
    """``xlclient <argv> PATH --today T --json -q`` in process: (exit code, stderr, JSON)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main([argv[0], str(path), *argv[1:], "--today", today, "--json", "-q", "--wait", "5"])
    try:
        payload = json.loads(out.getvalue().strip().splitlines()[-1]) if out.getvalue().strip() else None
    except (json.JSONDecodeError, IndexError):
        payload = None
    return code, err.getvalue(), payload


def person_edits(path: Path, seed: int) -> str:
    """A person's edits to the plan, only where people may edit (状态 of planned rows, 锁定,
    备注, deleting a plan row); returns what was done ("" when there is no plan)."""
    import random

    rng = random.Random(seed)
    wb = openpyxl.load_workbook(path)
    ws = find_sheet(wb, "plan")
    plan = load_sheets(path).plan
    if ws is None or not plan:
        return ""
    head = [text(c.value) for c in ws[1]]
    en = "Status" in head
    col = {k: head.index(w) + 1 for k, (zh, e) in {"status": ("状态", "Status"), "notes": ("备注", "Notes"),
                                                    "locked": ("锁定", "Locked")}.items()
           for w in ((e,) if en else (zh,))}
    rows = [r["row"] for r in plan]
    done = []
    deleted = None
    for _ in range(rng.randint(1, 4)):
        action = rng.choice(("done", "done", "cancel", "lock", "note", "delete"))
        planned = [r for r in rows if text(ws.cell(r, col["status"]).value) in ("计划", "Planned")]
        if action in ("done", "cancel", "lock") and planned:
            r = rng.choice(planned)
            if action == "lock":
                ws.cell(r, col["locked"]).value = "是"
            else:
                ws.cell(r, col["status"]).value = {("done", False): "已完成", ("done", True): "Done",
                                                   ("cancel", False): "已取消", ("cancel", True): "Cancelled"}[action, en]
            done.append(f"{action} row {r}")
        elif action == "note":
            r = rng.choice(rows)
            ws.cell(r, col["notes"]).value = "客户说下周再约" if not en else "call back next week"
            done.append(f"note row {r}")
        elif action == "delete" and deleted is None and len(rows) > 1:
            deleted = rng.choice(rows)
            done.append(f"delete row {deleted}")
    if deleted is not None:
        ws.delete_rows(deleted)
    wb.save(path)
    return ", ".join(done)


step_st = st.one_of(
    st.just(("refresh",)),
    st.tuples(st.just("plan"), st.integers(-7, 30), st.integers(1, 6)),
    st.just(("review",)),
    st.just(("dashboard",)),
    st.tuples(st.just("reassign"), st.integers(0, 4)),
    st.tuples(st.just("edit"), st.integers(0, 2 ** 16)),
)


def plan_json_disagreements(payload: dict, path: Path) -> list[str]:
    """The counts a plan run reports (--json) against the sheets it wrote."""
    if not payload or not payload.get("plan_made", True) or "counts" not in payload:
        return []
    s = load_sheets(path)
    out = []
    counts = payload["counts"]
    unsched = s.unscheduled or []
    if "unscheduled" in counts and counts["unscheduled"] != len(unsched):
        out.append(f"[counts agree] --json unscheduled {counts['unscheduled']}; the sheet lists {len(unsched)}")
    if "rows" in counts and s.plan is not None and counts["rows"] != len(s.plan):
        out.append(f"[counts agree] --json rows {counts['rows']}; 拜访计划 holds {len(s.plan)}")
    per_owner_unsched = Counter(consistency.owner_text(r.get("owner")) for r in unsched)
    start, end = (dt.datetime.fromisoformat(payload[k]) if payload.get(k) else None for k in ("start", "end"))
    for owner, summary in (payload.get("owners") or {}).items():
        o = consistency.owner_text(owner)
        if summary.get("unscheduled") is not None and summary["unscheduled"] != per_owner_unsched[o]:
            out.append(f"[counts agree] --json {owner or '(no owner)'} unscheduled {summary['unscheduled']}; the "
                       f"sheet lists {per_owner_unsched[o]}")
        if start is None or end is None or s.plan is None:
            continue
        # the per-AE summary counts the horizon's rows, kept ones included, cancelled ones not
        live = [r for r in s.plan if consistency.owner_text(r.get("owner")) == o and r["status_code"] != "cancelled"
                and isinstance(r.get("date"), dt.datetime) and start <= r["date"] <= end]
        for key, types in (("visits", consistency.VISIT_TYPES), ("calls", {"call", "greeting"})):
            n = sum(r["type_code"] in types for r in live)
            if key in summary and summary[key] != n:
                out.append(f"[counts agree] --json {owner or '(no owner)'} {key} {summary[key]}; 拜访计划 holds {n} "
                           f"such rows of theirs in {payload['start']}..{payload['end']}")
    return out


def run_steps(spec: BookSpec, steps: list[tuple], folder: Path, *, keep_going: bool = False) -> list[str]:
    """Write the book, run the steps, check after each; the disagreements found after the
    first step that has any (after every step with ``keep_going``), headed by the steps
    that led to them."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "book.xlsx"
    write_book(spec, path)
    today = dt.date.fromisoformat(spec.today)
    if spec.lang == "en":
        code, err, _ = run(path, "init", "--lang", "en", today=spec.today)
        assert code in (0, 1), f"init --lang en exited {code}: {err}"
    done: list[str] = []
    edits: set[str] = set()
    report: list[str] = []
    for step in steps:
        kind = step[0]
        payload = None
        if kind == "edit":
            what = person_edits(path, step[1])
            done.append(f"edit({what or 'no plan'})")
            if what:
                edits |= {"dashboard", "log", "plan"}
        else:
            argv: list[str] = [kind]
            if kind == "plan":
                argv += ["--start", (today + dt.timedelta(days=step[1])).isoformat(), "--weeks", str(step[2])]
            if kind == "reassign":
                argv += ["--from", AES[step[1] % spec.n_ae]]
            code, err, payload = run(path, *argv, today=spec.today)
            done.append(" ".join(argv) + f" -> {code}")
            assert code in (0, 1, 2), f"{done}: exit {code}\n{err}"
            if code == 2:
                message = (payload or {}).get("error") or err.strip()
                assert message, f"{done}: a refusal without a message"
                REFUSALS.append((" ; ".join(done), message))
                continue
            if kind in ("plan", "reassign"):
                edits.clear()
            elif kind == "dashboard":
                edits.discard("dashboard")
        found = check_workbook(path, edits_since=edits, only=ONLY)
        if kind in ("plan", "reassign") and payload is not None and (ONLY is None or "counts agree" in ONLY):
            found += plan_json_disagreements(payload, path)
        if found:
            report += [f"after steps {done}:"] + found
            if not keep_going:
                break
    return report


@settings(max_examples=EXAMPLES, deadline=None, phases=PHASES,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])
@given(spec=books_st, steps=st.lists(step_st, min_size=1, max_size=6))
def test_sheets_agree_after_any_sequence(spec: BookSpec, steps: list[tuple], tmp_path_factory) -> None:
    folder = tmp_path_factory.mktemp("consist")
    try:
        found = run_steps(spec, steps, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    assert not found, "\n".join([f"book: {spec.describe()}", f"steps: {steps}", *found[:25]] +
                                ([f"... {len(found) - 25} more"] if len(found) > 25 else []))


# ----------------------------------------------------------------------------- written books for the controls


def small_spec(columns: frozenset[str] = frozenset(OPTIONAL), n: int = 40) -> BookSpec:
    """A fixed book: every status, stages, overdue / recent / blank last visits."""
    clients = tuple(
        Client(status=(0, 0, 0, 1, 0, 2)[i % 6], owner=i % 3, billings=(i * 137) % 900 + 20,
               last_visit=(None if i % 7 == 0 else (i * 23) % 160), stage=(i % 5) + 1, need=(i % 5) + 1,
               potential=(i * 3) % 5 + 1, margin=(i * 11) % 35 + 1, hours=100 + i * 13, orders=i % 9,
               last_order=(i * 31) % 500, pinned=0)
        for i in range(n))
    return BookSpec(clients, 3, columns, "zh", "2026-11-20", False)


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    """A small book after refresh -> plan -> review -> dashboard."""
    path = tmp_path_factory.mktemp("written") / "book.xlsx"
    write_book(small_spec(), path)
    for argv in (("refresh",), ("plan", "--start", "2026-11-23", "--weeks", "4"), ("review",), ("dashboard",)):
        code, err, _ = run(path, *argv, today="2026-11-20")
        assert code in (0, 1), err
    return path


def planted(written: Path, tmp_path: Path, plant) -> tuple[set[str], set[str]]:
    """The checker's lines before and after ``plant(workbook)`` edits a copy of ``written``."""
    copy = tmp_path / "planted.xlsx"
    shutil.copy(written, copy)
    before = set(check_workbook(copy))
    wb = openpyxl.load_workbook(copy)
    plant(wb)
    wb.save(copy)
    return before, set(check_workbook(copy))


def rows_of(ws) -> list[list]:
    return [list(r) for r in ws.iter_rows(values_only=True)]


def dash_cell(ws, title: str, first: str, header: str):
    """The 看板 cell in the section titled ``title``, on the row whose first cell is
    ``first``, under the column headed ``header``."""
    rows = rows_of(ws)
    sec = consistency.dashboard_sections(rows)
    role = consistency.DASH_TITLES[title]
    j = sec[role].header.index(header)
    start = next(i for i, r in enumerate(rows) if text(r[0]) == title)
    i = next(i for i in range(start, len(rows)) if text(rows[i][0]) == first)
    return ws.cell(i + 1, j + 1)


def new_lines(before: set[str], after: set[str], invariant: str) -> list[str]:
    return [line for line in after - before if line.startswith(f"[{invariant}]")]


# ----------------------------------------------------------------------------- negative controls


def test_control_visits_per_ae(written: Path, tmp_path: Path) -> None:
    owner = text(rows_of(load_sheets(written).wb["拜访计划"])[1][1])

    def plant(wb):
        cell = dash_cell(wb["看板"], "按客户经理", owner, "计划拜访")
        cell.value = (cell.value or 0) + 1

    before, after = planted(written, tmp_path, plant)
    assert any(owner in line for line in new_lines(before, after, "visits per AE")), after - before


def test_control_tiers(written: Path, tmp_path: Path) -> None:
    def plant(wb):
        cell = dash_cell(wb["看板"], "客户等级", "A 重点客户", "客户数")
        cell.value += 1

    before, after = planted(written, tmp_path, plant)
    assert any("A 重点客户" in line for line in new_lines(before, after, "tiers")), after - before


def test_control_tiers_on_review(written: Path, tmp_path: Path) -> None:
    def plant(wb):
        ws = wb["客户复盘"]
        ws.cell(2, 4).value = "C" if ws.cell(2, 4).value != "C" else "B"

    before, after = planted(written, tmp_path, plant)
    assert any("客户复盘 row 2" in line for line in new_lines(before, after, "tiers")), after - before


def test_control_owners(written: Path, tmp_path: Path) -> None:
    def plant(wb):
        ws = wb["拜访计划"]
        ws.cell(2, 2).value = "不存在的人"

    before, after = planted(written, tmp_path, plant)
    assert any("拜访计划 row 2" in line for line in new_lines(before, after, "owners")), after - before


def test_control_owners_departing_ae(written: Path, tmp_path: Path) -> None:
    """A 客户交接 row naming an AE who still owns clients: they did not leave."""
    s = load_sheets(written)
    owner = text(s.classification[0]["owner"])

    def plant(wb):
        ws = wb.create_sheet("客户交接")
        ws.append(["日期", "客户编号", "客户名称", "等级", "原客户经理", "新客户经理", "说明"])
        ws.append([dt.datetime(2026, 11, 20), "KH9999", "某客户", "C", owner, "另一人", ""])

    before, after = planted(written, tmp_path, plant)
    assert any(f"departing AE {owner}" in line for line in new_lines(before, after, "owners")), after - before


def test_control_due_means_due(written: Path, tmp_path: Path) -> None:
    s = load_sheets(written)
    visited = {consistency.key_of(r) for r in s.plan if r["type_code"] in consistency.VISIT_TYPES}
    waiting = {consistency.key_of(r) for r in s.unscheduled or []}
    target = next(r for r in s.classification if text(r.get("owner")) and
                  consistency.key_of(r) not in visited | waiting)

    def plant(wb):
        ws = wb["分级结果"]
        ws.cell(target["row"], 11).value = "逾期 3 天"

    before, after = planted(written, tmp_path, plant)
    assert any(f"row {target['row']} " in line for line in new_lines(before, after, "due means due")), after - before


def test_control_counts_agree(written: Path, tmp_path: Path) -> None:
    def plant(wb):
        wb["拜访计划"].delete_rows(2)

    before, after = planted(written, tmp_path, plant)
    assert any("新排" in line for line in new_lines(before, after, "counts agree")), after - before


def test_control_counts_agree_log(written: Path, tmp_path: Path) -> None:
    def plant(wb):
        ws = wb["运行日志"]
        for r in range(2, ws.max_row + 1):
            v = text(ws.cell(r, 4).value)
            if "新排" in v:
                ws.cell(r, 4).value = v.replace("未安排 ", "未安排 1")

    before, after = planted(written, tmp_path, plant)
    assert any("未安排" in line for line in new_lines(before, after, "counts agree")), after - before


def test_control_not_stale(written: Path, tmp_path: Path) -> None:
    s = load_sheets(written)
    target = next(r for r in s.classification if not text(r.get("review")))

    def plant(wb):
        wb["分级结果"].cell(target["row"], 12).value = "流失风险：竞品接触"

    before, after = planted(written, tmp_path, plant)
    lines = new_lines(before, after, "not stale")
    assert any("复盘标记" in line for line in lines) and any("客户复盘 does not list" in line for line in lines), lines


def test_a_stale_line_is_an_answer(written: Path, tmp_path: Path) -> None:
    """The same planted change with a visible out-of-date line on 看板 and 客户复盘: no complaint."""
    s = load_sheets(written)
    target = next(r for r in s.classification if not text(r.get("review")))

    def plant(wb):
        wb["分级结果"].cell(target["row"], 12).value = "流失风险：竞品接触"
        for name in ("看板", "客户复盘"):
            wb[name].insert_rows(1)
            wb[name].cell(1, 1).value = "此表已过期：分级结果在其后刷新过，请重新生成"

    before, after = planted(written, tmp_path, plant)
    assert not new_lines(before, after, "not stale"), after - before


def test_control_never_zeros_quadrants(tmp_path: Path) -> None:
    """Without a need column no quadrant can be told: a 0 planted there is named."""
    path = tmp_path / "noneed.xlsx"
    write_book(small_spec(frozenset(OPTIONAL) - {"需求评分"}), path)
    for argv in (("refresh",), ("dashboard",)):
        assert run(path, *argv, today="2026-11-20")[0] in (0, 1)

    def plant(wb):
        dash_cell(wb["看板"], "客户象限", "Q1 高价值/高需求", "客户数").value = 0

    before, after = planted(path, tmp_path, plant)
    assert any("a 0 for an unknown" in line for line in new_lines(before, after, "never zeros")), after - before


def test_control_never_zeros_money(tmp_path: Path) -> None:
    """Without a gross-profit column its figures are blank: a 0 planted there is named."""
    path = tmp_path / "nogp.xlsx"
    write_book(small_spec(frozenset(OPTIONAL) - {"毛利(万元)"}), path)
    for argv in (("refresh",), ("dashboard",)):
        assert run(path, *argv, today="2026-11-20")[0] in (0, 1)

    def plant(wb):
        dash_cell(wb["看板"], "客户等级", "A 重点客户", "毛利(万元)").value = 0

    before, after = planted(path, tmp_path, plant)
    assert any("gross_profit" in line for line in new_lines(before, after, "never zeros")), after - before


def test_unscheduled_rows_read_the_own_sheet_first(written: Path, tmp_path: Path) -> None:
    """When 未安排 exists it is the list (a block under the plan is then ignored): a sheet
    with one row planted is read as that one row."""
    s = load_sheets(written)
    target = next(r for r in s.classification if text(r.get("owner")))

    def plant(wb):
        if "未安排" in wb.sheetnames:
            del wb["未安排"]
        ws = wb.create_sheet("未安排")
        ws.append(["客户经理", "客户编号", "客户名称", "等级", "类型", "应拜访日期", "原因"])
        ws.append([target["owner"], target["client_id"], target["name"], target["tier"], "拜访", None, "容量已满"])

    copy = tmp_path / "own.xlsx"
    shutil.copy(written, copy)
    wb = openpyxl.load_workbook(copy)
    plant(wb)
    wb.save(copy)
    rows = consistency.unscheduled_rows(openpyxl.load_workbook(copy, data_only=True))
    assert [consistency.key_of(r) for r in rows] == [consistency.key_of(target)]


def test_the_fixture_book_agrees_with_itself(written: Path) -> None:
    """The untouched written book: every invariant holds (fails on today's findings)."""
    assert check_workbook(written) == []


# ----------------------------------------------------------------------------- the demo


def test_demo_refresh_plan_dashboard_review_reassign(tmp_path: Path) -> None:
    path = tmp_path / "demo.xlsx"
    today = "2026-11-20"
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        assert cli.main(["demo", "--out", str(path), "--today", today, "-q"]) in (0, 1), err.getvalue()
    found = []
    for argv in (("refresh",), ("plan",), ("dashboard",), ("review",), ("reassign", "--from", "王芳")):
        code, err_text, _ = run(path, *argv, today=today)
        assert code in (0, 1), err_text
        found += [f"after {argv[0]}: {line}" for line in check_workbook(path)]
    assert not found, "\n".join(found[:40] + ([f"... {len(found) - 40} more"] if len(found) > 40 else []))
