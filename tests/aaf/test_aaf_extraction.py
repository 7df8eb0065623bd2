"""The AAF extraction (issue 7, A1-A2): files valid, rules applied, ids stable, chain to the ENT."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest

from aaf import services
from aaf.models import AafId, AafRun
from entsim import registry
from entsim.formats import aaf
from entsim.models import Exchange, Job
from entsim.services.clock import clock_advance
from entsim.services.jobs import due_job_ids, job_execute
from entsim.timeline import PARIS
from siecle.services import multi_inscription_planter
from tests.siecle.siecle_world import college

pytestmark = pytest.mark.django_db

FORMATS = Path("/work/shared/reference/FORMATS.md")


def saturday_night(world) -> dt.datetime:
    day = world.now().astimezone(PARIS).date()
    day += dt.timedelta(days=(5 - day.weekday()) % 7)
    return dt.datetime.combine(day, dt.time(20, 0), tzinfo=PARIS)


def members(exchange: Exchange) -> dict[str, bytes]:
    with exchange.file.open("rb") as handle, zipfile.ZipFile(io.BytesIO(handle.read())) as z:
        return {name: z.read(name) for name in z.namelist()}


def requests_of(exchange: Exchange) -> list[aaf.Request]:
    with exchange.file.open("rb") as handle, aaf.open_run(handle.read()) as run:
        return [request for file in run.files for request in run.requests(file)]


@pytest.fixture
def world():
    return college(name="Collège AAF")


def test_registered():
    assert registry.job_kind("aaf.extraction").handler is services.aaf_night_extraction
    for kind in ("aaf_complet", "aaf_delta"):
        exchange_kind = registry.exchange_kind(kind)
        assert exchange_kind.export is not None and exchange_kind.deposit is not None


def test_complet_files_are_valid(world, reference_dir):
    run = services.aaf_run(world=world, at=saturday_night(world))
    assert run.kind == aaf.COMPLET
    assert run.exchange.kind == "aaf_complet" and run.exchange.state == Exchange.State.PENDING
    assert run.exchange.source == "aaf" and run.exchange.target == "ent"
    assert run.counts[aaf.ELEVE] > 100 and run.counts[aaf.PERS_EDUC_NAT] > 5
    assert run.counts[aaf.ETAB] >= 2 and run.counts[aaf.PERS_REL_ELEVE] > 100
    documented = set(re.findall(r"[A-Za-z][A-Za-z0-9]*", FORMATS.read_text()))
    files = members(run.exchange)
    xml = {name: content for name, content in files.items() if name.endswith(".xml")}
    assert {aaf.FileName.parse(name).category for name in xml} == set(aaf.CATEGORIES)
    for name, content in xml.items():
        assert aaf.dtd_errors(content, reference_dir / "specs" / aaf.DTD_NAME) == [], name
        assert aaf.dtd_errors(content) == [], name
    requests = requests_of(run.exchange)
    etabs = {r.id for r in requests if r.category == aaf.ETAB}
    relatives = {r.id for r in requests if r.category == aaf.PERS_REL_ELEVE}
    ids = [r.id for r in requests if r.category in aaf.PERSONS]
    assert len(ids) == len(set(ids))
    for request in requests:
        aaf.check_request(request)
        for name, values in request.attributes.items():
            assert name in documented, name
            for value in values:
                aaf.check_fields(name, value)
                if name in (
                    "ENTEleveClasses",
                    "ENTEleveGroupes",
                    "ENTAuxEnsClasses",
                    "ENTAuxEnsGroupes",
                    "ENTAuxEnsClassesMatieres",
                    "ENTAuxEnsGroupesMatieres",
                    "ENTAuxEnsClassesPrincipal",
                ):
                    assert value.split("$")[0] in etabs, (name, value)
                if name == "ENTElevePersRelEleve":
                    assert aaf.RelativeLink.parse(value).relative in relatives


def test_ids_stable_and_delta_next_night(world):
    first = services.aaf_run(world=world, at=saturday_night(world))
    second = services.aaf_run(world=world, at=saturday_night(world) + dt.timedelta(days=1))
    assert second.kind == aaf.DELTA and second.exchange.kind == "aaf_delta"
    assert requests_of(second.exchange) == []  # nothing changed
    third = services.aaf_run(world=world, at=saturday_night(world) + dt.timedelta(days=7))
    assert third.kind == aaf.COMPLET

    def keyed(run):
        return {
            (r.category, r.first("ENTEleveINE") or r.first("sn") + r.first("givenName")): r.id
            for r in requests_of(run.exchange)
            if r.category == aaf.ELEVE
        }

    assert keyed(first) == keyed(third)
    assert first.counts == third.counts


def test_multi_inscribed_pupil_left_out(world):
    eleve = multi_inscription_planter(world=world)
    run = services.aaf_run(world=world, at=saturday_night(world))
    reasons = [row for row in run.left_out if row["nom"] == f"{eleve.nom} {eleve.prenom}"]
    assert len(reasons) == 2 and all("Multi-inscription" in r["motif"] for r in reasons)
    ines = {r.first("ENTEleveINE") for r in requests_of(run.exchange) if r.category == aaf.ELEVE}
    assert eleve.ine not in ines


def test_chain_aaf_then_ent_import(world):
    from ent.models import Account

    now = world.now().astimezone(PARIS)
    at = dt.datetime.combine(now.date(), dt.time(20, 0), tzinfo=PARIS)
    if at <= now:
        at += dt.timedelta(days=1)
    clock_advance(world=world, to=at)
    for job_id in due_job_ids(world=world, until=at):
        job = job_execute(job_id=job_id)
        assert job.state == Job.State.DONE, job.error
    run = AafRun.objects.get(world=world)
    assert run.exchange.state == Exchange.State.PENDING
    import_at = at + dt.timedelta(hours=7)
    clock_advance(world=world, to=import_at)
    for job_id in due_job_ids(world=world, until=import_at):
        job = job_execute(job_id=job_id)
        assert job.state == Job.State.DONE, job.error
    run.exchange.refresh_from_db()
    assert run.exchange.state != Exchange.State.PENDING
    assert run.kind == aaf.COMPLET  # the first run is a Complet whatever the day
    accounts = Account.objects.filter(world=world, category=aaf.ELEVE, present=True)
    assert accounts.count() == run.counts[aaf.ELEVE]
    teachers = Account.objects.filter(world=world, category=aaf.PERS_EDUC_NAT, present=True)
    assert teachers.count() == run.counts[aaf.PERS_EDUC_NAT]


def test_teachers_carry_classes_only_through_exported_services(world):
    def taught(run):
        return {
            r.id: r.values("ENTAuxEnsClassesMatieres") + r.values("ENTAuxEnsGroupesMatieres")
            for r in services._snapshot_requests(run)  # the whole directory of that night
            if r.category == aaf.PERS_EDUC_NAT
        }

    before = taught(services.aaf_run(world=world, at=saturday_night(world)))
    assert before and not any(before.values())  # STS-web has exported no services yet
    registry.exchange_kind("sts_services").export(world=world)
    after_run = services.aaf_run(world=world, at=saturday_night(world) + dt.timedelta(days=1))
    after = taught(after_run)
    assert set(after) == set(before)  # same ids
    assert sum(1 for values in after.values() if values) > 10
    modified = [r for r in requests_of(after_run.exchange) if isinstance(r, aaf.ModifyRequest)]
    assert modified and all(r.category == aaf.PERS_EDUC_NAT for r in modified)


def test_asked_from_the_command_line(world, tmp_path):
    from django.core.management import call_command

    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    call_command("exchange_export", world.name, "aaf_complet", "--out", str(tmp_path))
    call_command("exchange_export", world.name, "aaf_delta", "--out", str(tmp_path))
    runs = list(AafRun.objects.filter(world=world).order_by("id"))
    assert [run.kind for run in runs] == [aaf.COMPLET, aaf.DELTA]
    assert [run.exchange.kind for run in runs] == ["aaf_complet", "aaf_delta"]
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".zip", ".zip"]


def test_nothing_sent_for_a_world_without_establishments(make_world):
    empty = make_world()
    with pytest.raises(services.NothingToExtract):
        services.aaf_run(world=empty, at=empty.now())
    job = Job(world=empty, kind="aaf.extraction", due_at=empty.now())
    assert services.aaf_night_extraction(job)["echange"] is None
    assert not Exchange.objects.filter(world=empty).exists()


def test_a_duplicate_responsable_is_two_pers_rel_eleve(world):
    from siecle import selectors as siecle_selectors

    uai = world.home.uai
    groups = siecle_selectors.doublons_responsables(world=world, uai=uai)
    assert groups, "the collège world holds duplicate responsables"
    run = services.aaf_run(world=world, at=saturday_night(world))
    relatives = {r.id for r in requests_of(run.exchange) if r.category == aaf.PERS_REL_ELEVE}
    checked = 0
    for group in groups:
        keys = [f"R:{uai}:{person.personne_id}" for person in group.personnes]
        ids = set(AafId.objects.filter(world=world, key__in=keys).values_list("pk", flat=True))
        if len(ids) == len(keys) == len(group.personnes):
            assert {str(pk) for pk in ids} <= relatives
            checked += 1
    assert checked


def test_a_pupil_without_active_schooling_is_left_out(world):
    from siecle import selectors as siecle_selectors

    uai, annee = world.home.uai, world.school_year()
    actif = siecle_selectors.eleves_actifs(world=world, uai=uai, annee=annee)[0]
    scolarite = actif.scolarite
    scolarite.date_sortie = world.now().date()
    scolarite.save(update_fields=["date_sortie"])
    run = services.aaf_run(world=world, at=saturday_night(world))
    name = f"{actif.eleve.nom} {actif.eleve.prenom}"
    assert any(
        row["nom"] == name and row["motif"].startswith("Sans scolarité active")
        for row in run.left_out
    )
    ines = {r.first("ENTEleveINE") for r in requests_of(run.exchange) if r.category == aaf.ELEVE}
    assert actif.eleve.ine not in ines


def test_multi_inscribed_pupil_stays_out_until_siecle_lifts_the_signal(world):
    from siecle import services as siecle_services

    eleve = multi_inscription_planter(world=world)
    annee = world.school_year()
    # SIECLE's night batch raises the signal in both schools
    siecle_services.multi_inscriptions_detecter(world=world, now=world.now())
    # the trainee's school, where the pupil is not present, déscolarises them
    siecle_services.eleve_descolariser(
        world=world, eleve=eleve, annee=annee, date_sortie=world.now().date()
    )
    run = services.aaf_run(world=world, at=saturday_night(world))
    name = f"{eleve.nom} {eleve.prenom}"
    reasons = sorted(row["motif"] for row in run.left_out if row["nom"] == name)
    assert len(reasons) == 2, reasons
    # in the school of origin: still held back; in the trainee's school: gone out
    assert reasons[0].startswith("Multi-inscription encore signalée par SIECLE")
    assert "traitement de nuit" in reasons[0]
    assert reasons[1].startswith("Sans scolarité active : sorti le")
    siecle_services.multi_inscriptions_detecter(world=world, now=world.now())  # lifted
    run = services.aaf_run(world=world, at=saturday_night(world) + dt.timedelta(days=1))
    reasons = [row["motif"] for row in run.left_out if row["nom"] == name]
    assert len(reasons) == 1 and reasons[0].startswith("Sans scolarité active")
    added = [
        r
        for r in requests_of(run.exchange)
        if isinstance(r, aaf.AddRequest) and r.category == aaf.ELEVE
    ]
    assert [r.first("ENTEleveINE") for r in added] == [eleve.ine]  # the Delta brings them in


def test_the_night_job_reports_a_rising_progress(world, monkeypatch):
    from entsim.services import jobs

    seen: list[int] = []

    def report(*, job, done, total):
        jobs.job_progress_report(job=job, done=done, total=total)
        seen.append(jobs.job_progress(job=job))

    monkeypatch.setattr(services, "job_progress_report", report)
    job = jobs.job_create(
        world=world, kind="aaf.extraction", due_at=saturday_night(world), dedup_key="progress"
    )
    done = job_execute(job_id=job.pk)
    assert done.state == Job.State.DONE, done.error
    establishments = done.report["entrees"][aaf.ETAB]
    assert len(seen) == establishments + 1  # before each establishment, then the rest
    assert seen == sorted(seen) and len(set(seen)) == len(seen)
    assert seen[0] == 0 and seen[-1] == 100 * establishments // (establishments + 1)
    assert jobs.job_progress(job=done) == 100
