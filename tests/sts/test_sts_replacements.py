"""S7 REP (Services et ARE - Changement de support) and S8 SUP (Services suppléants - Saisie
rapide), guide 3.1: the newcomer arrives with the world's calendar, gets the absent teacher's
services, and holds them in STS-web and in the files sent to SIECLE."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from entsim import registry, timeline
from entsim.formats import sts_emp
from entsim.services.clock import clock_advance
from entsim.services.exchanges import exchange_content
from sts import selectors, services
from sts.models import SchoolYear, ServiceTeacher, Teacher
from sts.services import StsError
from tests.sts.sts_helpers import edt_file_from_truth, fresh, module_world, run_calendar, sts_counts

pytestmark = pytest.mark.django_db

college = module_world("Collège remplacements STS", "college", 8)


def url(world, name, **params):
    path = reverse(f"sts:{name}", args=[world.slug])
    if params:
        from urllib.parse import urlencode

        path += "?" + urlencode(params)
    return path


@pytest.fixture
def world(college):
    return fresh(college)


@pytest.fixture
def rentree(world):
    """Bascule, timetable imported from the EDT software, then the rentrée: 2027 in progress."""
    context = selectors.context_for(world=world)
    services.year_bascule(world=world, establishment=context.establishment)
    services.edt_deposit(
        world=world, filename="emp_sts.xml", content=edt_file_from_truth(world, 2027)
    )
    run_calendar(world, "rentree")
    year = selectors.context_for(world=world).current
    assert year.year == 2027
    return year


@pytest.fixture
def trainee(client, world, make_member):
    client.force_login(make_member(world, role="stagiaire"))
    return client


def services_file(world, year) -> sts_emp.StsEmp:
    export = services.services_export(world=world, year=year)
    return sts_emp.read(exchange_content(exchange=export.exchange))


def teachers_of(doc: sts_emp.StsEmp) -> dict[tuple[str, str], set[str]]:
    found: dict[tuple[str, str], set[str]] = {}
    structure = doc.donnees.structure
    for item in (*structure.divisions, *structure.groupes):
        for s in item.services:
            found.setdefault((item.code, s.code_matiere), set()).update(e.id for e in s.enseignants)
    return found


def test_listeners_are_registered():
    assert services.teacher_arrival in registry.event_listeners("teacher_rep")
    assert services.teacher_arrival in registry.event_listeners("teacher_sup")
    assert services.year_rentree in registry.event_listeners("rentree")


def test_replacements_are_not_in_sts_before_they_arrive(world):
    assert not Teacher.objects.filter(world=world, replacement__in=["REP", "SUP"]).exists()


def test_rentree_makes_the_year_in_preparation_the_year_in_progress(world, rentree):
    years = {
        y.year: y.state for y in SchoolYear.objects.filter(establishment=rentree.establishment)
    }
    assert years == {2026: SchoolYear.State.CLOSE, 2027: SchoolYear.State.EN_COURS}
    assert selectors.report_counts(world)["annee_en_preparation"] is None


def test_rep_appears_in_ressources_when_the_calendar_says(world, rentree, trainee):
    event = run_calendar(world, "teacher_rep")
    rep = Teacher.objects.get(world=world, sts_id=event.staff.sts_id)
    assert rep.replacement == "REP" and rep.replaces.sts_id == event.staff.replaces.sts_id
    assert rep.arrived_at == event.at
    assert selectors.ressources(year=rentree).filter(pk=rep.pk).exists()
    page = trainee.get(url(world, "ressources", q=rep.nom_usage)).content.decode()
    assert rep.prenom in page and "REP" in page
    run_calendar(world, "teacher_rep")  # the same event twice: still one teacher
    assert Teacher.objects.filter(world=world, sts_id=rep.sts_id).count() == 1


def test_rep_changement_de_support_then_exports(world, rentree, trainee):
    event = run_calendar(world, "teacher_rep")
    rep = Teacher.objects.get(world=world, sts_id=event.staff.sts_id)
    absent = rep.replaces
    rows = selectors.teacher_assignments(year=rentree, teacher=absent)
    assert rows
    page = trainee.get(url(world, "support", enseignant=absent.pk)).content.decode()
    assert absent.full_name in page
    for row in rows:
        assert row.label in page
    assert f'<option value="{rep.pk}" selected>' in page  # the REP is proposed
    # nothing ticked: refused, nothing changes
    before = sts_counts(world)
    response = trainee.post(
        url(world, "support_attach"), {"enseignant": absent.pk, "remplacant": rep.pk}, follow=True
    )
    assert "Sélectionnez le ou les services à basculer." in response.content.decode()
    assert sts_counts(world) == before
    # all services: Rattacher
    response = trainee.post(
        url(world, "support_attach"),
        {
            "enseignant": absent.pk,
            "remplacant": rep.pk,
            "assignments": [r.assignment.pk for r in rows],
        },
    )
    assert response.status_code == 302
    assert not ServiceTeacher.objects.filter(service__year=rentree, teacher=absent).exists()
    moved = ServiceTeacher.objects.filter(service__year=rentree, teacher=rep)
    assert moved.count() == len(rows)
    assert set(moved.values_list("origin", flat=True)) == {"REP"}
    assert set(moved.values_list("replaced", flat=True)) == {absent.pk}
    # then Exports > Structure, then Exports > Services
    services.structure_export(world=world, year=rentree)
    doc = services_file(world, rentree)
    held = teachers_of(doc)
    for row in rows:
        service = row.assignment.service
        assert str(rep.sts_id) in held[(service.structure_code, service.subject_code)]
    ids = {i.id for i in doc.donnees.individus}
    assert str(rep.sts_id) in ids
    assert not any(str(absent.sts_id) in t for t in held.values())
    assert selectors.exports_in_order(world, year=2027) is True
    assert selectors.teachers_services(world=world, year=rentree)[rep.sts_id]


def test_rep_part_of_the_services(world, rentree):
    event = run_calendar(world, "teacher_rep")
    rep = Teacher.objects.get(world=world, sts_id=event.staff.sts_id)
    absent = rep.replaces
    rows = selectors.teacher_assignments(year=rentree, teacher=absent)
    first = rows[0].assignment
    count = services.support_change(
        world=world, year=rentree, absent=absent, replacing=rep, assignment_ids=[first.pk]
    )
    assert count == 1
    assert ServiceTeacher.objects.get(pk=first.pk).teacher == rep
    assert (
        ServiceTeacher.objects.filter(teacher=absent, service__year=rentree).count()
        == len(rows) - 1
    )
    with pytest.raises(StsError, match="autre enseignant"):
        services.support_change(
            world=world, year=rentree, absent=absent, replacing=absent, assignment_ids=[1]
        )
    with pytest.raises(StsError, match="n'est pas un service de cet enseignant"):
        services.support_change(
            world=world, year=rentree, absent=absent, replacing=rep, assignment_ids=[first.pk]
        )


def test_sup_saisie_rapide_then_exports(world, rentree, trainee):
    event = run_calendar(world, "teacher_sup")
    sup = Teacher.objects.get(world=world, sts_id=event.staff.sts_id)
    absent = sup.replaces
    assert (sup.start_date, sup.end_date) == (dt.date(2027, 11, 15), dt.date(2027, 12, 17))
    assert not selectors.ressources(year=rentree).filter(pk=sup.pk).exists()
    rows = selectors.suppleants(year=rentree, world=world)
    assert [(r.teacher, r.nb_services, r.replaced) for r in rows] == [(sup, 0, absent)]
    page = trainee.get(url(world, "suppleants")).content.decode()
    assert "Enregistrement(s) 1 à 1, sur 1 trouvé(s)" in page
    # Valider without ticking: refused
    before = sts_counts(world)
    trainee.post(url(world, "suppleants_validate"), {})
    assert sts_counts(world) == before
    clock_advance(world=world, to=dt.datetime(2027, 11, 15, 9, 0, tzinfo=timeline.PARIS))
    world = fresh(world)
    response = trainee.post(url(world, "suppleants_validate"), {"suppleants": [sup.pk]})
    assert response.status_code == 302
    absent_services = set(
        ServiceTeacher.objects.filter(service__year=rentree, teacher=absent).values_list(
            "service_id", flat=True
        )
    )
    attached = ServiceTeacher.objects.filter(service__year=rentree, teacher=sup)
    assert set(attached.values_list("service_id", flat=True)) == absent_services
    assert {(a.start_date, a.end_date, a.origin) for a in attached} == {
        (dt.date(2027, 11, 15), dt.date(2027, 12, 17), "SUP")
    }
    assert selectors.suppleants(year=rentree, world=world)[0].nb_services == len(absent_services)
    # Valider again: nothing more
    assert services.suppleants_attach(world=world, year=rentree, suppleant_ids=[sup.pk]) == {
        sup.full_name: 0
    }
    services.structure_export(world=world, year=rentree)
    doc = services_file(world, rentree)
    assert str(sup.sts_id) in {i.id for i in doc.donnees.suppleants}
    held = teachers_of(doc)
    with_sup = [key for key, ids in held.items() if str(sup.sts_id) in ids]
    assert len(with_sup) == len(absent_services)
    assert all(str(absent.sts_id) in held[key] for key in with_sup)
    # after the suppléance, the services go without the suppléant
    clock_advance(world=world, to=dt.datetime(2027, 12, 20, 9, 0, tzinfo=timeline.PARIS))
    world = fresh(world)
    held = teachers_of(services_file(world, rentree))
    assert not any(str(sup.sts_id) in ids for ids in held.values())
    assert selectors.suppleants(year=rentree, world=world)[0].nb_services == 0


def test_an_import_after_the_rep_reports_the_overwritten_change(world, rentree):
    event = run_calendar(world, "teacher_rep")
    rep = Teacher.objects.get(world=world, sts_id=event.staff.sts_id)
    rows = selectors.teacher_assignments(year=rentree, teacher=rep.replaces)
    services.support_change(
        world=world,
        year=rentree,
        absent=rep.replaces,
        replacing=rep,
        assignment_ids=[r.assignment.pk for r in rows],
    )
    exchange = services.edt_deposit(
        world=world, filename="emp_sts.xml", content=edt_file_from_truth(world, 2027)
    )
    lost = exchange.report["modifications STS écrasées"]
    assert len(lost) == 1 and lost[0].startswith("Changement de support :")
    assert not ServiceTeacher.objects.filter(service__year=rentree, teacher=rep).exists()
