"""Purchase likelihood (购买可能性, 0-1) for prospects and current clients (SPEC section 4.4).

Prospects
---------
``prospect_likelihood``: the stage probability decayed by the time since the last contact,
``p = stage_probability * 0.5 ** (days_since_contact / half_life_days)``.  An unknown
contact date (NaN) leaves the probability undecayed; a contact date in the future (negative
days, a data error) counts as a contact today.

Current clients: the repeat-purchase model
------------------------------------------
A client is described by ``x`` (repeat purchases), ``t_x`` (time of the last purchase since
the start of observation) and ``T`` (length of observation).  Both models below assume that,
while alive, a client orders as a Poisson process with rate ``lambda ~ Gamma(r, alpha)`` and
drops out with probability ``p ~ Beta(a, b)`` right after each purchase:

* BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way"): dropout only
  after repeat purchases, so a client with ``x = 0`` is certainly alive.
* MBG/NBD (Batislam, Denizel & Filiztekin 2007; as lifetimes' ``ModifiedBetaGeoFitter``):
  dropout may also happen at time 0, right after the first purchase, so a one-off client is
  never certainly alive.  This is the model used for client books.

Per-client log-likelihood (``B`` the beta function, ``d = 1`` for BG/NBD, ``0`` for MBG)::

    ll = ln G(r+x) - ln G(r) + r ln(alpha) - (r+x) ln(alpha+T)
         + ln B(a, b+x+1-d) - ln B(a, b)
         + ln(1 + [x>0 or MBG] * a/(b+x-d) * ((alpha+T)/(alpha+t_x))**(r+x))

The fit maximises the weighted sum over the distinct ``(x, t_x, T)`` rows with L-BFGS-B on
``(ln r, ln alpha, logit p, ln(1 + kappa))``, where ``p = a/(a+b)`` is the mean dropout
probability and ``kappa = 1/(a+b)`` its spread (``kappa = 0``: every client drops out with
the same ``p``, the limit that books without heterogeneity in dropout reach), with an
analytic gradient, then polishes the optimum with Newton steps; time is rescaled internally
so that the longest ``T`` is 10 units.  The result is a property of the data to about ten
digits, not of the machine's floating-point details (see :class:`RepeatModel`), and the
likelihoods are rounded to :data:`LIKELIHOOD_DECIMALS` decimals: two PCs of one agency show
one book the same percentages.

Conditional on the data, ``P(alive at T)`` is::

    BG/NBD : 1 / (1 + [x>0] * a/(b+x-1) * ((alpha+T)/(alpha+t_x))**(r+x))
    MBG/NBD: 1 / (1 + a/(b+x) * ((alpha+T)/(alpha+t_x))**(r+x))

and, because dropout only happens right after a purchase, an alive client orders in
``(T, T+h]`` exactly when the next Poisson arrival comes within ``h``.  The posterior of
``lambda`` given alive is ``Gamma(r+x, alpha+T)``, independent of ``p``, hence::

    P(order in (T, T+h]) = P(alive) * (1 - ((alpha+T)/(alpha+T+h))**(r+x))

Everything is computed in log space (``expit``, ``expm1``, ``log1p``) so that large ``x``
or ``T`` cannot overflow.

Mapping an agency client book to (x, t_x, T)
--------------------------------------------
``current_client_likelihood`` takes per client the number of orders in the last
``window_days`` and the first and last order dates, and works in weeks:

* observation starts at ``start = max(first_order, today - window_days)``; an unknown
  first order date is taken to lie before the window;
* ``T = today - start``;
* ``x = orders - 1`` if the first order lies inside the window (it is the purchase at time
  0), else ``x = orders``; clamped at 0;
* ``t_x = last_order - start`` clamped to ``[0, T]``, and ``0`` when ``x == 0``.

For clients older than the window, the window start is not a purchase: treating it as one
is an approximation that keeps the data to one year and one column of order counts.  A row
is usable when ``orders`` is a finite number >= 0, the first order is not after today and
the last order date is known whenever ``x > 0``; other rows get NaN.  The model is fitted on
the usable rows when there are at least ``min_clients`` of them, some of them ordered
again (a book without any repeat purchase cannot identify the model) and the fit converges
to finite positive parameters away from the search bounds; otherwise the heuristic below is
used and the returned method says so.  As a guard against degenerate fits, a one-off
client (``x == 0``) is never given more than ``ONE_OFF_MAX``.

Heuristic for books too small to fit
------------------------------------
See ``heuristic_prob_order_within``: with ``n`` orders seen over ``span`` days, the mean gap
``g = span / n`` gives ``p = n/(n+1) * exp(-days_since_last / (2 g)) * (1 - exp(-h / g))``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "LIKELIHOOD_DECIMALS",
    "ONE_OFF_MAX",
    "RepeatModel",
    "current_client_likelihood",
    "fit_repeat_model",
    "heuristic_prob_order_within",
    "prob_alive",
    "prob_order_within",
    "prospect_likelihood",
]

ONE_OFF_MAX = 0.99
"""Upper bound on the likelihood given to a client with no repeat purchase (x == 0)."""

LIKELIHOOD_DECIMALS = 3
"""Likelihoods are given to 0.1 % (three decimals). Staff read them as percentages, a model
fitted on a few hundred clients is not sure of the first decimal, and a precision well
inside what the fit delivers on every machine makes two PCs of one agency show one book the
same cells (unless a value lies within about 1e-10 of a rounding boundary)."""

_DAYS_PER_WEEK = 7.0
_LOG_BOUND = 20.0  # L-BFGS-B searches ln(r, alpha, a, b) within [-20, 20]
_SCALE_TARGET = 10.0  # internal time unit: the longest T becomes 10
# On the mean log-likelihood per client, in log-parameters: a change of e in any parameter
# moving the average client log-likelihood by less than 1e-4 is flat for any practical
# purpose (books without dropout sit on a ridge where a, b -> inf with a/(a+b) fixed and
# L-BFGS-B stops "abnormally" there).
_GRAD_TOL = 1e-4


_EXACT_SUM_MAX = 100_000  # the dropout term is summed exactly up to this many repeat purchases


@dataclass(frozen=True)
class RepeatModel:
    """A fitted BG/NBD (``modified=False``) or MBG/NBD (``modified=True``) model.

    The dropout probability ``p ~ Beta(a, b)`` is kept as its mean ``p = a/(a+b)`` and its
    spread ``kappa = 1/(a+b)``: ``kappa == 0`` is the limit ``a, b -> inf`` with ``a/(a+b)``
    fixed, every client dropping out with the same probability ``p``.  Books without
    heterogeneity in dropout have their maximum there, and a fit in ``(a, b)`` could only
    wander along the ridge towards it, stopping at a point that depends on the machine's
    last floating-point bits; in ``(p, kappa)`` the maximum is a well-defined point on the
    boundary ``kappa = 0``.  ``a`` and ``b`` are properties (``inf`` when ``kappa == 0``).

    ``alpha`` is in the time unit of the data it was fitted on; ``n`` is the number of
    clients, ``log_likelihood`` the total log-likelihood in that time unit.  ``converged``
    means the optimiser stopped at a stationary point with finite parameters inside the
    search bounds (``r``, ``alpha`` and ``a + b`` within ``e**-20 .. e**20``, ``logit p``
    below 20; ``kappa == 0`` and ``p`` at its floor ``expit(-20)``, no dropout, allowed) on
    data that observed something (some T > 0).
    """

    r: float
    alpha: float
    p: float
    kappa: float
    modified: bool
    n: int
    converged: bool
    log_likelihood: float

    @classmethod
    def from_beta(cls, r: float, alpha: float, a: float, b: float, modified: bool, n: int = 1,
                  converged: bool = True, log_likelihood: float = 0.0) -> "RepeatModel":
        """A model given the Beta(a, b) of the dropout probability, as papers state it."""
        return cls(r, alpha, a / (a + b), 1.0 / (a + b), modified, n, converged, log_likelihood)

    @property
    def a(self) -> float:
        return self.p / self.kappa if self.kappa > 0 else math.inf

    @property
    def b(self) -> float:
        return (1.0 - self.p) / self.kappa if self.kappa > 0 else math.inf


# --------------------------------------------------------------------------- validation


def _as_float(name: str, values: object) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric") from exc
    if np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN")
    if np.isinf(arr).any():
        raise ValueError(f"{name} contains infinite values")
    if (arr < 0).any():
        raise ValueError(f"{name} contains negative values")
    return arr


def _check_rfm(x: object, t_x: object, T: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate and broadcast (x, t_x, T); raise ValueError naming the problem."""
    xa, ta, Ta = _as_float("x", x), _as_float("t_x", t_x), _as_float("T", T)
    try:
        xa, ta, Ta = np.broadcast_arrays(xa, ta, Ta)
    except ValueError as exc:
        raise ValueError("x, t_x and T have incompatible shapes") from exc
    if (xa != np.floor(xa)).any():
        raise ValueError("x must be whole numbers of repeat purchases")
    if (ta > Ta).any():
        raise ValueError("t_x is greater than T for some clients")
    if (ta[xa == 0] != 0).any():
        raise ValueError("t_x must be 0 where x == 0")
    return xa, ta, Ta


# --------------------------------------------------------------------------- fitting


def _compress(x: np.ndarray, t_x: np.ndarray, T: np.ndarray):
    """Distinct values of x, t_x and T, and the distinct (x, t_x, T) rows as indices into
    them with the number of clients sharing each row: (ux, ut, uT, ix, it, iT, w)."""
    ux, ix = np.unique(x, return_inverse=True)
    ut, it = np.unique(t_x, return_inverse=True)
    uT, iT = np.unique(T, return_inverse=True)
    key = (ix.astype(np.int64) * len(ut) + it) * len(uT) + iT
    ukey, w = np.unique(key, return_counts=True)
    iT_u = ukey % len(uT)
    it_u = (ukey // len(uT)) % len(ut)
    ix_u = ukey // (len(uT) * len(ut))
    return ux, ut, uT, ix_u, it_u, iT_u, w.astype(float)


def _dot(u: np.ndarray, v: np.ndarray) -> float:
    """Inner product without BLAS: OpenBLAS threads spinning on a small machine made
    ``u @ v`` on long vectors several times slower than this inside the optimiser."""
    return float(np.einsum("i,i->", u, v))


def _dropout_sums(n: np.ndarray, q: float, kappa: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each count ``n``: ``S = sum_{j<n} ln((q + j kappa) / (1 + j kappa))``, the log of
    ``B(a, b+n) / B(a, b)`` (surviving ``n`` purchase occasions), and its derivatives in
    ``q = 1 - p`` and ``kappa``.

    Summed term by term (a cumulative sum over ``j``), which is exact at any ``kappa``
    including 0; the log-gamma differences it replaces lose about ``1e-16 * a * ln a`` to
    cancellation once ``a + b`` is large, which is where books without heterogeneity in
    dropout take the fit.  Counts above ``_EXACT_SUM_MAX`` (a client with more than 100,000
    orders a year) use those log-gamma differences.
    """
    from scipy.special import digamma, gammaln  # imported when a model is fitted
    n = np.asarray(n, dtype=float)
    S, dq, dk = np.zeros(n.shape), np.zeros(n.shape), np.zeros(n.shape)
    small = n <= _EXACT_SUM_MAX
    if small.any():
        m = int(n[small].max())
        j = np.arange(m, dtype=float)
        den = q + j * kappa
        terms = np.log(den) - np.log1p(j * kappa)
        dq_terms = 1.0 / den
        dk_terms = j / den - j / (1.0 + j * kappa)
        idx = n[small].astype(np.int64)
        S[small] = np.concatenate(([0.0], np.cumsum(terms)))[idx]
        dq[small] = np.concatenate(([0.0], np.cumsum(dq_terms)))[idx]
        dk[small] = np.concatenate(([0.0], np.cumsum(dk_terms)))[idx]
    big = ~small
    if big.any():
        nb = n[big]
        if kappa > 0:
            c1, c2 = q / kappa, 1.0 / kappa
            d1, d2 = digamma(c1 + nb) - digamma(c1), digamma(c2 + nb) - digamma(c2)
            S[big] = gammaln(c1 + nb) - gammaln(c1) - gammaln(c2 + nb) + gammaln(c2)
            dq[big] = d1 / kappa
            dk[big] = (d2 - q * d1) / kappa**2
        else:
            S[big] = nb * np.log(q)
            dq[big] = nb / q
            dk[big] = nb * (nb - 1.0) / 2.0 * (1.0 / q - 1.0)
    return S, dq, dk


class _NegLogLik:
    """Mean negative log-likelihood and its gradient in ``theta = (ln r, ln alpha,
    logit p, s)``, ``kappa = expm1(s)`` (so ``s = 0`` is the limit of no heterogeneity in
    dropout; see :class:`RepeatModel`).

    Works on the output of ``_compress``.  Terms in x alone are summed per distinct x,
    ``-(r+x) ln(alpha+T)`` per distinct T; only the mixing term
    ``ln(1 + p/(q+(x-d) kappa) ((alpha+T)/(alpha+t_x))**(r+x))`` (``q = 1-p``; the
    ``a/(b+x-d)`` of the Beta form) is evaluated per distinct row (for BG/NBD only on rows
    with x > 0), from logs taken on the distinct t_x and T.
    """

    def __init__(self, ux, ut, uT, ix, it, iT, w, modified: bool):
        self.d = 0.0 if modified else 1.0
        self.ux, self.ut, self.uT = ux, ut, uT
        self.total = w.sum()
        self.wx = np.bincount(ix, weights=w, minlength=len(ux))
        self.wT = np.bincount(iT, weights=w, minlength=len(uT))
        self.wxT = np.bincount(iT, weights=w * ux[ix], minlength=len(uT))
        keep = ux[ix] >= self.d  # BG/NBD: no mixing term where x == 0
        self.ix, self.it, self.iT, self.w = ix[keep], it[keep], iT[keep], w[keep]
        self.x = ux[self.ix]
        self.xmix = ux >= self.d
        self.m = np.where(self.xmix, ux - self.d, 0.0)  # purchase occasions survived before the mixing term

    def __call__(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        from scipy.special import digamma, expit, gammaln
        r, alpha = np.exp(theta[:2])
        p, q = expit(theta[2]), expit(-theta[2])
        kappa = float(np.expm1(theta[3]))
        ux, wx = self.ux, self.wx
        # x-only terms: ln G(r+x) - ln G(r) + ln B(a, b+x+1-d) - ln B(a, b)
        S, dSq, dSk = _dropout_sums(ux + 1.0 - self.d, q, kappa)
        ll = _dot(wx, gammaln(r + ux) + S)
        ll += self.total * (r * np.log(alpha) - gammaln(r))
        g_r = _dot(wx, digamma(r + ux)) + self.total * (np.log(alpha) - digamma(r))
        g_q = _dot(wx, dSq)
        g_k = _dot(wx, dSk)
        g_p = 0.0
        g_al = self.total * r / alpha
        # T-only terms: -(r+x) ln(alpha+T)
        lT, inv_T = np.log(alpha + self.uT), 1.0 / (alpha + self.uT)
        lt, inv_t = np.log(alpha + self.ut), 1.0 / (alpha + self.ut)
        ll -= r * _dot(self.wT, lT) + _dot(self.wxT, lT)
        g_r -= _dot(self.wT, lT)
        g_al -= _dot(r * self.wT + self.wxT, inv_T)
        # mixing term per row: softplus(z), z = ln p - ln(q + m kappa) + (r+x)(ln(alpha+T) - ...)
        qm = q + self.m * kappa
        c = np.log(p) - np.log(qm)
        rx = r + self.x
        dl = lT[self.iT] - lt[self.it]
        z = c[self.ix] + rx * dl
        e = np.exp(-np.abs(z))
        ll += _dot(self.w, np.maximum(z, 0.0) + np.log1p(e))
        ws = self.w * np.where(z >= 0, 1.0, e) / (1.0 + e)  # weight * sigmoid(z)
        g_r += _dot(ws, dl)
        g_al += _dot(ws * rx, inv_T[self.iT] - inv_t[self.it])
        wsx = np.bincount(self.ix, weights=ws, minlength=len(ux))
        g_p += ws.sum() / p
        g_q -= _dot(wsx, 1.0 / qm)
        g_k -= _dot(wsx, self.m / qm)
        # chain rule to theta: dp/dlogit = p q = -dq/dlogit, dkappa/ds = 1 + kappa
        grad = np.array([g_r * r, g_al * alpha, (g_p - g_q) * p * q, g_k * (1.0 + kappa)])
        return -ll / self.total, -grad / self.total


_LOWER = np.array([-_LOG_BOUND, -_LOG_BOUND, -_LOG_BOUND, 0.0])
_UPPER = np.full(4, _LOG_BOUND)
_START = np.array([0.0, 0.0, 0.0, np.log(1.5)])  # r = alpha = a = b = 1


def _free(theta: np.ndarray, grad: np.ndarray) -> np.ndarray:
    """The parameters not held at a bound by the gradient (the projected gradient's support)."""
    return ~(((theta <= _LOWER) & (grad > 0)) | ((theta >= _UPPER) & (grad < 0)))


def _polish(nll: _NegLogLik, theta: np.ndarray, max_steps: int = 30) -> tuple[np.ndarray, float, np.ndarray]:
    """Newton steps from L-BFGS-B's stopping point (the Hessian by differences of the
    analytic gradient), on the parameters not held at a bound, until the Newton decrement
    vanishes.  L-BFGS-B stops on a relative change of the objective and leaves the
    parameters uncertain in their fourth or fifth digit, where floating-point details of
    one machine move them; polished, they are a property of the data to about 1e-10, so
    two PCs give one book the same likelihoods.  Stops without moving where the Hessian is
    not positive definite.  Returns (theta, f, grad)."""
    f, g = nll(theta)
    for _ in range(max_steps):
        free = np.flatnonzero(_free(theta, g))
        if free.size == 0:
            break
        H = np.empty((free.size, free.size))
        for col, k in enumerate(free):
            h = 1e-6 * max(1.0, abs(theta[k]))
            step = h if theta[k] + h <= _UPPER[k] else -h
            e = theta.copy()
            e[k] += step
            H[:, col] = (nll(e)[1][free] - g[free]) / step
        H = (H + H.T) / 2.0
        try:
            chol = np.linalg.cholesky(H)
        except np.linalg.LinAlgError:
            break
        direction = -np.linalg.solve(chol.T, np.linalg.solve(chol, g[free]))
        decrement = -(g[free] @ direction)
        if decrement < 1e-24:  # nothing left to gain
            break
        if decrement < 1e-10:
            # close enough for Newton's quadratic convergence: the objective no longer changes
            # measurably (its rounding noise is ~1e-15), so the full step is judged by the
            # gradient it leaves
            cand = theta.copy()
            cand[free] = np.clip(theta[free] + direction, _LOWER[free], _UPPER[free])
            fc, gc = nll(cand)
            projected = lambda th, gr: np.abs(np.where(_free(th, gr), gr, 0.0)).max()  # noqa: E731
            if not (np.isfinite(fc) and projected(cand, gc) < projected(theta, g)):
                break
            theta, f, g = cand, fc, gc
            continue
        t, moved = 1.0, False
        for _ in range(40):
            cand = theta.copy()
            cand[free] = np.clip(theta[free] + t * direction, _LOWER[free], _UPPER[free])
            fc, gc = nll(cand)
            if np.isfinite(fc) and fc <= f:
                moved = not np.array_equal(cand, theta)
                theta, f, g = cand, fc, gc
                break
            t /= 2.0
        if not moved:
            break
    return theta, f, g


def fit_repeat_model(
    x: object, t_x: object, T: object, *, modified: bool = True
) -> RepeatModel:
    """Maximum-likelihood fit of the MBG/NBD (``modified=True``) or BG/NBD model.

    ``x`` repeat purchases, ``t_x`` time of the last purchase since the first, ``T`` time
    since the first purchase, all in one time unit.  Raises ValueError on empty or invalid
    input (NaN, negative values, non-integer x, t_x > T, t_x != 0 where x == 0).

    L-BFGS-B within the bounds, then Newton polishing (:func:`_polish`), so that the
    result depends on the data and not on the machine.
    """
    from scipy.optimize import minimize  # ~0.3 s to import: only when a model is fitted
    from scipy.special import expit
    xa, ta, Ta = (a.ravel() for a in _check_rfm(x, t_x, T))
    if xa.size == 0:
        raise ValueError("no clients to fit")
    ux, ut, uT, ix, it, iT, w = _compress(xa, ta, Ta)
    scale = _SCALE_TARGET / uT.max() if uT.max() > 0 else 1.0
    nll = _NegLogLik(ux, ut * scale, uT * scale, ix, it, iT, w, modified)
    res = minimize(
        nll, _START, jac=True, method="L-BFGS-B", bounds=list(zip(_LOWER, _UPPER)),
        options={"ftol": 1e-13, "gtol": 1e-9, "maxiter": 500},
    )
    theta, fun, grad = _polish(nll, res.x)
    # r and alpha inside their bounds; p and kappa may sit on their lower bounds, the limits
    # "no dropout" (p = 2e-9) and "one dropout probability for all" (kappa = 0)
    inside = np.all(np.abs(theta[:2]) < _LOG_BOUND - 1e-3) and np.all(theta[2:] < _LOG_BOUND - 1e-3)
    finite = np.isfinite(fun) and np.all(np.isfinite(theta))
    # stationary: the gradient vanishes but where a bound holds a parameter
    stationary = np.max(np.abs(np.where(_free(theta, grad), grad, 0.0))) < _GRAD_TOL
    informative = uT.max() > 0  # with T == 0 everywhere nothing was observed
    # back to the caller's time unit: each of the x purchase times rescales the density
    log_lik = -fun * nll.total + np.log(scale) * _dot(nll.wx, ux)
    r, alpha = np.exp(theta[:2])
    return RepeatModel(
        r=float(r), alpha=float(alpha / scale), p=float(expit(theta[2])), kappa=float(np.expm1(theta[3])),
        modified=modified, n=int(xa.size),
        converged=bool(stationary and inside and finite and informative),
        log_likelihood=float(log_lik),
    )


# --------------------------------------------------------------------------- prediction


def _log_alive_odds(model: RepeatModel, x, t_x, T) -> np.ndarray:
    """ln of a/(b+x-d) * ((alpha+T)/(alpha+t_x))**(r+x): the odds of having dropped out."""
    d = 0.0 if model.modified else 1.0
    qm = np.maximum(1.0 - model.p + np.maximum(x - d, 0.0) * model.kappa, 1e-300)
    ratio = np.log1p((T - t_x) / (model.alpha + t_x))
    return np.log(model.p) - np.log(qm) + (model.r + x) * ratio


def prob_alive(model: RepeatModel, x: object, t_x: object, T: object) -> np.ndarray:
    """P(client still alive at T | x, t_x, T), vectorised; see the module docstring."""
    from scipy.special import expit
    xa, ta, Ta = _check_rfm(x, t_x, T)
    p = expit(-_log_alive_odds(model, xa, ta, Ta))
    if not model.modified:
        p = np.where(xa == 0, 1.0, p)
    return p


def prob_order_within(
    model: RepeatModel, x: object, t_x: object, T: object, horizon: object
) -> np.ndarray:
    """P(at least one purchase in (T, T + horizon] | x, t_x, T), vectorised.

    ``P(alive) * (1 - ((alpha+T)/(alpha+T+horizon))**(r+x))``; horizon in the model's
    time unit, >= 0.
    """
    xa, ta, Ta = _check_rfm(x, t_x, T)
    h = _as_float("horizon", horizon)
    buy = -np.expm1(-(model.r + xa) * np.log1p(h / (model.alpha + Ta)))
    return prob_alive(model, xa, ta, Ta) * buy


# --------------------------------------------------------------------------- heuristic


def heuristic_prob_order_within(
    orders: object,
    days_since_first: object,
    days_since_last: object,
    horizon_days: float,
    window_days: float = 365,
) -> np.ndarray:
    """Stated fallback for books too small to fit a repeat-purchase model.

    With ``span = clip(days_since_first, 1, window_days)`` (NaN: ``window_days``) the
    days over which ``orders`` were counted, ``n = max(orders, 0.5)`` (a client with no
    order in the window counts as half an order) and the mean gap ``g = span / n``::

        p = n / (n + 1) * exp(-days_since_last / (2 g)) * (1 - exp(-horizon_days / g))

    The first factor is the share of evidence of loyalty (a one-off client is at most
    50% alive), the second a survival decay that halves the chance at about 1.4 mean gaps
    of silence, the third the chance that a Poisson process at rate ``1/g`` orders within
    the horizon.  Values lie in [0, 1]; NaN orders or days_since_last give NaN; negative
    days_since_last (an order in the future) count as 0.  Raises ValueError on negative
    orders, horizon or window.
    """
    n = np.asarray(orders, dtype=float)
    first = np.asarray(days_since_first, dtype=float)
    last = np.asarray(days_since_last, dtype=float)
    if (n < 0).any():
        raise ValueError("orders contains negative values")
    if not (horizon_days >= 0 and window_days > 0):
        raise ValueError("horizon_days must be >= 0 and window_days > 0")
    span = np.clip(np.where(np.isnan(first), window_days, first), 1.0, window_days)
    n_eff = np.maximum(n, 0.5)
    gap = span / n_eff
    loyal = n_eff / (n_eff + 1.0)
    alive = np.exp(-np.maximum(last, 0.0) / (2.0 * gap))
    return loyal * alive * -np.expm1(-horizon_days / gap)


# --------------------------------------------------------------------------- client book


def _days(dates: object) -> tuple[np.ndarray, np.ndarray]:
    """Day numbers as float (NaN for NaT) and the NaT mask."""
    arr = np.asarray(dates, dtype="datetime64[D]")
    nat = np.isnat(arr)
    return np.where(nat, np.nan, arr.astype(np.int64).astype(float)), nat


def _book_to_rfm(orders, first_order, last_order, today, window_days):
    """Map the book to (usable, inside, x, t_x, T, days_since_first, days_since_last), days."""
    n = np.asarray(orders, dtype=float)
    first, first_nat = _days(first_order)
    last, last_nat = _days(last_order)
    if not (n.shape == first.shape == last.shape) or n.ndim != 1:
        raise ValueError("orders, first_order and last_order must be 1-D of one length")
    now = float(np.datetime64(today, "D").astype(np.int64))
    win0 = now - window_days
    inside = ~first_nat & (first >= win0)
    start = np.where(inside, first, win0)
    T = now - start
    x = np.maximum(np.rint(n) - inside, 0.0)
    usable = np.isfinite(n) & (n >= 0) & (T >= 0) & ((x == 0) | ~last_nat)
    T = np.where(usable, T, 0.0)
    x = np.where(usable, x, 0.0)
    t_x = np.where(x > 0, np.clip(np.nan_to_num(last - start), 0.0, T), 0.0)
    since_first = now - first
    since_last = np.where(last_nat, T, now - last)  # x == 0, no date: quiet since start
    return usable, inside, x, t_x, T, since_first, since_last


def current_client_likelihood(
    orders: object,
    first_order: object,
    last_order: object,
    today: object,
    horizon_days: float = 90,
    window_days: float = 365,
    min_clients: int = 30,
) -> tuple[np.ndarray, str, RepeatModel | None]:
    """Probability that each current client orders within ``horizon_days``.

    Returns ``(p, method, model)``: ``p`` in [0, 1] with NaN for unusable rows, ``method``
    ``"mbgnbd"`` (MBG/NBD fitted on the book, ``model`` returned) or ``"heuristic"``
    (``model`` None).  The mapping, usability and fallback rules are in the module
    docstring.  Vectorised: no per-client Python loop.
    """
    if not (horizon_days >= 0 and window_days > 0):
        raise ValueError("horizon_days must be >= 0 and window_days > 0")
    usable, _inside, x, t_x, T, _sf, _sl = _book_to_rfm(orders, first_order, last_order, today, window_days)
    model = None
    xu = x[usable]
    if usable.sum() >= min_clients and (xu > 0).any():
        model = fit_repeat_model(xu, t_x[usable] / _DAYS_PER_WEEK, T[usable] / _DAYS_PER_WEEK, modified=True)
        if not model.converged:
            model = None
    p = predict_current_likelihood(model, orders, first_order, last_order, today, horizon_days, window_days)
    return p, ("mbgnbd" if model is not None else "heuristic"), model


def predict_current_likelihood(
    model: RepeatModel | None,
    orders: object,
    first_order: object,
    last_order: object,
    today: object,
    horizon_days: float = 90,
    window_days: float = 365,
) -> np.ndarray:
    """The prediction step alone: with a model fitted on a population (the UDFs fit once
    per population), or the heuristic when ``model`` is None. One-off clients are capped at
    :data:`ONE_OFF_MAX`; NaN where a row is unusable; rounded to :data:`LIKELIHOOD_DECIMALS`."""
    usable, inside, x, t_x, T, since_first, since_last = _book_to_rfm(
        orders, first_order, last_order, today, window_days
    )
    p = np.full(x.shape, np.nan)
    if not usable.any():
        return p
    xu = x[usable]
    if model is not None:
        pu = prob_order_within(model, xu, t_x[usable] / _DAYS_PER_WEEK, T[usable] / _DAYS_PER_WEEK,
                               horizon_days / _DAYS_PER_WEEK)
    else:
        n = xu + inside[usable]  # the first order, at the window start, counts
        pu = heuristic_prob_order_within(n, since_first[usable], since_last[usable], horizon_days, window_days)
    p[usable] = np.where(xu == 0, np.minimum(pu, ONE_OFF_MAX), pu)
    return np.round(np.clip(p, 0.0, 1.0), LIKELIHOOD_DECIMALS)


# --------------------------------------------------------------------------- prospects


def prospect_likelihood(
    stage_probability: object, days_since_contact: object, half_life_days: float = 90
) -> np.ndarray:
    """Stage probability halved every ``half_life_days`` since the last contact.

    NaN days (contact date unknown) leave the probability undecayed; negative days
    (contact in the future, a data error) count as 0.  NaN probabilities stay NaN.
    """
    if not half_life_days > 0:
        raise ValueError("half_life_days must be > 0")
    prob = np.asarray(stage_probability, dtype=float)
    days = np.nan_to_num(np.asarray(days_since_contact, dtype=float), nan=0.0)
    return np.round(prob * np.exp2(-np.maximum(days, 0.0) / half_life_days), LIKELIHOOD_DECIMALS)
