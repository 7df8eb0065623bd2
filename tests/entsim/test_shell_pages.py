"""The shell a user sees: login, portal, clock bar, roles, htmx and plain requests."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from entsim import timeline
from tests.conftest import START

pytestmark = pytest.mark.django_db

NOTICE = "Environnement de formation — données fictives"


def test_login_page_and_real_login(client, make_world, make_member):
    world = make_world()
    user = make_member(world, username="karim")
    page = client.get(reverse("login"))
    assert page.status_code == 200 and "Connexion" in page.content.decode()
    bad = client.post(reverse("login"), {"username": "karim", "password": "faux"})
    assert bad.status_code == 200 and "Saisissez un nom d" in bad.content.decode()
    good = client.post(
        reverse("login"), {"username": user.username, "password": "mot-de-passe-de-test"}
    )
    assert good.status_code == 302
    # one world: the home page goes straight into it
    assert client.get(reverse("home"))["Location"] == reverse("world_home", args=[world.slug])


def test_portal_lists_the_applications_with_notice_and_clock(client, make_world, make_member):
    world = make_world()
    client.force_login(make_member(world))
    page = client.get(reverse("world_home", args=[world.slug])).content.decode()
    for name in ("STS-web", "SIECLE Base élèves", "Logiciel EDT", "Annuaire académique", "ENT"):
        assert name in page
    assert NOTICE in page
    assert "lundi 14 juin 2027" in page and "08:00" in page
    assert "Passer la nuit" in page


@pytest.mark.parametrize("system", ["sts", "edt", "siecle", "aaf", "ent"])
def test_each_system_has_a_landing_page(client, make_world, make_member, system):
    world = make_world()
    client.force_login(make_member(world))
    response = client.get(reverse(f"{system}:landing", args=[world.slug]))
    assert response.status_code == 200
    assert NOTICE in response.content.decode()


def test_help_desk_sees_the_clock_but_cannot_move_it(client, make_world, make_member):
    world = make_world()
    client.force_login(make_member(world, role="assistance"))
    page = client.get(reverse("world_home", args=[world.slug])).content.decode()
    assert "Passer la nuit" not in page
    response = client.post(reverse("world_clock", args=[world.slug]), {"action": "nuit"})
    assert response.status_code == 404
    world.refresh_from_db()
    assert world.now() == START


def test_pass_night_without_javascript_redirects_back(client, make_world, make_member):
    world = make_world()
    client.force_login(make_member(world))
    back = reverse("sts:landing", args=[world.slug])
    response = client.post(
        reverse("world_clock", args=[world.slug]), {"action": "nuit", "next": back}
    )
    assert response.status_code == 302 and response["Location"] == back
    world.refresh_from_db()
    assert timeline.local(world.now()) == dt.datetime(2027, 6, 15, 8, 0, tzinfo=timeline.PARIS)


def test_pass_night_with_htmx_answers_the_clock_bar_only(client, make_world, make_member):
    world = make_world()
    client.force_login(make_member(world, role="formateur"))
    response = client.post(
        reverse("world_clock", args=[world.slug]), {"action": "plus24"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="clock-bar"')
    assert "<html" not in body
    assert "mardi 15 juin 2027" in body


def test_go_to_a_date_and_refusals_in_french(client, make_world, make_member):
    world = make_world()
    client.force_login(make_member(world))
    url = reverse("world_clock", args=[world.slug])
    client.post(url, {"action": "aller", "date": "2027-09-01T08:00"})
    world.refresh_from_db()
    assert timeline.local(world.now()).date() == dt.date(2027, 9, 1)
    back = client.post(url, {"action": "aller", "date": "2027-06-01T08:00"}, follow=True)
    assert "Impossible de revenir en arrière" in back.content.decode()
    missing = client.post(url, {"action": "aller"}, follow=True)
    assert "Indiquez la date" in missing.content.decode()


def test_exchange_download_serves_the_exact_bytes(client, make_world, make_member):
    from entsim.services.exchanges import exchange_record

    world = make_world()
    client.force_login(make_member(world))
    content = "<?xml version='1.0' encoding='ISO-8859-15'?><STS_EDT>é</STS_EDT>".encode(
        "iso-8859-15"
    )
    exchange = exchange_record(
        world=world, kind="sts_emp", source="sts", target="edt", filename="x.xml", content=content
    )
    response = client.get(reverse("exchange_download", args=[world.slug, exchange.pk]))
    assert b"".join(response.streaming_content) == content
    assert 'filename="x.xml"' in response["Content-Disposition"]


def test_world_pages_stay_under_twenty_queries(
    client, make_world, make_member, django_assert_max_num_queries
):
    world = make_world()
    client.force_login(make_member(world))
    for name in ("world_home", "world_jobs", "world_exchanges", "sts:landing"):
        with django_assert_max_num_queries(20):
            assert client.get(reverse(name, args=[world.slug])).status_code == 200
