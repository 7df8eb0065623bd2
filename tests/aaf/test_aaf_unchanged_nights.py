"""A Delta night when nothing the extraction reads has changed: an empty Delta, the last
snapshot shared, no extraction; any write in SIECLE or STS-web (even a bulk update) is seen."""

from __future__ import annotations

import datetime as dt

import pytest

from aaf import services
from entsim.formats import aaf
from entsim.selectors import world_rows_digest
from siecle.models import Eleve
from sts.models import Teacher
from tests.aaf.test_aaf_extraction import requests_of, saturday_night
from tests.siecle.siecle_world import college

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return college(name="Collège nuits calmes")


def _no_extraction(*args, **kwargs):
    raise AssertionError("extracted although nothing changed")


def test_an_unchanged_night_sends_an_empty_delta_without_extracting(world, monkeypatch):
    complet = services.aaf_run(world=world, at=saturday_night(world))
    monkeypatch.setattr(services, "extract", _no_extraction)
    quiet = services.aaf_run(world=world, at=saturday_night(world) + dt.timedelta(days=1))
    assert quiet.kind == aaf.DELTA and quiet.exchange.kind == "aaf_delta"
    assert requests_of(quiet.exchange) == []
    assert quiet.requests == {}
    assert quiet.snapshot.name == complet.snapshot.name  # the same directory, kept once
    assert (quiet.counts, quiet.left_out, quiet.inputs) == (
        complet.counts,
        complet.left_out,
        complet.inputs,
    )
    assert quiet.exchange.report["entrees"] == complet.exchange.report["entrees"]


def test_a_bulk_write_in_siecle_or_sts_is_extracted_the_next_night(world):
    services.aaf_run(world=world, at=saturday_night(world))
    eleve = Eleve.objects.filter(world=world, ine__gt="").order_by("pk").first()
    Eleve.objects.filter(pk=eleve.pk).update(nom_usage="NOUVEAUNOM")  # no signal, no history
    sunday = services.aaf_run(world=world, at=saturday_night(world) + dt.timedelta(days=1))
    changed = [r for r in requests_of(sunday.exchange) if isinstance(r, aaf.ModifyRequest)]
    assert [(r.category, [m.values for m in r.modifications]) for r in changed] == [
        (aaf.ELEVE, [("NOUVEAUNOM",)])
    ]
    teacher = Teacher.objects.filter(world=world).order_by("pk").first()
    Teacher.objects.filter(pk=teacher.pk).update(prenom="Nouveauprénom")
    monday = services.aaf_run(world=world, at=saturday_night(world) + dt.timedelta(days=2))
    changed = [r for r in requests_of(monday.exchange) if isinstance(r, aaf.ModifyRequest)]
    assert [(r.category, [m.values for m in r.modifications]) for r in changed] == [
        (aaf.PERS_EDUC_NAT, [("Nouveauprénom",)])
    ]


def test_the_digest_follows_every_row_and_the_year(world):
    before = world_rows_digest(world=world, app_label="siecle")
    assert world_rows_digest(world=world, app_label="siecle") == before
    eleve = Eleve.objects.filter(world=world).order_by("pk").first()
    Eleve.objects.filter(pk=eleve.pk).update(prenom2="Zoé")
    assert world_rows_digest(world=world, app_label="siecle") != before
    annee = world.school_year()
    assert services.sources_digest(world=world, annee=annee) != services.sources_digest(
        world=world, annee=annee + 1
    )
