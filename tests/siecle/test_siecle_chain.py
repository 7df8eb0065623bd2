"""End to end, SIECLE → EDT → SIECLE (guide 2.6, 2.9 to 2.12): the pupils' groups.

STS-web sends its structure then its services to SIECLE (the groups of the year in progress
reach the base) and its Emploi du temps file to the EDT software; SIECLE's pupils
export (Exportations > En XML) goes to the software, which takes both from the exchanges as a
user does ("récupérer"); the software builds its groups by option, plus a group of its own that
STS-web never received; in supervisor mode it writes the ELEGROUPE file, which the user
deposits in SIECLE (Importations > Liens élève-groupe) on day J at 10:00. The night batch
imports it: not on the fiches at J 23:00, on the fiches at J+1 08:00, with the report's four
counts computed here from the software's own data.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from edt import selectors as edt_selectors
from edt import services as edt_services
from edt.models import Appartenance, Division, Groupe, Service
from entsim.models import Exchange
from entsim.services.exchanges import exchange_content, exchange_export
from siecle import exports
from siecle.models import Eleve, EleveGroupe, Scolarite, Structure
from siecle.models import Service as SiecleService
from sts import selectors as sts_selectors
from sts import services as sts_services
from tests.siecle.siecle_world import advance, at, college, url

pytestmark = pytest.mark.django_db

OWN_GROUP = "AP_MATH"  # made in the software only: STS-web, hence SIECLE, never heard of it


def fiche_groupes(client, world, eleve: Eleve) -> str:
    return client.get(url("fiche_onglet", world, eleve.pk, "groupes")).content.decode()


def test_siecle_export_edt_groups_elegroupe_night_import(client, make_member, without_night_jobs):
    from entsim import registry, timeline

    # only SIECLE's night batch among the recurring jobs: it is what this test follows
    from siecle.night import night_batch_run

    registry.register_job_kind(
        registry.JobKind(
            kind="siecle.night_batch",
            system="siecle",
            label="Traitements de nuit SIECLE",
            handler=night_batch_run,
        )
    )
    assert any(entry.kind == "siecle.night_batch" for entry in timeline.TIMELINE)

    world = college(name="Chaîne SIECLE EDT")
    uai, annee = world.home.uai, world.school_year()
    client.force_login(make_member(world))

    # 1. STS-web, année en cours: Exports > Structure then Exports > Services to SIECLE (they
    # arrive at the next quarter hour: that is how SIECLE gets its groups), and Exports >
    # Emploi du temps, which the software takes
    year = sts_selectors.year_get(world=world, year=annee)
    assert not Structure.objects.filter(world=world, uai=uai, annee=annee, type="G").exists()
    sts_services.structure_export(world=world, year=year)
    sts_services.services_export(world=world, year=year)
    advance(world, world.now() + dt.timedelta(minutes=15))
    assert Structure.objects.filter(world=world, uai=uai, annee=annee, type="G").exists()
    assert SiecleService.objects.filter(world=world, uai=uai, annee=annee).exists()
    sts_services.emploi_du_temps_export(world=world, year=year)
    sent = edt_selectors.latest_exchange(world=world, kinds=edt_selectors.STS_KINDS)
    edt_services.sts_import_exchange(world=world, exchange=sent)

    # 2. SIECLE: Exportations > En XML, ElevesSansAdresses; the software takes it
    exported = exchange_export(world=world, kind=exports.SANS_ADRESSES)
    assert (exported.source, exported.target) == ("siecle", "edt")
    latest = edt_selectors.latest_exchange(world=world, kinds=edt_selectors.ELEVES_KINDS)
    assert latest == exported
    importation = edt_services.eleves_import_exchange(world=world, exchange=latest)
    actifs = Scolarite.objects.filter(
        world=world, uai=uai, annee=annee, date_sortie__isnull=True
    ).count()
    assert importation.report["eleves"] == actifs

    # 3. the software builds its groups: by option, and one group of its own
    subject = dict(
        Service.objects.filter(world=world, groupe__isnull=False).values_list(
            "groupe_id", "matiere__sts_code"
        )
    )
    for groupe in Groupe.objects.filter(world=world, pk__in=subject).prefetch_related("divisions"):
        edt_services.groupe_option_add(
            world=world,
            groupe=groupe,
            divisions=list(groupe.divisions.all()),
            code_matiere=subject[groupe.pk],
        )
    division = Division.objects.filter(world=world).order_by("code").first()
    own = edt_services.groupe_create(world=world, code=OWN_GROUP, divisions=[division])
    own_members = edt_services.groupe_division_add(world=world, groupe=own, division=division)
    assert own_members > 0
    # one pupil put by hand in a group SIECLE knows, which SIECLE does not give them yet
    known = set(
        Structure.objects.filter(world=world, uai=uai, annee=annee, type="G").values_list(
            "code", flat=True
        )
    )
    moved = Groupe.objects.filter(world=world, code__in=known).exclude(divisions=division).first()
    pupil = edt_selectors.eleves_en_groupe(world=world).filter(division=division).first()
    edt_services.groupe_eleves_add(world=world, groupe=moved, eleves=[pupil])
    siecle_pupil = Eleve.objects.get(world=world, uai=uai, eleve_id=pupil.siecle_id)
    assert not EleveGroupe.objects.filter(scolarite__eleve=siecle_pupil, groupe=moved.code).exists()

    # what the file will carry, from the software's own data
    memberships = set(
        Appartenance.objects.filter(world=world, eleve__actif=True).values_list(
            "eleve__siecle_id", "groupe__code"
        )
    )
    in_file = {eleve_id for eleve_id, _ in memberships}
    partial = {eleve_id for eleve_id, code in memberships if code not in known}
    assert partial and known & {code for _, code in memberships}

    # 4. supervisor mode: the ELEGROUPE file; the user deposits it in SIECLE on J at 10:00
    day = world.now().date() + dt.timedelta(days=1)
    advance(world, at(day.year, day.month, day.day, 10))
    written = edt_services.elegroupe_export(world=world, supervisor=True)
    assert (written.source, written.target, written.state) == (
        "edt",
        "siecle",
        Exchange.State.DEPOSITED,
    )
    response = client.post(
        url("import_elegroupe", world),
        {"file": SimpleUploadedFile(written.filename, exchange_content(exchange=written))},
    )
    assert response.status_code == 302  # no notification on success
    deposited = Exchange.objects.get(world=world, kind="elegroupe", report__uai=uai)

    # 5. the night batch: not on the fiches at J 23:00, on the fiches at J+1 08:00
    advance(world, at(day.year, day.month, day.day, 23))
    assert f"<li>{moved.code}" not in fiche_groupes(client, world, siecle_pupil)
    after = day + dt.timedelta(days=1)
    advance(world, at(after.year, after.month, after.day, 8))
    page = fiche_groupes(client, world, siecle_pupil)
    assert f"<li>{moved.code}" in page and f"<li>{OWN_GROUP}" not in page
    deposited.refresh_from_db()
    assert deposited.state == Exchange.State.PROCESSED
    report = deposited.report
    assert (
        report["complets"],
        report["partiels"],
        report["rejetés"],
        report["absents du fichier"],
    ) == (len(in_file - partial), len(partial), 0, actifs - len(in_file))
    assert report["groupes inconnus"] == [OWN_GROUP]
    assert set(
        EleveGroupe.objects.filter(world=world, uai=uai, scolarite__annee=annee).values_list(
            "scolarite__eleve__eleve_id", "groupe"
        )
    ) == {(eleve_id, code) for eleve_id, code in memberships if code in known}
