"""Night jobs under a worker that is killed again and again (issue 9, item 4), shared by the
short form (tests/faults/test_worker_kill.py) and the long form (tests/bench/bench_faults.py).

Two college worlds from the same seed. The reference passes its nights undisturbed: its jobs
run here, in due order, through the same `job_execute`. The other's jobs go to a real Celery
worker (docker-compose's: prefork, 2 processes) over Redis, whose whole process group is
SIGKILLed at random moments, then restarted. The ENT state (accounts, classes and groups,
memberships, parent links) must end up equal, every job done exactly once.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field

import redis
from django.conf import settings

from tests.load.stack import CeleryWorker

# Short enough for the test: a killed worker's task is delivered again after this many
# seconds (production keeps an hour; Celery beat re-dispatches stale jobs after 5 minutes).
VISIBILITY_TIMEOUT_S = 2


@dataclass
class KillReport:
    kills: list[dict] = field(default_factory=list)
    redelivered: int = 0
    duration_s: float = 0.0

    def table(self) -> str:
        lines = [
            f"kill {n + 1:>2}: after {k['after_s']:5.1f} s, jobs done {k['done']:>2}/{k['total']},"
            f" interrupted: {', '.join(k['interrupted']) or '-'}"
            for n, k in enumerate(self.kills)
        ]
        lines.append(f"tasks received again after a kill: {self.redelivered}")
        lines.append(f"kill phase + completion: {self.duration_s:.0f} s")
        return "\n".join(lines)


def two_worlds(seed: int):
    from entsim.services.worlds import world_create

    reference = world_create(name="Nuits témoin", size="college", seed=seed)
    disturbed = world_create(name="Nuits perturbées", size="college", seed=seed)
    return reference, disturbed


def nights_target(world, nights: int) -> dt.datetime:
    from entsim import timeline

    target = world.now()
    for _ in range(nights):
        target = timeline.next_morning(target)
    return target


def run_undisturbed(world, nights: int) -> None:
    """The reference: the same jobs, run here one after the other in due order."""
    from entsim.services.clock import clock_advance
    from entsim.services.jobs import job_execute

    for job_id in clock_advance(world=world, to=nights_target(world, nights)):
        job_execute(job_id=job_id)


def broker_clean() -> None:
    """No message of an earlier run: neither queued nor waiting to be restored (unacked)."""
    from entsim.celery import app

    app.control.purge()
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete("unacked", "unacked_index", "unacked_mutex")


def _job_states(job_ids: list[int]) -> Counter:
    from entsim.models import Job

    return Counter(Job.objects.filter(pk__in=job_ids).values_list("state", flat=True))


def _interrupted(worker: CeleryWorker) -> list[str]:
    """Tasks the worker had received and not finished when it was killed."""
    received, finished = [], set()
    for line in worker.output.lines:
        if match := re.search(r"Task entsim\.tasks\.job_run\[([0-9a-f-]+)\] received", line):
            received.append(match[1])
        elif match := re.search(r"Task entsim\.tasks\.job_run\[([0-9a-f-]+)\] (succeeded|ret)", line):
            finished.add(match[1])
    return [task[:8] for task in received if task not in finished]


def run_with_kills(
    world, nights: int, *, kills: int, delay: tuple[float, float], seed: int, timeout: float
) -> tuple[list[int], KillReport]:
    """Dispatch the nights' jobs, SIGKILL the worker `kills` times at random moments (each
    worker lives `delay` seconds once ready), then let a last worker finish everything."""
    from entsim.models import Job
    from entsim.services.clock import clock_advance

    env = {"ENTSIM_BROKER_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT_S)}
    rng = random.Random(seed)  # noqa: S311 - kill moments, not secrets
    report = KillReport()
    started = time.monotonic()
    task_ids: Counter = Counter()
    job_ids = clock_advance(world=world, to=nights_target(world, nights))  # sent on commit
    total = len(job_ids)
    for _ in range(kills):
        worker = CeleryWorker(**env)
        worker.wait_ready()
        after = rng.uniform(*delay)
        time.sleep(after)
        worker.kill()
        interrupted = _interrupted(worker)
        task_ids.update(_received(worker))
        done = _job_states(job_ids)[Job.State.DONE]
        report.kills.append(
            {"after_s": after, "done": done, "total": total, "interrupted": interrupted}
        )
        time.sleep(VISIBILITY_TIMEOUT_S + 0.5)  # the unacknowledged task becomes visible
    worker = CeleryWorker(**env)
    try:
        worker.wait_ready()
        deadline = time.monotonic() + timeout
        while set(_job_states(job_ids)) - {Job.State.DONE, Job.State.FAILED}:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"jobs still not finished after {timeout} s: {_job_states(job_ids)}\n"
                    + worker.output.tail()
                )
            time.sleep(0.5)
        task_ids.update(_received(worker))
    finally:
        worker.stop()
    report.redelivered = sum(count - 1 for count in task_ids.values())
    report.duration_s = time.monotonic() - started
    return job_ids, report


def _received(worker: CeleryWorker) -> list[str]:
    return re.findall(
        r"Task entsim\.tasks\.job_run\[([0-9a-f-]+)\] received", "\n".join(worker.output.lines)
    )


def ent_state(world) -> dict[str, list[str]]:
    """The ENT as a trainee sees it, without database ids nor AAF jointures (allocated by
    counters shared by every world of the database): sorted, comparable between worlds."""
    from ent.models import Account, Cohort, Membership, ParentLink

    accounts = Account.objects.filter(world=world).select_related("structure")
    login_of = {account.jointure: account.login or account.last_name for account in accounts}
    return {
        "comptes": sorted(
            repr(
                (
                    a.login,
                    a.profile,
                    a.state,
                    a.present,
                    a.last_name,
                    a.first_name,
                    str(a.birth_date),
                    a.structure.uai if a.structure else "",
                    a.mef_code,
                    a.email,
                )
            )
            for a in accounts
        ),
        "classes et groupes": sorted(
            repr((c.structure.uai, c.kind, c.code, c.label))
            for c in Cohort.objects.filter(world=world).select_related("structure")
        ),
        "appartenances": sorted(
            repr((m.cohort.structure.uai, m.cohort.code, m.account.login, m.role))
            for m in Membership.objects.filter(world=world).select_related(
                "cohort__structure", "account"
            )
        ),
        "liens parents": sorted(
            repr((p.pupil.login, login_of.get(p.parent_jointure), p.relationship, p.legal))
            for p in ParentLink.objects.filter(world=world).select_related("pupil")
        ),
    }


def jobs_summary(world) -> list[tuple[str, str, str, int]]:
    from entsim.models import Job

    return sorted(
        (job.kind, job.due_at.isoformat(), job.state, job.attempts)
        for job in Job.objects.filter(world=world)
    )
