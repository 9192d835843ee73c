"""Progress: off by default, a callback gets (done, total), a bar never warns about ipywidgets."""

from __future__ import annotations

import warnings

from dezsim.base.progress import steps


def test_off_reports_nothing():
    with steps(False, 5, "x") as done:
        done(3)  # no error, no output


def test_callback_receives_done_and_total_and_completes():
    seen = []
    with steps(lambda d, t: seen.append((d, t)), 5, "x") as done:
        done(0)
        done(2)
    assert seen == [(0, 5), (2, 5), (5, 5)]


def test_bar_completes_without_warnings(capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with steps(True, 3, "demo") as done:
            done(1)
    assert "3/3" in capsys.readouterr().err


def test_run_reports_every_simulated_year():
    import dezsim
    from dezsim.model.config import Scenario

    seen = []
    dezsim.run(Scenario(name="p", regions=["taicang"]), runs=2, seed=0, agents=None,
               progress=lambda d, t: seen.append((d, t)))
    assert seen == [(k, 5) for k in range(5)] + [(5, 5)]
