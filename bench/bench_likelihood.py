"""Benchmark of the purchase-likelihood fit (xlclient.engine.likelihood).

Times, on 100,000 synthetic clients (MBG/NBD process over a 365-day window, whole days,
expressed in weeks; x 0-30):

* ``fit_repeat_model`` (compression + L-BFGS-B) and ``prob_order_within``;
* ``current_client_likelihood`` on the same book given as order counts and dates;
* side by side, the baseline: a straightforward per-row Python loop (math.lgamma) that
  evaluates the same MBG/NBD log-likelihood once, and that time multiplied by the number
  of function evaluations the fit used.

Run ``python bench/bench_likelihood.py``; results go to ``bench/results/likelihood.txt``.
"""

from __future__ import annotations

import math
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout
from xlclient.engine import likelihood as lk  # noqa: E402

N = 100_000
WINDOW = 365
REPEATS = 5


def synthetic_book(n: int = N, seed: int = 0, window: int = WINDOW):
    """MBG/NBD clients: x repeat purchases, t_x, T in whole days (T uniform 0..window)."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(0.8, 1.0 / 60.0, n)  # orders per day, mean ~ 4.9 a year
    p = rng.beta(1.0, 4.0, n)  # dropout after each purchase (and at time 0)
    T = rng.integers(0, window + 1, n).astype(float)
    x = np.zeros(n)
    t_x = np.zeros(n)
    now = np.zeros(n)
    alive = rng.random(n) >= p
    for _ in range(30):
        now = now + rng.exponential(1.0, n) / lam
        buy = alive & (np.ceil(now) <= T)
        x += buy
        t_x = np.where(buy, np.ceil(now), t_x)
        alive = buy & (rng.random(n) >= p)
    return x, t_x, T


def loop_neg_log_likelihood(params, x, t_x, T) -> float:
    """Baseline: the MBG/NBD log-likelihood, one Python iteration per client."""
    r, alpha, a, b = params
    total = 0.0
    for xi, ti, Ti in zip(x.tolist(), t_x.tolist(), T.tolist()):
        a1 = math.lgamma(r + xi) - math.lgamma(r) + r * math.log(alpha)
        a2 = (math.lgamma(a + b) + math.lgamma(b + xi + 1) - math.lgamma(b)
              - math.lgamma(a + b + xi + 1))
        a3 = -(r + xi) * math.log(alpha + Ti)
        a4 = math.log(a) - math.log(b + xi) + (r + xi) * (
            math.log(alpha + Ti) - math.log(alpha + ti))
        total += a1 + a2 + a3 + (a4 + math.log1p(math.exp(-a4)) if a4 > 0
                                 else math.log1p(math.exp(a4)))
    return -total


def best_of(fn, repeats: int = REPEATS) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    x, t_d, T_d = synthetic_book()
    t_x, T = t_d / 7.0, T_d / 7.0
    lines = [
        f"likelihood benchmark, {N:,} synthetic MBG/NBD clients, window {WINDOW} days, weeks",
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"{os.cpu_count()} CPUs, {platform.machine()}",
        f"x range {int(x.min())}-{int(x.max())}, mean x {x.mean():.2f}, "
        f"share x == 0 {np.mean(x == 0):.1%}",
        f"distinct (x, t_x, T) rows: {len(lk._compress(x, t_x, T)[-1]):,}",
        "",
    ]
    lk.fit_repeat_model(x, t_x, T)  # warm-up
    t_fit, model = best_of(lambda: lk.fit_repeat_model(x, t_x, T))
    t_pred, p = best_of(lambda: lk.prob_order_within(model, x, t_x, T, 90 / 7))
    lines += [
        f"fit_repeat_model (MBG/NBD), best of {REPEATS}: {t_fit * 1000:8.1f} ms",
        f"  r={model.r:.4f} alpha={model.alpha:.4f} p={model.p:.4f} kappa={model.kappa:.4f} "
        f"converged={model.converged} ll={model.log_likelihood:.1f}",
        f"prob_order_within, best of {REPEATS}:          {t_pred * 1000:8.1f} ms "
        f"(mean p {p.mean():.3f})",
        f"fit + prediction:                       {(t_fit + t_pred) * 1000:8.1f} ms",
    ]
    t_bg, bg = best_of(lambda: lk.fit_repeat_model(x, t_x, T, modified=False))
    lines.append(f"fit_repeat_model (BG/NBD), best of {REPEATS}:  {t_bg * 1000:8.1f} ms")

    today = np.datetime64("2025-06-30")
    orders = x + (T_d < WINDOW)  # clients whose first order is inside the window
    first = np.where(T_d < WINDOW, today - T_d.astype("timedelta64[D]"),
                     today - np.timedelta64(2 * WINDOW, "D"))
    last = np.where(x > 0, today - (T_d - t_d).astype("timedelta64[D]"),
                    np.where(T_d < WINDOW, first, np.datetime64("NaT")))
    last = last.astype("datetime64[D]")
    t_book, (pb, method, _) = best_of(
        lambda: lk.current_client_likelihood(orders, first, last, today))
    lines.append(f"current_client_likelihood ({method}):    {t_book * 1000:8.1f} ms")

    # the vectorised objective, one evaluation, and the fit's evaluation count
    ux, ut, uT, ix, it, iT, w = lk._compress(x, t_x, T)
    scale = 10.0 / uT.max()
    nll = lk._NegLogLik(ux, ut * scale, uT * scale, ix, it, iT, w, True)
    theta = np.array([np.log(model.r), np.log(model.alpha * scale), np.log(model.p / (1 - model.p)),
                      np.log1p(model.kappa)])
    t_eval, _ = best_of(lambda: nll(theta), 20)
    res = minimize(nll, lk._START, jac=True, method="L-BFGS-B",
                   bounds=list(zip(lk._LOWER, lk._UPPER)), options={"ftol": 1e-13, "gtol": 1e-9})
    params = (model.r, model.alpha, model.a, model.b)
    t_loop, loop_val = best_of(lambda: loop_neg_log_likelihood(params, x, t_x, T), 1)
    lines += [
        "",
        "baseline: per-row Python loop over the log-likelihood (value only, no gradient)",
        f"  one evaluation, loop:                 {t_loop * 1000:8.1f} ms "
        f"(ll {-loop_val:.1f}, fit says {model.log_likelihood:.1f})",
        f"  one evaluation + gradient, numpy:     {t_eval * 1000:8.2f} ms",
        f"  fit used {res.nfev} evaluations ({res.nit} iterations): loop would need "
        f"~{t_loop * res.nfev:.1f} s without gradient, numpy fit took {t_fit:.3f} s "
        f"({t_loop * res.nfev / t_fit:,.0f}x)",
    ]
    text = "\n".join(lines) + "\n"
    out = Path(__file__).parent / "results" / "likelihood.txt"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(text, end="")


if __name__ == "__main__":
    main()
