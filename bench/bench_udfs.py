"""Benchmark of the Excel functions (SPEC 9): the single-cell call with a 10,000-value
population after the first call (target <= 100 us), and the array call over 10,000 rows
(target <= 50 ms), side by side in one run with naive implementations that re-sort the
population on every call.

What is timed is the Python work of one UDF call from the arguments exactly as xlwings
hands them over (per-row arguments as lists of rows; a population column raw, as COM
returns it: a tuple of one-cell rows, with new objects on every call, as COM builds them).
Also timed, for comparison: xlwings' default per-cell conversion of such a population (its
own Python loop), which reading populations raw avoids. Not timed: COM marshalling and the
VBA wrapper (xlwings issue #1976 puts a call at a few ms), which only a Windows machine with
Excel can measure.

Run:  python bench/bench_udfs.py   (writes bench/results/udfs.txt)
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from xlclient import udf_support, udfs  # noqa: E402
from xlclient.demo import demo_book  # noqa: E402
from xlclient.engine.settings import Settings, settings_rows  # noqa: E402
from xlclient.engine.tier import TierRule, assign_tiers  # noqa: E402

N = 10_000
SINGLE_CALLS = 3_000
NAIVE_CALLS = 100
ARRAY_REPEATS = 9
TODAY = dt.date(2026, 11, 20)
OUT = Path(__file__).parent / "results" / "udfs.txt"


def fresh(values: list) -> list:
    """A new list of new cell objects with the same values (what xlwings builds per call):
    floats, texts and dates are new objects, so no comparison can stop at "same object"."""
    def copy(v):
        if isinstance(v, float):
            return v + 0.0
        if isinstance(v, str):
            return (v + ".")[:-1]
        if isinstance(v, dt.datetime):
            return v.replace()
        return v
    return [copy(v) for v in values]


def fresh_raw(values: list) -> tuple:
    """A population as xlwings hands it over raw (COM's value): a tuple of one-cell row
    tuples, new objects on every call."""
    return tuple((v,) for v in fresh(values))


def per_call(fn, calls: int) -> list[tuple[float, float]]:
    """(wall, CPU) seconds of each call."""
    times = []
    for i in range(calls):
        w0, c0 = time.perf_counter(), time.process_time()
        fn(i)
        times.append((time.perf_counter() - w0, time.process_time() - c0))
    return times


def summary_us(times: list[tuple[float, float]]) -> str:
    wall = sorted(t[0] * 1e6 for t in times)
    cpu = sorted(t[1] * 1e6 for t in times)
    return (f"CPU median {statistics.median(cpu):7.1f} us  min {cpu[0]:7.1f}   "
            f"wall median {statistics.median(wall):7.1f} us  p95 {wall[int(len(wall) * 0.95)]:8.1f}")


def best_ms(fn, repeats: int = ARRAY_REPEATS) -> tuple[float, float, float]:
    """(CPU median, CPU min, wall median) milliseconds."""
    cpu, wall = [], []
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return statistics.median(cpu) * 1e3, min(cpu) * 1e3, statistics.median(wall) * 1e3


def min_cpu(times: list[tuple[float, float]]) -> float:
    return min(t[1] for t in times)


def med_cpu(times: list[tuple[float, float]]) -> float:
    return statistics.median(t[1] for t in times)


# ------------------------------------------------------------------ naive references


def naive_tier(value: float, population: list, cut_a: float = 0.80, cut_b: float = 0.95) -> str:
    """A straightforward single-cell Pareto tier: read the population, sort it, walk it."""
    values = sorted((float(v) for v in population if isinstance(v, float) and v > 0), reverse=True)
    total = sum(values)
    before = sum(v for v in values if v > value)
    share = before / total if total else 0.0
    return "A" if share < cut_a else "B" if share < cut_b else "C"


def naive_tier_numpy(value: float, population: list) -> str:
    """The engine without the cache: parse and sort the population on every call."""
    cells = udfs.flat(population)
    values = udf_support.parse("money", cells).values
    scale = udfs.TierScale(values, TierRule())
    return str(scale.tiers(np.array([value]))[0])


def xlwings_cell_cleaning():
    """xlwings' own per-call loop over the cells of a range argument on Windows
    (``_xlwindows.Engine.clean_value_data`` and ``_clean_value_data_element``), taken from
    the installed xlwings source and run here on plain Python values (the module itself
    needs pywin32). Returns ``clean(data)`` with xlwings' UDF defaults, or None when the
    source does not have the two functions."""
    import ast
    import importlib.util

    spec = importlib.util.find_spec("xlwings")
    source = (Path(spec.origin).parent / "_xlwindows.py").read_text(encoding="utf-8")  # type: ignore[arg-type]
    tree = ast.parse(source)
    wanted: dict[str, ast.AST] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name in ("_clean_value_data_element", "clean_value_data"):
            node.decorator_list = []
            wanted[node.name] = node
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "cell_errors" for t in node.targets):
            wanted["cell_errors"] = node
    if len(wanted) != 3:
        return None
    scope = {"time_types": (dt.date, dt.datetime), "_com_time_to_datetime": lambda v, b: v}
    exec(compile(ast.Module(body=list(wanted.values()), type_ignores=[]), "xlwings/_xlwindows.py", "exec"), scope)
    clean = scope["clean_value_data"]
    return lambda data: clean(data, None, None, None, True)


# ------------------------------------------------------------------ data


def book() -> dict[str, list]:
    """The 10,000-client demo book (xlclient.demo), columns as xlwings hands them over."""
    rows, _ = demo_book(N, 2026, TODAY, plant_problems=False)
    header, data = rows[0], rows[1:]

    def raw(h: str) -> list:
        out = []
        for r in data:
            v = r[header.index(h)]
            if isinstance(v, bool) or v is None or isinstance(v, (str, float, dt.datetime)):
                out.append(v)
            elif isinstance(v, int):
                out.append(float(v))
            elif isinstance(v, dt.date):
                out.append(dt.datetime(v.year, v.month, v.day))
            else:
                out.append(v)
        return out

    d = {k: raw(h) for k, h in (("billings", "年度投放额(万元)"), ("status", "客户状态"), ("last", "最近合作日期"),
                                ("first", "首次合作日期"), ("orders", "合作次数"), ("visits", "最近拜访日期"),
                                ("need", "需求评分"), ("stages", "意向阶段"), ("meetings", "沟通次数"),
                                ("deposit", "已付定金"), ("potential", "潜力评分"), ("gp", "毛利(万元)"),
                                ("hours", "服务工时"), ("prev_billings", "上年投放额(万元)"), ("types", "性格类型"))}
    d["risks"] = [[r[header.index(h)] for h in ("经营困难", "竞品接触", "管理层变动", "付款逾期")] for r in data]
    return d


def col(values: list) -> list[list]:
    return [[v] for v in values]


def hidden_arguments(settings: Settings) -> dict[str, tuple]:
    """The hidden Settings and Holidays arguments as the VBA wrapper hands them over
    (udf_support.sheet_expression): new tuples on every call, as COM makes them."""
    rows = settings_rows(settings)
    width = max(len(r) for r in rows)
    cells = tuple(tuple(list(r) + [None] * (width - len(r))) for r in rows)
    return {"settings": (False, "设置", f"$A$1:$D${len(rows)}", cells),
            "holidays": (False, "节假日", "$A$1:$C$1", (("日期", "类型", "名称"),))}


def fresh_hidden(settings: Settings) -> dict[str, tuple]:
    h = hidden_arguments(settings)
    return {k: (v[0], v[1], v[2], tuple(tuple(r) for r in v[3])) for k, v in h.items()}


def main() -> None:
    d = book()
    caller = hidden_arguments(Settings(as_of=TODAY))
    hiddens = [fresh_hidden(Settings(as_of=TODAY)) for _ in range(16)]  # equal, never the same objects
    pops = [fresh_raw(d["billings"]) for _ in range(16)]  # what the UDF gets
    flat_pops = [fresh(d["billings"]) for _ in range(16)]  # what the naive versions get (a flat list)
    values = d["billings"]
    positive = [v for v in values if v]
    lines: list[str] = []

    def say(text: str = "") -> None:
        print(text)
        lines.append(text)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    say("Times: CPU time of this process (time.process_time) -- other sessions share these 2 CPUs, so wall")
    say("time swings with their load; wall medians are shown too.")
    say(f"bench_udfs  {dt.datetime.now():%Y-%m-%d %H:%M}  Python {platform.python_version()}  "
        f"{platform.machine()}  {os.cpu_count()} CPUs  numpy {np.__version__}  load average at start {load:.1f}")
    say(f"book: xlclient.demo, {N:,} clients; population = the billings column as xlwings hands it over raw "
        f"(a tuple of {N:,} one-cell rows, {values.count(None):,} blank), new objects on every call")
    say("")

    # ---------------------------------------------------------------- single cell
    say("== single-cell =CLIENT_TIER(H5, H$5:H$10004, , , , , \"万元\") after the first call (SPEC 9: near the exact population check, ~0.25 ms) ==")
    one = lambda i, h=True: udfs.CLIENT_TIER([[positive[i % len(positive)]]], pops[i % 16], None, None, None, None,
                                             "万元", **(hiddens[i % 16] if h else {}))
    # the first call builds the scale, from a list of its own: every timed call then compares
    # cells that are equal but never the same objects
    first_pop = fresh_raw(d["billings"])
    udfs.CLIENT_TIER([[positive[0]]], first_pop, None, None, None, None, "万元", **caller)
    t_cached = per_call(one, SINGLE_CALLS)
    say(f"xlclient (cached scale)        {summary_us(t_cached)}")
    t_hash = per_call(lambda i: udf_support.same_cells(pops[i % 16], first_pop), SINGLE_CALLS)
    say(f"  of which the population check {summary_us(t_hash)}   (comparing the {N:,} cells with the cached ones)")
    t_ctx = per_call(lambda i: udf_support.context(**hiddens[i % 16]), SINGLE_CALLS)
    say(f"  of which the Settings lookup  {summary_us(t_ctx)}   (hashing and comparing the hidden Settings cells)")
    t_nocaller = per_call(lambda i: one(i, False), SINGLE_CALLS)
    say(f"xlclient, no hidden arguments  {summary_us(t_nocaller)}   (defaults: the Settings lookup left out)")
    clean = xlwings_cell_cleaning()
    t_default = None
    if clean is not None:  # the population converted by xlwings' default instead of raw
        def converted(i: int) -> object:
            rows = clean(pops[i % 16])  # xlwings' loop over every cell
            return udfs.CLIENT_TIER([[positive[i % len(positive)]]], [r[0] for r in rows], None, None, None, None,
                                    "万元", **caller)  # [r[0] ...]: its reduction of a column to a flat list
        converted(0)
        t_default = per_call(converted, 300)
        say(f"with xlwings' default conversion of the population instead of raw (its clean_value_data loop, from")
        say(f"  the installed source, + the call): {summary_us(t_default)}")
    say("baselines (handed the flat list xlwings' default conversion makes; the conversion not counted):")
    t_naive = per_call(lambda i: naive_tier(positive[i], flat_pops[i % 16]), NAIVE_CALLS)
    say(f"naive Python (sort per call)   {summary_us(t_naive)}")
    t_naive_np = per_call(lambda i: naive_tier_numpy(positive[i], flat_pops[i % 16]), NAIVE_CALLS)
    say(f"engine, no cache (per call)    {summary_us(t_naive_np)}")
    say(f"speed-up (CPU medians) over naive Python: {med_cpu(t_naive) / med_cpu(t_cached):,.0f}x; over the uncached "
        f"engine: {med_cpu(t_naive_np) / med_cpu(t_cached):,.0f}x; xlclient's own work besides the check "
        f"(difference of the minima, the least noisy figures): {(min_cpu(t_cached) - min_cpu(t_hash)) * 1e6:,.0f} us")
    sample = [one(i) for i in range(300)]
    naive = [naive_tier(positive[i], flat_pops[0]) for i in range(300)]
    say(f"single-cell answers equal to the naive ones on 300 cells: {sample == naive}")
    say("")

    say(f"== other single-cell calls with {N:,}-value populations, after the first ==")
    # every population a fresh list per call, as xlwings hands them over
    fresh_pops = {k: [fresh_raw(d[k]) for _ in range(8)] for k in ("last", "orders", "billings", "status", "first")}

    def pop(k: str, i: int) -> list:
        return fresh_pops[k][i % 8]

    current = [i for i, s in enumerate(d["status"]) if s in ("合作中", "现有")]
    rfm = lambda i, j: udfs.RFM_SCORE([[d["last"][i]]], [[d["orders"][i]]], [[d["billings"][i]]], pop("last", j),
                                      pop("orders", j), pop("billings", j), [[d["status"][i]]], pop("status", j),
                                      "万元", **caller)
    udfs.RFM_SCORE([[d["last"][current[0]]]], [[d["orders"][current[0]]]], [[d["billings"][current[0]]]],
                   fresh_raw(d["last"]), fresh_raw(d["orders"]), fresh_raw(d["billings"]), [[d["status"][current[0]]]],
                   fresh_raw(d["status"]), "万元", **caller)
    say(f"RFM_SCORE (4 populations)      {summary_us(per_call(lambda j: rfm(current[j], j), 1000))}")
    lik = lambda i, j: udfs.PURCHASE_LIKELIHOOD([[d["status"][i]]], [[d["visits"][i]]], [[d["orders"][i]]],
                                                [[d["first"][i]]], [[d["last"][i]]], pop("status", j),
                                                pop("orders", j), pop("first", j), pop("last", j), **caller)
    c0 = current[0]
    udfs.PURCHASE_LIKELIHOOD([[d["status"][c0]]], [[d["visits"][c0]]], [[d["orders"][c0]]], [[d["first"][c0]]],
                             [[d["last"][c0]]], fresh_raw(d["status"]), fresh_raw(d["orders"]), fresh_raw(d["first"]),
                             fresh_raw(d["last"]), **caller)
    say(f"PURCHASE_LIKELIHOOD (4 pops)   {summary_us(per_call(lambda j: lik(current[j], j), 1000))}")
    nv = lambda i: udfs.NEXT_VISIT([["A"]], [[d["visits"][current[i]]]], **caller)
    say(f"NEXT_VISIT (no population)     {summary_us(per_call(nv, 1000))}")
    say("")

    # ---------------------------------------------------------------- array calls
    say(f"== array calls over {N:,} rows: one call spilling a column (target <= 50 ms) ==")
    status, bill = col(d["status"]), col(d["billings"])
    tiers = [r[0] for r in udfs.CLIENT_TIER(bill, None, status, None, None, None, "万元", **caller)]
    stages = [r[0] for r in udfs.INTENT_STAGE(col(d["stages"]), col(d["meetings"]), col(d["deposit"]),
                                              **caller)]
    keys = [s if st in ("潜在", "意向") else ("C" if t == "D" else t or "流失")
            for t, s, st in zip(tiers, stages, d["status"])]
    client = [s if st in ("潜在", "意向") else st for s, st in zip(stages, d["status"])]
    # the arguments are built once, outside the timing (xlwings builds them, not xlclient)
    c = {k: col(v) for k, v in d.items() if k != "risks"}
    c_tiers, c_keys, c_client = col(tiers), col(keys), col(client)
    c_types = col([t or "Q4" for t in d["types"]])
    calls = {
        "CLIENT_TIER": lambda: udfs.CLIENT_TIER(bill, None, status, None, None, None, "万元", **caller),
        "CLIENT_QUADRANT": lambda: udfs.CLIENT_QUADRANT(c_tiers, c["need"], status, c["potential"], **caller),
        "INTENT_STAGE": lambda: udfs.INTENT_STAGE(c["stages"], c["meetings"], c["deposit"], **caller),
        "NEXT_VISIT": lambda: udfs.NEXT_VISIT(c_keys, c["visits"], **caller),
        "VISIT_STATUS": lambda: udfs.VISIT_STATUS(c_keys, c["visits"], **caller),
        "RFM_SCORE": lambda: udfs.RFM_SCORE(c["last"], c["orders"], bill, None, None, None, status, None, "万元",
                                            **caller),
        "RFM_SEGMENT": lambda: udfs.RFM_SEGMENT(c["last"], c["orders"], bill, None, None, None, status, None, "万元",
                                                **caller),
        "PURCHASE_LIKELIHOOD": lambda: udfs.PURCHASE_LIKELIHOOD(c_client, c["visits"], c["orders"], c["first"],
                                                                c["last"], **caller),
        "CLIENT_REVIEW": lambda: udfs.CLIENT_REVIEW(c_tiers, None, status, c["gp"], c["hours"], c["last"], bill,
                                                    c["prev_billings"], d["risks"], None, None, None, None, "万元",
                                                    **caller),
        "CLIENT_STRATEGY": lambda: udfs.CLIENT_STRATEGY(c_types, **caller),
    }
    udfs._MODELS.clear()
    c0 = time.process_time()
    calls["PURCHASE_LIKELIHOOD"]()
    fit_ms = (time.process_time() - c0) * 1e3
    for name, fn in calls.items():
        result = fn()
        assert isinstance(result, list) and len(result) == N, (name, str(result)[:300])
        bad = sum(1 for r in result if isinstance(r[0], str) and r[0].startswith("#"))
        cpu_ms, cpu_min, wall_ms = best_ms(fn)
        say(f"{name:<22} CPU median {cpu_ms:6.1f} ms  min {cpu_min:6.1f}   wall median {wall_ms:6.1f} ms   "
            f"{'ok' if cpu_ms <= 50 else 'OVER 50 ms'}{f'   ({bad} message rows)' if bad else ''}")
    say(f"  (PURCHASE_LIKELIHOOD's first call also fits the repeat-purchase model: {fit_ms:.0f} ms CPU; later calls "
        f"with the same cells reuse it)")
    engine_ms, _, _ = best_ms(lambda: assign_tiers(
        np.array([np.nan if v is None else v * 1e4 for v in d["billings"]]),
        np.array(["prospect" if s in ("潜在", "意向") else "lost" if s == "流失" else "current" for s in d["status"]],
                 dtype=object), TierRule()))
    say(f"engine assign_tiers alone      CPU median {engine_ms:6.1f} ms   (what CLIENT_TIER's column form wraps)")
    rows = 100
    t0 = time.process_time()
    for i in range(rows):
        naive_tier(positive[i], d["billings"])
    naive_row = (time.process_time() - t0) / rows
    say(f"naive row-by-row CLIENT_TIER   {naive_row * N:7.1f} s    (10,000 rows x {naive_row * 1e3:.1f} ms CPU, "
        f"measured on {rows} rows)")
    say("")
    say("Not measured here: COM marshalling of the cells and the VBA wrapper (Windows with Excel only), paid")
    say("again by every single-cell call -- which is why the column form (one call for the whole column)")
    say("is the fast path.")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"\nwritten {OUT}")


if __name__ == "__main__":
    main()
