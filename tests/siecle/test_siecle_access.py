"""Isolation between worlds and establishments, roles, POST + CSRF on every write."""

from __future__ import annotations

import pytest
from django.test import Client

from siecle.models import Eleve, LienResponsable, OptionEleve, Personne
from tests.siecle.siecle_world import PASSWORD, college, url

pytestmark = pytest.mark.django_db


def write_urls(world, eleve, lien, option) -> list[str]:
    return [
        url("eleve_creer", world, nom="INCONNU"),
        url("identite_modifier", world, eleve.pk),
        url("adresse_modifier", world, eleve.pk),
        url("scolarite_modifier", world, eleve.pk),
        url("option_ajouter", world, eleve.pk),
        url("option_retirer", world, eleve.pk, option.pk),
        url("responsable_rattacher", world, eleve.pk),
        url("responsable_creer", world, eleve.pk),
        url("lien_modifier", world, eleve.pk, lien.pk),
        url("lien_supprimer", world, eleve.pk, lien.pk),
        url("doublons_modifier", world),
        url("affectation_eleve", world, eleve.pk),
        url("saisie_en_masse", world),
        url("import_affectation", world),
        url("import_autre_eple", world),
        url("faire_exporter", world),
    ]


def test_other_worlds_and_other_schools_do_not_exist(client, make_member):
    mine = college("Monde A", seed=11)
    theirs = college("Monde B", seed=12)
    client.force_login(make_member(mine, role="formateur"))
    foreign = Eleve.objects.filter(world=theirs, uai=theirs.home.uai).first()
    neighbour = Eleve.objects.filter(world=mine).exclude(uai=mine.home.uai).first()
    own = Eleve.objects.filter(world=mine, uai=mine.home.uai).first()
    for pk in (foreign.pk, neighbour.pk):
        for onglet in ("identite", "scolarite", "responsables"):
            assert client.get(url("fiche_onglet", mine, pk, onglet)).status_code == 404
        assert client.post(url("scolarite_modifier", mine, pk), {}).status_code == 404
        assert client.post(url("option_ajouter", mine, pk), {}).status_code == 404
    # another world's URL does not exist for this user
    assert client.get(url("tableau_de_bord", theirs)).status_code == 404
    assert client.get(url("fiche_onglet", theirs, foreign.pk, "identite")).status_code == 404
    # a link, an option, a person of another pupil or world cannot be reached through a fiche
    alien_link = LienResponsable.objects.filter(world=theirs).first()
    assert client.post(url("lien_supprimer", mine, own.pk, alien_link.pk)).status_code == 404
    alien_option = OptionEleve.objects.filter(world=theirs).first()
    assert client.post(url("option_retirer", mine, own.pk, alien_option.pk)).status_code == 404
    alien_person = Personne.objects.filter(world=theirs).first()
    response = client.post(
        url("responsable_rattacher", mine, own.pk), {"personne": alien_person.pk}
    )
    assert response.status_code == 404
    response = client.post(
        url("doublons_modifier", mine),
        {"supprimer": alien_person.pk, "remplacer": alien_person.pk + 1},
    )
    assert response.status_code == 404
    assert Personne.objects.filter(pk=alien_person.pk).exists()


def test_help_desk_may_read_but_not_write(client, make_member):
    world = college()
    eleve = Eleve.objects.filter(world=world, uai=world.home.uai).first()
    lien = eleve.liens.first()
    option = OptionEleve.objects.filter(scolarite__eleve=eleve).first()
    client.force_login(make_member(world, role="assistance"))
    for read in (
        "tableau_de_bord",
        "recherche",
        "doublons",
        "affectation",
        "saisie_en_masse",
        "exploitation",
        "fiches_bloquantes",
        "remontee_sysca",
        "importations",
        "import_affectation",
        "import_autre_eple",
        "exportations",
        "signalements",
    ):
        assert client.get(url(read, world)).status_code == 200, read
    for target in write_urls(world, eleve, lien, option):
        assert client.post(target, {}).status_code == 403, target
    assert client.get(url("eleve_creer", world, nom="INCONNU")).status_code == 403
    assert LienResponsable.objects.filter(pk=lien.pk).exists()
    # writes are POST only
    client.force_login(make_member(world))
    assert client.get(url("scolarite_modifier", world, eleve.pk)).status_code == 405
    assert client.get(url("doublons_modifier", world)).status_code == 405


def test_writes_need_the_csrf_token(make_member):
    world = college()
    eleve = Eleve.objects.filter(world=world, uai=world.home.uai).first()
    user = make_member(world)
    strict = Client(enforce_csrf_checks=True)
    assert strict.login(username=user.username, password=PASSWORD)
    response = strict.post(url("scolarite_modifier", world, eleve.pk), {"mef_code": ""})
    assert response.status_code == 403
    page = strict.get(url("fiche_onglet", world, eleve.pk, "scolarite")).content.decode()
    assert 'name="csrfmiddlewaretoken"' in page
