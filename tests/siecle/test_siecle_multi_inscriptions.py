"""The SIECLE night batch and the académie's multi-inscription signals (B12)."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from entsim import nomenclatures as nom
from entsim import registry, timeline
from entsim.models import Job
from entsim.selectors import world_report
from entsim.services.clock import clock_pass_night
from entsim.services.jobs import job_execute
from siecle import night, selectors, services
from siecle.models import Scolarite, Signalement
from tests.siecle.siecle_world import college, url

pytestmark = pytest.mark.django_db


def pass_night(world) -> Job:
    """'Passer la nuit' and run SIECLE's batch of that night (the unit tests have no worker)."""
    clock_pass_night(world=world)
    job = Job.objects.get(world=world, kind="siecle.night_batch", state="pending")
    assert timeline.local(job.due_at).time() == dt.time(1, 0)
    done = job_execute(job_id=job.pk)
    assert done.state == Job.State.DONE, done.error
    world.refresh_from_db()
    return done


def test_night_batch_is_registered_and_dispatches_its_steps_in_order(make_world):
    kind = registry.job_kind("siecle.night_batch")
    assert kind is not None and kind.system == "siecle"
    assert kind.handler is night.night_batch_run
    calls = []

    def first(*, world, now):
        calls.append(("liens", now))
        return {"complets": 0}

    night.night_step_register(order=10, name="test_liens", label="Liens élève-groupe", run=first)
    try:
        world = make_world()
        job = pass_night(world)
        assert list(job.report) == [
            "Import des liens élève-groupe (ELEGROUPE)",  # the real step (order 10)
            "Liens élève-groupe",
            "Signalements de multi-inscription",
        ]
        assert job.report["Import des liens élève-groupe (ELEGROUPE)"] == {}  # nothing deposited
        assert calls == [("liens", job.due_at)]
        assert job.report["Signalements de multi-inscription"] == {
            "eleves": 0,
            "signalements": 0,
        }
    finally:
        night._steps.pop("test_liens")


def test_multi_inscription_raised_at_night_shown_and_cleared_after_descolarisation(
    client, make_member
):
    world = college()
    home = world.home.uai
    eleve = services.multi_inscription_planter(world=world)
    assert not Signalement.objects.filter(world=world).exists()  # only the night sees it
    origin = (
        Scolarite.objects.filter(world=world, annee=2026, eleve__ine=eleve.ine)
        .exclude(uai=home)
        .get()
    )
    job = pass_night(world)
    assert job.report["Signalements de multi-inscription"] == {"eleves": 1, "signalements": 2}
    signal = Signalement.objects.get(world=world, uai=home)
    ours = eleve.scolarites.get(annee=2026)
    base = selectors.etablissements(world=world)[origin.uai]
    assert signal.texte == (
        f"L'élève {eleve.prenom} {eleve.nom} scolarisé en {nom_mef(ours.mef_code)}, division "
        f"{ours.division}, a une autre scolarité active : en {nom_mef(origin.mef_code)}, "
        f"division {origin.division}, établissement {origin.uai} {base.denomination} à "
        f"{base.commune}. Vérifiez sa présence effective."
    )
    assert Signalement.objects.filter(world=world, uai=origin.uai, ine=eleve.ine).exists()
    assert world_report(world=world)["systemes"]["siecle"]["signalements"] == 1

    client.force_login(make_member(world))
    page = client.get(url("tableau_de_bord", world)).content.decode()
    assert "Signalements académiques" in page and "1 Multi-inscription" in page
    page = client.get(url("signalements", world)).content.decode()
    assert "Multi-inscriptions" in page and "Vérifiez sa présence effective." in page
    assert "FERMER" in page
    assert url("fiche_onglet", world, eleve.pk, "scolarite") in page

    # the school where the pupil is not present déscolarise him (date de sortie)
    response = client.post(
        url("scolarite_modifier", world, eleve.pk),
        {
            "mef_code": ours.mef_code,
            "division": ours.division,
            "date_entree": ours.date_entree.isoformat(),
            "date_sortie": "2027-06-15",
        },
    )
    assert response.status_code == 302
    assert Signalement.objects.filter(world=world, uai=home).exists()  # until the night
    job = pass_night(world)
    assert job.report["Signalements de multi-inscription"] == {"eleves": 0, "signalements": 0}
    assert not Signalement.objects.filter(world=world).exists()
    page = client.get(url("tableau_de_bord", world)).content.decode()
    assert "aucun signalement." in page


def nom_mef(code: str) -> str:
    return nom.MEFS[code].libelle_long


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_night_batch_runs_on_a_real_worker(celery_worker):
    world = college(name="Collège nuit")
    services.multi_inscription_planter(world=world)
    ids = clock_pass_night(world=world)
    deadline = time.monotonic() + 90
    while Job.objects.filter(pk__in=ids, state__in=["pending", "running"]).exists():
        assert time.monotonic() < deadline, "the worker did not finish in time"
        time.sleep(0.2)
    job = Job.objects.get(pk__in=ids, kind="siecle.night_batch")
    assert job.state == Job.State.DONE, job.error
    assert job.finished_sim_at == job.due_at
    assert Signalement.objects.filter(world=world, uai=world.home.uai).count() == 1
