"""Scheduled jobs: materialise, dispatch to Celery, execute at most once.

A job is claimed by a conditional update inside the same transaction that writes its effects
and its final state: a second delivery of the same task (or a racing runner) finds it no longer
pending and does nothing; a worker that dies mid-job rolls everything back and the redelivered
task runs it again from scratch.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback

from django.core.cache import cache
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone

from .. import registry, timeline
from ..models import Job, World
from .world_changes import world_change_record

logger = logging.getLogger(__name__)

# A dispatched job still pending after this long (real time) is dispatched again.
REDISPATCH_AFTER = dt.timedelta(minutes=5)


def job_create(
    *, world: World, kind: str, due_at: dt.datetime, dedup_key: str, params: dict | None = None
) -> Job:
    """A one-off job (an exchange to process, an event); idempotent on `dedup_key`."""
    try:
        with transaction.atomic():
            return Job.objects.create(
                world=world, kind=kind, due_at=due_at, dedup_key=dedup_key, params=params or {}
            )
    except IntegrityError:
        return Job.objects.get(world=world, dedup_key=dedup_key)


def jobs_schedule_recurring(*, world: World, start: dt.datetime, end: dt.datetime) -> int:
    """Materialise the timeline's recurring occurrences in (start, end] for registered kinds."""
    kinds = set(registry.job_kinds())
    rows = [
        Job(
            world=world,
            kind=entry.kind,
            due_at=moment,
            dedup_key=f"{entry.kind}@{moment.astimezone(dt.UTC):%Y%m%dT%H%M}",
        )
        for entry, moment in timeline.occurrences(start, end, kinds)
    ]
    Job.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return len(rows)


def due_job_ids(*, world: World, until: dt.datetime) -> list[int]:
    return list(
        Job.objects.filter(world=world, state=Job.State.PENDING, due_at__lte=until)
        .order_by("due_at", "id")
        .values_list("id", flat=True)
    )


def jobs_dispatch(*, job_ids: list[int]) -> None:
    """Send the jobs to Celery as one chain, so that they run in due order."""
    if not job_ids:
        return
    from celery import chain

    from ..tasks import job_run

    Job.objects.filter(pk__in=job_ids).update(dispatched_at=timezone.now())
    chain(*(job_run.si(job_id) for job_id in job_ids)).apply_async()


def jobs_dispatch_stale() -> int:
    """Dispatch again what was never dispatched or whose task was lost (Celery beat)."""
    stale_before = timezone.now() - REDISPATCH_AFTER
    dispatched = 0
    for world in World.objects.all():
        ids = list(
            Job.objects.filter(world=world, state=Job.State.PENDING, due_at__lte=world.now())
            .filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=stale_before))
            .order_by("due_at", "id")
            .values_list("id", flat=True)
        )
        jobs_dispatch(job_ids=ids)
        dispatched += len(ids)
    return dispatched


class JobKindUnknown(Exception):
    pass


def job_execute(*, job_id: int) -> Job | None:
    """Run one job if it is still pending; effects and state in one transaction.

    Returns the finished job, or None when it was not pending (already run, or running
    elsewhere). Database connection errors propagate, so that the task is retried; any other
    error marks the job failed with its trace, its effects rolled back.
    """
    kind_name = Job.objects.filter(pk=job_id).values_list("kind", flat=True).first()
    if kind_name is None:
        return None
    kind = registry.job_kind(kind_name)
    try:
        with transaction.atomic():
            claimed = Job.objects.filter(pk=job_id, state=Job.State.PENDING).update(
                state=Job.State.RUNNING, attempts=F("attempts") + 1
            )
            if not claimed:
                return None
            job = Job.objects.select_related("world").get(pk=job_id)
            if kind is None:
                raise JobKindUnknown(f"Aucun système ne traite les tâches « {kind_name} ».")
            report = kind.handler(job) or {}
            world_change_record(world_id=job.world_id)
            job.state = Job.State.DONE
            job.report = report
            job.error = ""
            job.progress = 100
            job.finished_at = timezone.now()
            job.finished_sim_at = job.due_at
            job.save(
                update_fields=[
                    "state",
                    "report",
                    "error",
                    "progress",
                    "finished_at",
                    "finished_sim_at",
                ]
            )
            return job
    except (OperationalError, InterfaceError):
        raise
    except Exception as exc:
        return _job_fail(job_id, exc)


def _job_fail(job_id: int, exc: BaseException) -> Job:
    logger.exception("job %s failed", job_id)
    with transaction.atomic():
        Job.objects.filter(pk=job_id, state=Job.State.PENDING).update(
            state=Job.State.FAILED,
            attempts=F("attempts") + 1,
            error="".join(traceback.format_exception(exc))[-4000:],
            finished_at=timezone.now(),
        )
    return Job.objects.get(pk=job_id)


def _progress_key(job_id: int) -> str:
    return f"entsim:job-progress:{job_id}"


def job_progress_report(*, job: Job, done: int, total: int) -> None:
    """Record how far a long job is, visible to the pages while its transaction is still open.

    The job's row only changes when the job commits; the percentage goes through the shared
    cache instead (Redis, or a folder under var/), for the progress bar of the jobs page.
    """
    percent = 100 if total <= 0 else max(0, min(99, done * 100 // total))
    cache.set(_progress_key(job.pk), percent, timeout=6 * 3600)


def job_progress(*, job: Job) -> int:
    """Percentage of a job: 100 once done, the reported progress while it runs."""
    if job.state in (Job.State.DONE, Job.State.FAILED):
        return job.progress
    reported = cache.get(_progress_key(job.pk))
    return job.progress if reported is None else int(reported)


def job_retry(*, job: Job) -> Job:
    """Put a failed job back in the queue (the trainer's or help desk's 'Relancer')."""
    with transaction.atomic():
        updated = Job.objects.filter(pk=job.pk, state=Job.State.FAILED).update(
            state=Job.State.PENDING, error="", dispatched_at=None
        )
        if updated:
            transaction.on_commit(lambda: jobs_dispatch(job_ids=[job.pk]))
    job.refresh_from_db()
    return job
