"""S4, S5 exports: the sts_emp file reads back to STS-web's tables; structure then services go
to SIECLE BEE at the next quarter hour; the order is recorded; the command line works."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.urls import reverse

from entsim import registry, timeline
from entsim.formats import sts_emp
from entsim.models import Exchange, Job
from entsim.services.exchanges import exchange_content
from sts import exchanges, selectors, services
from sts.models import Division, Export, Group, ServiceTeacher, Teacher
from tests.sts.sts_helpers import fresh, module_world

pytestmark = pytest.mark.django_db

big = module_world("Lycée exports STS", "lycee-2000", 11)


@pytest.fixture
def world(big):
    return fresh(big)


@pytest.fixture
def year(world):
    return selectors.context_for(world=world).current


def read_exchange(exchange) -> sts_emp.StsEmp:
    return sts_emp.read(exchange_content(exchange=exchange))


def tables(year):
    """STS-web's tables for a year, in the shape the file carries."""
    divisions = sorted(
        (d.code, d.libelle_long, d.mef_code) for d in Division.objects.filter(year=year)
    )
    groups = sorted(
        (g.code, g.libelle_long, tuple(sorted(d.code for d in g.divisions.all())))
        for g in Group.objects.filter(year=year).prefetch_related("divisions")
    )
    staff = selectors.teachers_of_year(year=year, include_sup=True)
    teachers = sorted(
        (str(t.sts_id), t.nom_usage, t.prenom, t.discipline_code)
        for t in staff.exclude(replacement="SUP")
    )
    suppleants = sorted(str(t.sts_id) for t in staff.filter(replacement="SUP"))
    by_service: dict[int, list[str]] = {}
    for a in ServiceTeacher.objects.filter(service__year=year).select_related("teacher"):
        by_service.setdefault(a.service_id, []).append(str(a.teacher.sts_id))
    service_rows = Counter(
        (s.structure_code, s.subject_code, s.mod_cours, tuple(sorted(by_service.get(s.pk, []))))
        for s in year.services.select_related("division", "group")
    )
    return divisions, groups, teachers, suppleants, service_rows


def file_rows(doc: sts_emp.StsEmp):
    structure = doc.donnees.structure
    divisions = sorted(
        (d.code, d.libelle_long, d.mefs_appartenance[0].code if d.mefs_appartenance else "")
        for d in structure.divisions
    )
    groups = sorted(
        (g.code, g.libelle_long, tuple(sorted(a.code for a in g.divisions_appartenance)))
        for g in structure.groupes
    )
    teachers = sorted(
        (i.id, i.nom_usage, i.prenom, i.disciplines[0].code if i.disciplines else "")
        for i in doc.donnees.individus
    )
    suppleants = sorted(i.id for i in doc.donnees.suppleants)
    service_rows = Counter()
    for item in (*structure.divisions, *structure.groupes):
        for s in item.services:
            service_rows[
                (
                    item.code,
                    s.code_matiere,
                    s.code_mod_cours,
                    tuple(sorted(e.id for e in s.enseignants)),
                )
            ] += 1
    return divisions, groups, teachers, suppleants, service_rows


def test_the_sts_emp_file_reads_back_to_the_sts_tables(world, year):
    export = services.emploi_du_temps_export(world=world, year=year)
    exchange = export.exchange
    assert exchange.filename == f"sts_emp_{world.home.uai}_2026.xml"
    assert (exchange.kind, exchange.source, exchange.target) == ("sts_emp", "sts", "edt")
    content = exchange_content(exchange=exchange)
    assert content.startswith(b'<?xml version="1.0" encoding="ISO-8859-15"?>\n<STS_EDT>')
    doc = sts_emp.read(content)
    assert sts_emp.read(sts_emp.write(doc)) == doc
    assert doc.uai == world.home.uai and doc.annee == 2026
    assert doc.parametres.annee_scolaire.date_debut == dt.date(2026, 9, 1)
    assert doc.parametres.uaj.academie.code == "002"
    assert file_rows(doc) == tables(year)
    counts = selectors.structure_counts(year=year)
    assert len(doc.donnees.structure.divisions) == counts["divisions"] == 70
    assert len(doc.donnees.structure.groupes) == counts["groupes"]
    nomenclatures = doc.nomenclatures
    used_mefs = {d.mef_code for d in Division.objects.filter(year=year)}
    assert used_mefs <= {m.code for m in nomenclatures.mefs}
    used_subjects = set(year.services.values_list("subject_code", flat=True))
    assert used_subjects <= {m.code for m in nomenclatures.matieres}
    assert {c.code for c in nomenclatures.civilites} == {"1", "2"}
    assert nomenclatures.programmes and nomenclatures.mefstats4
    principals = [p for i in doc.donnees.individus for p in i.profs_princ]
    assert principals


def test_structure_then_services_go_to_siecle_at_the_next_quarter_hour(world, year):
    structure = services.structure_export(world=world, year=year)
    exchange = structure.exchange
    assert exchange.filename == f"sts_structure_{world.home.uai}_2026.xml"
    assert (exchange.kind, exchange.target, exchange.state) == (
        "sts_structure",
        "siecle",
        Exchange.State.PENDING,
    )
    job = Job.objects.get(world=world, dedup_key=f"exchange:{exchange.pk}")
    assert job.kind == timeline.STS_TO_BEE == "siecle.receive_sts"
    assert timeline.local(job.due_at) == dt.datetime(2027, 6, 14, 8, 15, tzinfo=timeline.PARIS)
    doc = read_exchange(exchange)
    assert doc.donnees.individus == () and doc.donnees.suppleants == ()
    assert all(not d.services for d in doc.donnees.structure.divisions)
    assert all(not g.services for g in doc.donnees.structure.groupes)
    assert doc.nomenclatures.mefs and not doc.nomenclatures.matieres
    assert len(doc.donnees.structure.groupes) == Group.objects.filter(year=year).count()

    export = services.services_export(world=world, year=year)
    assert export.after_structure is True
    doc = read_exchange(export.exchange)
    assert export.exchange.filename == f"sts_services_{world.home.uai}_2026.xml"
    assert doc.donnees.individus and not doc.nomenclatures.mefs
    assert file_rows(doc)[2:] == tables(year)[2:]
    assert Job.objects.filter(world=world, kind=timeline.STS_TO_BEE).count() == 2
    assert selectors.exports_in_order(world, year=2026) is True


def test_services_before_structure_is_allowed_but_recorded(world, year, client, make_member):
    client.force_login(make_member(world))
    assert selectors.exports_in_order(world) is False  # nothing exported yet
    response = client.post(reverse("sts:export_services", args=[world.slug]), follow=True)
    page = response.content.decode()
    assert "aucun export de la structure n&#x27;a été fait pour 2026-2027" in page
    services.structure_export(world=world, year=year)
    services.services_export(world=world, year=year)
    history = selectors.export_history(world=world)
    assert [(row.kind, row.after_structure) for row in history] == [
        ("sts_services", False),
        ("sts_structure", None),
        ("sts_services", True),
    ]
    assert selectors.exports_in_order(world) is False
    page = client.get(reverse("sts:exports", args=[world.slug])).content.decode()
    assert "avant tout export de la structure" in page


def test_exports_from_the_pages(world, year, client, make_member):
    client.force_login(make_member(world, role="formateur"))
    for name in ("export_emploi_du_temps", "export_structure", "export_services"):
        assert client.post(reverse(f"sts:{name}", args=[world.slug])).status_code == 302
    assert list(
        Export.objects.filter(world=world).order_by("id").values_list("kind", flat=True)
    ) == ["sts_emp", "sts_structure", "sts_services"]
    page = client.get(reverse("sts:exports", args=[world.slug])).content.decode()
    assert f"sts_emp_{world.home.uai}_2026.xml" in page
    landing = client.get(reverse("sts:landing", args=[world.slug])).content.decode()
    assert f"sts_structure_{world.home.uai}_2026.xml" in landing
    exchange = Export.objects.get(world=world, kind="sts_emp").exchange
    download = client.get(reverse("exchange_download", args=[world.slug, exchange.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"<?xml")


def test_exchange_kinds_and_the_command_line(world, tmp_path):
    for kind, source, target in (
        ("sts_emp", "sts", "edt"),
        ("emp_sts", "edt", "sts"),
        ("sts_structure", "sts", "siecle"),
        ("sts_services", "sts", "siecle"),
    ):
        declared = registry.exchange_kind(kind)
        assert (declared.source, declared.target) == (source, target)
    assert registry.exchange_kind("sts_emp").export is services.sts_emp_export
    assert registry.exchange_kind("emp_sts").deposit is services.edt_deposit
    out = io.StringIO()
    call_command("exchange_export", world.name, "sts_emp", "--out", str(tmp_path), stdout=out)
    written = tmp_path / f"sts_emp_{world.home.uai}_2026.xml"
    assert out.getvalue().strip() == str(written)
    doc = sts_emp.read(written.read_bytes())
    assert doc.annee == 2026 and doc.donnees.structure.divisions
    # with a year in preparation, the command line exports that year
    services.year_bascule(
        world=world, establishment=selectors.context_for(world=world).establishment
    )
    call_command("exchange_export", world.name, "sts_emp", "--out", str(tmp_path), stdout=out)
    assert (
        sts_emp.read((tmp_path / f"sts_emp_{world.home.uai}_2027.xml").read_bytes()).annee == 2027
    )


def test_neighbours_are_seeded_and_export_their_own_year(world):
    from sts.models import StsEstablishment

    neighbours = StsEstablishment.objects.filter(world=world, is_home=False)
    assert neighbours.count() == 4
    neighbour = neighbours.first()
    year = selectors.open_years(world=world, uai=neighbour.uai)[0]
    data = selectors.year_data(world=world, year=year)
    _, content = exchanges.write(data, exchanges.EMPLOI_DU_TEMPS)
    doc = sts_emp.read(content)
    assert doc.uai == neighbour.uai and doc.donnees.structure.divisions
    assert not Teacher.objects.filter(world=world, replacement__in=["REP", "SUP"]).exists()
