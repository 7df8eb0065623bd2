"""Training sessions (T2): create for N trainees, worlds made by a real worker, logins sheet,
reset a trainee's world, close, delete."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from entsim.access import FORMATEUR, HELP_DESK, capability_grant
from entsim.models import Exchange, World, WorldMember
from entsim.services.exchanges import exchange_record
from training import services
from training.models import Session, TraineeSeat


@pytest.fixture
def formateur(django_user_model):
    def make(username: str = "claire"):
        user = django_user_model.objects.create_user(username=username, password="mdp-formateur")
        capability_grant(user=user, capability=FORMATEUR)
        return user

    return make


def wait_for(condition, timeout: float = 240.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the worker did not finish in time")
        time.sleep(0.5)


@pytest.mark.django_db
def test_create_makes_logins_and_refuses_bad_input_in_french(formateur):
    owner = formateur()
    session = services.session_create(
        owner=owner,
        name="Rentrée mars",
        scenario="bac-a-sable",
        trainee_count=3,
        world_size="college",
    )
    seats = list(session.seats.order_by("number"))
    assert [s.login for s in seats] == ["rentree-mars-01", "rentree-mars-02", "rentree-mars-03"]
    assert seats[0].world_name == "Rentrée mars — stagiaire 01"
    assert all(s.state == TraineeSeat.State.PREPARATION and s.world is None for s in seats)
    assert len({s.password for s in seats}) == 3 and all(len(s.password) == 14 for s in seats)
    assert session.state == Session.State.PREPARATION
    refusals = {
        "": "au moins une lettre",
        "Rentrée mars": "existe déjà",
    }
    for name, message in refusals.items():
        with pytest.raises(services.SessionError, match=message):
            services.session_create(
                owner=owner,
                name=name,
                scenario="bac-a-sable",
                trainee_count=2,
                world_size="college",
            )
    with pytest.raises(services.SessionError, match="Scénario inconnu"):
        services.session_create(
            owner=owner, name="Autre", scenario="inconnu", trainee_count=2, world_size="college"
        )
    with pytest.raises(services.SessionError, match="entre 1 et 30"):
        services.session_create(
            owner=owner,
            name="Autre",
            scenario="bac-a-sable",
            trainee_count=31,
            world_size="college",
        )
    get_user_model().objects.create_user(username="autre-02")
    with pytest.raises(services.SessionError, match="autre-02 existe déjà"):
        services.session_create(
            owner=owner, name="Autre", scenario="bac-a-sable", trainee_count=2, world_size="college"
        )
    assert Session.objects.count() == 1 and TraineeSeat.objects.count() == 3


@pytest.mark.django_db
def test_only_formateurs_reach_the_sessions(client, formateur, django_user_model):
    trainee = django_user_model.objects.create_user(username="karim")
    client.force_login(trainee)
    assert client.get(reverse("training:session_list")).status_code == 403
    assert client.get(reverse("training:session_new")).status_code == 403
    client.force_login(formateur())
    page = client.get(reverse("training:session_list")).content.decode()
    assert "Nouvelle session" in page and 'href="/formation/"' in page  # the menu entry
    form = client.get(reverse("training:session_new")).content.decode()
    assert "Préparation de la rentrée" in form or "preparation-rentree" in form


@pytest.mark.django_db
def test_form_error_is_shown_and_nothing_created(client, formateur):
    client.force_login(formateur())
    answer = client.post(
        reverse("training:session_new"),
        {"name": "!!!", "scenario": "bac-a-sable", "trainee_count": 2, "world_size": "college"},
    )
    assert "au moins une lettre ou un chiffre" in answer.content.decode()
    assert not Session.objects.exists()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_session_lifecycle_on_a_real_worker(client, celery_worker, formateur, settings):
    owner = formateur()
    client.force_login(owner)
    answer = client.post(
        reverse("training:session_new"),
        {
            "name": "Stage juin",
            "scenario": "preparation-rentree",
            "trainee_count": 2,
            "world_size": "college",
            "seed": 42,
        },
    )
    session = Session.objects.get()
    detail = reverse("training:session_detail", args=[session.pk])
    assert answer.status_code == 302 and answer["Location"] == detail
    # while the worlds are made, the progress partial polls itself
    wait_for(lambda: Session.objects.get().state == Session.State.PRETE)
    progress = client.get(detail, HTTP_HX_REQUEST="true").content.decode()
    assert progress.lstrip().startswith('<div id="session-progress"')
    assert "2 mondes prêts sur 2" in progress and "hx-trigger" not in progress

    seats = list(TraineeSeat.objects.select_related("world").order_by("number"))
    assert all(seat.state == TraineeSeat.State.PRET and seat.world for seat in seats)
    worlds = [seat.world for seat in seats]
    assert {w.scenario for w in worlds} == {"preparation-rentree"} and {w.seed for w in worlds} == {
        42
    }
    assert worlds[0].pk != worlds[1].pk
    for seat in seats:
        roles = dict(WorldMember.objects.filter(world=seat.world).values_list("user", "role"))
        assert roles == {seat.user_id: "stagiaire", owner.pk: "assistance"}

    # the printed sheet has every login and password
    sheet = client.get(reverse("training:session_sheet", args=[session.pk])).content.decode()
    for seat in seats:
        assert seat.login in sheet and seat.password in sheet
    assert "dsfr.print.min.css" in sheet and "training/sheet.css" in sheet

    # a trainee logs in with the sheet's password and lands in their own world
    trainee_client = client.__class__()
    assert trainee_client.login(username=seats[0].login, password=seats[0].password)
    home = trainee_client.get(reverse("home"))
    assert home["Location"] == reverse("world_home", args=[worlds[0].slug])
    assert trainee_client.get(reverse("world_home", args=[worlds[1].slug])).status_code == 404

    # reset trainee 2: a new world, same seed and scenario, same login
    exchange = exchange_record(
        world=worlds[1],
        kind="essai",
        source="sts",
        target="siecle",
        filename="x.xml",
        content=b"<x/>",
    )
    stored = settings.MEDIA_ROOT / exchange.file.name
    assert stored.exists()
    client.post(reverse("training:seat_reset", args=[session.pk, seats[1].pk]))
    assert Session.objects.get().state == Session.State.PREPARATION
    wait_for(lambda: TraineeSeat.objects.get(pk=seats[1].pk).state == TraineeSeat.State.PRET)
    reset = TraineeSeat.objects.select_related("world").get(pk=seats[1].pk)
    assert reset.world.pk != worlds[1].pk and reset.world.seed == 42
    assert not World.objects.filter(pk=worlds[1].pk).exists() and not stored.exists()
    assert WorldMember.objects.filter(world=reset.world, user=reset.user, role="stagiaire").exists()
    wait_for(lambda: Session.objects.get().state == Session.State.PRETE)

    # close: the trainees can no longer log in; the worlds stay
    client.post(reverse("training:session_close", args=[session.pk]))
    assert Session.objects.get().state == Session.State.CLOSE
    assert not client.__class__().login(username=seats[0].login, password=seats[0].password)
    assert trainee_client.get(reverse("world_home", args=[worlds[0].slug])).status_code == 302
    assert World.objects.filter(pk=worlds[0].pk).exists()

    # delete: worlds, their files, the logins and the session
    world_ids = [worlds[0].pk, reset.world.pk]
    client.post(reverse("training:session_delete", args=[session.pk]))
    wait_for(lambda: not Session.objects.exists())
    assert not World.objects.filter(pk__in=world_ids).exists()
    assert not get_user_model().objects.filter(username__in=[s.login for s in seats]).exists()
    assert not Exchange.objects.filter(world_id__in=world_ids).exists()
    assert get_user_model().objects.filter(pk=owner.pk).exists()


@pytest.mark.django_db
def test_a_failed_world_is_shown_with_its_message_and_can_be_reset(client, formateur, monkeypatch):
    owner = formateur()
    session = services.session_create(
        owner=owner, name="Panne", scenario="bac-a-sable", trainee_count=1, world_size="college"
    )
    seat = session.seats.get()

    def broken(**kwargs):
        raise ValueError("graine refusée")

    monkeypatch.setattr(services, "world_create", broken)
    services.seat_world_build(seat_id=seat.pk)
    seat.refresh_from_db()
    assert seat.state == TraineeSeat.State.ECHEC
    assert seat.error == "Le monde n'a pas pu être créé : graine refusée"
    client.force_login(owner)
    page = client.get(reverse("training:session_detail", args=[session.pk])).content.decode()
    assert "graine refusée" in page and "Réinitialiser" in page
    assert "1 en échec" in page
    services.seat_reset(seat=seat)
    seat.refresh_from_db()
    assert seat.state == TraineeSeat.State.PREPARATION
    with pytest.raises(services.SessionError, match="déjà en préparation"):
        services.seat_reset(seat=seat)


@pytest.mark.django_db
def test_capabilities_are_granted_through_groups(django_user_model):
    from entsim.access import user_is_formateur, user_is_help_desk

    trainer = django_user_model.objects.create_user(username="f")
    desk = django_user_model.objects.create_user(username="a")
    capability_grant(user=trainer, capability=FORMATEUR)
    capability_grant(user=desk, capability=HELP_DESK)
    assert user_is_formateur(trainer) and not user_is_help_desk(trainer)
    assert user_is_help_desk(desk) and not user_is_formateur(desk)
