"""Seeding every establishment's base from the world's truth, as it stands in June 2027."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from entsim import nomenclatures as nom
from entsim import registry
from entsim.models import CalendarEvent, Establishment, Schooling
from entsim.selectors import world_report
from siecle import academie, selectors
from siecle.models import (
    DossierEntrant,
    Eleve,
    Etablissement,
    LienResponsable,
    Matiere,
    Mef,
    OptionEleve,
    Personne,
    Programme,
    Scolarite,
    Structure,
)
from tests.siecle.siecle_world import college, shared_college

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker):
    yield from shared_college(django_db_blocker)


TS = re.compile(r"^[a-z]\.[a-z-]+[0-9]+$")


def test_one_base_per_establishment_with_its_current_year(shared):
    world = shared
    establishments = list(Establishment.objects.filter(world=world))
    bases = {e.uai: e for e in Etablissement.objects.filter(world=world)}
    assert set(bases) == {e.uai for e in establishments}
    assert [uai for uai, base in bases.items() if base.accueil] == [world.home.uai]
    for establishment in establishments:
        truth = Schooling.objects.filter(world=world, establishment=establishment, school_year=2026)
        base = Scolarite.objects.filter(world=world, uai=establishment.uai, annee=2026)
        assert base.count() == truth.count() > 0
        # every row of the base carries the world and the establishment's UAI
        assert (
            not Eleve.objects.filter(world=world, uai=establishment.uai)
            .exclude(pk__in=base.values("eleve"))
            .exists()
        )
    home = world.home.uai
    scolarite = (
        Scolarite.objects.filter(world=world, uai=home, annee=2026).select_related("eleve").first()
    )
    truth = Schooling.objects.get(world=world, pupil__ine=scolarite.eleve.ine, school_year=2026)
    assert scolarite.mef_code == truth.mef_code and scolarite.division == truth.division.code
    assert scolarite.scolarise and scolarite.date_entree == truth.start_date
    options = list(scolarite.options.values_list("num_option", "matiere_code", "modalite"))
    assert options == [
        (index, o["subject"], o["modalite"]) for index, o in enumerate(truth.options, start=1)
    ]


def test_bascule_carried_returning_pupils_into_the_year_in_preparation(shared):
    world = shared
    home = world.home
    base = Etablissement.objects.get(world=world, uai=home.uai)
    assert base.derniere_annee == 2027
    annees = selectors.annees(world=world, etablissement=base)
    assert (annees.en_cours, annees.en_preparation) == (2026, 2027)
    preparation = Scolarite.objects.filter(world=world, uai=home.uai, annee=2027)
    returning = Schooling.objects.filter(
        world=world, establishment=home, school_year=2027, arrival=Schooling.Arrival.CONTINUING
    )
    assert preparation.count() == returning.count()
    assert set(preparation.values_list("eleve__ine", flat=True)) == set(
        returning.values_list("pupil__ine", flat=True)
    )
    # to be re-affected: no MEF, no division, the previous year remembered
    assert not preparation.exclude(mef_code="").exists()
    assert not preparation.exclude(division="").exists()
    assert not preparation.filter(an_dernier_mef="").exists()
    # leavers (3e going to the lycée, moving away) are not carried over
    third = Scolarite.objects.filter(
        world=world, uai=home.uai, annee=2026, mef_code=nom.MEF_3EME
    ).values_list("eleve", flat=True)
    carried = set(preparation.values_list("eleve", flat=True))
    assert len(carried & set(third)) < 0.1 * len(third)  # only the few who repeat
    # neighbours hold their pupils too
    for uai in Etablissement.objects.filter(world=world, accueil=False).values_list(
        "uai", flat=True
    ):
        assert Scolarite.objects.filter(world=world, uai=uai, annee=2027).exists()


def test_responsables_addresses_links_and_accounts(shared):
    world = shared
    home = world.home.uai
    links = LienResponsable.objects.filter(world=world, uai=home)
    assert Counter(links.values_list("niveau", flat=True))[1] > 400
    assert set(links.values_list("code_parente", flat=True)) <= set(nom.CODES_PARENTE)
    legal = Personne.objects.filter(world=world, uai=home, liens__niveau=1).distinct()
    accounts = [p.compte_ts for p in legal]
    assert all(TS.match(a) for a in accounts if a)
    assert sum(1 for a in accounts if a) >= legal.count() - 1  # the planted duplicate has none
    assert Personne.objects.filter(world=world, uai=home, compte_ts_utilise=True).exists()
    # a person appears once per base, with the address of the household
    eleve = Eleve.objects.filter(world=world, uai=home).select_related("adresse").first()
    assert eleve.adresse is not None and eleve.adresse.adresse_id > 180_000
    # no pupil has more than two legal responsables
    per_pupil = Counter(links.filter(niveau=1).values_list("eleve", flat=True))
    assert max(per_pupil.values()) <= 2


def test_nomenclatures_and_structures(shared):
    world = shared
    home = world.home.uai
    assert set(Mef.objects.filter(world=world, uai=home).values_list("code", flat=True)) == {
        nom.MEF_6EME,
        nom.MEF_5EME,
        nom.MEF_4EME,
        nom.MEF_3EME,
    }
    fifth = Mef.objects.get(world=world, uai=home, code=nom.MEF_5EME)
    assert fifth.nb_opt_oblig == 2 and fifth.libelle_long == "5EME"
    assert Matiere.objects.filter(world=world, uai=home, code=nom.FRANCAIS).exists()
    latin = Programme.objects.get(
        world=world, uai=home, mef_code=nom.MEF_5EME, matiere_code=nom.LCA_LATIN
    )
    assert latin.modalite == "F"
    divisions = Structure.objects.filter(world=world, uai=home, annee=2026)
    assert divisions.count() == 20 and set(divisions.values_list("type", flat=True)) == {"D"}
    assert divisions.get(code="5A").mefs == [nom.MEF_5EME]
    # the year in preparation's structure comes from STS-web, not yet exported
    assert not Structure.objects.filter(world=world, uai=home, annee=2027).exists()


def test_identifiers_and_planted_situations_are_stable_from_the_seed():
    """ELEVE_ID, PERSONNE_ID: numeric, unique, equal for equal seeds; so are the duplicates
    and the fiches bloquantes planted from the truth."""
    first = college("Monde un", seed=11)
    second = college("Monde deux", seed=11)

    def ids(world):
        return sorted(Eleve.objects.filter(world=world).values_list("uai", "ine", "eleve_id"))

    assert ids(first) == ids(second)
    eleves = Eleve.objects.filter(world=first)
    numbers = list(eleves.values_list("eleve_id", flat=True))
    assert len(numbers) == len(set(numbers))  # one pupil, one base at the start
    ines = eleves.values_list("ine", flat=True)
    assert all(re.fullmatch(r"[0-9]{9}[A-Z]{2}", ine) for ine in ines)
    assert all(n > 1_500_000 for n in numbers)
    people = Personne.objects.filter(world=first, uai=first.home.uai)
    assert people.values("personne_id").distinct().count() == people.count()

    def planted(world):
        home = world.home.uai
        groups = selectors.doublons_responsables(world=world, uai=home)
        bloquantes = selectors.with_motifs(
            selectors.fiches_bloquantes(world=world, uai=home, annee=2026)
        )
        return (
            [[(p.nom, p.prenom, p.adresse.une_ligne) for p in g.personnes] for g in groups],
            [(s.eleve.nom, s.eleve.prenom, tuple(m)) for s, m in bloquantes],
        )

    doublons, bloquantes = planted(first)
    assert planted(second) == (doublons, bloquantes)
    assert len(doublons) == 2
    for group in doublons:
        (nom1, prenom1, adresse1), (nom2, prenom2, adresse2) = group
        assert (nom1, prenom1) == (nom2, prenom2) and adresse1 != adresse2
    motifs = sorted(m for _, _, reasons in bloquantes for m in reasons)
    # both on the responsables: the planted fiches keep the pupils export's readers' rules
    assert motifs == ["Aucun représentant légal avec une adresse"] * 2
    first_links = [
        lien
        for s, _ in selectors.with_motifs(
            selectors.fiches_bloquantes(world=first, uai=first.home.uai, annee=2026)
        )
        for lien in s.eleve.liens.select_related("personne")
    ]
    assert sorted((lien.niveau, lien.personne.adresse_id is None) for lien in first_links) == [
        (LienResponsable.Niveau.LEGAL, True),
        (LienResponsable.Niveau.CONTACT, False),
    ]
    assert planted(college("Monde trois", seed=12)) != (doublons, bloquantes)


def test_no_affectation_dossiers_before_the_results_and_the_report(shared):
    world = shared
    assert not DossierEntrant.objects.filter(world=world).exists()
    report = world_report(world=world)["systemes"]["siecle"]
    assert report["eleves"] == 500
    assert report["divisions"] == 20
    assert (
        report["responsables"] == Personne.objects.filter(world=world, uai=world.home.uai).count()
    )
    assert report["groupes"] == report["liens"] == report["signalements"] == 0
    assert not OptionEleve.objects.filter(world=world, scolarite__annee=2027).exists()


def test_bascule_listener_opens_the_year_in_preparation():
    """When the world opens before the bascule, the calendar's event does the same."""
    world = college()
    home = world.home.uai
    carried = set(
        Scolarite.objects.filter(world=world, annee=2027).values_list("uai", "eleve__ine")
    )
    Scolarite.objects.filter(world=world, annee=2027).delete()
    Etablissement.objects.filter(world=world).update(derniere_annee=2026)
    event = CalendarEvent.objects.get(world=world, kind="bee_bascule")
    assert academie._on_bascule in registry.event_listeners("bee_bascule")
    for listener in registry.event_listeners("bee_bascule"):
        listener(event)
    again = set(Scolarite.objects.filter(world=world, annee=2027).values_list("uai", "eleve__ine"))
    assert again == carried and any(uai == home for uai, _ in again)
    base = Etablissement.objects.get(world=world, uai=home)
    assert selectors.annees(world=world, etablissement=base).en_preparation == 2027
    assert academie.bascule(world=world, annee=2027) == 0  # idempotent
