"""The trainer's dashboard (T5): one row per trainee, one column per step, live, each world's
simulated date, and each world opened read-only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from entsim import timeline
from entsim.access import FORMATEUR, capability_grant
from entsim.services.clock import clock_advance
from training import services
from training.scenarios import scenario_get

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(django_user_model):
    user = django_user_model.objects.create_user(username="claire")
    capability_grant(user=user, capability=FORMATEUR)
    return user


def session_with_one_world(owner, scenario: str):
    """Two trainees: the first one's world made (the task's body, here), the second pending."""
    session = services.session_create(
        owner=owner,
        name=f"Tableau {scenario}",
        scenario=scenario,
        trainee_count=2,
        world_size="college",
        seed=7,
    )
    first, second = session.seats.order_by("number")
    first = services.seat_world_build(seat_id=first.pk)
    return session, first, second


def test_one_row_per_trainee_one_column_per_step(client, owner):
    from sts.models import StsEstablishment
    from sts.services import year_bascule

    session, first, second = session_with_one_world(owner, "preparation-rentree")
    world = first.world
    clock_advance(world=world, to=dt.datetime(2027, 6, 15, 10, 30, tzinfo=timeline.PARIS))
    year_bascule(world=world, establishment=StsEstablishment.objects.get(world=world, is_home=True))
    client.force_login(owner)
    url = reverse("training:session_dashboard", args=[session.pk])
    page = client.get(url).content.decode()
    for step in scenario_get("preparation-rentree").steps:
        assert f'<th scope="col">{step.title}'.replace("'", "&#x27;") in page
    assert f'<th scope="row">{first.login}</th>' in page
    assert f'<th scope="row">{second.login}</th>' in page and "En préparation" in page
    assert "mar 15/06/2027 10:30" in page  # the trainee's simulated date
    # the bascule done: its badge says so; the next step is still to do, with its advice
    assert 'fr-badge--success" title="' in page and ">Fait</span>" in page
    assert ">À faire</span>" in page and "Module NOMENCLATURES" in page
    assert f'href="{reverse("world_home", args=[world.slug])}"' in page

    partial = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="tableau-de-bord"') and "<html" not in partial
    assert 'hx-trigger="every 5s"' in partial


def test_the_trainer_opens_a_world_read_only(client, owner):
    session, first, _ = session_with_one_world(owner, "bac-a-sable")
    client.force_login(owner)
    page = client.get(reverse("training:session_dashboard", args=[session.pk])).content.decode()
    assert "ne vérifie aucune étape" in page  # the sandbox has no step
    world = first.world
    portal = client.get(reverse("world_home", args=[world.slug]))
    assert portal.status_code == 200
    assert "Passer la nuit" not in portal.content.decode()  # no clock controls
    answer = client.post(reverse("world_clock", args=[world.slug]), {"action": "nuit"})
    assert answer.status_code in (403, 404)
    world.refresh_from_db()
    assert timeline.local(world.now()).date() == dt.date(2027, 6, 14)


def test_another_formateur_gets_404(client, owner, django_user_model):
    session, _, _ = session_with_one_world(owner, "bac-a-sable")
    other = django_user_model.objects.create_user(username="marc")
    capability_grant(user=other, capability=FORMATEUR)
    client.force_login(other)
    assert client.get(reverse("training:session_dashboard", args=[session.pk])).status_code == 404


def test_a_poll_reuses_each_checklist_until_the_world_changes(
    client, owner, monkeypatch, django_capture_on_commit_callbacks
):
    from django.test import Client

    from entsim.services.exchanges import exchange_export
    from entsim.services.world_changes import world_change_marker
    from training import checklist

    computed = []
    compute = checklist.checklist_compute
    monkeypatch.setattr(
        checklist,
        "checklist_compute",
        lambda *, world: computed.append(world.pk) or compute(world=world),
    )
    session, first, _ = session_with_one_world(owner, "preparation-rentree")
    world = first.world
    client.force_login(owner)
    url = reverse("training:session_dashboard", args=[session.pk])

    def poll() -> str:
        return client.get(url, HTTP_HX_REQUEST="true").content.decode()

    assert ">Fait</span>" not in poll()
    assert ">Fait</span>" not in poll()
    assert computed == [world.pk]  # the second poll reused the first one's checklist

    # the trainee's bascule, through the page: the next poll sees it
    trainee = Client()
    trainee.force_login(first.user)
    with django_capture_on_commit_callbacks(execute=True):
        done = trainee.post(
            reverse("sts:bascule_run", args=[world.slug]), {"reconduction": "divisions"}
        )
    assert done.status_code == 302
    assert ">Fait</span>" in poll() and computed == [world.pk] * 2
    poll()
    assert computed == [world.pk] * 2

    # every other way a world is written gives it a new marker too
    for write in (
        lambda: clock_advance(world=world, to=dt.datetime(2027, 6, 15, 9, tzinfo=timeline.PARIS)),
        lambda: exchange_export(world=world, kind="sts_structure"),
    ):
        before = world_change_marker(world_id=world.pk)
        with django_capture_on_commit_callbacks(execute=True):
            write()
        assert world_change_marker(world_id=world.pk) != before
    # a page that only reads changes nothing
    before = world_change_marker(world_id=world.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert trainee.get(reverse("sts:bascule", args=[world.slug])).status_code == 200
    assert world_change_marker(world_id=world.pk) == before
