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

import pytest
import redis
from django.conf import settings

from tests.load.stack import CeleryWorker

# Short enough for the test: a killed worker's task is delivered again after this many
# seconds (production keeps an hour; Celery beat re-dispatches stale jobs after 5 minutes).
VISIBILITY_TIMEOUT_S = 2
TASK_LINE = re.compile(r"Task entsim\.tasks\.job_run\[(?P<id>[0-9a-f-]+)\] (?P<event>\w+)")


@dataclass
class KillReport:
    kills: list[dict] = field(default_factory=list)
    redelivered: int = 0
    duration_s: float = 0.0

    def table(self) -> str:
        lines = [
            f"kill {n + 1:>2}: +{k['after_s']:4.1f} s, jobs done {k['done']:>2}/{k['total']},"
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


def run_undisturbed(world, nights: int) -> list[float]:
    """The reference: the same jobs, run here one after the other in due order; returns how
    long each took (seconds), to aim the kills of the disturbed run inside the jobs."""
    from entsim.services.clock import clock_advance
    from entsim.services.jobs import job_execute

    durations = []
    for job_id in clock_advance(world=world, to=nights_target(world, nights)):
        started = time.monotonic()
        job_execute(job_id=job_id)
        durations.append(time.monotonic() - started)
    return durations


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
        if match := TASK_LINE.search(line):
            if match["event"] == "received":
                received.append(match["id"])
            else:
                finished.add(match["id"])
    return [task[:8] for task in received if task not in finished]


def run_with_kills(
    world, nights: int, *, kills: int, durations: list[float], seed: int, timeout: float
) -> tuple[list[int], KillReport]:
    """Dispatch the nights' jobs and SIGKILL the worker `kills` times, restarting it each time,
    then let a last worker finish everything.

    The kills are spread over the jobs in due order: kill number k aims at the job at the k-th
    share of the list; it waits until the jobs before it are done, then a random time within
    that job's undisturbed duration (`durations`, +20 %), so that it lands at any point of
    the job, or just after it: between two jobs, while one commits.
    """
    from entsim.models import Job
    from entsim.services.clock import clock_advance

    env = {"ENTSIM_BROKER_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT_S)}
    rng = random.Random(seed)  # kill moments, not secrets
    report = KillReport()
    started = time.monotonic()
    task_ids: Counter = Counter()
    job_ids = clock_advance(world=world, to=nights_target(world, nights))  # sent on commit
    total = len(job_ids)
    deadline = time.monotonic() + timeout
    for number in range(kills):
        worker = CeleryWorker(**env)
        worker.wait_ready()
        target = number * total // kills
        while _job_states(job_ids)[Job.State.DONE] < target and time.monotonic() < deadline:
            time.sleep(0.1)
        after = rng.uniform(0, durations[target] * 1.2 + 0.2)
        time.sleep(after)
        worker.kill()
        task_ids.update(_received(worker))
        report.kills.append(
            {
                "after_s": after,
                "done": _job_states(job_ids)[Job.State.DONE],
                "total": total,
                "interrupted": _interrupted(worker),
            }
        )
        time.sleep(VISIBILITY_TIMEOUT_S + 0.5)  # the unacknowledged task becomes visible
    worker = CeleryWorker(**env)
    try:
        worker.wait_ready()
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
    lines = [TASK_LINE.search(line) for line in worker.output.lines]
    return [match["id"] for match in lines if match and match["event"] == "received"]


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


SEED = 4242


def check_kills_change_nothing(*, nights_count: int, timeout: float) -> KillReport:
    """The whole check, for the short and the long form."""
    from entsim.models import Job

    if not settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.skip("needs Redis as the broker: set CELERY_BROKER_URL")
    reference, disturbed = two_worlds(SEED)
    durations = run_undisturbed(reference, nights_count)
    broker_clean()
    job_ids, report = run_with_kills(
        disturbed, nights_count, kills=10, durations=durations, seed=SEED, timeout=timeout
    )
    print("\n" + report.table())
    print("ENT: " + ", ".join(f"{len(rows)} {part}" for part, rows in ent_state(reference).items()))
    assert len(report.kills) == 10
    hits = sum(bool(kill["interrupted"]) for kill in report.kills)
    assert hits >= 5, f"only {hits} kills of 10 hit a running job"
    jobs = Job.objects.filter(pk__in=job_ids)
    assert jobs.count() == len(job_ids) > 0
    for job in jobs:
        # effects and state commit together: one committed attempt = effects applied once
        assert (job.state, job.attempts) == (Job.State.DONE, 1), (job.kind, job.error)
    assert jobs_summary(disturbed) == jobs_summary(reference)
    expected, found = ent_state(reference), ent_state(disturbed)
    assert expected["comptes"], "the reference imported accounts into the ENT"
    for part in expected:
        assert found[part] == expected[part], part
    return report
