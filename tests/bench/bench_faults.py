"""Benchmark, faults (issue 9, item 4), long form: three nights of night jobs on a college
world, the Celery worker SIGKILLed ten times at points spread over all of them (restarted each
time); every job done exactly once, the ENT equal to an undisturbed run's on the same seed.
Needs PostgreSQL and Redis:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/pytest tests/bench/bench_faults.py --bench -s -q

The short form (one night) runs with the tests: tests/faults/test_worker_kill.py.
"""

from __future__ import annotations

import pytest

from tests.faults.nights import check_kills_change_nothing


@pytest.mark.bench
@pytest.mark.postgres
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_bench_worker_killed_ten_times_during_three_nights():
    check_kills_change_nothing(nights_count=3, timeout=900)
