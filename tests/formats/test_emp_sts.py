"""EDT_STS (emp_sts): the real return file is read whole, written back alike, refused when wrong."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from entsim.formats import emp_sts
from entsim.formats.emp_sts import (
    Alternance,
    Cours,
    Division,
    DivisionAppartenance,
    Donnees,
    EmpSts,
    Enseignant,
    Groupe,
    Horaire,
    Indemnite,
    Individu,
    Parametres,
    SalleCours,
    Service,
    Structure,
)
from entsim.formats.safe import FormatError, parse_xml

SAMPLE = "samples/sts/emp_sts_case3.xml"
OTHER_SAMPLE = "samples/sts/sts_emp_case3.xml"
DECLARATION = b'<?xml version="1.0" encoding="ISO-8859-15"?>\n'


@pytest.fixture(scope="module")
def sample_bytes(reference_dir) -> bytes:
    return (reference_dir / SAMPLE).read_bytes()


@pytest.fixture(scope="module")
def sample(sample_bytes) -> EmpSts:
    return emp_sts.read(sample_bytes)


def document_order(content: bytes) -> list[tuple[str, str, tuple]]:
    """Every element as (path, stripped text of a leaf, attributes), in document order."""
    root = parse_xml(content)
    entries = []
    for node in root.iter(tag="*"):
        path = "/".join([a.tag for a in reversed(list(node.iterancestors()))] + [node.tag])
        value = (node.text or "").strip() if len(node) == 0 else ""
        entries.append((path, value, tuple(sorted(node.attrib.items()))))
    return entries


# --- (a) the real sample is read, every element of it ----------------------------------------


def test_sample_parametres(sample):
    assert sample.parametres == Parametres(
        uaj="0771991W", annee_scolaire=2018, application_source="EDITEUR_PRIVE"
    )
    assert (sample.uai, sample.annee) == ("0771991W", 2018)


def test_sample_day_bounds_week_patterns_and_rooms(sample):
    donnees = sample.donnees
    assert [h.jour for h in donnees.horaires] == [1, 2, 3, 4, 5]
    assert donnees.horaires[2] == Horaire(
        jour=3, debut_cours=dt.time(8, 30), fin_cours=dt.time(12, 30)
    )
    assert {h.fin_cours for h in donnees.horaires} == {dt.time(17, 5), dt.time(12, 30)}
    assert donnees.alternances == (
        Alternance(
            code="H",
            libelle_court="Cours Hebd",
            libelle_long="Cours Hebdomadaire",
            semaines=(dt.date(2099, 9, 3), dt.date(2099, 9, 10)),
        ),
    )
    assert donnees.salles_cours == (SalleCours(code="03", groupe_salle="", localisation=""),)


def test_sample_staff(sample):
    assert sample.donnees.individus == (
        Individu(
            id="69881",
            indemnites=(Indemnite(code_structure="4E", mefstat4="2115"),),
            ares=True,
        ),
    )


def test_sample_services_and_courses(sample):
    assert sample.donnees.structure == Structure(
        divisions=(
            Division(
                code="3A",
                services=(
                    Service(
                        code_matiere="020700",
                        code_mod_cours="CG",
                        heures_structure=Decimal("4.00"),
                        co_ens=False,
                        enseignants=(
                            Enseignant(
                                type="epp",
                                id="69881",
                                heures_agent=Decimal("4.00"),
                                cours_rattaches=(
                                    Cours(
                                        code_alternance="H",
                                        jour=4,
                                        heure_debut=dt.time(14, 2),
                                        duree=dt.timedelta(hours=1),
                                        code_salle="15",
                                    ),
                                ),
                            ),
                        ),
                    ),
                ),
            ),
        ),
        groupes=(),
    )


def test_sample_is_written_back_element_for_element(sample, sample_bytes):
    """Nothing of the real file is lost, and the order of its elements is kept."""
    assert document_order(emp_sts.write(sample)) == document_order(sample_bytes)


# --- (b) round trips --------------------------------------------------------------------------

ISO_8859_15_CHARS = (bytes(range(0x20, 0x7F)) + bytes(range(0xA0, 0x100))).decode("iso-8859-15")


def texts(*, min_size: int = 0) -> st.SearchStrategy[str]:
    """Values as a reader returns them: what ISO-8859-15 holds, stripped."""
    return (
        st.text(alphabet=ISO_8859_15_CHARS, max_size=20)
        .map(str.strip)
        .filter(lambda value: len(value) >= min_size)
    )


def optional(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.none() | strategy


def tuples(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.lists(strategy, max_size=2).map(tuple)


codes = texts(min_size=1)
labels = optional(texts())
hours = st.decimals(min_value=0, max_value=999, places=2, allow_nan=False, allow_infinity=False)
counts = optional(st.integers(min_value=0, max_value=9999))
ids = st.from_regex(r"[0-9]{1,8}", fullmatch=True)
days = st.integers(min_value=1, max_value=7)
clock = st.builds(dt.time, hour=st.integers(0, 23), minute=st.integers(0, 59))
durations = st.integers(min_value=0, max_value=99 * 60 + 59).map(
    lambda minutes: dt.timedelta(minutes=minutes)
)

services = tuples(
    st.builds(
        Service,
        code_matiere=codes,
        code_mod_cours=codes,
        heures_structure=optional(hours),
        co_ens=optional(st.booleans()),
        enseignants=tuples(
            st.builds(
                Enseignant,
                type=codes,
                id=ids,
                heures_agent=optional(hours),
                cours_rattaches=tuples(
                    st.builds(
                        Cours,
                        code_alternance=codes,
                        jour=days,
                        heure_debut=clock,
                        duree=durations,
                        code_salle=labels,
                    )
                ),
            )
        ),
    )
)
structures = st.builds(
    Structure,
    divisions=tuples(st.builds(Division, code=codes, services=services)),
    groupes=tuples(
        st.builds(
            Groupe,
            code=codes,
            libelle_long=labels,
            effectif_prevu=counts,
            effectif_max_edt=counts,
            divisions_appartenance=tuples(
                st.builds(DivisionAppartenance, code=codes, effectif_prevu=counts)
            ),
            services=services,
        )
    ),
)
documents = st.builds(
    EmpSts,
    parametres=st.builds(
        Parametres,
        uaj=st.from_regex(r"[0-9]{7}[A-Z]", fullmatch=True),
        annee_scolaire=st.integers(min_value=1000, max_value=9999),
        application_source=labels,
    ),
    donnees=st.builds(
        Donnees,
        horaires=tuples(st.builds(Horaire, jour=days, debut_cours=clock, fin_cours=clock)),
        alternances=tuples(
            st.builds(
                Alternance,
                code=codes,
                libelle_court=labels,
                libelle_long=labels,
                semaines=tuples(st.dates()),
            )
        ),
        salles_cours=tuples(
            st.builds(SalleCours, code=codes, groupe_salle=labels, localisation=labels)
        ),
        individus=tuples(
            st.builds(
                Individu,
                id=ids,
                indemnites=tuples(st.builds(Indemnite, code_structure=codes, mefstat4=labels)),
                ares=st.booleans(),
            )
        ),
        structure=structures,
    ),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_round_trip(doc):
    assert emp_sts.read(emp_sts.write(doc)) == doc


def test_sample_round_trip(sample):
    assert emp_sts.read(emp_sts.write(sample)) == sample


def minimal(structure: Structure | None = None) -> EmpSts:
    return EmpSts(
        parametres=Parametres(uaj="0130001E", annee_scolaire=2027, application_source="ENTSIM"),
        donnees=Donnees(structure=structure or Structure()),
    )


def test_empty_divisions_and_groups_are_left_out_as_in_the_real_files():
    content = emp_sts.write(minimal())
    assert b"<DIVISIONS" not in content
    assert b"<GROUPES" not in content
    assert b"<STRUCTURE/>" in content


def test_group_is_nested_as_in_the_real_files():
    group = Groupe(
        code="3B_G2",
        libelle_long="",
        effectif_prevu=18,
        effectif_max_edt=0,
        divisions_appartenance=(DivisionAppartenance(code="3B", effectif_prevu=6),),
        services=(Service(code_matiere="020700", code_mod_cours="CG", co_ens=False),),
    )
    root = parse_xml(emp_sts.write(minimal(Structure(groupes=(group,)))))
    node = root.find("DONNEES/STRUCTURE/GROUPES/GROUPE")
    assert node.get("CODE") == "3B_G2"
    assert [child.tag for child in node] == [
        "LIBELLE_LONG",
        "EFFECTIF_PREVU",
        "EFFECTIF_MAX_EDT",
        "DIVISIONS_APPARTENANCE",
        "SERVICES",
    ]
    assert node.findtext("DIVISIONS_APPARTENANCE/DIVISION_APPARTENANCE/EFFECTIF_PREVU") == "6"
    assert node.find("SERVICES/SERVICE").get("CODE_MOD_COURS") == "CG"


# --- (c) refusals -----------------------------------------------------------------------------


def test_the_sts_export_is_refused(reference_dir):
    with pytest.raises(FormatError) as error:
        emp_sts.read((reference_dir / OTHER_SAMPLE).read_bytes())
    assert error.value.message == (
        "Ce fichier est un export STS-web STS_EDT, "
        "pas un fichier EDT_STS (retour du logiciel d'emploi du temps)."
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Le fichier est vide."),
        (b"<EDT_STS><PARAMETRES><UAJ></EDT_STS>", "Fichier XML mal formé"),
        (b"\x00\xff junk " * 2_100_000, "Fichier XML mal formé"),  # about 20 MB of junk
        (b"<IMPORT_ELEVES/>", "Racine XML inattendue : « IMPORT_ELEVES » (attendu EDT_STS)."),
        (b"<EDT_STS/>", "Élément PARAMETRES manquant dans EDT_STS"),
        (b"<EDT_STS><PARAMETRES/></EDT_STS>", "Élément UAJ manquant dans PARAMETRES"),
        (
            b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><EDT_STS>&x;</EDT_STS>',
            "entités",
        ),
    ],
    ids=["empty", "malformed", "junk-20MB", "other-root", "no-parametres", "no-uaj", "xxe"],
)
def test_broken_files_are_refused(content, message):
    with pytest.raises(FormatError) as error:
        emp_sts.read(content)
    assert message in error.value.message


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            b"<HEURES_STRUCTURE>4.00",
            b"<HEURES_STRUCTURE>quatre",
            "Valeur illisible pour HEURES_STRUCTURE : « quatre » (ligne",
        ),
        (b"<HEURES_AGENT>4.00", b"<HEURES_AGENT>4h", "Valeur illisible pour HEURES_AGENT : « 4h »"),
        (b"<UAJ>0771991W", b"<UAJ>TORCY", "Valeur illisible pour UAJ : « TORCY »"),
        (b">2018<", b">2018-2019<", "Valeur illisible pour ANNEE_SCOLAIRE : « 2018-2019 »"),
        (b"1402", b"14h02", "Valeur illisible pour HEURE_DEBUT : « 14h02 »"),
        (b"<DUREE>0100", b"<DUREE>0075", "Valeur illisible pour DUREE : « 0075 »"),
        (b">1705<", b">2505<", "Valeur illisible pour FIN_COURS : « 2505 »"),
        (b'JOUR="1"', b'JOUR="lundi"', "l'attribut JOUR de HORAIRE : « lundi »"),
        (b"2099-09-03", b"03/09/2099", "Valeur illisible pour DATE_DEBUT_SEMAINE : « 03/09/2099 »"),
        (b"<CO_ENS>false", b"<CO_ENS>non", "Valeur illisible pour CO_ENS : « non »"),
        (b'TYPE="epp" ID="69881"', b'TYPE="epp"', "Attribut ID manquant sur ENSEIGNANT"),
    ],
    ids=[
        "hours",
        "agent-hours",
        "uai",
        "year",
        "start",
        "duration",
        "end",
        "day",
        "week",
        "boolean",
        "no-id",
    ],
)
def test_unreadable_values_are_refused_naming_element_and_value(sample_bytes, old, new, message):
    assert old in sample_bytes
    with pytest.raises(FormatError) as error:
        emp_sts.read(sample_bytes.replace(old, new, 1))
    assert message in error.value.message


# --- (d) encoding -----------------------------------------------------------------------------


def test_written_file_is_iso_8859_15_with_declaration_on_line_1():
    rooms = (
        SalleCours(code="S€1", groupe_salle="Bâtiment Œ", localisation="Győr"),
        SalleCours(code="ő"),
    )
    doc = minimal()
    content = emp_sts.write(replace(doc, donnees=replace(doc.donnees, salles_cours=rooms)))
    assert content.startswith(DECLARATION)
    assert "S€1".encode("iso-8859-15") in content
    assert b"&#" not in content
    read_back = emp_sts.read(content).donnees.salles_cours
    assert read_back == (
        SalleCours(code="S€1", groupe_salle="Bâtiment Œ", localisation="Gy?r"),
        SalleCours(code="?"),
    )


def test_filename():
    assert emp_sts.filename("0771991W", 2018) == "emp_sts_0771991W_2018.xml"
