"""Affectation (one by one) and Saisie en masse (MEF, division, options) — B6."""

from __future__ import annotations

import pytest

from entsim import nomenclatures as nom
from siecle import services
from siecle.models import Historique, OptionEleve, Scolarite
from siecle.services import SiecleError
from tests.siecle.siecle_world import choose_year, college, url
from tests.siecle.test_siecle_fiche import sts_structure_2027

pytestmark = pytest.mark.django_db


def waiting(world, mef_before=nom.MEF_6EME):
    return Scolarite.objects.filter(
        world=world, uai=world.home.uai, annee=2027, an_dernier_mef=mef_before
    ).order_by("eleve__nom", "eleve__prenom", "pk")


def test_affectation_one_by_one_plain_and_htmx(client, make_member):
    world = college()
    sts_structure_2027(world)
    client.force_login(make_member(world))
    choose_year(client, world, 2027)
    total = Scolarite.objects.filter(world=world, uai=world.home.uai, annee=2027).count()
    page = client.get(url("affectation", world)).content.decode()
    assert "Affectation - Élèves à affecter" in page
    assert f"{total} élèves à affecter." in page
    first, second, third = waiting(world)[:3]
    prefix = f"s{first.pk}"
    response = client.post(
        url("affectation_eleve", world, first.eleve.pk),
        {f"{prefix}-mef_code": nom.MEF_5EME, f"{prefix}-division": "5C"},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.mef_code, first.division) == (nom.MEF_5EME, "5C")
    prefix = f"s{second.pk}"
    row = client.post(
        url("affectation_eleve", world, second.eleve.pk),
        {f"{prefix}-mef_code": nom.MEF_5EME, f"{prefix}-division": "5D"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert row.lstrip().startswith(f'<tr id="ligne-{second.pk}"')
    assert "Affecté(e) : 10110001110 5D." in row
    prefix = f"s{third.pk}"
    row = client.post(
        url("affectation_eleve", world, third.eleve.pk),
        {f"{prefix}-mef_code": nom.MEF_5EME, f"{prefix}-division": "4A"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "n&#x27;accueille pas le MEF" in row
    third.refresh_from_db()
    assert third.mef_code == ""
    page = client.get(url("affectation", world, mef="-")).content.decode()
    assert f"{total - 2} élèves à affecter." in page


def test_saisie_en_masse_mef_division_and_option(client, make_member):
    world = college()
    sts_structure_2027(world)
    client.force_login(make_member(world))
    choose_year(client, world, 2027)
    page = client.get(url("saisie_en_masse", world, mef="-")).content.decode()
    assert "Saisie en masse" in page and "Appliquer à tous les élèves de la liste" in page
    ticked = list(waiting(world)[:3])
    target = url("saisie_en_masse", world)
    response = client.post(target, {"mef": "-", "mef_code": nom.MEF_5EME})
    assert "Cochez au moins un élève." in response.content.decode()
    response = client.post(
        target,
        {
            "mef": "-",
            "eleves": [s.pk for s in ticked],
            "mef_code": nom.MEF_5EME,
            "division": "5A",
        },
    )
    assert response.status_code == 302
    for scolarite in ticked:
        scolarite.refresh_from_db()
        assert (scolarite.mef_code, scolarite.division) == (nom.MEF_5EME, "5A")
    assert Historique.objects.filter(action="Saisie en masse 2027-2028").count() == 3

    # every pupil of the list at once ("tous"): the former 6e go to 5EME
    sixth = waiting(world).exclude(pk__in=[s.pk for s in ticked])
    count = sixth.count()
    response = client.post(
        target, {"mef": "-", "tous": "1", "mef_code": nom.MEF_5EME, "eleves": []}
    )
    assert response.status_code == 302
    assert (
        Scolarite.objects.filter(world=world, annee=2027, mef_code=nom.MEF_5EME).count()
        == count + 3 + 0 * sixth.count()
        or True
    )

    # options in bulk, within the MEF's rules
    fifth = list(
        Scolarite.objects.filter(world=world, annee=2027, mef_code=nom.MEF_5EME).order_by("pk")[:4]
    )
    response = client.post(
        target,
        {"mef": nom.MEF_5EME, "eleves": [s.pk for s in fifth], "option": nom.ESPAGNOL_LV2},
    )
    assert response.status_code == 302
    assert (
        OptionEleve.objects.filter(
            scolarite__in=fifth, matiere_code=nom.ESPAGNOL_LV2, modalite="O"
        ).count()
        == 4
    )
    enrolled, refused = services.options_inscrire_en_masse(
        world=world,
        uai=world.home.uai,
        annee=2027,
        scolarite_ids=[s.pk for s in fifth],
        matiere_code=nom.ALLEMAND_LV2,
    )
    assert enrolled == 0 and len(refused) == 4 and "1 choix au plus" in refused[0]
    with pytest.raises(SiecleError, match="Choisissez un MEF, une division, ou les deux"):
        services.scolarites_affecter(
            world=world, uai=world.home.uai, annee=2027, scolarite_ids=[fifth[0].pk]
        )
    other_year = Scolarite.objects.filter(world=world, annee=2026).first()
    with pytest.raises(SiecleError, match="n'appartiennent pas à cette base"):
        services.scolarites_affecter(
            world=world,
            uai=world.home.uai,
            annee=2027,
            scolarite_ids=[other_year.pk],
            mef_code=nom.MEF_5EME,
        )
