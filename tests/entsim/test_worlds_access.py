"""Isolation: a user of world A reaches nothing of world B, on every world-scoped URL."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from entsim.models import Exchange
from entsim.services.exchanges import exchange_record


def world_scoped_routes():
    """Every URL name that carries a world, with the other kwargs it needs."""
    found = []

    def walk(patterns, prefix_ns: str, prefix_kwargs: set[str]):
        for entry in patterns:
            names = set(entry.pattern.regex.groupindex) | prefix_kwargs
            if isinstance(entry, URLResolver):
                ns = f"{prefix_ns}{entry.namespace}:" if entry.namespace else prefix_ns
                walk(entry.url_patterns, ns, names)
            elif isinstance(entry, URLPattern) and entry.name and "world_slug" in names:
                found.append((prefix_ns + entry.name, sorted(names)))

    walk(get_resolver().url_patterns, "", set())
    return found


ROUTES = world_scoped_routes()


def test_routes_are_found():
    names = {name for name, _ in ROUTES}
    assert {"world_home", "world_clock", "exchange_download", "sts:landing", "ent:landing"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kwargs"), ROUTES, ids=[name for name, _ in ROUTES])
def test_other_world_is_404(client, make_world, make_member, name, kwargs):
    world_a = make_world("Monde A")
    world_b = make_world("Monde B", uai="0130002F")
    user_a = make_member(world_a, role="formateur")
    exchange_b = exchange_record(
        world=world_b,
        kind="essai",
        source="sts",
        target="siecle",
        filename="b.xml",
        content=b"<b/>",
    )
    exchange_a = exchange_record(
        world=world_a,
        kind="essai",
        source="sts",
        target="siecle",
        filename="a.xml",
        content=b"<a/>",
    )
    client.force_login(user_a)
    # Any other id in the URL: a value; the world check answers before the view looks it up.
    values = {key: 1 for key in kwargs} | {"world_slug": world_b.slug, "pk": exchange_b.pk}
    url_b = reverse(name, kwargs={key: values[key] for key in kwargs})
    assert client.get(url_b).status_code == 404
    assert client.post(url_b, {"action": "nuit"}).status_code == 404
    if set(kwargs) == {"world_slug"} or name == "exchange_download":
        # The same route in their own world answers: the 404 above is the isolation.
        own = {"world_slug": world_a.slug, "pk": exchange_a.pk}
        response = client.get(reverse(name, kwargs={k: own[k] for k in kwargs}))
        assert response.status_code in (200, 302, 405)
    if name == "exchange_download":
        cross = reverse(name, kwargs={"world_slug": world_a.slug, "pk": exchange_b.pk})
        assert client.get(cross).status_code == 404
    world_b.refresh_from_db()
    assert world_b.sim_anchor == world_b.scheduled_until  # B's clock untouched
    assert Exchange.objects.filter(world=world_b).count() == 1


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, make_world):
    world = make_world()
    response = client.get(reverse("world_home", args=[world.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_home_lists_only_own_worlds(client, make_world, make_member):
    world_a = make_world("Monde A")
    make_world("Monde B", uai="0130002F")
    world_c = make_world("Monde C", uai="0130003G")
    user = make_member(world_a)
    from entsim.models import WorldMember

    WorldMember.objects.create(world=world_c, user=user, role="stagiaire")
    client.force_login(user)
    page = client.get(reverse("home")).content.decode()
    assert "Monde A" in page and "Monde C" in page
    assert "Monde B" not in page
