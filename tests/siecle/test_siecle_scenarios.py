"""Scenarios of the guide, played through the pages as a trainee would (2.13, 3.2).

The multi-inscription scenario (raised at night, cleared the night after the déscolarisation)
is in test_siecle_multi_inscriptions.py.
"""

from __future__ import annotations

import pytest

from entsim.models import CalendarEvent, Job
from entsim.services.clock import clock_pass_night
from entsim.services.jobs import job_execute
from siecle import selectors
from siecle.models import DossierEntrant, Eleve, Personne, Signalement
from tests.siecle.siecle_world import college, run_event, url
from tests.siecle.test_siecle_fiche import sts_structure_2027

pytestmark = pytest.mark.django_db


def night(world) -> None:
    clock_pass_night(world=world)
    for job in Job.objects.filter(world=world, kind="siecle.night_batch", state="pending"):
        assert job_execute(job_id=job.pk).state == Job.State.DONE


def test_pupil_from_a_neighbour_imported_is_no_duplicate(client, make_member):
    world = college()
    home = world.home.uai
    sts_structure_2027(world)
    event = run_event(world, CalendarEvent.Kind.PUPIL_FROM_NEIGHBOUR)
    pupil = event.pupil
    client.force_login(make_member(world))
    # the trainee searches first: not in the base...
    page = client.get(
        url("recherche", world, rechercher=1, nom=pupil.last_name, prenom=pupil.first_name)
    ).content.decode()
    assert "Aucun élève trouvé." in page
    # ... so looks in Importations > Dossiers depuis autre EPLE, and imports him
    page = client.get(url("import_autre_eple", world)).content.decode()
    offer = DossierEntrant.objects.get(world=world, uai=home, ine=pupil.ine)
    assert pupil.last_name in page
    client.post(url("import_autre_eple", world), {"dossiers": [offer.pk], "action": "importer"})
    eleve = Eleve.objects.get(world=world, uai=home, ine=pupil.ine)
    mef = event.data["mef"]
    division = next(
        d.code for d in selectors.divisions(world=world, uai=home, annee=2027) if d.mefs == [mef]
    )
    target = {"mef_code": mef, "division": division}
    assert client.post(url("scolarite_modifier", world, eleve.pk), target).status_code == 302
    night(world)
    assert selectors.duplicates_created_by_hand(world) == []
    assert not Signalement.objects.filter(world=world).exists()
    actifs = [a for a in selectors.eleves_actifs(world=world, uai=home, annee=2027)]
    assert [a.eleve.ine for a in actifs] == [pupil.ine]
    assert actifs[0].liens and actifs[0].scolarite.division == target["division"]
    page = client.get(
        url("recherche", world, rechercher=1, nom=pupil.last_name, prenom=pupil.first_name)
    ).content.decode()
    assert "1 élève trouvé." in page


def test_the_same_pupil_created_by_hand_is_a_duplicate(client, make_member):
    world = college()
    event = run_event(world, CalendarEvent.Kind.PUPIL_FROM_NEIGHBOUR)
    pupil = event.pupil
    client.force_login(make_member(world))
    # the search answers nobody: the trainee clicks [+] instead of importing
    page = client.get(
        url("recherche", world, rechercher=1, nom=pupil.last_name, prenom=pupil.first_name)
    ).content.decode()
    assert "Aucun élève trouvé. Modifier vos critères de recherche." in page
    creation = url("eleve_creer", world, nom=pupil.last_name, prenom=pupil.first_name)
    assert client.get(creation).status_code == 200
    data = {
        "nom": pupil.last_name,
        "prenom": pupil.first_name,
        "sexe": pupil.sex,
        "date_naissance": pupil.birth_date.isoformat(),
        "code_pays_naiss": "100",
        "code_commune_insee_naiss": pupil.birth_commune_insee,
        "code_pays_nat": "100",
        "code_regime": "0",
    }
    response = client.post(url("eleve_creer", world), data)
    assert response.status_code == 302  # it works, as in reality...
    duplicates = selectors.duplicates_created_by_hand(world)
    assert [(d.eleve.nom, d.eleve.prenom) for d in duplicates] == [
        (pupil.last_name, pupil.first_name)
    ]  # ... and the training checks find the duplicate
    assert duplicates[0].eleve.ine == "" and duplicates[0].eleve.eleve_id != pupil.pk
    # the dossier the school of origin sent is still waiting in Importations
    assert DossierEntrant.objects.get(world=world, ine=pupil.ine).etat == "en_attente"


def test_a_duplicate_responsable_is_merged(client, make_member):
    world = college()
    home = world.home.uai
    client.force_login(make_member(world))
    page = client.get(url("doublons", world, chercher=1)).content.decode()
    group = next(
        g
        for g in selectors.doublons_responsables(world=world, uai=home)
        if all(g.eleves[p.pk] for p in g.personnes)
    )
    kept, deleted = group.personnes
    assert deleted.adresse.une_ligne in page and kept.adresse.une_ligne in page
    pupils = {e.pk for p in group.personnes for e in group.eleves[p.pk]}
    old, gone = kept.compte_ts, deleted.compte_ts
    response = client.post(
        url("doublons_modifier", world), {"supprimer": deleted.pk, "remplacer": kept.pk}
    )
    assert response.status_code == 302
    kept.refresh_from_db()
    assert set(kept.liens.values_list("eleve", flat=True)) == pupils  # siblings share him
    prefix = old.rstrip("0123456789")
    assert kept.compte_ts == f"{prefix}{int(gone[len(prefix) :]) + 1}"
    assert not Personne.objects.filter(world=world, compte_ts__in=[old, gone]).exists()
    assert not kept.compte_ts_utilise
    page = client.get(url("doublons", world, chercher=1)).content.decode()
    assert page.count("2 responsables trouvés.") == 1
