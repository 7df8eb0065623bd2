"""Load, short form (issue 9, item 3): trainees working at once on their own college worlds,
against gunicorn on PostgreSQL (+ Redis when it is the broker). Bounded to about a minute.

The long form (20 trainees, a few minutes, target p95 < 300 ms) is tests/bench/bench_load.py.
"""

from __future__ import annotations

import os

import pytest

from tests.load.loadrun import ALL_PAGES, load_run, trainees_prepare
from tests.load.stack import Gunicorn

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TRAINEES = 3
SECONDS = 30
# Generous: the short form runs beside the rest of the suite on a 2-core machine.
P95_BOUND_MS = 1500


def test_trainees_at_once_short():
    trainees = trainees_prepare(TRAINEES, seed=31)
    with Gunicorn() as server:
        results = load_run(server.base, trainees, seconds=SECONDS)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\n{TRAINEES} stagiaires, {SECONDS} s; machine load average {load}\n" + results.table())
    summary = results.summary()
    assert not results.errors, results.errors[:10]
    pages = {name for trainee in trainees for name, _ in trainee.pages}
    assert pages <= set(summary), "every page was requested at least once"
    assert summary[ALL_PAGES]["n"] >= TRAINEES * 10
    assert summary[ALL_PAGES]["p95"] < P95_BOUND_MS, results.table()
