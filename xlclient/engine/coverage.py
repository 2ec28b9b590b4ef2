"""Which due clients one account executive sees, and on which day: coverage first.

SPEC 4.5 reads the plan's priority per visit: every overdue client (due before the start,
or never visited) gets a visit first, then A, B and C clients that fall due, then prospects
in talks; a client's second visit in the horizon never takes the place of another client's
first visit; then as many visits as fit; then the least total lateness.

The first visits are a **transversal matroid**: a visit may go on any working day from its
release (its due day, or the start when overdue) to the end of the horizon, each day has a
number of visit slots, and a set of clients can all be seen exactly when, for every day d,
the clients released on or after d are no more than the slots from d on (Hall's condition
for suffix intervals).  On a matroid the greedy algorithm is exact: taking clients in
priority order and keeping each one that still leaves the set feasible gives, class after
class, the most clients that can be seen (:func:`choose_first_visits`; an O(days) check per
client).

Placing them: day by day, each day is filled with released clients (any choice keeps the
rest feasible, and the total lateness of the first visits is the same for every choice
that fills each day as far as it can: it is the sum of the days taken less the sum of the
releases).  Among released clients, one whose next visit could still fall inside the
horizon goes first, shortest cadence first, so that its repeat fits; the others go in
priority order.  Then repeats -- the next visit a cadence after the one planned -- take
the slots left, day by day, the same way (:func:`place_visits`).  What finds no slot is returned, with its release, to be listed as
unscheduled.

How close this is to the optimum is measured, not assumed: ``tests/test_coverage.py``
compares it with an exact CP-SAT model of the same rules on random books, and
``bench/bench_coverage.py`` on capacity-bound books.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Need", "choose_first_visits", "place_visits", "Placement", "POLICIES", "improve", "grow"]


@dataclass(frozen=True)
class Need:
    """One visit a client needs: its first (coverage) or a repeat."""

    client: int  # the caller's id of the client
    release: int  # first day index it may take
    klass: int  # 0 overdue or never visited, 1 A, 2 B, 3 C, 4 prospect in talks
    order: int  # tie-break within the class (smaller first)
    cadence: int  # days between visits
    first: bool = True  # the client's first visit in the horizon (coverage)
    avoid: frozenset[int] = field(default=frozenset(), compare=False)  # day indices it must not take


@dataclass(frozen=True)
class Placement:
    need: Need
    day: int  # day index


def choose_first_visits(needs: list[Need], left: list[int]) -> tuple[list[Need], list[Need]]:
    """(chosen, not chosen): the most first visits per class, classes in priority order,
    that the slots ``left`` per day can hold (see the module docstring)."""
    n = len(left)
    slack = [0] * (n + 1)  # slots from day d on, less the chosen clients released on or after d
    for d in range(n - 1, -1, -1):
        slack[d] = slack[d + 1] + max(0, left[d])
    chosen, dropped = [], []
    for need in sorted(needs, key=lambda x: (x.klass, x.order)):
        r = need.release
        if r >= n or min(slack[:r + 1]) < 1:
            dropped.append(need)
            continue
        for d in range(r + 1):
            slack[d] -= 1
        chosen.append(need)
    return chosen, dropped


#: (how days are shared, which first visit goes first, which repeat goes first); the
#: planner tries each and keeps the best (most visits, then least lateness).
POLICIES = (("strict", "cadence", "cadence"), ("strict", "cadence", "fresh"), ("strict", "priority", "fresh"),
            ("interleave", "cadence", "cadence"), ("interleave", "cadence", "fresh"),
            ("interleave", "priority", "cadence"), ("strict", "defer", "cadence"), ("interleave", "defer", "fresh"))


def place_visits(chosen: list[Need], left: list[int],
                 next_need: Callable[[Need, int], Need | None],
                 stands_in: Callable[[Need, int], Need | None] | None = None,
                 repeat_fits: Callable[[Need, int], bool] | None = None,
                 policy: tuple[str, str, str] = POLICIES[0],
                 chain_length: Callable[[Need, int], int] | None = None,
                 ) -> tuple[list[Placement], list[Need]]:
    """Place the chosen first visits, then the repeats, on the days' free slots (``left``
    is used up). ``next_need(need, day)``: the client's next visit after one on ``day``
    (None when none is due in the horizon). ``stands_in(need, day)``: when a visit the
    plan already has (kept, locked) lies on or before ``day`` and stands for this one, the
    need that follows it (or None); the need is then not placed. ``repeat_fits(need,
    day)``: whether a visit on ``day`` leaves room for the next one inside the horizon.

    ``policy`` = (sharing, first, repeat). Sharing "strict": each day takes released first
    visits before any repeat; "interleave": each day first takes the first visits that
    cannot wait (so many that the rest would no longer fit in the days after: the chosen
    clients are all seen, whatever else happens), then repeats and first visits compete
    for the other slots -- a repeat may come before a first visit that can still wait,
    never instead of it. Which one goes first: "cadence" -- a client whose next visit
    could still fall inside the horizon, shortest cadence first (so that repeats fit), the
    others in priority order; "priority" -- class, then order; "fresh" -- the latest
    released first; "defer" -- a client whose visits would be as many if it started a
    working day later (``chain_length(need, day)``: how many visits a chain from ``day``
    holds) goes after the others, so that a weekly client's chain does not take the
    contested first days from clients seen once. Returns the placements and the needs that
    found no slot."""
    n = len(left)
    fits = repeat_fits or (lambda need, day: False)
    sharing, first_kind, repeat_kind = policy
    placed: list[Placement] = []
    firsts = [x for x in chosen if x.first]
    waiting_first = sorted(firsts, key=lambda x: (x.release, x.klass, x.order))
    waiting_repeat: list[tuple] = []  # heap of (release, klass, order, client, need)
    ready_first: list[tuple] = []  # heaps of (key..., client, need)
    ready_repeat: list[tuple] = []
    never = n + 1_000_000
    suffix = [0] * (n + 1)
    for d in range(n - 1, -1, -1):
        suffix[d] = suffix[d + 1] + max(0, left[d])
    remaining_firsts = len(firsts)
    k = 0

    def entry_for(kind: str) -> Callable[[Need, int], tuple]:
        if kind == "cadence":
            return lambda x, d: (x.cadence if fits(x, d) else never, 0, x.klass, x.order, x.client, x)
        if kind == "defer":
            def can_wait(x: Need, d: int) -> int:
                if chain_length is None or d + 1 >= n:
                    return 0
                m = chain_length(x, d)
                return 1 if m >= 2 and chain_length(x, d + 1) == m else 0
            return lambda x, d: (never, can_wait(x, d), x.klass, x.order, x.client, x)
        if kind == "fresh":
            return lambda x, d: (never, -x.release, x.klass, x.order, x.client, x)
        return lambda x, d: (never, 0, x.klass, x.order, x.client, x)

    first_entry, repeat_entry = entry_for(first_kind), entry_for(repeat_kind)

    def queue(need: Need | None) -> None:
        if need is not None and need.release < n:
            heapq.heappush(waiting_repeat, (need.release, need.klass, need.order, need.client, need))

    for x in chosen:
        if not x.first:
            queue(x)

    def take(ready: list[tuple], entry: Callable[[Need, int], tuple], d: int, skipped: list) -> bool:
        """Place the best of ``ready`` on day d; False when it held nothing placeable."""
        nonlocal remaining_firsts
        while ready:
            top = heapq.heappop(ready)
            x = top[-1]
            if top[0] != never and not fits(x, d):  # its repeat no longer fits: priority order now
                heapq.heappush(ready, entry(x, d))
                continue
            if stands_in is not None:
                standing = stands_in(x, d)
                if standing is not x:
                    if x.first:
                        remaining_firsts -= 1
                    queue(standing)
                    continue
            if d in x.avoid:
                skipped.append((ready, entry, x))
                continue
            left[d] -= 1
            placed.append(Placement(x, d))
            if x.first:
                remaining_firsts -= 1
            queue(next_need(x, d))
            return True
        return False

    for d in range(n):
        if first_kind == "defer" and ready_first:  # who can wait changes day by day
            ready_first = [first_entry(t[-1], d) for t in ready_first]
            heapq.heapify(ready_first)
        while k < len(waiting_first) and waiting_first[k].release <= d:
            heapq.heappush(ready_first, first_entry(waiting_first[k], d))
            k += 1
        while waiting_repeat and waiting_repeat[0][0] <= d:
            heapq.heappush(ready_repeat, repeat_entry(heapq.heappop(waiting_repeat)[-1], d))
        skipped: list = []
        if sharing == "strict":
            while left[d] > 0 and take(ready_first, first_entry, d, skipped):
                pass
        else:
            must = remaining_firsts - suffix[d + 1]  # first visits that cannot wait past today
            while must > 0 and left[d] > 0 and take(ready_first, first_entry, d, skipped):
                must -= 1
        while left[d] > 0:
            if sharing != "strict" and ready_first and (not ready_repeat or ready_first[0][:-2] <= ready_repeat[0][:-2]):
                if take(ready_first, first_entry, d, skipped):
                    continue
            if not take(ready_repeat, repeat_entry, d, skipped) and not (
                    sharing != "strict" and take(ready_first, first_entry, d, skipped)):
                break
        for ready, entry, x in skipped:
            heapq.heappush(ready, entry(x, d))
    unplaced = [t[-1] for heap in (ready_first, ready_repeat) for t in heap]
    unplaced += waiting_first[k:]
    unplaced += [t[-1] for t in waiting_repeat]
    return placed, unplaced


class _Days:
    """The working days of a horizon and the clients' cadences: the lateness of a chain of
    visits and the earliest chain that free slots hold."""

    def __init__(self, first_release: dict[int, int], cadence: dict[int, int], days: list[int],
                 wd: Callable[[int], int]) -> None:
        self.first_release, self.cadence, self.days, self.wd = first_release, cadence, days, wd

    def cost(self, c: int, chain: list[int]) -> int | None:
        """Lateness of client c's visits on these day indices (None: one comes too early)."""
        days, wd, cad = self.days, self.wd, self.cadence[c]
        rel = self.first_release[c]
        total = 0
        for j in chain:
            day = days[j]
            if day < rel:
                return None
            total += day - rel
            rel = wd(day + cad)
        return total

    def relay(self, c: int, first: int, count: int, slots: list[int],
              taken: list[int] | None = None) -> list[int] | None:
        """Client c's chain of ``count`` visits from day index ``first``: each next visit on
        the earliest day with a free slot (not in ``taken``) once it is due; None if short."""
        days = self.days
        if days[first] < self.first_release[c] or slots[first] <= 0 or (taken and first in taken):
            return None
        out = [first]
        j = first
        while len(out) < count:
            due = self.wd(days[j] + self.cadence[c])
            j = next((k for k in range(j + 1, len(days)) if days[k] >= due and slots[k] > 0
                      and not (taken and k in taken)), -1)
            if j < 0:
                return None
            out.append(j)
        return out

    def reach(self, c: int, first: int) -> int:
        """How many visits a chain from day index ``first`` holds, every day free."""
        days, m, day = self.days, 0, self.days[first]
        while day <= days[-1]:
            m += 1
            day = self.wd(day + self.cadence[c])
        return m


def grow(chains: dict[int, list[int]], first_release: dict[int, int], cadence: dict[int, int],
         free: list[int], days: list[int], wd: Callable[[int], int],
         rank: dict[int, int] | None = None) -> int:
    """Give clients one more visit where the free slots allow it once the client's chain is
    laid again from another first day -- if that day is full, one visit on it moves to a
    free day (its client keeping its number of visits and the cadence). The clients seen
    stay the same; ``chains`` and ``free`` change in place. Returns the visits added.
    Clients are tried in ``rank`` order (their priority)."""
    order = rank or {c: c for c in chains}
    ds = _Days(first_release, cadence, days, wd)
    n = len(days)
    added = 0
    for b in sorted(chains, key=order.__getitem__):
        chain = chains[b]
        m = len(chain)
        r = next((j for j in range(n) if days[j] >= first_release[b]), n)
        if r >= n or ds.reach(b, r) <= m:
            continue
        for j in chain:
            free[j] += 1
        done = None
        for s in range(r, n):
            if ds.reach(b, s) <= m:
                break  # a later start holds fewer visits still
            if free[s] > 0:
                done = ds.relay(b, s, m + 1, free)
            else:  # a visit on day s makes room, moving to a free day
                for c in sorted((c for c in chains if c != b and s in chains[c]), key=order.__getitem__):
                    rest = [j for j in chains[c] if j != s]
                    moves = []
                    for j in range(n):
                        if free[j] > 0 and j != s and j not in rest:
                            trial = sorted(rest + [j])
                            new = ds.cost(c, trial)
                            if new is not None:
                                moves.append((new, j, trial))
                    for _, j, trial in sorted(moves):
                        free[j] -= 1
                        free[s] += 1
                        done = ds.relay(b, s, m + 1, free)
                        if done is not None:
                            chains[c][:] = trial
                            break
                        free[j] += 1
                        free[s] -= 1
                    if done is not None:
                        break
            if done is not None:
                break
        for j in done or chain:
            free[j] -= 1
        if done is not None:
            chain[:] = done
            added += 1
    return added


def improve(chains: dict[int, list[int]], first_release: dict[int, int], cadence: dict[int, int],
            free: list[int], days: list[int], wd: Callable[[int], int], passes: int = 10,
            rank: dict[int, int] | None = None, work: list[int] | None = None) -> int:
    """Lower the total lateness of placed visits by moving a visit to a free slot or
    swapping the days of two clients' visits, keeping every client's number of visits and
    every rule (a visit never before its release, a cadence between a client's visits).
    ``chains``: client -> its visit day indices (sorted, changed in place); ``first_release``:
    epoch day of each client's first release; ``free``: free slots per day (changed in
    place); ``days``: epoch day of each index; ``wd``: next working day. Returns the lateness
    saved (days). Lateness of a client = sum over its visits of (day - release), the
    release of a repeat being the working day a cadence after the previous visit. Clients
    are tried in ``rank`` order (their priority), so the result does not depend on how the
    caller numbers them. ``work``: how many lateness evaluations may still be spent (a
    one-item list, shared by the calls for one AE and decreased in place); once it is
    spent, the search stops after the move it is making, so a long horizon ends in bounded
    time with a plan no worse than before it (the count, not the clock, keeps it
    deterministic)."""
    order = rank or {c: c for c in chains}
    ds = _Days(first_release, cadence, days, wd)
    relay = ds.relay
    left = work if work is not None else [1 << 62]

    def cost(c: int, chain: list[int]) -> int | None:
        left[0] -= 1
        return ds.cost(c, chain)

    def spent() -> bool:
        return left[0] <= 0

    current = {c: cost(c, ch) for c, ch in chains.items()}
    saved = 0
    for _ in range(passes):
        if spent():
            break
        improved = False
        # moves to a free slot
        for c in sorted(chains, key=order.__getitem__):
            if spent():
                break
            chain = chains[c]
            for k in range(len(chain)):
                base = current[c]
                for j in range(len(days)):
                    if free[j] <= 0 or j in chain:
                        continue
                    trial = sorted(chain[:k] + chain[k + 1:] + [j])
                    new = cost(c, trial)
                    if new is not None and new < base:
                        free[chain[k]] += 1
                        free[j] -= 1
                        chain[:] = trial
                        saved += base - new
                        current[c] = base = new
                        improved = True
                        break
        # swaps between two clients: a visit on a later day trades days with one on an
        # earlier day (each pair once per pass)
        placed = sorted(((j, c) for c, chain in chains.items() for j in chain), key=lambda t: (t[0], order[t[1]]))
        for x in range(len(placed)):
            if spent():
                break
            ja, a = placed[x]
            if ja not in chains[a]:
                continue  # moved by an earlier swap in this pass
            for y in range(x):
                jb, b = placed[y]
                if a == b or jb == ja or jb not in chains[b] or jb in chains[a] or ja in chains[b]:
                    continue
                ta = sorted([j for j in chains[a] if j != ja] + [jb])
                tb = sorted([j for j in chains[b] if j != jb] + [ja])
                na = cost(a, ta)
                if na is None:
                    continue
                nb = cost(b, tb)
                if nb is None:
                    continue
                gain = current[a] + current[b] - na - nb
                if gain > 0:
                    chains[a][:], chains[b][:] = ta, tb
                    current[a], current[b] = na, nb
                    saved += gain
                    improved = True
                    placed[x], placed[y] = (ja, b), (jb, a)
                    ja, a = placed[x]
        # two clients with repeats trade their starts: each chain is laid again from the
        # other's first day, every later visit on the first day with a slot once it is due
        # (same number of visits each)
        multi = sorted((c for c, ch in chains.items() if len(ch) >= 2), key=order.__getitem__)
        for a in multi:
            if spent():
                break
            for b in sorted(chains, key=order.__getitem__):
                if a == b or chains[a][0] == chains[b][0]:
                    continue
                ca, cb = chains[a], chains[b]
                for j in ca + cb:
                    free[j] += 1
                ta = relay(a, cb[0], len(ca), free)
                tb = relay(b, ca[0], len(cb), free, ta) if ta is not None else None
                na = cost(a, ta) if ta is not None else None
                nb = cost(b, tb) if tb is not None else None
                gain = current[a] + current[b] - na - nb if na is not None and nb is not None else -1
                # a trade that costs nothing is made too when it starts the longer chain
                # later: the early days it gives up go to visits that can then move
                # earlier (such a trade only ever moves a longer chain later, and the
                # passes are bounded)
                if gain > 0 or (gain == 0 and len(ca) > len(cb) and cb[0] > ca[0]):
                    saved += current[a] + current[b] - na - nb
                    chains[a][:], chains[b][:] = ta, tb
                    current[a], current[b] = na, nb
                    improved = True
                for j in chains[a] + chains[b]:
                    free[j] -= 1
        # a repeat changes hands: one client's last visit (not its first) goes, another
        # client's next visit comes, on that day or a free one (the number of visits and of
        # clients seen stay the same)
        for a in sorted(chains, key=order.__getitem__):
            if spent():
                break
            chain_a = chains[a]
            if len(chain_a) < 2:
                continue
            ja = chain_a[-1]
            new_a = cost(a, chain_a[:-1])
            if new_a is None:
                continue
            for b in sorted(chains, key=order.__getitem__):
                if b == a:
                    continue
                chain_b = chains[b]
                ready = wd(days[chain_b[-1]] + cadence[b])
                best_j, best_gain = -1, 0
                for j in range(len(days)):
                    if days[j] < ready or (j != ja and free[j] <= 0):
                        continue
                    new_b = cost(b, chain_b + [j])
                    if new_b is None:
                        continue
                    gain = current[a] + current[b] - new_a - new_b
                    if gain > best_gain:
                        best_j, best_gain = j, gain
                    break  # the earliest feasible day is the cheapest for b
                if best_j >= 0:
                    if best_j != ja:
                        free[ja] += 1
                        free[best_j] -= 1
                    chain_a.pop()
                    chain_b.append(best_j)
                    current[a], current[b] = new_a, cost(b, chain_b)
                    saved += best_gain
                    improved = True
                    break
        if not improved:
            break
    return saved
