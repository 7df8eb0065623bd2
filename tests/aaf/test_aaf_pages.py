"""The AAF pages (read only): runs, counts, persons left out, files."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aaf import services
from siecle.services import multi_inscription_planter
from tests.siecle.siecle_world import college

pytestmark = pytest.mark.django_db


def test_runs_listed_with_counts_left_out_and_files(client, make_member):
    world = college(name="Collège AAF pages")
    client.force_login(make_member(world))
    empty = client.get(reverse("aaf:landing", args=[world.slug]))
    assert empty.status_code == 200 and "Aucune extraction" in empty.content.decode()
    eleve = multi_inscription_planter(world=world)
    run = services.aaf_run(world=world, at=world.now())
    page = client.get(reverse("aaf:landing", args=[world.slug])).content.decode()
    assert run.exchange.filename in page and str(run.counts["Eleve"]) in page
    detail = client.get(reverse("aaf:run", args=[world.slug, run.pk]))
    text = detail.content.decode()
    assert detail.status_code == 200
    assert eleve.nom in text and "Multi-inscription" in text
    assert reverse("exchange_download", args=[world.slug, run.exchange.pk]) in text
    snapshot = client.get(reverse("aaf:snapshot", args=[world.slug, run.pk]))
    assert snapshot.status_code == 200 and snapshot["Content-Type"] == "application/zip"
    assert b"".join(snapshot.streaming_content)[:2] == b"PK"
    other = college(name="Autre monde AAF", seed=12)
    assert client.get(reverse("aaf:run", args=[other.slug, run.pk])).status_code in (403, 404)
