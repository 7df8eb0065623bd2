"""Helpers for the SIECLE tests: small worlds, logins, URLs, running due jobs in order."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.http import urlencode

from entsim.models import CalendarEvent, Job, World, WorldMember
from entsim.services.clock import clock_advance
from entsim.services.jobs import due_job_ids, job_execute
from entsim.services.worlds import world_create
from entsim.timeline import PARIS

PASSWORD = "mot-de-passe-de-test"


def college(name: str = "Collège SIECLE", seed: int = 11):
    """A small world (the trainee's collège and its neighbours), seeded in every system."""
    return world_create(name=name, size="college", seed=seed)


def url(name: str, world, *args, **query) -> str:
    path = reverse(f"siecle:{name}", args=[world.slug, *args])
    return path + ("?" + urlencode(query) if query else "")


def at(year: int, month: int, day: int, hour: int = 8, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=PARIS)


def advance(world, to: dt.datetime) -> list[Job]:
    """Move the clock and run every due job here, in due order (no worker: the unit tests)."""
    clock_advance(world=world, to=to)
    done = []
    for job_id in due_job_ids(world=world, until=to):
        job = job_execute(job_id=job_id)
        assert job is not None and job.state == Job.State.DONE, job and job.error
        done.append(job)
    world.refresh_from_db()
    return done


def home_uai(world) -> str:
    return world.home.uai


def shared_college(django_db_blocker, seed: int = 11):
    """One collège world for a whole module of read-only tests (creating one takes seconds);
    use it from a module-scoped fixture (`yield from shared_college(django_db_blocker)`).

    Tests using it must not change it; it is deleted when the module ends.
    """
    with django_db_blocker.unblock():
        world = college(name=f"Partagé {uuid.uuid4().hex[:8]}", seed=seed)
    yield world
    with django_db_blocker.unblock():
        World.objects.filter(pk=world.pk).delete()
        get_user_model().objects.filter(username__startswith=f"partage-{world.pk}-").delete()


def member(world, role: str = "stagiaire"):
    """A user of the world (for the shared world: removed with it)."""
    user = get_user_model().objects.create_user(
        username=f"partage-{world.pk}-{role}-{uuid.uuid4().hex[:6]}", password=PASSWORD
    )
    WorldMember.objects.create(world=world, user=user, role=role)
    return user


def run_event(world, kind: str):
    """Bring the clock to a calendar event and run its job (only that one)."""
    event = CalendarEvent.objects.filter(world=world, kind=kind).order_by("at").first()
    assert event is not None, kind
    clock_advance(world=world, to=event.at)
    job = Job.objects.get(world=world, dedup_key=f"calendar:{event.pk}")
    job = job_execute(job_id=job.pk)
    assert job is not None and job.state == Job.State.DONE, job and job.error
    world.refresh_from_db()
    event.refresh_from_db()
    return event


def choose_year(client, world, annee: int) -> None:
    response = client.post(url("annee_choisir", world), {"annee": annee})
    assert response.status_code == 302
