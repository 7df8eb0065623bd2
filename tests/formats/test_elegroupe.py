"""ELEGROUPE: the links file, its name, SIECLE's deposit checks, and the product's own schema
giving the same verdicts as the reference transcription of the specification's XSD."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from entsim.formats import elegroupe
from entsim.formats.elegroupe import Donnees, Eleve, Groupe, ImportEleves, Parametres
from entsim.formats.safe import FormatError

AT = dt.datetime(2027, 6, 14, 8, 5, 9)
NAME = "0130001EELEGROUPE2027270614080509"


@pytest.fixture(scope="module")
def reference_schema(reference_dir) -> etree.XMLSchema:
    return etree.XMLSchema(
        etree.parse(str(reference_dir / "specs/schema_Import_EleGroupes_1.4.xsd"))
    )


def doc(*eleves: Eleve, **parametres) -> ImportEleves:
    values = {
        "uaj": "0130001E",
        "annee_scolaire": 2027,
        "date_import": dt.date(2027, 6, 14),
        "num_envoi": 1,
        "logiciel": "EDT-ENTSIM",
    }
    values.update(parametres)
    return ImportEleves(
        version="1.4",
        parametres=Parametres(**values),
        donnees=Donnees(eleves=eleves or (pupil(),)),
    )


def pupil(**values) -> Eleve:
    base = {
        "eleve_id": 1541944,
        "nom_de_famille": "ESCAGLIA",
        "prenom": "Jeanine",
        "date_naiss": dt.date(2002, 6, 21),
        "groupes": (Groupe(code_groupe="3ESP1"),),
    }
    base.update(values)
    return Eleve(**base)


# --- Writing and reading ----------------------------------------------------------------------


def test_written_file():
    text = elegroupe.write(doc()).decode("iso-8859-15")
    assert text.startswith(
        '<?xml version="1.0" encoding="ISO-8859-15"?>\n<IMPORT_ELEVES VERSION="1.4">'
    )
    assert "<DATE_IMPORT>14/06/2027</DATE_IMPORT>" in text
    assert "<ELEVE_ID>1541944</ELEVE_ID>" in text and "<DATE_NAISS>2002-06-21</DATE_NAISS>" in text
    assert "ID_NATIONAL" not in text and "NOM_USAGE" not in text


def test_round_trip_with_every_field():
    full = doc(
        pupil(
            eleve_id=None,
            id_national="070876696HA",
            nom_usage="DUPONT",
            prenom2="Marie",
            prenom3="Zoé",
            groupes=(
                Groupe(
                    code_groupe="3ESP1",
                    date_debut_groupe=dt.date(2027, 9, 1),
                    date_fin_groupe=dt.date(2028, 7, 4),
                ),
                Groupe(code_groupe="LAT 3"),
            ),
        ),
        pupil(eleve_id=None, id_prv_ele=42, nom_de_famille="B", prenom="C"),
    )
    content = elegroupe.write(full)
    assert elegroupe.validate(content) == []
    assert elegroupe.read(content) == full
    assert (full.uai, full.annee) == ("0130001E", 2027)


def test_reader_refuses_other_files():
    with pytest.raises(FormatError, match="export des élèves de SIECLE"):
        elegroupe.read(b'<BEE_ELEVES VERSION="3.0"/>')
    with pytest.raises(FormatError, match="Racine XML inattendue"):
        elegroupe.read(b"<ELEVES/>")


def test_names():
    assert elegroupe.filename("0130001E", 2027, AT) == NAME + ".xml"
    assert elegroupe.zip_filename("0130001E", 2027, AT) == NAME + ".zip"
    assert elegroupe.parse_filename(NAME + ".zip") == elegroupe.FileName("0130001E", 2027, AT)
    for bad in (
        "0130001EELEGROUPE202727061408050.xml",  # 11 digits of time stamp
        "0130001eELEGROUPE2027270614080509.xml",
        "0130001EELEGROUPES2027270614080509.xml",
        "0130001EELEGROUPE2027271314080509.xml",  # month 13
        "ELEGROUPE.xml",
    ):
        assert elegroupe.parse_filename(bad) is None, bad


def test_zip_holds_the_xml_of_the_same_name():
    name, content = elegroupe.write_zip_file(doc(), AT)
    assert name == NAME + ".zip"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.namelist() == [NAME + ".xml"]
        assert archive.read(NAME + ".xml") == elegroupe.write(doc())


# --- SIECLE's deposit checks, in order --------------------------------------------------------


def _zip(name: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


def test_deposit_accepts_the_written_zip_and_the_plain_xml():
    name, content = elegroupe.write_zip_file(doc(), AT)
    assert elegroupe.deposit_check(name, content, annee=2027) == (NAME + ".xml", doc())
    assert elegroupe.deposit_check(NAME + ".xml", elegroupe.write(doc()), annee=2027)[1] == doc()


@pytest.mark.parametrize(
    ("name", "inner", "content", "message"),
    [
        (NAME + ".zip", "autre.xml", None, "ne porte pas le même nom que l'archive"),
        (
            "0130001EELEGROUPE2026270614080509.zip",
            "0130001EELEGROUPE2026270614080509.xml",
            None,
            "Année du fichier différente de l'année utilisée !",
        ),
        ("liens.zip", "liens.xml", None, "Nom du fichier mal formaté !"),
        (
            "0130001EELEGROUPE2027.zip",
            "0130001EELEGROUPE2027.xml",
            None,
            "Nom du fichier mal formaté !",
        ),
        (NAME + ".zip", NAME + ".xml", b"<IMPORT_ELEVES/>", "Fichier XML non valide."),
        (NAME + ".zip", NAME + ".xml", b"<IMPORT_ELEVES>", "Fichier XML non valide."),
    ],
)
def test_deposit_refusals(name, inner, content, message):
    payload = _zip(inner, content if content is not None else elegroupe.write(doc()))
    with pytest.raises(elegroupe.DepositRefused) as refused:
        elegroupe.deposit_check(name, payload, annee=2027)
    assert message in refused.value.message


def test_invalid_file_lists_the_schema_complaints():
    invalid = elegroupe.write(doc(pupil(groupes=(Groupe(code_groupe="TROP-LONG-9"),))))
    with pytest.raises(elegroupe.DepositRefused) as refused:
        elegroupe.deposit_check(NAME + ".xml", invalid, annee=2027)
    assert refused.value.details and "CODE_GROUPE" in refused.value.details[0]


# --- Our schema and the reference transcription agree ----------------------------------------


def _xml(body: str, version: str = 'VERSION="1.4"') -> bytes:
    return (
        f'<?xml version="1.0" encoding="ISO-8859-15"?><IMPORT_ELEVES {version}>{body}'
        "</IMPORT_ELEVES>"
    ).encode("iso-8859-15")


PARAMS = (
    "<PARAMETRES><UAJ>0130001E</UAJ><ANNEE_SCOLAIRE>2027</ANNEE_SCOLAIRE>"
    "<DATE_IMPORT>14/06/2027</DATE_IMPORT><NUM_ENVOI>3</NUM_ENVOI><LOGICIEL>EDT</LOGICIEL>"
    "</PARAMETRES>"
)


def _eleve(
    ident="<ELEVE_ID>12</ELEVE_ID>",
    groupes="<GROUPE><CODE_GROUPE>3ESP1</CODE_GROUPE></GROUPE>",
    extra="",
):
    return (
        f"<ELEVE>{ident}<NOM_DE_FAMILLE>DUPONT</NOM_DE_FAMILLE>{extra}<PRENOM>Léa</PRENOM>"
        f"<DATE_NAISS>2013-03-04</DATE_NAISS><GROUPES>{groupes}</GROUPES></ELEVE>"
    )


def _file(*eleves: str, params: str = PARAMS, version: str = 'VERSION="1.4"') -> bytes:
    return _xml(f"{params}<DONNEES><ELEVES>{''.join(eleves) or ''}</ELEVES></DONNEES>", version)


CASES = {
    # valid
    "minimal": (_file(_eleve()), True),
    "ine": (_file(_eleve("<ID_NATIONAL>070876696HA</ID_NATIONAL>")), True),
    "id_prv": (_file(_eleve("<ID_PRV_ELE>99999</ID_PRV_ELE>")), True),
    "nom_usage": (_file(_eleve(extra="<NOM_USAGE>X</NOM_USAGE>")), True),
    "dates_groupe": (
        _file(
            _eleve(
                groupes="<GROUPE><CODE_GROUPE>A</CODE_GROUPE><DATE_DEBUT_GROUPE>2027-09-01"
                "</DATE_DEBUT_GROUPE><DATE_FIN_GROUPE>2028-07-04Z</DATE_FIN_GROUPE></GROUPE>"
            )
        ),
        True,
    ),
    "two_pupils": (_file(_eleve(), _eleve("<ELEVE_ID>13</ELEVE_ID>")), True),
    "two_groups": (
        _file(
            _eleve(
                groupes="<GROUPE><CODE_GROUPE>A</CODE_GROUPE></GROUPE>"
                "<GROUPE><CODE_GROUPE>B</CODE_GROUPE></GROUPE>"
            )
        ),
        True,
    ),
    "version_other": (_file(_eleve(), version='VERSION="9.9"'), True),
    "code_8": (_file(_eleve(groupes="<GROUPE><CODE_GROUPE>3°ESP B1</CODE_GROUPE></GROUPE>")), True),
    # invalid
    "no_version": (_file(_eleve(), version=""), False),
    "version_long": (_file(_eleve(), version='VERSION="1.4.0.0.0.0"'), False),
    "no_pupil": (_file(), False),
    "no_group": (_file(_eleve(groupes="")), False),
    "code_9": (
        _file(_eleve(groupes="<GROUPE><CODE_GROUPE>123456789</CODE_GROUPE></GROUPE>")),
        False,
    ),
    "code_empty": (_file(_eleve(groupes="<GROUPE><CODE_GROUPE></CODE_GROUPE></GROUPE>")), False),
    "same_group_twice": (
        _file(
            _eleve(
                groupes="<GROUPE><CODE_GROUPE>A</CODE_GROUPE></GROUPE>"
                "<GROUPE><CODE_GROUPE>A</CODE_GROUPE></GROUPE>"
            )
        ),
        False,
    ),
    "same_pupil_twice": (_file(_eleve(), _eleve()), False),
    "same_ine_twice": (
        _file(
            _eleve("<ID_NATIONAL>070876696HA</ID_NATIONAL>"),
            _eleve("<ID_NATIONAL>070876696HA</ID_NATIONAL>"),
        ),
        False,
    ),
    "two_identifiers": (_file(_eleve("<ELEVE_ID>1</ELEVE_ID><ID_PRV_ELE>2</ID_PRV_ELE>")), False),
    "no_identifier": (_file(_eleve("")), False),
    "eleve_id_negative": (_file(_eleve("<ELEVE_ID>-1</ELEVE_ID>")), False),
    "ine_10": (_file(_eleve("<ID_NATIONAL>070876696H</ID_NATIONAL>")), False),
    "ine_punct": (_file(_eleve("<ID_NATIONAL>070876696-A</ID_NATIONAL>")), False),
    "id_prv_too_big": (_file(_eleve("<ID_PRV_ELE>100000</ID_PRV_ELE>")), False),
    "date_fr_birth": (
        _file(_eleve().replace(b"2013-03-04".decode(), "04/03/2013")),
        False,
    ),
    "order_swapped": (
        _file(
            _eleve(extra="")
            .replace("<PRENOM>Léa</PRENOM>", "")
            .replace("<ELEVE_ID>12</ELEVE_ID>", "<ELEVE_ID>12</ELEVE_ID><PRENOM>Léa</PRENOM>")
        ),
        False,
    ),
    "uaj_short": (_file(_eleve(), params=PARAMS.replace("0130001E", "013001E")), False),
    "uaj_underscore": (_file(_eleve(), params=PARAMS.replace("0130001E", "0130001_")), False),
    "annee_letters": (_file(_eleve(), params=PARAMS.replace(">2027<", ">20AB<")), False),
    "date_import_iso": (_file(_eleve(), params=PARAMS.replace("14/06/2027", "2027-06-14")), False),
    "num_envoi_big": (_file(_eleve(), params=PARAMS.replace(">3<", ">100000<")), False),
    "logiciel_11": (_file(_eleve(), params=PARAMS.replace(">EDT<", ">ABCDEFGHIJK<")), False),
    "logiciel_empty": (_file(_eleve(), params=PARAMS.replace(">EDT<", "><")), False),
    "nom_101": (_file(_eleve().replace("DUPONT", "D" * 101)), False),
    "unknown_element": (_file(_eleve(extra="<SEXE>1</SEXE>")), False),
    "no_params": (_xml("<DONNEES><ELEVES>" + _eleve() + "</ELEVES></DONNEES>"), False),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_our_schema_agrees_with_the_reference(case, reference_schema):
    content, expected = CASES[case]
    ours = elegroupe.validate(content) == []
    theirs = elegroupe.validate(content, reference_schema) == []
    assert (ours, theirs) == (expected, expected)


_TEXT = st.text(
    st.characters(codec="iso-8859-15", exclude_categories=("Cc", "Cs")), min_size=0, max_size=12
)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    codes=st.lists(_TEXT, min_size=1, max_size=3),
    nom=_TEXT,
    eleve_id=st.integers(min_value=-5, max_value=2**33),
    num=st.integers(min_value=-1, max_value=100_001),
    logiciel=_TEXT,
)
def test_same_verdicts_on_generated_files(reference_schema, codes, nom, eleve_id, num, logiciel):
    content = elegroupe.write(
        doc(
            pupil(
                eleve_id=eleve_id,
                nom_de_famille=nom,
                groupes=tuple(Groupe(code_groupe=code) for code in codes),
            ),
            num_envoi=num,
            logiciel=logiciel,
        )
    )
    assert (elegroupe.validate(content) == []) == (
        elegroupe.validate(content, reference_schema) == []
    )
