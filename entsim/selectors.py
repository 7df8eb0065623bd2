"""Reads of the simulator's own data (worlds, clock, jobs, exchanges, report)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Count, QuerySet

from . import registry, timeline
from .access import user_is_help_desk
from .models import (
    CalendarEvent,
    Division,
    Establishment,
    Exchange,
    Job,
    Responsable,
    Role,
    Schooling,
    Staff,
    TeachingGroup,
    World,
    WorldMember,
)
from .services.clock import SPEEDS
from .services.jobs import job_progress


def world_rows_digest(*, world: World, app_label: str) -> str:
    """A digest of every row a system keeps for the world (its models with a foreign key to
    World, each streamed in primary key order): equal digests, equal data.

    A night job whose output depends only on these rows compares digests instead of redoing its
    work (the AAF on the summer nights when no one has touched STS-web or SIECLE)."""
    digest = hashlib.sha256()
    for model in sorted(apps.get_app_config(app_label).get_models(), key=lambda m: m._meta.label):
        links = [
            f.name
            for f in model._meta.concrete_fields
            if f.is_relation and f.related_model is World
        ]
        if not links:
            continue
        digest.update(model._meta.label.encode())
        rows = model.objects.filter(**{links[0]: world}).order_by("pk").values_list()
        for row in rows.iterator(chunk_size=2000):
            digest.update(repr(row).encode())
    return digest.hexdigest()


def worlds_for_user(*, user) -> list[WorldMember]:
    """The user's memberships; for the help desk, every world (read-only where not a member)."""
    memberships = list(
        WorldMember.objects.filter(user=user)
        .select_related("world", "world__home")
        .order_by("world__name")
    )
    if not user_is_help_desk(user):
        return memberships
    joined = {member.world_id for member in memberships}
    others = [
        WorldMember(world=world, user=user, role=Role.ASSISTANCE)
        for world in World.objects.select_related("home").exclude(pk__in=joined)
    ]
    return sorted(memberships + others, key=lambda member: member.world.name)


@dataclass(frozen=True)
class UpcomingJob:
    at: dt.datetime
    label: str
    system: str


def upcoming_jobs(*, world: World, count: int = 3) -> list[UpcomingJob]:
    """The next jobs of the world: timeline occurrences and one-off jobs still pending."""
    now = world.now()
    kinds = registry.job_kinds()
    items = [
        UpcomingJob(at=moment, label=entry.label, system=entry.system)
        for entry, moment in timeline.upcoming(now, count, set(kinds))
    ]
    for job in Job.objects.filter(world=world, state=Job.State.PENDING).order_by("due_at")[:count]:
        kind = kinds.get(job.kind)
        items.append(
            UpcomingJob(
                at=job.due_at,
                label=kind.label if kind else job.kind,
                system=kind.system if kind else "",
            )
        )
    unique = {(item.at, item.label): item for item in items}
    return sorted(unique.values(), key=lambda item: item.at)[:count]


def jobs_recent(*, world: World, limit: int = 50) -> QuerySet[Job]:
    return Job.objects.filter(world=world).order_by("-due_at", "-id")[:limit]


def exchanges_for(*, world: World, system: str | None = None) -> QuerySet[Exchange]:
    exchanges = Exchange.objects.filter(world=world)
    if system:
        exchanges = exchanges.filter(source=system) | exchanges.filter(target=system)
    return exchanges.order_by("-deposited_at", "-id")


def exchange_get(*, world: World, pk: int) -> Exchange:
    return Exchange.objects.get(world=world, pk=pk)


def truth_counts(*, world: World) -> dict[str, int]:
    """What is really so in the académie this school year (home establishment)."""
    year = world.school_year()
    home = world.home_id
    return {
        "etablissements": Establishment.objects.filter(world=world).count(),
        "eleves": Schooling.objects.filter(
            world=world, establishment=home, school_year=year, end_date__isnull=True
        ).count(),
        "responsables": Responsable.objects.filter(world=world).count(),
        "enseignants": Staff.objects.filter(
            world=world, establishment=home, function=Staff.Function.ENS
        ).count(),
        "divisions": Division.objects.filter(
            world=world, establishment=home, school_year=year
        ).count(),
        "groupes": TeachingGroup.objects.filter(
            world=world, establishment=home, school_year=year
        ).count(),
        "liens": TeachingGroup.pupils.through.objects.filter(
            teachinggroup__establishment=home, teachinggroup__school_year=year
        ).count(),
        "evenements_a_venir": CalendarEvent.objects.filter(
            world=world, happened_at__isnull=True
        ).count(),
    }


def world_report(*, world: World) -> dict:
    """`world_report NAME --json`: the date, the home establishment, counts per system."""
    now = world.now()
    year = world.school_year(now)
    systems = {}
    year_in_preparation = None
    for system in ("sts", "edt", "siecle", "aaf", "ent"):
        counts = dict.fromkeys(registry.REPORT_KEYS, 0)
        reporter = registry.reporter(system)
        if reporter is not None:
            counts.update(reporter(world))
        # STS-web owns the school years: its reporter may name the year in preparation.
        year_in_preparation = counts.pop("annee_en_preparation", None) or year_in_preparation
        systems[system] = counts
    jobs = dict(
        Job.objects.filter(world=world).values_list("state").annotate(n=Count("id")).order_by()
    )
    return {
        "monde": world.name,
        "date_simulee": timeline.local(now).isoformat(),
        "horloge": "en marche" if world.is_running else "arrêtée",
        "vitesse": world.speed,
        "academie": {"code": world.academie_code, "nom": world.academie_name},
        "etablissement": {
            "uai": world.home.uai if world.home else None,
            "nom": str(world.home) if world.home else None,
        },
        "annees_scolaires": {
            "en_cours": f"{year}-{year + 1}",
            "en_preparation": year_in_preparation,
        },
        "verite": truth_counts(world=world),
        "systemes": systems,
        "taches": {
            "en_attente": jobs.get(Job.State.PENDING, 0),
            "terminees": jobs.get(Job.State.DONE, 0),
            "en_echec": jobs.get(Job.State.FAILED, 0),
        },
        "signalements": sum(counts["signalements"] for counts in systems.values()),
    }


@dataclass(frozen=True)
class ClockBar:
    now: dt.datetime
    running: bool
    speed: float
    speed_label: str
    speeds: tuple[tuple[int, str], ...]
    upcoming: list[UpcomingJob]
    may_advance: bool


def clock_bar(*, world: World, member: WorldMember) -> ClockBar:
    return ClockBar(
        now=timeline.local(world.now()),
        running=world.is_running,
        speed=world.speed,
        speed_label=dict(SPEEDS).get(round(world.speed), f"×{world.speed:g}"),
        speeds=SPEEDS,
        upcoming=upcoming_jobs(world=world),
        may_advance=member.may_advance_clock,
    )


@dataclass(frozen=True)
class JobRow:
    job: Job
    label: str
    progress: int
    polling: bool  # dispatched and not finished: the page asks again for its progress


def job_rows(*, world: World, job_id: int | None = None) -> list[JobRow]:
    """The jobs page's rows (the most recent), or the one row of `job_id` in this world."""
    kinds = registry.job_kinds()
    jobs = (
        Job.objects.filter(world=world, pk=job_id)
        if job_id is not None
        else jobs_recent(world=world)
    )
    return [
        JobRow(
            job=job,
            label=kinds[job.kind].label if job.kind in kinds else job.kind,
            progress=job_progress(job=job),
            polling=job.state == Job.State.RUNNING
            or (job.state == Job.State.PENDING and job.dispatched_at is not None),
        )
        for job in jobs
    ]
