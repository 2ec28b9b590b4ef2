"""A longer soak of xlclient runs and other people's saves on one shared workbook: the same
soak as tests/test_soak_shared_workbook.py (runs in a pool of processes, a person saving
through Excel / a sync client / in place, a reader opening the file), with several seeds
and more events, and one soak with a writer that does not check the file on disk, for
contrast. Writes the figures to ``bench/results/soak_shared_workbook.txt``.

Run: ``python bench/soak_shared_workbook.py [--seeds 5] [--events 400] [--workers 4]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1] / "tests"
sys.path.insert(0, str(TESTS))

import test_soak_shared_workbook as soak_test  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "soak_shared_workbook.txt"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--events", type=int, default=400)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--blind-events", type=int, default=200, help="events of the contrast soak (0: none)")
    args = parser.parse_args()

    started = time.perf_counter()
    lines = [f"# soak_shared_workbook  {dt.datetime.now():%Y-%m-%d %H:%M}  Python {platform.python_version()}  "
             f"{os.cpu_count()} CPUs, {args.workers} run workers + 1 person + 1 reader",
             f"# {args.seeds} soaks x {args.events} events (seeds 1..{args.seeds}); schedule: a run or a save every "
             f"0.1 s on average (exponential gaps), 1/3 saves (excel 50%, sync 30%, in place 20%), runs refresh 50%, "
             f"plan 18%, review/dashboard 11% each, check 10%, --wait 0.1/1/10 s, 0-150 ms computing between read and write, "
             f"half the runs on a slow share (0-15 ms before moving the book aside and before linking the new file)"]
    figures = []
    for seed in range(1, args.seeds + 1):
        with tempfile.TemporaryDirectory(prefix="xlclient-soak-") as tmp:
            fig = soak_test.soak(Path(tmp), seed=seed, n_events=args.events, workers=args.workers)
        figures.append(fig)
        print(fig.line(), flush=True)
        lines.append(fig.line())
        lines += [f"    PROBLEM: {p}" for p in fig.problems[:20]]
        lines += [f"    note: {s}" for s in fig.saves_over_xlclient]

    total = Counter()
    refused = Counter()
    checks = Counter()
    messages = Counter()
    aside = []
    for f in figures:
        refused.update(f.refused)
        checks.update(f.checks)
        messages.update(f.refusal_messages)
        aside += f.aside_us
        for key in ("runs", "written", "waited", "overlapping_runs", "save_retries", "saves_landed", "markers_found",
                    "markers_expected", "notes_found", "notes_expected", "log_lines_found", "versions_opened",
                    "versions_written", "reader_opened", "reader_skipped", "reader_absent", "lost_to_saves",
                    "asides", "put_back", "check_put_back", "lost_race_to_save", "refused_saved_without_a_save",
                    "person_found_no_file"):
            total[key] += getattr(f, key)
        total["saves"] += sum(f.saves.values())
        total["problems"] += len(f.problems)
        total["xlclient_over"] += len(f.replaced_not_snapshot)
        total["saves_over"] += len(f.saves_over_xlclient)
        total["displaced"] += len(f.displaced)
        total["seconds"] += f.seconds
    longest = max(f.longest_absence_ms for f in figures)
    aside.sort()
    lines.append("")
    lines.append(f"== total: {args.seeds * args.events} events in {total['seconds']:.0f} s of soak")
    lines.append(f"writing runs {total['runs']}: written {total['written']}, refused {sum(refused.values())} "
                 f"(a save landed between its read and its write {refused['saved']}, open in Excel {refused['excel']}, "
                 f"another run held the lock past --wait {refused['busy']}, read a half-written or missing file "
                 f"{refused['unreadable'] + refused['changing'] + refused['missing']}, other {refused['other']})")
    lines.append(f"runs that waited for another run's lock, then ran: {total['waited']}; runs that overlapped "
                 f"another run: {total['overlapping_runs']}; check runs (no lock) {sum(checks.values())}: "
                 + ", ".join(f"{k} {v}" for k, v in sorted(checks.items())))
    lines.append(f"saves {total['saves']}: landed {total['saves_landed']}; redone because an xlclient write landed "
                 f"while the person edited: {total['save_retries']}; the person found no file at the path "
                 f"{total['person_found_no_file']} times")
    lines.append(f"in the final files: save markers {total['markers_found']}/{total['markers_expected']}, notes "
                 f"beside clients {total['notes_found']}/{total['notes_expected']}, Log lines of reported writes "
                 f"{total['log_lines_found']}/{total['written']} (overwritten by a save's own race: "
                 f"{total['lost_to_saves']})")
    lines.append(f"every file xlclient put in place opens (openpyxl and python-calamine): "
                 f"{total['versions_opened']}/{total['versions_written']}; a reader opened the book "
                 f"{total['reader_opened']} times, never failing (+{total['reader_skipped']} samples skipped mid "
                 f"in-place save; {total['reader_absent']} samples found no file at the path, longest "
                 f"{longest:.1f} ms)")
    if aside:
        lines.append(f"writes that moved the book aside: {total['asides']}; aside -> new file in place: median "
                     f"{aside[len(aside) // 2]:.0f} us, 90% {aside[int(len(aside) * 0.9)]:.0f} us, max "
                     f"{aside[-1]:.0f} us (half the runs on a 'slow share': 0-15 ms per step)")
    lines.append(f"saves found aside and put back by the run: {total['put_back']}; saves that came in while the book "
                 f"was aside (the run's link failed, theirs stays): {total['lost_race_to_save']}; asides put back by "
                 f"a check run: {total['check_put_back']}; refused as 'saved by someone' with no save during the "
                 f"run: {total['refused_saved_without_a_save']}; displaced saves filed in the backups: "
                 f"{total['displaced']}")
    lines.append(f"xlclient files put over a file it had not read: {total['xlclient_over']}; saves renamed over an "
                 f"xlclient write they had not read: {total['saves_over']}; problems: {total['problems']}")
    lines.append("refusal messages (run names and times elided):")
    for (kind, message), n in sorted(messages.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"  {n:5d} x {kind}: {message}")

    if args.blind_events:
        with tempfile.TemporaryDirectory(prefix="xlclient-soak-blind-") as tmp:
            fig = soak_test.soak(Path(tmp), seed=7, n_events=args.blind_events, workers=args.workers, blind=True)
        lines.append("")
        lines.append("== contrast: the same soak with the write not given its snapshot (no check of the file on disk)")
        lines.append(fig.line())
        lines += [f"    {p}" for p in fig.problems[:12]]
        if len(fig.problems) > 12:
            lines.append(f"    ... {len(fig.problems) - 12} more")
    lines.append("")
    lines.append(f"# wall time {time.perf_counter() - started:.0f} s")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines[-40:]))
    return 1 if total["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
