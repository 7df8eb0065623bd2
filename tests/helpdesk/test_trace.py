"""T6 The help desk trace: a person followed STS-web → SIECLE → AAF → ENT, where they stop,
why, and the guide section; the command and the page."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse

from entsim import timeline
from helpdesk import trace as tr
from helpdesk.people import PersonAmbiguous, PersonNotFound, person_find
from helpdesk.trace import trace_compute
from siecle import selectors as siecle_selectors
from siecle.services import multi_inscription_planter
from sts import selectors as sts_selectors
from sts import services as sts_services
from tests.siecle.siecle_world import advance, college, member, shared_college

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def media_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _isolated_files(settings, media_dir):
    """The module's world keeps its files (AAF snapshots, exports) for every test."""
    settings.MEDIA_ROOT = media_dir


def _teacher_with_services(world):
    year = sts_selectors.context_for(world=world).current
    for teacher in sts_selectors.teachers_of_year(year=year).filter(fonction="ENS"):
        rows = sts_selectors.teacher_assignments(year=year, teacher=teacher)
        if rows:
            return year, teacher, rows
    raise AssertionError("no teacher with services")


@pytest.fixture(scope="module")
def chain(django_db_setup, django_db_blocker, media_dir):
    """A collège after one pass of the chain: a planted multi-inscription, a teacher whose
    services were deleted, structure and services exported, the night run (AAF at 20:00,
    ENT at 03:00)."""
    with override_settings(MEDIA_ROOT=media_dir):
        for world in shared_college(django_db_blocker, seed=12):
            with django_db_blocker.unblock():
                multi = multi_inscription_planter(world=world)
                year, teacher, rows = _teacher_with_services(world)
                sts_services.services_delete(
                    world=world,
                    year=year,
                    service_ids=sorted({row.assignment.service_id for row in rows}),
                )
                sts_services.structure_export(world=world, year=year)
                sts_services.services_export(world=world, year=year)
                advance(world, timeline.next_morning(world.now()))
            yield {"world": world, "multi": multi, "teacher": teacher}


def _plain_pupil(world, multi):
    uai = world.home.uai
    for actif in siecle_selectors.eleves_actifs(world=world, uai=uai, annee=world.school_year()):
        if actif.eleve.ine and actif.eleve.ine != multi.ine and actif.scolarite.division:
            return actif.eleve
    raise AssertionError("no pupil")


def test_pupil_present_everywhere_after_the_chain(chain):
    world = chain["world"]
    eleve = _plain_pupil(world, chain["multi"])
    person = person_find(world=world, query=eleve.ine)
    assert (person.kind, person.eleve_id) == ("eleve", eleve.eleve_id)
    trace = trace_compute(world=world, person=person)
    assert [hop.system for hop in trace.hops] == ["sts", "siecle", "aaf", "ent"]
    assert trace.break_hop is None, trace.conclusion
    aaf_hop, ent_hop = trace.hops[2], trace.hops[3]
    division = siecle_selectors.scolarite_of(eleve=eleve, annee=world.school_year()).division
    assert aaf_hop.state == tr.OK and f"Classes : {division}." in aaf_hop.holds
    assert aaf_hop.changed_label.startswith("extraction") and aaf_hop.changed_at is not None
    assert ent_hop.state == tr.OK and f"Classes : {division}." in ent_hop.holds
    assert any("Actif" in line for line in ent_hop.holds)
    # The same pupil by name, accents and case aside, and by ENT login and AAF jointure.
    login = next(line for line in ent_hop.holds if line.startswith("Compte")).split("« ")[1]
    login = login.split(" »")[0]
    assert person_find(world=world, query=login) == person
    jointure = next(line for line in aaf_hop.holds if line.startswith("Identifiant de jointure"))
    assert person_find(world=world, query=f"aaf:{jointure.split()[3]}") == person
    by_name = person_find(world=world, query=f"{eleve.nom.lower()} {eleve.prenom.upper()}")
    assert by_name == person


def test_multi_inscribed_pupil_stops_between_siecle_and_aaf(chain):
    world, multi = chain["world"], chain["multi"]
    trace = trace_compute(world=world, person=person_find(world=world, query=multi.ine))
    assert trace.person.uai == world.home.uai  # the trainee's dossier, not the neighbour's
    siecle_hop, aaf_hop = trace.hops[1], trace.hops[2]
    assert siecle_hop.state in (tr.OK, tr.REMARQUE)
    assert any("Multi-inscription" in line for line in siecle_hop.holds)  # the night's signal
    assert trace.break_hop is aaf_hop and aaf_hop.state == tr.ROMPU
    assert "Multi-inscription" in aaf_hop.reason and "déscolariser" in aaf_hop.reason
    assert aaf_hop.guide == "2.13" and aaf_hop.guide_label.startswith("2.13 Doublons")
    assert trace.break_link == "SIECLE Base élèves → Annuaire académique (AAF)"
    assert trace.hops[3].state == tr.NON_ATTEINT


def test_teacher_without_services_stops_at_sts(chain):
    world, teacher = chain["world"], chain["teacher"]
    trace = trace_compute(world=world, person=person_find(world=world, query=str(teacher.sts_id)))
    sts_hop = trace.hops[0]
    assert trace.break_hop is sts_hop and sts_hop.state == tr.ROMPU
    assert "Aucun service" in sts_hop.reason and sts_hop.guide.startswith("3.1")
    assert "Services : aucun." in sts_hop.holds
    # The AAF still sends the teacher, without a class: the ENT account has none.
    assert trace.hops[2].state == tr.OK and "Classes : aucune." in trace.hops[3].holds


def test_pupil_before_the_aaf_run_waits_at_the_aaf():
    world = college(name="Collège avant AAF", seed=13)
    eleve = siecle_selectors.eleves_actifs(
        world=world, uai=world.home.uai, annee=world.school_year()
    )[0].eleve
    trace = trace_compute(world=world, person=person_find(world=world, query=eleve.ine))
    aaf_hop = trace.hops[2]
    assert trace.break_hop is aaf_hop and aaf_hop.state == tr.EN_ATTENTE
    assert aaf_hop.state_label == "En attente" and "20:00" in aaf_hop.reason
    assert trace.hops[3].state == tr.NON_ATTEINT


def test_unknown_and_ambiguous_persons(chain):
    world = chain["world"]
    with pytest.raises(PersonNotFound, match="Personne introuvable dans ce monde : « ZZZZZZ »"):
        person_find(world=world, query="ZZZZZZ")
    with pytest.raises(PersonNotFound, match="Aucune personne indiquée"):
        person_find(world=world, query="   ")
    eleve = _plain_pupil(world, chain["multi"])
    with pytest.raises(PersonAmbiguous) as ambiguous:
        person_find(world=world, query=eleve.nom[:2])
    assert "précisez" in ambiguous.value.message and len(ambiguous.value.candidates) > 1


def run(*args) -> str:
    out = io.StringIO()
    call_command("trace", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_command_text_json_and_refusals(chain):
    world, multi = chain["world"], chain["multi"]
    out = run(world.name, multi.ine)
    for line in (
        "1. STS-web",
        "2. SIECLE Base élèves",
        "3. Annuaire académique (AAF) : Chaîne rompue",
        "4. ENT : Non atteint",
        "Section du guide : 2.13",
    ):
        assert line in out, line
    data = json.loads(run(world.name, multi.ine, "--json"))
    assert data["personne"]["reference"] == multi.ine
    assert [step["systeme"] for step in data["etapes"]] == [
        "STS-web",
        "SIECLE Base élèves",
        "Annuaire académique (AAF)",
        "ENT",
    ]
    assert data["rupture"]["systeme"] == "Annuaire académique (AAF)"
    assert data["rupture"]["guide"].startswith("2.13")
    with pytest.raises(CommandError, match="Monde introuvable") as refused:
        run("Monde qui n'existe pas", multi.ine)
    assert refused.value.returncode == 2
    with pytest.raises(CommandError, match="Personne introuvable") as refused:
        run(world.name, "ZZZZZZ")
    assert refused.value.returncode == 2


def test_page_for_members_only(chain, client, django_user_model):
    world, multi = chain["world"], chain["multi"]
    path = reverse("helpdesk:trace", args=[world.slug])
    outsider = django_user_model.objects.create_user(username="etranger", password="x-x-x-x-x")
    client.force_login(outsider)
    assert client.get(path, {"q": multi.ine}).status_code == 404
    client.force_login(member(world))
    page = client.get(path).content.decode()
    assert 'role="search"' in page and "Tracer" in page
    page = client.get(path, {"q": multi.ine}).content.decode()
    assert "La chaîne s'arrête à : SIECLE Base élèves → Annuaire académique (AAF)" in page
    assert page.count('class="fr-card fr-card--no-arrow"') == 4
    assert "2.13 Doublons et multi-inscriptions" in page
    page = client.get(path, {"q": "ZZZZZZ"}).content.decode()
    assert "Personne introuvable dans ce monde" in page
    page = client.get(path, {"q": multi.nom[:2]}).content.decode()
    assert "personnes correspondent" in page and "?q=" in page
