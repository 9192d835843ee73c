"""The fused agent kernel: one compiled call steps the firms of every run of an ensemble through a year.

Firms of all runs are concatenated (run r owns ``[offsets[r], offsets[r + 1])``, sorted by region and sector
inside), because each run draws its own population and sizes differ; padding to the largest run would waste
memory and time on empty slots. ``numba.prange`` spreads the runs over the cores; each run is stepped serially
from its own counter-based random numbers, keyed by (the run's key, year, period, firm, stream), so the
results are bit-identical for any number of threads and any grouping of runs into ensembles.

Per period: peer shares (start of period), every firm's chances and draw, the region's queue of applicants
(sorted by a random key only where their demand exceeds the budget), the booking. The rule itself is in
:mod:`dezsim.abm.rule`.
"""

from __future__ import annotations

import numba
import numpy as np

from dezsim.abm import rule

#: Files holding the compiled callees of this kernel, and their digest. numba's on-disk cache (``cache=True``) only
#: notices edits of this file; a test holds RULE_DIGEST to those files, so an edit of the rule forces an edit here
#: and a fresh compile instead of a stale cached kernel.
RULE_FILES = ('rule.py', 'population.py')
RULE_DIGEST = "cf968fee396fe90d"

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2 ** -53


@numba.njit(cache=True, nogil=True)
def _mix(z):  # pragma: no cover - compiled
    """SplitMix64 finaliser: a bijective hash of 64-bit integers."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@numba.njit(cache=True, nogil=True)
def stream_key(run_key, year, period, stream):  # pragma: no cover - compiled
    """Key of one run's draws in one period (stream 0: climb draws, 1: queue order)."""
    return _mix(np.uint64(run_key) ^ _mix(np.uint64((year * 64 + period) * 4 + stream) * _GOLDEN))


@numba.njit(cache=True, nogil=True)
def uniform(key, i):  # pragma: no cover - compiled
    """The i-th uniform draw in [0, 1) of a stream."""
    return float(_mix(key + np.uint64(i + 1) * _GOLDEN) >> _S11) * _TO_UNIT


@numba.njit(cache=True, nogil=True)
def _year_terms(lo, hi, region, size, coverage, support, fp, terms):  # pragma: no cover - compiled
    for i in range(lo, hi):
        g = region[i]
        t = rule.year_terms(size[i], coverage[g], support[g, 0], support[g, 1], support[g, 2], support[g, 3], fp)
        for j in range(7):
            terms[i - lo, j] = t[j]


@numba.njit(cache=True, nogil=True)
def _ration(a, b, offer, weight, apply, order_key, budget):  # pragma: no cover - compiled
    """Fund applicants of firms [a, b) in random queue order until the first one the budget cannot cover.
    ``apply`` is 1 for applicants and becomes 2 for the funded; returns the money paid."""
    idx = np.flatnonzero(apply[a:b] == 1) + a
    keys = np.empty(idx.size)
    for k in range(idx.size):
        keys[k] = uniform(order_key, idx[k])
    paid = 0.0
    for k in np.argsort(keys, kind="mergesort"):
        i = idx[k]
        if paid + weight[i] * offer[i] > budget * (1 + rule.BUDGET_SLACK):
            break
        paid += weight[i] * offer[i]
        apply[i] = 2
    return paid


@numba.njit(cache=True, nogil=True)
def run_year(lo, starts, n_sectors, region, size, weight, rung, coverage, support, budget, fp, run_key, year,
             steps, growth, tally):  # pragma: no cover - compiled
    """Step the firms of one run (``starts``: absolute group starts) through a year; ``budget`` (region,) and
    ``tally`` (TALLY, region) are updated in place."""
    hi = starts[-1]
    n, n_regions = hi - lo, budget.size
    terms = np.empty((n, 7))
    _year_terms(lo, hi, region, size, coverage, support, fp, terms)
    peers = np.empty(starts.size - 1)
    p_none, p_pol, u, offer, cost = np.empty(n), np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    apply = np.zeros(n, dtype=np.int8)
    dt = 1.0 / steps
    for q in range(steps):
        rule.peer_shares(starts, weight, rung, peers)
        climb_key = stream_key(run_key, year, q, 0)
        for reg in range(n_regions):
            demand = 0.0
            for g in range(reg * n_sectors, (reg + 1) * n_sectors):
                for i in range(starts[g], starts[g + 1]):
                    k = i - lo
                    t = terms[k]
                    c, o, base, relief = rule.at_rung(rung[i], t[0], t[1], t[2], t[3], t[4], t[5], t[6], fp)
                    p_none[k], p_pol[k] = rule.chances(base, relief, peers[g], fp, dt)
                    u[k], offer[k], cost[k] = uniform(climb_key, k), o, c
                    apply[k] = 1 if (u[k] < p_pol[k] and o > 0) else 0
                    demand += weight[i] * o * apply[k]
            a, b = starts[reg * n_sectors] - lo, starts[(reg + 1) * n_sectors] - lo
            if demand <= budget[reg] * (1 + rule.BUDGET_SLACK):
                for k in range(a, b):
                    apply[k] *= 2
                paid = demand
            else:
                paid = _ration(a, b, offer, weight[lo:hi], apply, stream_key(run_key, year, q, 1), budget[reg])
            budget[reg] = max(0.0, budget[reg] - paid)
            for k in range(a, b):
                i = k + lo
                funded = apply[k] == 2
                climbed = rule.climbs(u[k], funded, p_none[k], p_pol[k])
                row = rule.booking(weight[i], cost[k], offer[k] if funded else 0.0, p_none[k],
                                   p_pol[k] if funded else p_none[k], climbed, rung[i])
                for j in range(5):
                    tally[j, reg] += row[j]
                rung[i] += 1 if climbed else 0
    for i in range(lo, hi):
        size[i] *= growth[region[i]]


@numba.njit(parallel=True, cache=True)
def ensemble_year(offsets, starts, n_sectors, region, size, weight, rung, coverage, support, budget, fp, keys, year,
                  steps, growth, tally):  # pragma: no cover - compiled
    """Step every run (parallel over runs) through one year; arrays over runs are indexed [run, ...]."""
    for r in numba.prange(offsets.size - 1):
        run_year(offsets[r], starts[r], n_sectors, region, size, weight, rung, coverage[r], support[r], budget[r],
                 fp[r], keys[r], year, steps, growth[r], tally[r])


@numba.njit(parallel=True, cache=True)
def ensemble_stocks(starts, n_sectors, above, weight, rung, out):  # pragma: no cover - compiled
    """Weighted stocks per run and region: above-size firms, upgraded above-size, cloud-enabled (rung >= 2),
    smart workshops (>= 3), smart factories (top)."""
    for r in numba.prange(starts.shape[0]):
        for reg in range(out.shape[2]):
            for j in range(5):
                out[r, j, reg] = 0.0
            for i in range(starts[r, reg * n_sectors], starts[r, (reg + 1) * n_sectors]):
                w = weight[i]
                up = rung[i] >= rule.UPGRADED_RUNG
                out[r, 0, reg] += w * above[i]
                out[r, 1, reg] += w * (above[i] and up)
                out[r, 2, reg] += w * up
                out[r, 3, reg] += w * (rung[i] >= 3)
                out[r, 4, reg] += w * (rung[i] >= rule.TOP)
