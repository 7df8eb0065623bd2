"""B10: enrolling pupils in groups directly in SIECLE (fiche, tab Groupes; Saisie en masse)."""

from __future__ import annotations

import pytest

from siecle import groupes
from siecle.models import EleveGroupe, Historique, Scolarite, Structure
from siecle.services import SiecleError
from tests.siecle.siecle_world import college, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = college(name="Groupes SIECLE")
    for code in ("G_ESP", "G_LAT"):
        Structure.objects.create(
            world=world, uai=world.home.uai, annee=world.school_year(), type="G", code=code
        )
    return world


def scolarites(world, n):
    return list(
        Scolarite.objects.filter(
            world=world, uai=world.home.uai, annee=world.school_year(), date_sortie__isnull=True
        )
        .select_related("eleve")
        .order_by("pk")[:n]
    )


def test_fiche_enrol_and_remove(world, client, make_member):
    client.force_login(make_member(world))
    (scolarite,) = scolarites(world, 1)
    eleve = scolarite.eleve
    page = client.get(url("fiche_onglet", world, eleve.pk, "groupes")).content.decode()
    assert "G_ESP" in page and "Inscrire" in page
    response = client.post(url("groupe_ajouter", world, eleve.pk), {"groupe": "G_ESP"})
    assert response.status_code == 302
    link = EleveGroupe.objects.get(scolarite=scolarite)
    assert (link.groupe, link.source) == ("G_ESP", "siecle")
    assert Historique.objects.filter(eleve=eleve, detail__contains="G_ESP").exists()
    page = client.get(response["Location"]).content.decode()
    assert "Saisie dans SIECLE" in page
    # an unknown group is refused, nothing changes
    response = client.post(url("groupe_ajouter", world, eleve.pk), {"groupe": "NOPE"})
    assert response.status_code == 400
    assert EleveGroupe.objects.filter(scolarite=scolarite).count() == 1
    response = client.post(url("groupe_retirer", world, eleve.pk, link.pk))
    assert response.status_code == 302
    assert not EleveGroupe.objects.filter(scolarite=scolarite).exists()


def test_service_refuses_twice_and_unknown(world):
    (scolarite,) = scolarites(world, 1)
    groupes.groupe_inscrire(world=world, scolarite=scolarite, code="G_LAT")
    with pytest.raises(SiecleError, match="déjà inscrit"):
        groupes.groupe_inscrire(world=world, scolarite=scolarite, code="G_LAT")
    with pytest.raises(SiecleError, match="n'existe pas"):
        groupes.groupe_inscrire(world=world, scolarite=scolarite, code="XX")


def test_saisie_en_masse_enrols_the_ticked_pupils(world, client, make_member):
    client.force_login(make_member(world))
    chosen = scolarites(world, 3)
    groupes.groupe_inscrire(world=world, scolarite=chosen[0], code="G_ESP")
    response = client.post(
        url("saisie_en_masse", world),
        {"eleves": [s.pk for s in chosen], "groupe": "G_ESP"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert EleveGroupe.objects.filter(scolarite__in=chosen, groupe="G_ESP").count() == 3
    page = client.get(response["Location"]).content.decode()
    assert "2 inscription(s) dans le groupe G_ESP" in page
