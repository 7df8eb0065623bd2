"""Benchmark, load (issue 9, item 3), long form: 20 simulated trainees working at once, each
on their own college world, against gunicorn (3 workers, as in docker-compose.yml) on
PostgreSQL, Redis as broker and cache. One world in four has passed a night (AAF extraction,
ENT import), the others are at their start. Think time 0.5 to 2 s between pages.

Target: p95 under 300 ms on every page, no error. Needs PostgreSQL (and Redis):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
    CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/pytest tests/bench/bench_load.py --bench -s -q

ENTSIM_LOAD_TRAINEES and ENTSIM_LOAD_SECONDS change the number of trainees (20) and the
duration of the load (180 s). The short form (a minute) runs with the tests: tests/load/.
"""

from __future__ import annotations

import os

import pytest

from tests.load.loadrun import ALL_PAGES, LOGIN, load_run, trainees_prepare
from tests.load.stack import Gunicorn

TARGET_P95_MS = 300.0


@pytest.mark.bench
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_bench_load_20_trainees():
    count = int(os.environ.get("ENTSIM_LOAD_TRAINEES", "20"))
    seconds = float(os.environ.get("ENTSIM_LOAD_SECONDS", "180"))
    trainees = trainees_prepare(count, seed=900, night_every=4)
    with Gunicorn() as server:
        results = load_run(server.base, trainees, seconds=seconds)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\n{count} stagiaires, {seconds:.0f} s; machine load average {load}\n" + results.table())
    summary = results.summary()
    assert not results.errors, results.errors[:10]
    slow = {
        page: round(row["p95"])
        for page, row in summary.items()
        if page != LOGIN and row["p95"] >= TARGET_P95_MS
    }
    assert not slow, f"p95 >= {TARGET_P95_MS:.0f} ms: {slow}"
    assert summary[ALL_PAGES]["p95"] < TARGET_P95_MS
