"""Création intégrale only through the search (B5), and the duplicates it makes (2.13)."""

from __future__ import annotations

import datetime as dt

import pytest

from entsim.models import CalendarEvent, Pupil
from siecle import selectors, services
from siecle.models import DossierEntrant, Eleve
from siecle.services import SiecleError
from tests.siecle.siecle_world import college, run_event, url

pytestmark = pytest.mark.django_db


def identity(**extra) -> dict:
    data = {
        "nom": "Ducobu",
        "nom_usage": "",
        "prenom": "Léonie",
        "prenom2": "",
        "prenom3": "",
        "sexe": "2",
        "date_naissance": "2014-03-02",
        "code_pays_naiss": "100",
        "code_commune_insee_naiss": "06088",
        "ville_naiss": "",
        "code_pays_nat": "100",
        "code_regime": "2",
        "ine": "",
        "mef_code": "10210001110",
        "division": "4A",
        "date_entree": "",
    }
    data.update(extra)
    return data


def test_creation_only_after_a_search_that_found_nobody(client, make_member):
    world = college()
    home = world.home.uai
    client.force_login(make_member(world))
    response = client.get(url("eleve_creer", world))
    assert response.status_code == 302 and response["Location"] == url("recherche", world)
    known = Eleve.objects.filter(world=world, uai=home).order_by("eleve_id").first()
    response = client.get(url("eleve_creer", world, nom=known.nom, prenom=known.prenom))
    assert response.status_code == 302
    assert (
        "La recherche trouve déjà un élève de ce nom"
        in client.get(response["Location"]).content.decode()
    )

    page = client.get(url("eleve_creer", world, nom="DUCOBU")).content.decode()
    assert "Fiches élèves - Création intégrale" in page
    assert "provient d'une autre académie, de l'étranger" in page
    assert 'value="DUCOBU"' in page

    page = client.post(url("eleve_creer", world), identity(sexe="")).content.decode()
    assert "Ce champ est obligatoire." in page
    page = client.post(url("eleve_creer", world), identity(ine="12AB")).content.decode()
    assert "INE mal formé" in page
    page = client.post(url("eleve_creer", world), identity(ine=known.ine)).content.decode()
    assert f"Un élève de la base porte déjà l&#x27;INE {known.ine}." in page
    page = client.post(url("eleve_creer", world), identity(division="5A")).content.decode()
    assert "n&#x27;accueille pas le MEF" in page
    assert not Eleve.objects.filter(world=world, nom="DUCOBU").exists()

    response = client.post(url("eleve_creer", world), identity())
    assert response.status_code == 302
    eleve = Eleve.objects.get(world=world, uai=home, nom="DUCOBU")
    assert response["Location"] == url("fiche_onglet", world, eleve.pk, "identite")
    assert eleve.origine == Eleve.Origine.SAISIE and eleve.cree_a_la_main
    assert eleve.ville_naiss == "NICE" and eleve.ine == ""
    scolarite = eleve.scolarites.get(annee=2026)
    assert (scolarite.mef_code, scolarite.division) == ("10210001110", "4A")
    assert scolarite.date_entree == dt.date(2027, 6, 14)
    assert eleve.historique.filter(action="Création intégrale du dossier").exists()
    # now the search finds her: no second creation
    response = client.get(url("eleve_creer", world, nom="DUCOBU"))
    assert response.status_code == 302
    # a fiche created without responsable is bloquante until one is added
    assert (
        selectors.fiches_bloquantes(world=world, uai=home, annee=2026).filter(eleve=eleve).exists()
    )


def by_hand(world, pupil: Pupil, annee: int = 2027) -> Eleve:
    return services.eleve_create(
        world=world,
        annee=annee,
        data={
            "nom": pupil.last_name,
            "prenom": pupil.first_name,
            "sexe": pupil.sex,
            "date_naissance": pupil.birth_date,
            "code_pays_naiss": pupil.birth_country,
            "code_commune_insee_naiss": pupil.birth_commune_insee,
        },
    )


def test_duplicates_created_by_hand_are_found():
    world = college()
    assert selectors.duplicates_created_by_hand(world) == []
    # a new 6e of the affectation results, created by hand instead of received
    run_event(world, CalendarEvent.Kind.AFFECTATION_RESULTS)
    offer = DossierEntrant.objects.filter(world=world, source="affectation").order_by("pk")[0]
    affected = by_hand(world, Pupil.objects.get(world=world, ine=offer.ine))
    # the pupil the calendar brings from a neighbour, exported by his school of origin,
    # created by hand instead of imported
    event = run_event(world, CalendarEvent.Kind.PUPIL_FROM_NEIGHBOUR)
    moving = by_hand(world, event.pupil)
    # a pupil really from another académie: created by hand, rightly
    other = CalendarEvent.objects.get(world=world, kind="pupil_from_other_academie").pupil
    rightly = by_hand(world, other)

    duplicates = selectors.duplicates_created_by_hand(world)
    assert [d.eleve for d in duplicates] == [affected, moving]
    assert duplicates[0].connu_dans == ["Dossiers depuis affectation"]
    origin = event.data["origine"]
    places = duplicates[1].connu_dans
    assert any(place.startswith(f"base élèves {origin}") for place in places)
    assert "Dossiers depuis autre EPLE" in places
    assert rightly not in [d.eleve for d in duplicates]
    assert duplicates == selectors.duplicates_created_by_hand(world=world)
    with pytest.raises(SiecleError, match="Le nom de famille est obligatoire"):
        services.eleve_create(world=world, annee=2027, data={"nom": "", "prenom": "X"})
