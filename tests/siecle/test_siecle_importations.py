"""Importations: dossiers depuis affectation (B3) and depuis autre EPLE (B4)."""

from __future__ import annotations

import datetime as dt

import pytest

from entsim import nomenclatures as nom
from entsim import registry
from entsim.generator import build
from entsim.models import CalendarEvent, Schooling
from entsim.services.worlds import world_create
from siecle import academie, selectors, services
from siecle.models import DossierEntrant, Eleve, Personne, Scolarite
from siecle.services import SiecleError
from tests.siecle.siecle_world import choose_year, college, run_event, url

pytestmark = pytest.mark.django_db


def test_affectation_results_arrive_with_the_calendar_and_are_received(client, make_member):
    world = college()
    home = world.home.uai
    assert academie._on_affectation_results in registry.event_listeners("affectation_results")
    assert not DossierEntrant.objects.filter(world=world).exists()
    event = run_event(world, CalendarEvent.Kind.AFFECTATION_RESULTS)
    assert event.happened_at is not None
    truth = Schooling.objects.filter(
        world=world, establishment=world.home, school_year=2027, arrival="affectation"
    )
    offers = DossierEntrant.objects.filter(world=world, uai=home, source="affectation")
    assert offers.count() == truth.count() == event.data["eleves"]
    assert set(offers.values_list("ine", flat=True)) == set(
        truth.values_list("pupil__ine", flat=True)
    )
    assert set(offers.values_list("annee", "mef_code", "etat")) == {
        (2027, nom.MEF_6EME, "en_attente")
    }
    assert set(offers.values_list("origine_mef", flat=True)) == {nom.MEF_CM2}
    # the event running twice publishes nothing more
    academie.affectation_publier(world=world, event=event)
    assert offers.count() == truth.count()

    client.force_login(make_member(world))
    choose_year(client, world, 2027)
    page = client.get(url("import_affectation", world)).content.decode()
    assert "Importations - Dossiers depuis affectation" in page
    first = offers.order_by("nom", "prenom", "pk").first()
    assert first.nom in page and first.ine in page
    assert f"{offers.count()} dossiers en attente" in page
    assert "Réceptionner tous les dossiers" in page
    assert (
        client.get(url("tableau_de_bord", world))
        .content.decode()
        .count(f">{offers.count()}</span>")
    )

    eleve_counter_before = Eleve.objects.filter(world=world).order_by("-eleve_id").first().eleve_id
    response = client.post(url("import_affectation", world), {"dossiers": [first.pk]})
    assert response.status_code == 302
    received = Eleve.objects.get(world=world, uai=home, ine=first.ine)
    assert received.origine == Eleve.Origine.AFFECTATION
    assert received.eleve_id > eleve_counter_before
    scolarite = received.scolarites.get()
    assert (scolarite.annee, scolarite.mef_code, scolarite.division) == (2027, nom.MEF_6EME, "")
    assert scolarite.date_entree == dt.date(2027, 9, 1)
    assert received.liens.filter(niveau=1).exists() and received.adresse is not None
    assert received.historique.filter(action="Dossier depuis affectation").exists()

    people_before = Personne.objects.filter(world=world, uai=home).count()
    response = client.post(url("import_affectation", world), {"tous": "1"})
    assert response.status_code == 302
    assert not offers.filter(etat="en_attente").exists()
    arrived = Eleve.objects.filter(world=world, uai=home, origine="affectation")
    assert arrived.count() == truth.count()
    ids = list(Eleve.objects.filter(world=world, uai=home).values_list("eleve_id", flat=True))
    assert len(ids) == len(set(ids))
    # siblings already in the school share their parents: no copy of a known person
    known = set(
        Personne.objects.filter(world=world, uai=home).values_list("personne_id", flat=True)
    )
    assert len(known) == Personne.objects.filter(world=world, uai=home).count()
    assert Personne.objects.filter(world=world, uai=home).count() > people_before
    # nothing left: a clear message, nothing changed
    with pytest.raises(SiecleError, match="Aucun dossier d'affectation en attente"):
        services.dossiers_affectation_receptionner(world=world, annee=2027)


def test_affectation_results_already_past_are_available_at_seeding(monkeypatch):
    monkeypatch.setattr(build, "CLOCK_START", dt.datetime(2027, 7, 1, 8, tzinfo=build.PARIS))
    world = college()
    assert world.now() == dt.datetime(2027, 7, 1, 8, tzinfo=build.PARIS)
    offers = DossierEntrant.objects.filter(world=world, source="affectation", annee=2027)
    assert offers.count() > 100


def test_a_pupil_from_a_neighbour_college_keeps_his_ine_in_the_lycee():
    world = world_create(name="Lycée SIECLE", size="lycee", seed=5)
    run_event(world, CalendarEvent.Kind.AFFECTATION_RESULTS)
    home = world.home.uai
    offers = DossierEntrant.objects.filter(world=world, uai=home, source="affectation")
    from_neighbour = offers.exclude(origine_uai="").first()
    assert from_neighbour is not None and from_neighbour.origine_mef == nom.MEF_3EME
    origin = Eleve.objects.get(world=world, uai=from_neighbour.origine_uai, ine=from_neighbour.ine)
    eleve = services.dossiers_affectation_receptionner(
        world=world, annee=2027, ids=[from_neighbour.pk]
    )[0]
    assert eleve.ine == origin.ine
    assert eleve.eleve_id != origin.eleve_id  # a new ELEVE_ID in this establishment
    assert eleve.scolarites.get().an_dernier_uai == origin.uai


def test_a_neighbour_exports_on_the_calendar_date_and_import_keeps_the_ids(client, make_member):
    world = college()
    home = world.home.uai
    event = run_event(world, CalendarEvent.Kind.PUPIL_FROM_NEIGHBOUR)
    origin_uai = event.data["origine"]
    offer = DossierEntrant.objects.get(world=world, uai=home, source="autre_eple")
    origin = Eleve.objects.get(world=world, uai=origin_uai, ine=event.pupil.ine)
    assert (offer.ine, offer.eleve_id, offer.annee) == (origin.ine, origin.eleve_id, 2027)
    assert offer.date_sortie == dt.date(2027, 9, 17)
    # the origin has entered the exit date
    assert not Scolarite.objects.filter(eleve=origin, date_sortie__isnull=True).exists()

    client.force_login(make_member(world))
    page = client.get(url("import_autre_eple", world)).content.decode()
    assert "Importations - Dossiers depuis autre EPLE" in page
    for column in ("Nom", "Prénom", "Date de naissance", "Établissement d'origine", "Sortie le"):
        assert f">{column}</th>" in page
    assert offer.nom in page and "17/09/2027" in page
    assert f"{origin_uai} {offer.origine_denomination} {offer.origine_commune}" in page
    assert "1 élève trouvé." in page
    assert "IMPORTER" in page and "SUPPRIMER" in page
    assert "il n'a pas été exporté par l'établissement d'origine" in page

    response = client.post(
        url("import_autre_eple", world), {"dossiers": [offer.pk], "action": "importer"}
    )
    assert response.status_code == 302
    imported = Eleve.objects.get(world=world, uai=home, ine=origin.ine)
    assert imported.eleve_id == origin.eleve_id and imported.origine == "autre_eple"
    assert imported.scolarites.get(annee=2027).an_dernier_uai == origin_uai
    assert [lien.personne.nom for lien in imported.liens.all()]
    offer.refresh_from_db()
    assert offer.etat == "importe" and offer.eleve_cree == imported
    assert selectors.duplicates_created_by_hand(world) == []
    page = client.get(url("import_autre_eple", world)).content.decode()
    assert "Aucun élève trouvé." in page


def test_supprimer_removes_the_offer_and_bad_input_changes_nothing(client, make_member):
    world = college()
    run_event(world, CalendarEvent.Kind.PUPIL_FROM_NEIGHBOUR)
    offer = DossierEntrant.objects.get(world=world, source="autre_eple")
    client.force_login(make_member(world))
    response = client.post(url("import_autre_eple", world), {"action": "importer"})
    assert response.status_code == 302
    assert "Cochez au moins un dossier." in client.get(response["Location"]).content.decode()
    response = client.post(
        url("import_autre_eple", world), {"dossiers": ["x"], "action": "importer"}
    )
    assert DossierEntrant.objects.get(pk=offer.pk).etat == "en_attente"
    response = client.post(
        url("import_autre_eple", world), {"dossiers": [offer.pk], "action": "supprimer"}
    )
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.etat == "supprime"
    assert not Eleve.objects.filter(world=world, uai=world.home.uai, ine=offer.ine).exists()
    page = client.get(url("import_autre_eple", world)).content.decode()
    waiting, done = page.split("Derniers dossiers traités")
    assert offer.nom not in waiting and "Aucun élève trouvé." in waiting
    assert f"{offer.nom} {offer.prenom}" in done and "Supprimé le" in done


def test_trainer_has_the_origin_export_a_dossier(client, make_member):
    world = college()
    home = world.home.uai
    expected = academie.eleves_attendus(world=world)
    movers = Schooling.objects.filter(
        world=world, establishment=world.home, arrival="neighbour", school_year=2027
    )
    assert {a.eleve.ine for a in expected} == set(movers.values_list("pupil__ine", flat=True))
    attendu = expected[0]
    assert attendu.origine.uai != home and attendu.annee == 2027

    trainee = make_member(world)
    client.force_login(trainee)
    page = client.get(url("import_autre_eple", world)).content.decode()
    assert "Faire exporter par l'établissement d'origine" not in page
    assert attendu.eleve.nom not in page  # not sent: not listed
    response = client.post(url("faire_exporter", world), {"eleve": attendu.eleve.pk})
    assert response.status_code == 403
    assert not DossierEntrant.objects.filter(world=world).exists()

    client.force_login(make_member(world, role="formateur"))
    choose_year(client, world, 2027)
    page = client.get(url("import_autre_eple", world)).content.decode()
    assert "Faire exporter par l'établissement d'origine" in page and attendu.eleve.nom in page
    response = client.post(url("faire_exporter", world), {"eleve": attendu.eleve.pk})
    assert response.status_code == 302
    offer = DossierEntrant.objects.get(world=world, uai=home, eleve_id=attendu.eleve.eleve_id)
    assert offer.annee == 2027 and offer.date_sortie == dt.date(2027, 7, 4)
    assert attendu.eleve.pk not in [a.eleve.pk for a in academie.eleves_attendus(world=world)]
    # the trainee now sees it
    client.force_login(trainee)
    choose_year(client, world, 2027)
    assert attendu.eleve.nom in client.get(url("import_autre_eple", world)).content.decode()
    # a pupil of another world or of the trainee's own school cannot be exported
    own = Eleve.objects.filter(world=world, uai=home).first()
    client.force_login(make_member(world, role="formateur"))
    assert client.post(url("faire_exporter", world), {"eleve": own.pk}).status_code == 404


def test_neighbours_do_their_own_rentree():
    world = college()
    home = world.home.uai
    assert academie._on_rentree in registry.event_listeners("rentree")
    academie.voisins_rentree(world=world, annee=2027, day=dt.date(2027, 9, 1))
    for uai in selectors.etablissements(world=world):
        scolarites = Scolarite.objects.filter(world=world, uai=uai, annee=2027)
        if uai == home:
            assert not scolarites.exclude(mef_code="").exists()  # the trainee's work
            continue
        truth = Schooling.objects.filter(
            world=world,
            establishment__uai=uai,
            school_year=2027,
            start_date__lte=dt.date(2027, 9, 1),
        )
        assert scolarites.exclude(mef_code="").count() == truth.count()
        assert not Scolarite.objects.filter(
            world=world, uai=uai, annee=2026, date_sortie__isnull=True
        ).exists()
        assert selectors.divisions(world=world, uai=uai, annee=2027)
