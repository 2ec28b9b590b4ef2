"""The whole classification of a client book: tier, stage, quadrant, RFM, likelihood, next
visit, visit status and review flags for every client (SPEC 4.1-4.6), in one vectorised
pass.

:func:`classify` takes a :class:`~xlclient.engine.book.ClientBook`, the Settings and the
working calendar, and returns a :class:`Classification` whose frame holds codes (tier
letters, stage and quadrant codes ...) that :meth:`Classification.table` turns into the
rows of the Classification sheet (SPEC 3) in the Settings language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .book import ClientBook
from .cadence import cadence_days, cadence_key, next_visit, visit_status
from .calendar import WorkingCalendar
from .fields import RISK_FIELDS
from .grid import ColumnRows
from .labels import CLASSIFICATION_COLUMNS, QUADRANTS, RFM_CLASS_NAMES, STAGE_NAMES, column_headers, label
from .likelihood import current_client_likelihood, prospect_likelihood
from .problems import Problem
from .quadrant import quadrant_codes, quadrant_label
from .review import ReviewInput, review_flags
from .rfm import quintile_scores, rfm_class, rfm_code
from .settings import Settings
from .stage import derive_stage, stage_probability
from .tier import TierResult, TierRule, assign_tiers
from . import vouch
from .reading import field_label


@dataclass
class Classification:
    """Per-client results (codes) plus what the run needs to report."""

    frame: pd.DataFrame
    settings: Settings
    likelihood_method: str
    problems: list[Problem] = field(default_factory=list)
    provisional_years: list[int] = field(default_factory=list)

    def table(self) -> "ColumnRows":
        """Header + one row per client, as the Classification sheet shows them (in the
        Settings language): rows read from the columns (a list per row is made only when one
        is asked for)."""
        lang = self.settings.language
        f = self.frame
        stage = f["stage"].map({s: label(STAGE_NAMES, s, lang) for s in STAGE_NAMES}).fillna("")
        rfm_cls = f["rfm_class"].map({c: label(RFM_CLASS_NAMES, c, lang) for c in RFM_CLASS_NAMES}).fillna("")
        quadrant = f["quadrant"].map({q: quadrant_label(q, lang) for q in QUADRANTS}).fillna("")
        likelihood = f["likelihood"].to_numpy(dtype=float)
        visits = f["next_visit"].to_numpy(dtype="datetime64[D]")
        # a row without a tier says why, so that a blank row is not taken for a fault
        visit_status = f["visit_status"].to_numpy(dtype=object).copy()
        untiered = (f["tier"].to_numpy(dtype=object) == "") & (visit_status == "")
        lost = f["status"].to_numpy(dtype=object) == "lost"
        zh = lang == "zh"
        visit_status[untiered & lost] = "已流失：不分级不拜访" if zh else "Lost: no tier or visits"
        visit_status[untiered & ~lost] = "未分级：见数据问题" if zh else "No tier: see Issues"
        visit_status[lost & (visit_status == "")] = "已流失：不拜访" if zh else "Lost: no visits"  # a pinned tier
        unknown = f["due_unknown"].to_numpy(dtype=bool) & (visit_status == "")
        refused = f["stage"].to_numpy(dtype=object) == "refused"
        visit_status[unknown & ~refused] = "下次拜访未知：见数据问题" if zh else "Next visit unknown: see Issues"
        columns = {
            "client_id": f["client_id"].to_numpy(dtype=object),
            "name": f["name"].to_numpy(dtype=object),
            "owner": f["owner"].to_numpy(dtype=object),
            "tier": f["tier"].to_numpy(dtype=object),
            "quadrant": quadrant.to_numpy(dtype=object),
            "stage": stage.to_numpy(dtype=object),
            "rfm": f["rfm"].to_numpy(dtype=object),
            "rfm_class": rfm_cls.to_numpy(dtype=object),
            "likelihood": np.where(np.isnan(likelihood), None, likelihood).astype(object),  # 0.1 %: engine.likelihood
            "next_visit": np.where(np.isnat(visits), None, visits.astype(dt.date)).astype(object),
            "visit_status": visit_status,
            "review": f["review"].to_numpy(dtype=object),
        }
        ordered = [columns[key] for key, _, _ in CLASSIFICATION_COLUMNS]
        return ColumnRows(column_headers(CLASSIFICATION_COLUMNS, lang), ordered)

    def counts(self) -> dict[str, int]:
        """How many clients per tier, plus totals, for summaries and --json."""
        tiers = self.frame["tier"].value_counts().to_dict()
        return {
            "clients": int(len(self.frame)),
            **{f"tier_{t}": int(tiers.get(t, 0)) for t in ("A", "B", "C", "D")},
            "no_tier": int((self.frame["tier"] == "").sum()),
            "pinned": int(self.frame["pinned"].sum()),
            "overdue": int((self.frame["visit_status_code"] == "overdue").sum()),
            "flagged": int((self.frame["review_codes"] != "").sum()),
        }


def classify(book: ClientBook, settings: Settings, calendar: WorkingCalendar | None = None,
             previous_tiers: Mapping[str, str] | None = None, *, likelihood: bool = True) -> Classification:
    """Classify every client of the book.

    ``previous_tiers`` maps client IDs to the tier of the last refresh (read from the
    existing Classification sheet); a ``previous_tier`` column in the book wins over it.
    ``likelihood=False`` leaves the purchase likelihood empty (method ``"skipped"``): for a
    run that shows no likelihood (``xlclient check``), which then imports no scipy.
    """
    calendar = calendar or WorkingCalendar()
    f = book.frame
    n = len(f)
    lang = settings.language
    today = np.datetime64(settings.today(), "D")
    status = f["status"].to_numpy(dtype=object)
    current = status == "current"
    prospect = status == "prospect"

    previous = f["previous_tier"].to_numpy(dtype=object).copy()
    if previous_tiers:
        from_sheet = f["client_id"].map(previous_tiers).fillna("").to_numpy(dtype=object)
        previous = np.where(previous == "", from_sheet, previous)
    previous = np.where(np.isin(previous, ("A", "B", "C", "D")), previous, "")

    unread = book.unread_cells
    withhold = vouch.withheld(status, unread, settings.tier_metric)
    no_cell = np.zeros(n, dtype=bool)
    metric = f[settings.tier_metric].to_numpy(dtype=float)
    # an amount that exists but was not read, or an amount whose client's status was not read
    # (it may be the largest current client): either may move every Pareto tier
    metric_unread = unread.get(settings.tier_metric, no_cell) | (~np.isin(status, ("current", "prospect", "lost"))
                                                                  & (np.nan_to_num(metric) > 0))
    tiers = assign_tiers(metric, status, TierRule.from_settings(settings), previous,
                         f["tier_override"].to_numpy(dtype=object), unreadable=metric_unread,
                         unread_elsewhere=len(book.unnamed_amounts) + book.unread_elsewhere, from_rest=settings.unreadable_amounts == "rest")
    tier = np.where(withhold["tier"] & ~tiers.pinned, "", tiers.tier).astype(object)
    problems = list(book.problems)
    problems += _tier_problems(book, settings, tiers, metric_unread, current)

    stage, _conflict = derive_stage(f["stage_typed"].to_numpy(dtype=object), f["meetings"].to_numpy(dtype=float),
                                    f["deposit_paid"].to_numpy(dtype=float))
    stage = np.where(prospect, stage, "").astype(object)
    stage_header = book.columns["stage"].header if "stage" in book.columns else "意向阶段"
    for i in np.flatnonzero(_conflict & prospect):
        problems.append(Problem(book.sheet, int(f["row"].iat[i]), stage_header, f["stage_typed"].iat[i],
                                "stage_conflict", {"stage": STAGE_NAMES[stage[i]]["zh"]}))

    quadrant = quadrant_codes(status, tier, f["need"].to_numpy(dtype=float), f["potential_score"].to_numpy(dtype=float),
                              f["potential_money"].to_numpy(dtype=float), potential_high=settings.potential_high,
                              need_high=settings.need_high)

    # RFM over current clients
    last_order = f["last_order"].to_numpy(dtype="datetime64[D]")
    recency = (today - last_order).astype("timedelta64[D]").astype(float)
    recency[np.isnat(last_order)] = np.nan
    orders = f["orders"].to_numpy(dtype=float)
    billings = f["billings"].to_numpy(dtype=float)
    r_pop = recency[current]
    r = np.full(n, np.nan)
    r[current] = quintile_scores(recency[current], r_pop, higher_is_better=False)
    fr = np.full(n, np.nan)
    fr[current] = quintile_scores(orders[current])
    mo = np.full(n, np.nan)
    mo[current] = quintile_scores(billings[current])
    rfm = np.where(current, rfm_code(r, fr, mo), "").astype(object)
    means = tuple(float(np.nanmean(v[current])) if np.any(current & ~np.isnan(v)) else np.nan
                  for v in (recency, orders, billings))
    rfm_cls = np.where(current, rfm_class(recency, orders, billings, means), "").astype(object)

    # Purchase likelihood
    want_likelihood = likelihood
    likelihood = np.full(n, np.nan)
    method = "none" if want_likelihood else "skipped"
    if current.any() and want_likelihood:
        p, method, _model = current_client_likelihood(orders[current], f["first_order"].to_numpy(dtype="datetime64[D]")[current],
                                                      last_order[current], today, settings.likelihood_horizon)
        likelihood[current] = p
    last_visit = f["last_visit"].to_numpy(dtype="datetime64[D]")
    since_contact = (today - last_visit).astype("timedelta64[D]").astype(float)
    since_contact[np.isnat(last_visit)] = np.nan
    if prospect.any() and want_likelihood:
        likelihood[prospect] = prospect_likelihood(stage_probability(stage[prospect], settings), since_contact[prospect],
                                                   settings.contact_half_life)

    # Cadence
    key = cadence_key(tier, status, stage)
    due = next_visit(last_visit, cadence_days(key, settings), today, calendar)
    status_code, status_text = visit_status(due, last_visit, today, settings.due_soon_days, lang)
    # the years that hold a due date moved on a provisional calendar (not every year between)
    covered = due[~np.isnat(due) & calendar.covers_array(due)]
    guessed = covered[calendar.is_provisional_array(covered)]
    provisional = sorted(int(y) + 1970 for y in np.unique(guessed.astype("datetime64[Y]").view("int64")))

    # Review
    problem_count = f["row"].map(pd.Series([p.row for p in problems]).value_counts()).fillna(0).to_numpy(dtype=int)
    review_codes, review_text = review_flags(
        ReviewInput(status=status, tier=tier, previous_tier=previous, pinned=tiers.pinned,
                    gross_profit=f["gross_profit"].to_numpy(dtype=float),
                    service_hours=f["service_hours"].to_numpy(dtype=float), days_since_last_order=recency,
                    billings=billings, billings_prev=f["billings_prev"].to_numpy(dtype=float),
                    risks={k: f[k].to_numpy(dtype=float) for k in RISK_FIELDS}, problem_count=problem_count),
        drop_share=settings.drop_share, no_order_days=int(round(settings.no_order_months * 365 / 12)),
        billings_drop=settings.billings_drop, lang=lang)

    # Vouch or leave empty (engine/vouch.py): a result resting on a cell that was not read, or
    # on an input that is blank where the result needs one, stays empty; the unreadable cell
    # is a problem on the row, the blanks are said once per field as a problem of the table.
    said = vouch.unreadable_cells(f["row"].to_numpy(), book.columns, problems, codes=None)
    blanks = vouch.blank_inputs(f.assign(status=status), said, book.potential_kind)
    for result, per_field in blanks.items():
        for fld, mask in per_field.items():
            withhold[result] = withhold[result] | mask
    problems += _blank_problems(book, blanks, init_first=not settings.from_sheet)
    no_cadence = (current | prospect) & (cadence_key(tier, status, stage) == "")
    withhold["next_visit"] |= no_cadence & ~((status == "prospect") & (stage == "refused"))
    withhold["quadrant"] |= (current | prospect) & (tier == "")
    withhold["review"] |= current & (tier == "")
    for arr, result in ((quadrant, "quadrant"), (rfm, "rfm"), (rfm_cls, "rfm"), (review_codes, "review"),
                        (review_text, "review")):
        arr[withhold[result]] = ""
    stage[withhold["stage"]] = ""
    likelihood[withhold["likelihood"]] = np.nan
    due = due.copy()
    due[withhold["next_visit"]] = np.datetime64("NaT")
    status_code = np.where(withhold["next_visit"], "", status_code).astype(object)
    status_text = np.where(withhold["next_visit"], "", status_text).astype(object)

    # Results whose field could not be read stay empty (the reason is a problem of the table):
    # without statuses nothing about a client can be told; without billings nothing about a
    # current client's value; without last visits no visit is due. A pinned tier stands.
    refused = book.unreadable
    blank = np.ones(n, dtype=bool) if "status" in refused else np.zeros(n, dtype=bool)
    if "billings" in refused or settings.tier_metric in refused:
        blank |= current
    if blank.any():
        tier = np.where(blank & ~tiers.pinned, "", tier).astype(object)
        for arr in (quadrant, rfm, rfm_cls, review_codes, review_text):
            arr[blank] = ""
        if "status" in refused:
            stage = np.where(blank, "", stage).astype(object)
            likelihood[blank] = np.nan
        due = due.copy()
        due[blank] = np.datetime64("NaT")
        status_code = np.where(blank, "", status_code).astype(object)
        status_text = np.where(blank, "", status_text).astype(object)
    if "last_visit" in refused:
        due = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
        status_code = np.full(n, "", dtype=object)
        status_text = np.full(n, "", dtype=object)

    out = pd.DataFrame({
        "row": f["row"], "key": f["key"], "client_id": f["client_id"], "name": f["name"], "owner": f["owner"],
        "status": status, "tier": tier, "pinned": tiers.pinned, "raw_tier": tiers.raw, "previous_tier": previous,
        "quadrant": quadrant, "stage": stage, "rfm": rfm, "rfm_class": rfm_cls, "likelihood": likelihood,
        "next_visit": due, "visit_status_code": status_code, "visit_status": status_text,
        # no next visit could be vouched for (planned from nothing: engine/planner.py)
        "due_unknown": np.isnat(due) & (current | prospect),
        "review_codes": review_codes, "review": review_text,
    })
    return Classification(out, settings, method, problems, provisional)


def _rows_text(rows: np.ndarray) -> str:
    """Up to eight Excel rows (``7, 12, 30``), then ``…`` when there are more."""
    return ", ".join(str(int(r)) for r in rows[:8]) + (", …" if len(rows) > 8 else "")


def _tier_problems(book: ClientBook, settings: Settings, tiers: TierResult, metric_unread: np.ndarray,
                   current: np.ndarray) -> list[Problem]:
    """The reasons of tiers left empty (SPEC 4.1): a current client without an amount (its
    own row), and amounts that exist but could not be read (one problem of the table: every
    ranking tier withheld, or -- as Settings say -- the others tiered from the rest)."""
    f = book.frame
    metric = settings.tier_metric
    out: list[Problem] = []
    header = book.columns[metric].header if metric in book.columns else field_label(metric, "zh")
    rows = f["row"].to_numpy()
    if metric in book.columns:
        # a current client whose own cell says nothing (blank, 待定): its row says why
        said = {p.row for p in book.problems if p.column == header}
        for i in np.flatnonzero(tiers.untiered & ~metric_unread):
            if int(rows[i]) not in said:
                out.append(Problem(book.sheet, int(rows[i]), header, None, "no_billings", {"field": metric}))
    bad = metric_unread & ~np.isin(f["status"].to_numpy(dtype=object), ("prospect", "lost"))
    if book.unread_elsewhere and tiers.withheld and not bad.any() and not book.unnamed_amounts:
        out.append(Problem(book.sheet, None, header, None, "tiers_elsewhere", {"field": metric}))
    elif (bad.any() or book.unnamed_amounts) and TierRule.from_settings(settings).method != "threshold":
        code = "amounts_unreadable" if tiers.withheld else "tiered_from_rest"
        where = np.sort(np.concatenate([rows[bad], np.asarray(book.unnamed_amounts, dtype=rows.dtype)]))
        out.append(Problem(book.sheet, None, header, None, code,
                           {"field": metric, "n": len(where), "rows": _rows_text(where)}))
    return out


def _blank_problems(book: ClientBook, blanks: dict[str, dict[str, np.ndarray]], *,
                    init_first: bool = False) -> list[Problem]:
    """The reasons of results left empty for want of an input (:data:`.vouch.PRESENT`): per
    result, the columns the table does not have, in one problem; per field, the clients
    whose cell is blank, in one problem each. A field the table problems already name as
    not found (owner, status, billings, last visit) is not named again. ``init_first``: the
    book has no Settings sheet yet, so the mapping the message points to needs ``init``."""
    out: list[Problem] = []
    rows = book.frame["row"].to_numpy()
    seen: set[str] = set(book.reading.unreadable) if book.reading is not None else set()
    for result, per_field in blanks.items():
        what_zh, what_en = vouch.RESULT_NAMES[result]
        absent = [fld for fld, mask in per_field.items() if fld not in book.columns and mask.any() and fld not in seen]
        if absent:
            out.append(Problem(book.sheet, None, "、".join(field_label(x, "zh") for x in absent), None, "inputs_missing",
                               {"fields": tuple(absent), "what_zh": what_zh, "what_en": what_en,
                                "init_first": init_first}))
        for fld, mask in per_field.items():
            if fld in seen or fld in absent or not mask.any() or fld not in book.columns:
                continue
            seen.add(fld)
            out.append(Problem(book.sheet, None, book.columns[fld].header, None, "blank_inputs",
                               {"field": fld, "n": int(mask.sum()), "rows": _rows_text(rows[mask]), "what_zh": what_zh,
                                "what_en": what_en}))
    return out
