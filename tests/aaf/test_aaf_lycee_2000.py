"""Issue 7, checked by: every file of a Complet run on a generated lycee-2000 world is valid
against the reference DTD, uses only the names FORMATS.md lists, gives every `$` value its
documented number of fields, prefixes every class and group with an EtabEducNat id of the same
run, and names only PersRelEleve entries the run holds."""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
import zipfile

import pytest
from lxml import etree

from aaf import services
from entsim.formats import aaf
from entsim.models import Job, World
from entsim.services.exchanges import exchange_deposit, exchange_export
from entsim.services.jobs import job_create, job_execute
from entsim.services.worlds import world_create
from entsim.timeline import PARIS, STS_TO_BEE
from tests.aaf.siecle_links import links_file
from tests.formats.test_aaf_format import formats_md_names

pytestmark = pytest.mark.django_db

# The `$` values and their number of fields, as FORMATS.md ("Value syntaxes") gives them.
DOCUMENTED_FIELDS = {
    "ENTEleveClasses": 2,
    "ENTEleveGroupes": 2,
    "ENTElevePersRelEleve": 6,
    "ENTPersonFonctions": 5,
    "ENTAuxEnsClassesMatieres": 3,
    "ENTAuxEnsGroupesMatieres": 3,
    "ENTAuxEnsClassesPrincipal": 2,
    "ENTStructureNomCourant": 3,
    "ENTStructureClasses": 2,
    "ENTStructureGroupes": 2,
}
# Values whose first field is a structure's AAF id (classes, groups, functions).
PREFIXED = (
    "ENTEleveClasses",
    "ENTEleveGroupes",
    "ENTAuxEnsClasses",
    "ENTAuxEnsGroupes",
    "ENTAuxEnsClassesMatieres",
    "ENTAuxEnsGroupesMatieres",
    "ENTAuxEnsClassesPrincipal",
    "ENTPersonFonctions",
)


@pytest.fixture(scope="module")
def complet(django_db_setup, django_db_blocker, tmp_path_factory):
    """A lycee-2000 world, and the files (name -> bytes) of its Complet run of J+1 20:00.

    On day J, STS-web exports its structure and services (received by SIECLE at the next
    quarter hour: groups and their divisions), and a links file puts the pupils in the groups of
    their divisions; SIECLE's night batch imports it at J+1 01:00. The world is removed when
    the module ends."""
    from django.conf import settings

    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock():
        saved, settings.MEDIA_ROOT = settings.MEDIA_ROOT, media
        try:
            world = world_create(
                name=f"Lycée AAF {uuid.uuid4().hex[:8]}", size="lycee-2000", seed=2057
            )
            uai, annee = world.home.uai, world.school_year()
            day = world.now().astimezone(PARIS).date()
            for kind in ("sts_structure", "sts_services", "eleves_sans_adresses"):
                exchange_export(world=world, kind=kind)
            for job in Job.objects.filter(world=world, kind=STS_TO_BEE).order_by("due_at", "pk"):
                assert job_execute(job_id=job.pk).state == Job.State.DONE
            name, content, _links = links_file(world, uai, annee, world.now())
            exchange_deposit(world=world, kind="elegroupe", filename=name, content=content)
            night = job_create(
                world=world,
                kind="siecle.night_batch",
                due_at=dt.datetime.combine(day + dt.timedelta(days=1), dt.time(1), PARIS),
                dedup_key="lycee-2000-night",
            )
            assert job_execute(job_id=night.pk).state == Job.State.DONE
            at = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(20), PARIS)
            run = services.aaf_run(world=world, at=at, kind=aaf.COMPLET)
            with run.exchange.file.open("rb") as handle:
                archive = zipfile.ZipFile(io.BytesIO(handle.read()))
            files = {name: archive.read(name) for name in archive.namelist()}
            yield run, files
        finally:
            settings.MEDIA_ROOT = saved
            World.objects.filter(name__startswith="Lycée AAF ").delete()


@pytest.fixture(scope="module")
def requests(complet) -> list[aaf.Request]:
    _run, files = complet
    found = []
    for name, content in sorted(files.items()):
        if name.endswith(".xml"):
            found.extend(aaf.read(content))
    return found


def test_the_run_is_a_lycee_of_2057_pupils_or_so(complet, requests):
    run, files = complet
    pupils = [r for r in requests if r.category == aaf.ELEVE]
    assert len(pupils) == run.counts[aaf.ELEVE] > 2000
    assert {aaf.FileName.parse(n).category for n in files if n.endswith(".xml")} == set(
        aaf.CATEGORIES
    )
    # the checks below are not empty: pupils in groups, teachers with classes and groups
    assert sum(1 for r in pupils if r.values("ENTEleveGroupes")) > 100
    staff = [r for r in requests if r.category == aaf.PERS_EDUC_NAT]
    assert sum(1 for r in staff if r.values("ENTAuxEnsGroupesMatieres")) > 10
    assert sum(1 for r in staff if r.values("ENTAuxEnsClassesMatieres")) > 50


def test_every_file_is_valid_against_the_reference_dtd(complet, reference_dir):
    _run, files = complet
    with (reference_dir / "specs" / "ficAlimMENESR.dtd").open("rb") as handle:
        dtd = etree.DTD(handle)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    checked = 0
    for name, content in files.items():
        if not name.endswith(".xml"):
            continue
        root = etree.fromstring(content, parser)
        assert dtd.validate(root), (name, [str(e) for e in dtd.error_log][:5])
        checked += 1
    assert checked >= len(aaf.CATEGORIES)


def test_every_attribute_name_is_in_formats_md(requests, reference_dir):
    documented = formats_md_names(reference_dir)
    for request in requests:
        unknown = set(request.attributes) - documented[request.category]
        assert not unknown, (request.category, request.id, unknown)


def test_every_dollar_value_has_its_documented_number_of_fields(requests):
    counted = set()
    for request in requests:
        for name, values in request.attributes.items():
            expected = DOCUMENTED_FIELDS.get(name)
            if expected is None:
                continue
            for value in values:
                assert len(value.split("$")) == expected, (request.id, name, value)
                counted.add(name)
    assert counted >= {"ENTEleveClasses", "ENTEleveGroupes", "ENTElevePersRelEleve"}
    assert counted >= {"ENTPersonFonctions", "ENTStructureNomCourant", "ENTStructureClasses"}


def test_every_class_and_group_prefix_is_an_establishment_of_the_run(requests):
    etabs = {r.id for r in requests if r.category == aaf.ETAB}
    assert etabs and all(re.fullmatch(r"[0-9]+", ident) for ident in etabs)
    prefixes = 0
    for request in requests:
        for name in PREFIXED:
            for value in request.values(name):
                assert value.split("$", 1)[0] in etabs, (request.id, name, value)
                prefixes += 1
        for name in ("ENTPersonStructRattach", "ENTEleveStructRattachId"):
            assert set(request.values(name)) <= etabs, (request.id, name)
    assert prefixes > 4000


def test_every_named_responsable_exists(requests):
    relatives = {r.id for r in requests if r.category == aaf.PERS_REL_ELEVE}
    pupils = {r.id for r in requests if r.category == aaf.ELEVE}
    named = 0
    for request in requests:
        for value in request.values("ENTElevePersRelEleve"):
            assert aaf.RelativeLink.parse(value).relative in relatives, (request.id, value)
            named += 1
        if request.category == aaf.PERS_REL_ELEVE:
            assert set(request.values("ENTAuxPersRelEleveEleve")) <= pupils, request.id
    assert named > 2000
