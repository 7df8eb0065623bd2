"""Faults (issue 9, item 4), short form: the Celery worker SIGKILLed ten times at random
moments of one night's jobs, restarted each time; every job ends done exactly once and the
ENT equals that of an undisturbed run on the same seed. A few minutes; needs PostgreSQL and
Redis. The long form (three nights) is tests/bench/bench_faults.py."""

from __future__ import annotations

import pytest

from tests.faults.nights import check_kills_change_nothing

pytestmark = [pytest.mark.postgres, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_worker_killed_ten_times_during_one_night():
    check_kills_change_nothing(nights_count=1, timeout=300)
