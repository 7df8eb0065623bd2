"""STS_EDT (sts_emp): the real export is read whole, written back alike, refused when wrong."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from entsim.formats import sts_emp
from entsim.formats.safe import FormatError, parse_xml
from entsim.formats.sts_emp import (
    Academie,
    AnneeScolaire,
    Civilite,
    Discipline,
    Division,
    DivisionAppartenance,
    Donnees,
    EnseignantRef,
    Groupe,
    Individu,
    Matiere,
    Mef,
    MefAppartenance,
    Mefstat4,
    ModCours,
    Nomenclatures,
    Parametres,
    ProfPrinc,
    Programme,
    Service,
    Structure,
    StsEmp,
    TauxPond,
    TypeAhe,
    Uaj,
)

SAMPLE = "samples/sts/sts_emp_case3.xml"
OTHER_SAMPLE = "samples/sts/emp_sts_case3.xml"
DECLARATION = b'<?xml version="1.0" encoding="ISO-8859-15"?>\n'


@pytest.fixture(scope="module")
def sample_bytes(reference_dir) -> bytes:
    return (reference_dir / SAMPLE).read_bytes()


@pytest.fixture(scope="module")
def sample(sample_bytes) -> StsEmp:
    return sts_emp.read(sample_bytes)


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
    assert sample.uai == "0771991W"
    assert sample.annee == 2018
    assert sample.parametres == Parametres(
        uaj=Uaj(
            code="0771991W",
            academie=Academie(code="024", libelle="CRETEIL"),
            sigle="CLG",
            denom_princ="COLLEGE",
            denom_compl="LOUIS ARAGON",
            code_nature="340",
            code_categorie="CLG",
            mention_distribution="",
            adresse="ALLEE DE LA CARAVELLE",
            commune="TORCY",
            code_postal="77200",
            boite_postale="",
            cedex="N",
            telephone="0160375870",
            statut="public",
            etablissement_sensible=False,
        ),
        annee_scolaire=AnneeScolaire(
            annee=2018, date_debut=dt.date(2018, 9, 1), date_fin=dt.date(2019, 8, 31)
        ),
    )


def test_sample_nomenclatures(sample):
    nomenclatures = sample.nomenclatures
    assert nomenclatures.types_ahe == (
        TypeAhe(
            code="4112", libelle_court="ASSO.EPS", libelle_long="HEURES ASSOCIATIONS SPORTIVES"
        ),
    )
    assert [c.code for c in nomenclatures.civilites] == [".", "1", "2", "3", "L", "M"]
    assert nomenclatures.civilites[2] == Civilite(code="2", libelle_court="MME", libelle_long="Mme")
    assert nomenclatures.mefstats4 == (
        Mefstat4(
            code="23C1",
            libelle_court="1BMA2",
            libelle_long="BMA EN 2 ANS : 1ERE ANNEE",
            indemnite_pp_autorisee=True,
        ),
    )
    assert nomenclatures.taux_ponds == (TauxPond(taux=Decimal("1.25"), cpge_bts="bts"),)
    assert nomenclatures.mods_cours == (
        ModCours(
            code="AI",
            libelle_court="AIDE IND",
            libelle_long="AIDE INDIVIDUALISEE - SOUTIEN",
            co_ens=True,
        ),
    )
    assert nomenclatures.matieres == (
        Matiere(
            code="020700",
            code_gestion="FRANC",
            libelle_court="FRANCAIS",
            libelle_long="FRANCAIS",
            libelle_edition="Français",
        ),
    )
    assert nomenclatures.mefs == (
        Mef(
            code="10310019110",
            formation="3EME",
            specialite="",
            libelle_long="3EME",
            libelle_edition="3ème",
            mefstat11="21160010019",
            mefstat4="2116",
        ),
    )
    assert nomenclatures.programmes == (
        Programme(code_mef="10310019110", code_matiere="030102", horaire=Decimal("2.50")),
    )


def test_sample_teacher(sample):
    assert sample.donnees.individus == (
        Individu(
            id="69881",
            type="epp",
            sexe="2",
            civilite="2",
            nom_usage="DOE",
            nom_patronymique="BOUILLON",
            prenom="Jane",
            date_naissance=dt.date(1975, 2, 27),
            grade="CERT. CL N",
            fonction="ENS",
            disciplines=(
                Discipline(code="L0202", libelle_court="LET MODERN", nb_heures=Decimal("18.00")),
            ),
        ),
    )
    assert sample.donnees.suppleants == ()


def test_sample_structure(sample):
    assert sample.donnees.structure == Structure(
        divisions=(
            Division(
                code="3A",
                libelle_long="3EMEA",
                effectif_prevu=28,
                effectif_calcule=24,
                mefs_appartenance=(
                    MefAppartenance(code="10310019110", effectif_prevu=28, effectif_calcule=24),
                ),
                services=(),
            ),
        ),
        groupes=(),
    )


def test_sample_is_written_back_element_for_element(sample, sample_bytes):
    """Nothing of the real export is lost, and the order of its elements is kept."""
    assert document_order(sts_emp.write(sample)) == document_order(sample_bytes)


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

uajs = st.builds(
    Uaj,
    code=st.from_regex(r"[0-9]{7}[A-Z]", fullmatch=True),
    academie=optional(st.builds(Academie, code=codes, libelle=labels)),
    sigle=labels,
    denom_princ=labels,
    denom_compl=labels,
    code_nature=labels,
    code_categorie=labels,
    mention_distribution=labels,
    adresse=labels,
    commune=labels,
    code_postal=labels,
    boite_postale=labels,
    cedex=labels,
    telephone=labels,
    statut=labels,
    etablissement_sensible=optional(st.booleans()),
)
parametres = st.builds(
    Parametres,
    uaj=uajs,
    annee_scolaire=st.builds(
        AnneeScolaire,
        annee=st.integers(min_value=1000, max_value=9999),
        date_debut=st.dates(),
        date_fin=st.dates(),
    ),
)
nomenclatures = st.builds(
    Nomenclatures,
    types_ahe=tuples(st.builds(TypeAhe, code=codes, libelle_court=labels, libelle_long=labels)),
    civilites=tuples(st.builds(Civilite, code=codes, libelle_court=labels, libelle_long=labels)),
    mefstats4=tuples(
        st.builds(
            Mefstat4,
            code=codes,
            libelle_court=labels,
            libelle_long=labels,
            indemnite_pp_autorisee=optional(st.booleans()),
        )
    ),
    taux_ponds=tuples(st.builds(TauxPond, taux=hours, cpge_bts=labels)),
    mods_cours=tuples(
        st.builds(
            ModCours,
            code=codes,
            libelle_court=labels,
            libelle_long=labels,
            co_ens=optional(st.booleans()),
        )
    ),
    matieres=tuples(
        st.builds(
            Matiere,
            code=codes,
            code_gestion=labels,
            libelle_court=labels,
            libelle_long=labels,
            libelle_edition=labels,
        )
    ),
    mefs=tuples(
        st.builds(
            Mef,
            code=codes,
            formation=labels,
            specialite=labels,
            libelle_long=labels,
            libelle_edition=labels,
            mefstat11=labels,
            mefstat4=labels,
        )
    ),
    programmes=tuples(
        st.builds(Programme, code_mef=codes, code_matiere=codes, horaire=optional(hours))
    ),
)
individus = st.builds(
    Individu,
    id=ids,
    type=codes,
    sexe=labels,
    civilite=labels,
    nom_usage=labels,
    nom_patronymique=labels,
    prenom=labels,
    date_naissance=optional(st.dates()),
    grade=labels,
    fonction=labels,
    disciplines=tuples(
        st.builds(Discipline, code=codes, libelle_court=labels, nb_heures=optional(hours))
    ),
    profs_princ=tuples(st.builds(ProfPrinc, code_structure=codes, date_fin=optional(st.dates()))),
)
services = tuples(
    st.builds(
        Service,
        code_matiere=codes,
        code_mod_cours=codes,
        enseignants=tuples(st.builds(EnseignantRef, id=ids, type=codes)),
    )
)
mefs_appartenance = tuples(
    st.builds(MefAppartenance, code=codes, effectif_prevu=counts, effectif_calcule=counts)
)
structures = st.builds(
    Structure,
    divisions=tuples(
        st.builds(
            Division,
            code=codes,
            libelle_long=labels,
            effectif_prevu=counts,
            effectif_calcule=counts,
            mefs_appartenance=mefs_appartenance,
            services=services,
        )
    ),
    groupes=tuples(
        st.builds(
            Groupe,
            code=codes,
            libelle_long=labels,
            effectif_prevu=counts,
            effectif_calcule=counts,
            effectif_max_edt=counts,
            divisions_appartenance=tuples(
                st.builds(
                    DivisionAppartenance,
                    code=codes,
                    effectif_prevu=counts,
                    effectif_calcule=counts,
                )
            ),
            mefs_appartenance=mefs_appartenance,
            services=services,
        )
    ),
)
documents = st.builds(
    StsEmp,
    parametres=parametres,
    nomenclatures=nomenclatures,
    donnees=st.builds(
        Donnees, individus=tuples(individus), structure=structures, suppleants=tuples(individus)
    ),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_round_trip(doc):
    assert sts_emp.read(sts_emp.write(doc)) == doc


def test_sample_round_trip(sample):
    assert sts_emp.read(sts_emp.write(sample)) == sample


def minimal(**uaj) -> StsEmp:
    return StsEmp(
        parametres=Parametres(
            uaj=Uaj(code="0130001E", **uaj),
            annee_scolaire=AnneeScolaire(
                annee=2027, date_debut=dt.date(2027, 9, 1), date_fin=dt.date(2028, 8, 31)
            ),
        ),
        nomenclatures=Nomenclatures(),
        donnees=Donnees(structure=Structure()),
    )


def test_optional_elements_omitted_when_none_and_empty_when_blank():
    content = sts_emp.write(minimal(sigle=None, denom_compl=""))
    assert b"<SIGLE" not in content
    assert b"<DENOM_COMPL/>" in content
    assert b"<PROFS_PRINC" not in content
    assert b"<SERVICES" not in content
    for wrapper in (b"<INDIVIDUS/>", b"<DIVISIONS/>", b"<GROUPES/>", b"<SUPPLEANTS/>"):
        assert wrapper in content


def test_main_teacher_is_nested_as_gepi_and_sacoche_read_it():
    teacher = Individu(
        id="1", type="epp", profs_princ=(ProfPrinc(code_structure="6 B"),), nom_usage="X"
    )
    doc = minimal()
    root = parse_xml(
        sts_emp.write(replace(doc, donnees=replace(doc.donnees, individus=(teacher,))))
    )
    assert root.findtext("DONNEES/INDIVIDUS/INDIVIDU/PROFS_PRINC/PROF_PRINC/CODE_STRUCTURE") == (
        "6 B"
    )


# --- (c) refusals -----------------------------------------------------------------------------


def test_the_timetable_return_is_refused(reference_dir):
    with pytest.raises(FormatError) as error:
        sts_emp.read((reference_dir / OTHER_SAMPLE).read_bytes())
    assert error.value.message == (
        "Ce fichier est un fichier EDT_STS (retour du logiciel d'emploi du temps), "
        "pas un export STS-web STS_EDT."
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Le fichier est vide."),
        (b"<STS_EDT><PARAMETRES></STS_EDT>", "Fichier XML mal formé"),
        (b"junk " * 4_200_000, "Fichier XML mal formé"),  # about 20 MB of junk
        (b"<BEE_ELEVES/>", "Racine XML inattendue : « BEE_ELEVES » (attendu STS_EDT)."),
        (b"<STS_EDT/>", "Élément PARAMETRES manquant dans STS_EDT"),
        (b"<STS_EDT><PARAMETRES/></STS_EDT>", "Élément UAJ manquant dans PARAMETRES"),
        (
            b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><STS_EDT>&x;</STS_EDT>',
            "entités",
        ),
    ],
    ids=["empty", "malformed", "junk-20MB", "other-root", "no-parametres", "no-uaj", "xxe"],
)
def test_broken_files_are_refused(content, message):
    with pytest.raises(FormatError) as error:
        sts_emp.read(content)
    assert message in error.value.message


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (b"18.00", b"abc", "Valeur illisible pour NB_HEURES : « abc » (ligne"),
        (b"2.50", b"2h30", "Valeur illisible pour HORAIRE : « 2h30 »"),
        (b'ANNEE="2018"', b'ANNEE="18"', "l'attribut ANNEE de ANNEE_SCOLAIRE : « 18 »"),
        (b"1975-02-27", b"27/02/1975", "Valeur illisible pour DATE_NAISSANCE : « 27/02/1975 »"),
        (b"28\n", b"vingt-huit\n", "Valeur illisible pour EFFECTIF_PREVU : « vingt-huit »"),
        (b"true", b"oui", "Valeur illisible pour INDEMNITE_PP_AUTORISEE : « oui »"),
        (b'CODE="0771991W"', b'CODE="771991"', "l'attribut CODE de UAJ : « 771991 »"),
        (b'<DIVISION CODE="3A">', b"<DIVISION>", "Attribut CODE manquant sur DIVISION"),
    ],
    ids=["hours", "horaire", "year", "date", "count", "boolean", "uai", "no-code"],
)
def test_unreadable_values_are_refused_naming_element_and_value(sample_bytes, old, new, message):
    assert old in sample_bytes
    with pytest.raises(FormatError) as error:
        sts_emp.read(sample_bytes.replace(old, new, 1))
    assert message in error.value.message


# --- (d) encoding -----------------------------------------------------------------------------


def test_written_file_is_iso_8859_15_with_declaration_on_line_1():
    content = sts_emp.write(minimal(denom_compl="JULES FERRY € ŒUVRE", commune="Kőszeg"))
    assert content.startswith(DECLARATION)
    assert "€ ŒUVRE".encode("iso-8859-15") in content
    doc = sts_emp.read(content)
    assert doc.parametres.uaj.denom_compl == "JULES FERRY € ŒUVRE"
    assert doc.parametres.uaj.commune == "K?szeg"
    assert b"&#" not in content


def test_filename():
    assert sts_emp.filename("0771991W", 2018) == "sts_emp_0771991W_2018.xml"
