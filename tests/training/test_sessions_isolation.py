"""Isolation: a trainee reaches nothing of another trainee's world (every world-scoped URL
swept, with real ids of the other world's objects); a formateur sees only their own sessions;
the help desk reads everything and writes nothing."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter

from entsim.access import FORMATEUR, HELP_DESK, capability_grant
from entsim.models import Job, World
from entsim.services.clock import clock_pass_night
from entsim.services.exchanges import exchange_record
from entsim.services.jobs import job_execute
from training import services
from training.models import Session, TraineeSeat

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Route:
    name: str  # namespaced URL name
    app: str  # the app of its view
    kwargs: dict  # kwarg name → True for an int


def routes_under(predicate) -> list[Route]:
    found = []

    def walk(patterns, ns: str, kwargs: dict):
        for entry in patterns:
            here = kwargs | {
                key: isinstance(conv, IntConverter)
                for key, conv in getattr(entry.pattern, "converters", {}).items()
            }
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, f"{ns}{entry.namespace}:" if entry.namespace else ns, here)
            elif isinstance(entry, URLPattern) and entry.name and predicate(ns + entry.name, here):
                app = entry.callback.__module__.split(".")[0]
                found.append(Route(ns + entry.name, app, here))

    walk(get_resolver().url_patterns, "", {})
    return found


def world_models() -> list[tuple[type, str]]:
    """Every model with a foreign key to World, and that key's name."""
    found = []
    for model in apps.get_models():
        links = [
            f.name
            for f in model._meta.concrete_fields
            if f.is_relation and f.related_model is World
        ]
        if links:
            found.append((model, links[0]))
    return found


def real_id(world: World, route: Route, kwarg: str) -> int | None:
    """The id of one of the world's objects that the kwarg most likely names, if any."""
    stem = kwarg.removesuffix("_pk").removesuffix("_id")
    tokens = route.name.split(":")[-1].split("_")
    best, best_score = None, 0
    for model, link in world_models():
        if model._meta.app_label != route.app:
            continue
        name = model.__name__.lower()
        score = 3 if name == stem else 2 if stem in name else int(any(t in name for t in tokens))
        if score > best_score:
            pk = model.objects.filter(**{link: world}).order_by("pk").values_list("pk", flat=True)
            if pk.first() is not None:
                best, best_score = pk.first(), score
    return best


def url_for(route: Route, world: World) -> tuple[str, bool]:
    """The route's URL in `world`, and whether every id in it is a real object of the world."""
    values, all_real = {"world_slug": world.slug}, True
    for kwarg, is_int in route.kwargs.items():
        if kwarg == "world_slug":
            continue
        found = real_id(world, route, kwarg) if is_int else None
        all_real = all_real and found is not None
        values[kwarg] = found if found is not None else (1 if is_int else "x")
    return reverse(route.name, kwargs=values), all_real


def world_rows(world: World) -> dict[str, int]:
    return {m.__name__: m.objects.filter(**{k: world}).count() for m, k in world_models()}


@pytest.fixture
def owner(django_user_model):
    user = django_user_model.objects.create_user(username="claire")
    capability_grant(user=user, capability=FORMATEUR)
    return user


@pytest.fixture
def world_b(owner):
    """Trainee B's real world (made as the task does), with a file and one night's runs."""
    session = services.session_create(
        owner=owner,
        name="Isolement",
        scenario="preparation-rentree",
        trainee_count=1,
        world_size="college",
        seed=11,
    )
    seat = services.seat_world_build(seat_id=session.seats.get().pk)
    world = seat.world
    exchange_record(
        world=world, kind="essai", source="sts", target="siecle", filename="b.xml", content=b"<b/>"
    )
    for job_id in clock_pass_night(world=world):  # the jobs, here, instead of a worker
        job_execute(job_id=job_id)
    world.refresh_from_db()
    return world


WORLD_ROUTES = routes_under(lambda name, kwargs: "world_slug" in kwargs)


def test_the_sweep_covers_every_system():
    apps_swept = {route.app for route in WORLD_ROUTES}
    assert {"entsim", "sts", "edt", "siecle", "aaf", "ent"} <= apps_swept
    assert len(WORLD_ROUTES) > 50


def test_a_trainee_reaches_nothing_of_another_trainees_world(
    client, world_b, make_world, make_member
):
    world_a = make_world("Monde A", uai="0130009Z")
    client.force_login(make_member(world_a, role="stagiaire"))
    before, clock_before = world_rows(world_b), world_b.sim_anchor
    leaks = []
    for route in WORLD_ROUTES:
        url, all_real = url_for(route, world_b)
        for method in ("get", "post"):
            status = getattr(client, method)(url, {"action": "nuit"}).status_code
            if status != 404:
                leaks.append((method, url, status))
        if all_real and len(route.kwargs) > 1:
            # B's ids in A's own world: the view must not find them (404), or not serve GET
            cross = url.replace(f"/mondes/{world_b.slug}/", f"/mondes/{world_a.slug}/", 1)
            status = client.get(cross, follow=True).status_code
            if status not in (404, 405):
                leaks.append(("get (ids of B in A)", cross, status))
    assert not leaks, leaks
    world_b.refresh_from_db()
    assert world_rows(world_b) == before and world_b.sim_anchor == clock_before


# POSTs that change only the user's own browsing choice (the school year shown), not the world.
PREFERENCE_POSTS = {"sts:year_switch", "siecle:annee_choisir"}


def test_the_help_desk_reads_every_world_and_writes_none(client, world_b, owner, django_user_model):
    """Reads: the help desk sees exactly what a read-only member of the world sees (the
    session's formateur); writes: every POST refused, the world's rows and clock unchanged."""
    desk = django_user_model.objects.create_user(username="sophie")
    capability_grant(user=desk, capability=HELP_DESK)
    member = client.__class__()
    member.force_login(owner)
    client.force_login(desk)
    home = client.get(reverse("home"))
    assert home["Location"] == reverse("world_home", args=[world_b.slug])  # the only world
    before, clock_before = world_rows(world_b), world_b.sim_anchor
    problems, read = [], 0
    for route in WORLD_ROUTES:
        url, _ = url_for(route, world_b)
        status = client.get(url).status_code
        read += status == 200
        if status != member.get(url).status_code or status >= 500:
            problems.append(("get", url, status))
        status = client.post(url, {"action": "nuit"}).status_code
        if status not in (403, 404, 405) and route.name not in PREFERENCE_POSTS:
            problems.append(("post", url, status))
    assert not problems, "\n".join(map(str, problems))
    assert read > 30
    world_b.refresh_from_db()
    assert world_rows(world_b) == before and world_b.sim_anchor == clock_before
    assert not Job.objects.filter(
        world=world_b, state="pending", due_at__lte=world_b.now()
    ).exists()


TRAINING_ROUTES = routes_under(lambda name, kwargs: name.startswith("training:") and "pk" in kwargs)


def test_a_formateur_sees_only_their_sessions(client, owner, django_user_model):
    session = services.session_create(
        owner=owner,
        name="Session de Claire",
        scenario="bac-a-sable",
        trainee_count=2,
        world_size="college",
    )
    seat = session.seats.first()
    other = django_user_model.objects.create_user(username="marc")
    capability_grant(user=other, capability=FORMATEUR)
    client.force_login(other)
    assert "Session de Claire" not in client.get(reverse("training:session_list")).content.decode()
    assert {route.name for route in TRAINING_ROUTES} >= {
        "training:session_detail",
        "training:session_sheet",
        "training:session_dashboard",
        "training:seat_reset",
        "training:session_close",
        "training:session_delete",
    }
    for route in TRAINING_ROUTES:
        kwargs = {"pk": session.pk} | ({"seat_pk": seat.pk} if "seat_pk" in route.kwargs else {})
        url = reverse(route.name, kwargs=kwargs)
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url).status_code in (404, 405), url
    assert Session.objects.get().state == Session.State.PREPARATION
    assert TraineeSeat.objects.filter(session=session).count() == 2


def test_the_help_desk_reads_sessions_but_changes_none(client, owner, django_user_model):
    session = services.session_create(
        owner=owner,
        name="Session lue",
        scenario="bac-a-sable",
        trainee_count=1,
        world_size="college",
    )
    seat = session.seats.get()
    desk = django_user_model.objects.create_user(username="sophie")
    capability_grant(user=desk, capability=HELP_DESK)
    client.force_login(desk)
    listing = client.get(reverse("training:session_list")).content.decode()
    assert "Session lue" in listing and "Nouvelle session" not in listing
    assert client.get(reverse("training:session_new")).status_code == 403
    for name in ("training:session_detail", "training:session_dashboard"):
        page = client.get(reverse(name, args=[session.pk]))
        assert page.status_code == 200
        assert "Réinitialiser" not in page.content.decode()
    # the sheet holds passwords: the owner's only
    assert client.get(reverse("training:session_sheet", args=[session.pk])).status_code == 403
    for route in TRAINING_ROUTES:
        kwargs = {"pk": session.pk} | ({"seat_pk": seat.pk} if "seat_pk" in route.kwargs else {})
        assert client.post(reverse(route.name, kwargs=kwargs)).status_code in (403, 405)
    assert Session.objects.get().state == Session.State.PREPARATION
