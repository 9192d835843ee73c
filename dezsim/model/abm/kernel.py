"""The fused agent kernel: one compiled call steps the firms of every run of an ensemble through a year.

Firms of all runs are concatenated (run r owns ``[offsets[r], offsets[r + 1])``, sorted by region and sector
inside), because each run draws its own population and sizes differ; padding to the largest run would waste
memory and time on empty slots. ``numba.prange`` spreads the runs over the cores; each run is stepped serially
from its own counter-based random numbers, keyed by (the run's key, year, period, firm, stream), so the
results are bit-identical for any number of threads and any grouping of runs into ensembles.

Per year: every firm's terms (its revenue's powers in vectorised rows) and its bound on its chances at its rung
(:func:`~dezsim.model.abm.rule.reach_bound`). Per period: peer shares (start of period), every firm's draw
against its bound (most firms stop there: reading one number per firm instead of its seven terms made a period
about three times cheaper), the chances of the rest, the region's queue of applicants (sorted by a random key
only where their demand exceeds the budget), the booking. The rule itself is in :mod:`dezsim.model.abm.rule`.
"""

from __future__ import annotations

import numba
import numpy as np

from dezsim.model.abm import rule
from dezsim.model.fastmath import pow_row

#: Files holding the compiled callees of this kernel (paths under ``dezsim/model``), and their digest. numba's
#: on-disk cache (``cache=True``) only notices edits of this file; a test holds RULE_DIGEST to those files, so an
#: edit of the rule or of the vectorised rows forces an edit here and a fresh compile instead of a stale cached kernel.
RULE_FILES = ("abm/rule.py", "abm/population.py", "fastmath.py")
RULE_DIGEST = "426aff1dad5a00f9"

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2 ** -53
#: Stocks :func:`run_stocks` takes per region (``dezsim.model.abm.engine.STOCK_KEYS`` names them).
N_STOCKS = 10


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
def _size_powers(lo, hi, size, fp, rows):  # pragma: no cover - compiled
    """Every firm's :func:`~dezsim.model.abm.rule.size_powers` in ``rows[0]`` and ``rows[1]`` (``rows``: (6, n)
    float64 scratch), in :func:`~dezsim.model.fastmath.pow_row`'s vectorised rows: two scalar ``libm`` calls per
    firm and year cost about 17 ns on one core, the rows about 8 (measured on 11 million firms)."""
    n = hi - lo
    cost, factor, ratio, exponent, work = rows[0], rows[1], rows[2], rows[3], rows[4:]
    e_cost, e_factor = rule.size_exponents(fp)
    mean = fp[rule.MEAN_SIZE]
    for k in range(n):
        ratio[k] = size[lo + k] / mean
        exponent[k] = e_cost
    pow_row(size[lo:hi], exponent, cost, work, n)
    for k in range(n):
        exponent[k] = e_factor
    pow_row(ratio, exponent, factor, work, n)


@numba.njit(cache=True, nogil=True)
def _year_terms(lo, hi, region, size, rung, coverage, support, fp, terms, bound):  # pragma: no cover - compiled
    """Every firm's terms this year (``terms``, (n, 7)) and its bound at its rung (``bound``, (n,)), in one pass."""
    n_regions = support.shape[0]
    reliefs = np.empty((n_regions, 2))
    for g in range(n_regions):
        reliefs[g, 0], reliefs[g, 1] = rule.region_reliefs(support[g, 0], support[g, 1] + support[g, 2], fp)
    rows = np.empty((6, hi - lo))
    _size_powers(lo, hi, size, fp, rows)
    for i in range(lo, hi):
        g, k = region[i], i - lo
        t = rule.year_terms(size[i], rows[0, k], rows[1, k], coverage[g], support[g, 0], support[g, 1] + support[g, 2],
                            support[g, 3], reliefs[g, 0], reliefs[g, 1], fp)
        for j in range(7):
            terms[k, j] = t[j]
        bound[k] = _bound(rung[i], terms, k, fp)


@numba.njit(cache=True, nogil=True)
def queue_position(order_key, j, n):  # pragma: no cover - compiled
    """Which of the ``n - j`` applicants not yet called is called ``j``-th: an index in [j, n) (a step of a
    Fisher-Yates shuffle, drawn only as far as the queue is served)."""
    return min(j + int(uniform(order_key, j) * (n - j)), n - 1)


@numba.njit(cache=True, nogil=True)
def _ration(amount, n_app, order_key, budget, funded):  # pragma: no cover - compiled
    """Call the first ``n_app`` applicants (``amount`` asked) in a uniformly random order and fund them until
    the first one the budget cannot cover; sets ``funded`` and returns the money paid. Only the served part of
    the queue is drawn, so a tight budget costs little."""
    order = np.arange(n_app)
    funded[:n_app] = False
    paid = 0.0
    for j in range(n_app):
        r = queue_position(order_key, j, n_app)
        order[j], order[r] = order[r], order[j]
        k = order[j]
        if paid + amount[k] > budget * (1 + rule.BUDGET_SLACK):
            break
        paid += amount[k]
        funded[k] = True
    return paid


@numba.njit(cache=True, nogil=True)
def _add(tally, reg, s0, s1, s2, s3, s4):  # pragma: no cover - compiled
    tally[0, reg] += s0
    tally[1, reg] += s1
    tally[2, reg] += s2
    tally[3, reg] += s3
    tally[4, reg] += s4


@numba.njit(cache=True, nogil=True)
def _bound(r, terms, k, fp):  # pragma: no cover - compiled
    """:func:`~dezsim.model.abm.rule.reach_bound` of firm ``k`` (relative) at rung ``r`` this year."""
    _, _, base, relief = rule.at_rung(r, terms[k, 0], terms[k, 1], terms[k, 2], terms[k, 3], terms[k, 4],
                                      terms[k, 5], terms[k, 6], fp)
    return rule.reach_bound(base, relief)


@numba.njit(cache=True, nogil=True)
def _climb(i, k, r, rung, terms, bound, fp):  # pragma: no cover - compiled
    """Firm ``i`` (``k`` relative) climbs from rung ``r``: its rung and its bound follow."""
    rung[i] = r + 1
    bound[k] = _bound(r + 1, terms, k, fp)


@numba.njit(cache=True, nogil=True)
def _unrationed(lo, a_group, b_group, region_index, starts, rung, weight, terms, bound, peers, fp, dt, climb_key,
                tally, upgraded, hazard):  # pragma: no cover - compiled
    """Decide and book the firms of one region in one pass when the budget covers every possible applicant
    (the same outcome as :func:`_queued` + :func:`_settle` with every applicant funded); returns the money paid.
    ``hazard`` multiplies the region's hazards this year (the year's adoption shock, 1 without)."""
    s0 = s1 = s2 = s3 = s4 = 0.0
    for g in range(a_group, b_group):
        peer = peers[g]
        scale = rule.period_scale(hazard, peer, fp, dt)
        for i in range(starts[g], starts[g + 1]):
            k = i - lo
            u = uniform(climb_key, k)  # counter-based: skipping a firm consumes no draw of another
            if u >= bound[k] * scale:  # above both chances (the top rung's bound is 0): nothing happens
                continue
            r = rung[i]
            c, o, base, relief = rule.at_rung(r, terms[k, 0], terms[k, 1], terms[k, 2], terms[k, 3], terms[k, 4],
                                              terms[k, 5], terms[k, 6], fp)
            base *= hazard
            p_none, p_pol = rule.chances(base, relief, peer, fp, dt)
            funded = u < p_pol and o > 0
            climbed = rule.climbs(u, funded, p_none, p_pol)
            if not climbed:  # funded firms always climb here; a firm that stays books nothing
                continue
            row = rule.booking(weight[i], c, o if funded else 0.0, p_none, p_pol if funded else p_none, climbed, r)
            s0, s1, s2, s3, s4 = s0 + row[0], s1 + row[1], s2 + row[2], s3 + row[3], s4 + row[4]
            if r == rule.UPGRADED_RUNG - 1:
                upgraded[g] += weight[i]
            _climb(i, k, r, rung, terms, bound, fp)
    _add(tally, region_index, s0, s1, s2, s3, s4)
    return s2


@numba.njit(cache=True, nogil=True)
def _queued(lo, ga, gb, reg, starts, rung, weight, terms, bound, peers, fp, dt, climb_key, app, tally,
            upgraded, hazard):  # pragma: no cover - compiled
    """Decide the firms of one region's groups [ga, gb) whose budget may not cover every applicant, in one pass:
    firms that do not apply for support are settled at once, applicants are set aside in ``app`` (firm, amount,
    p_none, p_pol, cost, draw, offer) for :func:`_ration` and :func:`_settle`. Returns the applicants' count and
    the money they ask for."""
    s0 = s1 = s2 = s3 = s4 = 0.0
    n_app, demand = 0, 0.0
    for g in range(ga, gb):
        peer = peers[g]
        scale = rule.period_scale(hazard, peer, fp, dt)
        for i in range(starts[g], starts[g + 1]):
            k = i - lo
            u = uniform(climb_key, k)
            if u >= bound[k] * scale:  # as in _unrationed
                continue
            r = rung[i]
            c, o, base, relief = rule.at_rung(r, terms[k, 0], terms[k, 1], terms[k, 2], terms[k, 3], terms[k, 4],
                                              terms[k, 5], terms[k, 6], fp)
            base *= hazard
            p_none, p_pol = rule.chances(base, relief, peer, fp, dt)
            if u < p_pol and o > 0:
                demand += weight[i] * o
                app[0, n_app], app[1, n_app], app[2, n_app], app[3, n_app] = k, weight[i] * o, p_none, p_pol
                app[4, n_app], app[5, n_app], app[6, n_app] = c, u, o
                n_app += 1
                continue
            if not rule.climbs(u, False, p_none, p_pol):  # a firm that stays books nothing
                continue
            row = rule.booking(weight[i], c, 0.0, p_none, p_none, True, r)
            s0, s1, s2, s3, s4 = s0 + row[0], s1 + row[1], s2 + row[2], s3 + row[3], s4 + row[4]
            if r == rule.UPGRADED_RUNG - 1:
                upgraded[g] += weight[i]
            _climb(i, k, r, rung, terms, bound, fp)
    _add(tally, reg, s0, s1, s2, s3, s4)
    return n_app, demand


@numba.njit(cache=True, nogil=True)
def _settle(lo, n_app, reg, n_sectors, sector, rung, weight, terms, bound, fp, app, funded, tally,
            upgraded):  # pragma: no cover - compiled
    """Book the applicants set aside by :func:`_region` (funded or refused; a refused one climbs without)."""
    s0 = s1 = s2 = s3 = s4 = 0.0
    for a in range(n_app):
        k = int(app[0, a])
        i = k + lo
        r, w, p_none, p_pol, c = rung[i], weight[i], app[2, a], app[3, a], app[4, a]
        f = funded[a]
        climbed = rule.climbs(app[5, a], f, p_none, p_pol)
        row = rule.booking(w, c, app[6, a] if f else 0.0, p_none, p_pol if f else p_none, climbed, r)
        s0, s1, s2, s3, s4 = s0 + row[0], s1 + row[1], s2 + row[2], s3 + row[3], s4 + row[4]
        if climbed:
            if r == rule.UPGRADED_RUNG - 1:
                upgraded[reg * n_sectors + sector[i]] += w
            _climb(i, k, r, rung, terms, bound, fp)
    _add(tally, reg, s0, s1, s2, s3, s4)


@numba.njit(cache=True, nogil=True)
def _most_asked(lo, a, b, weight, terms):  # pragma: no cover - compiled
    """The most the firms [a, b) (relative) could ask for in a period: each firm's larger offer."""
    most = 0.0
    for k in range(a, b):
        most += weight[k + lo] * max(terms[k, 2], terms[k, 3])
    return most


@numba.njit(cache=True, nogil=True)
def run_year(lo, starts, n_sectors, region, sector, size, weight, rung, coverage, support, budget, fp, run_key, year,
             steps, growth, tally, hazard):  # pragma: no cover - compiled
    """Step the firms of one run (``starts``: absolute group starts) through a year; ``budget`` (region,) and
    ``tally`` (TALLY, region) are updated in place; ``hazard`` (region,) multiplies every hazard of the year."""
    hi = starts[-1]
    n, n_regions, n_groups = hi - lo, budget.size, starts.size - 1
    terms, bound = np.empty((n, 7)), np.empty(n)  # bound: each firm's reach_bound at its rung (kept as it climbs)
    _year_terms(lo, hi, region, size, rung, coverage, support, fp, terms, bound)
    total, upgraded, peers = np.empty(n_groups), np.empty(n_groups), np.empty(n_groups)
    rule.group_weights(starts, weight, rung, total, upgraded)  # weights are fixed; upgraded is kept up to date
    app = np.empty((7, 0))  # applicants set aside where the budget may not cover them all (allocated if needed)
    funded = np.zeros(0, dtype=np.bool_)
    most = np.empty(n_regions)
    for reg in range(n_regions):
        most[reg] = _most_asked(lo, starts[reg * n_sectors] - lo, starts[(reg + 1) * n_sectors] - lo, weight, terms)
    dt = 1.0 / steps
    for q in range(steps):
        rule.peer_shares(total, upgraded, peers)  # start-of-period shares for every firm of the period
        climb_key = stream_key(run_key, year, q, 0)
        for reg in range(n_regions):
            ga, gb = reg * n_sectors, (reg + 1) * n_sectors
            if most[reg] <= budget[reg] * (1 + rule.BUDGET_SLACK):  # every applicant is surely funded: one pass
                paid = _unrationed(lo, ga, gb, reg, starts, rung, weight, terms, bound, peers, fp, dt, climb_key,
                                   tally, upgraded, hazard[reg])
            else:
                if app.shape[1] == 0:
                    app, funded = np.empty((7, n)), np.zeros(n, dtype=np.bool_)
                n_app, demand = _queued(lo, ga, gb, reg, starts, rung, weight, terms, bound, peers, fp, dt,
                                        climb_key, app, tally, upgraded, hazard[reg])
                if demand <= budget[reg] * (1 + rule.BUDGET_SLACK):
                    funded[:n_app] = True
                    paid = demand
                else:
                    paid = _ration(app[1], n_app, stream_key(run_key, year, q, 1), budget[reg], funded)
                _settle(lo, n_app, reg, n_sectors, sector, rung, weight, terms, bound, fp, app, funded, tally,
                        upgraded)
            budget[reg] = max(0.0, budget[reg] - paid)
    for i in range(lo, hi):
        size[i] *= growth[region[i]]


@numba.njit(cache=True, nogil=True)
def _run_and_stocks(r, offsets, starts, n_sectors, region, sector, above, size, weight, rung, rung0, coverage,
                    support, budget, fp, keys, year, steps, growth, tally, stocks, hazard):  # pragma: no cover
    """Step run ``r`` through one year and take its year-end :func:`run_stocks`; arrays over runs are indexed
    [run, ...]."""
    run_year(offsets[r], starts[r], n_sectors, region, sector, size, weight, rung, coverage[r], support[r],
             budget[r], fp[r], keys[r], year, steps, growth[r], tally[r], hazard[r])
    run_stocks(starts[r], n_sectors, above, weight, rung, rung0, stocks[r])


# Two functions, not one compiled twice: numba's on-disk cache keys a kernel by its function (file and name), so
# a parallel and a serial compilation of the same function share one cache entry and a later process loads
# whichever was written first for both (the parallel loop then ran on one thread).
@numba.njit(cache=True, nogil=True, parallel=True)
def ensemble_year(offsets, starts, n_sectors, region, sector, above, size, weight, rung, rung0, coverage, support,
                  budget, fp, keys, year, steps, growth, tally, stocks, hazard):  # pragma: no cover - compiled
    """Every run through one year, in parallel over runs (``numba.prange``)."""
    for r in numba.prange(offsets.size - 1):
        _run_and_stocks(r, offsets, starts, n_sectors, region, sector, above, size, weight, rung, rung0, coverage,
                        support, budget, fp, keys, year, steps, growth, tally, stocks, hazard)


@numba.njit(cache=True, nogil=True)
def ensemble_year_serial(offsets, starts, n_sectors, region, sector, above, size, weight, rung, rung0, coverage,
                         support, budget, fp, keys, year, steps, growth, tally, stocks, hazard):  # pragma: no cover
    """:func:`ensemble_year` run by run on one thread, for small ensembles (where waking the other threads costs
    more than it saves on a busy machine)."""
    for r in range(offsets.size - 1):
        _run_and_stocks(r, offsets, starts, n_sectors, region, sector, above, size, weight, rung, rung0, coverage,
                        support, budget, fp, keys, year, steps, growth, tally, stocks, hazard)


@numba.njit(cache=True, nogil=True)
def run_stocks(starts, n_sectors, above, weight, rung, rung0, out):  # pragma: no cover - compiled
    """Weighted stocks of one run per region, ``out`` (:data:`N_STOCKS`, region), in the order of
    ``dezsim.model.abm.engine.STOCK_KEYS``: above-size firms, upgraded above-size, cloud-enabled (rung >= 2), smart
    workshops (>= 3), smart factories (top); covered above-size firms (rung >= 1: a diagnosis or a project carried
    out, at any time); since end-2020 (``rung0``: the rung at end-2020): diagnosed firms and diagnosed above-size
    firms (left rung 0), projects of above-size firms (climbs from rung >= 1) and SMEs transformed (climbed at
    least once). Rungs never fall, so the counts since end-2020 follow from the two rungs alone."""
    for reg in range(out.shape[1]):
        # ten sums in locals (kept in registers; sums in an array were stored and reloaded at every firm)
        s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = s8 = s9 = 0.0
        for i in range(starts[reg * n_sectors], starts[(reg + 1) * n_sectors]):
            w, r, r0 = weight[i], np.int64(rung[i]), np.int64(rung0[i])
            wa = w * above[i]
            up = w * (r >= rule.UPGRADED_RUNG)
            diagnosed = w * ((r >= 1) & (r0 == 0))
            s0 += wa
            s1 += up * above[i]
            s2 += up
            s3 += w * (r >= 3)
            s4 += w * (r >= rule.TOP)
            s5 += wa * (r >= 1)
            s6 += diagnosed
            s7 += diagnosed * above[i]
            s8 += wa * max(0, r - max(r0, 1))
            s9 += (w - wa) * (r > r0)
        out[0, reg], out[1, reg], out[2, reg], out[3, reg], out[4, reg] = s0, s1, s2, s3, s4
        out[5, reg], out[6, reg], out[7, reg], out[8, reg], out[9, reg] = s5, s6, s7, s8, s9


@numba.njit(parallel=True, cache=True)
def ensemble_stocks(starts, n_sectors, above, weight, rung, rung0, out):  # pragma: no cover - compiled
    """:func:`run_stocks` of every run, ``out`` (run, N_STOCKS, region)."""
    for r in numba.prange(starts.shape[0]):
        run_stocks(starts[r], n_sectors, above, weight, rung, rung0, out[r])


#: Firm agents from which an ensemble is stepped in parallel over runs (below, serially in one compiled loop):
#: 8 runs of 1,000 firms in all already step 1.5x faster on 2 threads than serially (benchmarks/bench_agents.py).
PARALLEL_FIRMS = 1_000
