"""Celery tasks: thin, they load by id and call a service."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .services.clock import running_worlds_advance as _running_worlds_advance
from .services.jobs import job_execute, jobs_dispatch_stale


@shared_task(
    name="entsim.tasks.job_run",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=10,
)
def job_run(job_id: int) -> str:
    job = job_execute(job_id=job_id)
    return "skipped" if job is None else job.state


@shared_task(name="entsim.tasks.running_worlds_advance")
def running_worlds_advance() -> int:
    advanced = _running_worlds_advance()
    jobs_dispatch_stale()
    return advanced
