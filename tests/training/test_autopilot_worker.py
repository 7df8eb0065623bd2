"""Acceptance (issue 8): the autopilot on a fresh lycee-2000 world of 'Préparation de rentrée',
every night job on a real Celery worker (June to September: every AAF extraction, ENT import
and SIECLE night batch), ends with every step of the checklist done and the final check true.
"""

from __future__ import annotations

import time

import pytest

from tests.training.scenario_world import scenario_world
from training.autopilot import autopilot_run, worker_advance
from training.checklist import final_check
from training.scenarios import scenario_get

# About 8 min on the CI machine: the summer's Delta nights cost a digest each when nothing
# changed (aaf.services.sources_digest); the Saturdays' Complets are full extractions.
# In the PostgreSQL + Redis pass of .ci/run (the deployed stack).
pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_autopilot_lycee_2000_on_the_worker(celery_worker):
    world = scenario_world("preparation-rentree", size="lycee-2000", seed=2057)
    started = time.monotonic()
    result = autopilot_run(world=world, advance=worker_advance(timeout=3 * 3600))
    elapsed = time.monotonic() - started
    print(f"\nautopilot lycee-2000: {elapsed:.0f} s")
    assert result.played == scenario_get("preparation-rentree").step_keys
    not_done = [(s.key, s.message) for s in result.checklist if s.state != "fait"]
    assert not not_done
    assert final_check(result.checklist)
