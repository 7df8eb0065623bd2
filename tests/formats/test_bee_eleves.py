"""BEE_ELEVES: SIECLE's pupils export is read whole, written back alike, refused when wrong."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from entsim.formats import bee_eleves
from entsim.formats.bee_eleves import (
    Adresse,
    BeeEleves,
    Donnees,
    Eleve,
    Option,
    OptionEleve,
    Parametres,
    ScolariteAnDernier,
    Structure,
    StructuresEleve,
)
from entsim.formats.safe import FormatError, parse_xml

SAMPLE = "samples/siecle/eleves_avec_adresse_avec_double_structure.xml"
DECLARATION = b'<?xml version="1.0" encoding="ISO-8859-15"?>\n'


@pytest.fixture(scope="module")
def sample_bytes(reference_dir) -> bytes:
    return (reference_dir / SAMPLE).read_bytes()


@pytest.fixture(scope="module")
def sample(sample_bytes) -> BeeEleves:
    return bee_eleves.read(sample_bytes)


def document_order(content: bytes) -> list[tuple[str, str, tuple]]:
    """Every element as (path, stripped text of a leaf, attributes), in document order."""
    root = parse_xml(content)
    entries = []
    for node in root.iter(tag="*"):
        path = "/".join([a.tag for a in reversed(list(node.iterancestors()))] + [node.tag])
        value = (node.text or "").strip() if len(node) == 0 else ""
        entries.append((path, value, tuple(sorted(node.attrib.items()))))
    return entries


# --- The real sample --------------------------------------------------------------------------


def test_sample_parametres(sample):
    assert sample.version == "3.0"
    assert sample.parametres == Parametres(
        uaj="0660864F",
        annee_scolaire=2019,
        date_export=dt.date(2019, 8, 29),
        horodatage=dt.datetime(2019, 8, 29, 9, 45, 58),
    )
    assert (sample.uai, sample.annee) == ("0660864F", 2019)


def test_sample_pupil_every_element(sample):
    (eleve,) = sample.donnees.eleves
    assert eleve == Eleve(
        eleve_id=1541944,
        id_national="070876696HA",
        id_eleve_etab="03275660864",
        nom_de_famille="ESCAGLIA",
        prenom="Jeanine",
        date_naiss=dt.date(2002, 6, 21),
        doublement="0",
        code_pays="100",
        accepte_sms="0",
        date_modification=dt.date(2019, 8, 29),
        code_regime="24",
        date_entree=dt.date(2016, 9, 1),
        ville_naiss="",
        code_sexe="1",
        code_pays_nat="100",
        code_statut="ST",
        code_mef="10310019110",
        code_departement_naiss="092",
        code_commune_insee_naiss="92024",
        adhesion_transport="0",
        code_provenance="1",
        scolarite_an_dernier=ScolariteAnDernier(
            code_mef="10210001110",
            code_structure="406",
            code_rne="0660864F",
            code_nature="340",
            sigle="CLG",
            denom_princ="COLLEGE",
            denom_compl="FRANCOIS MITTERRAND",
            ligne1_adresse="Allée DE BARCELONE",
            boite_postale="",
            mel="ce.0660864F@ac-montpellier.fr",
            telephone="0468394940",
            code_commune_insee="66213",
            ll_commune_insee="TOULOUGES",
        ),
    )


def test_sample_options_structures_addresses(sample):
    assert sample.donnees.options == (
        Option(
            eleve_id=1541944,
            options_eleve=(
                OptionEleve(num_option=1, code_modalite_elect="O", code_matiere="030201"),
                OptionEleve(num_option=2, code_modalite_elect="O", code_matiere="030602"),
                OptionEleve(num_option=3, code_modalite_elect="F", code_matiere="020300"),
            ),
        ),
    )
    (structures,) = sample.donnees.structures
    assert structures.structures == (
        Structure(code_structure="301", type_structure="D"),
        Structure(code_structure="_301P1", type_structure="G"),
    )
    assert (structures.division, structures.groupes) == ("301", ("_301P1",))
    assert sample.structures_by_eleve()[1541944] == structures.structures
    assert [o.code_matiere for o in sample.options_by_eleve()[1541944]] == [
        "030201",
        "030602",
        "020300",
    ]
    assert sample.donnees.bourses is True
    assert sample.donnees.adresses == ()  # present, empty


def test_sample_written_back_alike(sample_bytes, sample):
    written = bee_eleves.write(sample)
    assert written.startswith(DECLARATION + b'<BEE_ELEVES VERSION="3.0">\n')
    assert document_order(written) == document_order(sample_bytes)
    assert bee_eleves.read(written) == sample


def test_one_element_per_line_value_inline(sample):
    lines = bee_eleves.write(sample).decode("iso-8859-15").splitlines()
    assert "        <UAJ>0660864F</UAJ>" in lines
    assert "                    <LIGNE1_ADRESSE>Allée DE BARCELONE</LIGNE1_ADRESSE>" in lines
    assert all(line.count("<") <= 2 for line in lines)


# --- Writing ----------------------------------------------------------------------------------


def minimal(**eleve) -> BeeEleves:
    return BeeEleves(
        version="3.0",
        parametres=Parametres(
            uaj="0130001E",
            annee_scolaire=2027,
            date_export=dt.date(2027, 6, 14),
            horodatage=dt.datetime(2027, 6, 14, 8, 5, 9),
        ),
        donnees=Donnees(
            eleves=(
                Eleve(
                    eleve_id=12,
                    nom_de_famille="DUPONT",
                    prenom="Émile",
                    date_naiss=dt.date(2013, 3, 4),
                    **eleve,
                ),
            ),
            options=(),
            structures=(),
        ),
    )


def test_writer_dates_encoding_and_addresses():
    doc = minimal(prenom2="Łucja", date_sortie=dt.date(2027, 10, 15), adresse_id="77")
    doc = replace(
        doc,
        donnees=replace(
            doc.donnees,
            adresses=(
                Adresse(
                    adresse_id="77",
                    ligne1_adresse="1 RUE DE L'ŒUVRE",
                    code_postal="13001",
                    code_pays="100",
                    libelle_postal="MARSEILLE",
                ),
            ),
        ),
    )
    written = bee_eleves.write(doc)
    text = written.decode("iso-8859-15")
    assert "<DATE_EXPORT>14/06/2027</DATE_EXPORT>" in text
    assert "<HORODATAGE>14/06/2027 08:05:09</HORODATAGE>" in text
    assert "<DATE_SORTIE>15/10/2027</DATE_SORTIE>" in text
    assert "<PRENOM2>?ucja</PRENOM2>" in text  # not in ISO-8859-15
    assert "1 RUE DE L'ŒUVRE" in text  # Œ is
    assert "<ADRESSES>" in text and "<OPTIONS/>" in text and "<BOURSES/>" in text
    assert "<NOM_USAGE>" not in text  # None: omitted
    back = bee_eleves.read(written)
    assert back.donnees.adresses[0].ligne1_adresse == "1 RUE DE L'ŒUVRE"
    assert back.donnees.eleves[0].prenom2 == "?ucja"


def test_sans_adresses_has_no_addresses_element():
    text = bee_eleves.write(minimal()).decode("iso-8859-15")
    assert "ADRESSES" not in text
    assert bee_eleves.read(bee_eleves.write(minimal())).donnees.adresses is None


def test_zip_as_siecle_delivers_it():
    name, content = bee_eleves.write_zip_file(minimal(), avec_adresses=False)
    assert name == "ExportXML_ElevesSansAdresses.zip"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.namelist() == ["ElevesSansAdresses.xml"]
    assert bee_eleves.read_upload(name, content) == minimal()
    assert (
        bee_eleves.read_upload("ElevesSansAdresses.xml", bee_eleves.write(minimal())) == minimal()
    )
    assert bee_eleves.filename(avec_adresses=True) == "ElevesAvecAdresses.xml"
    assert bee_eleves.zip_filename(avec_adresses=True) == "ExportXML_ElevesAvecAdresses.zip"


# --- Refusals ---------------------------------------------------------------------------------


def _zip(*members: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members:
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'<BEE_RESPONSABLES VERSION="2.1"/>', "export des responsables"),
        (b"<STS_EDT/>", "export STS-web"),
        (b"<AUTRE/>", "Racine XML inattendue : « AUTRE »"),
        (b"<BEE_ELEVES VERSION='3.0'><PARAMETRES>", "Fichier XML mal formé"),
        (b"", "Le fichier est vide"),
        (b'<BEE_ELEVES VERSION="2.0"/>', "Élément PARAMETRES manquant"),
    ],
)
def test_refused_with_a_french_message(content, message):
    with pytest.raises(FormatError, match=message):
        bee_eleves.read(content)


def test_wrong_version_and_values_are_refused():
    written = bee_eleves.write(minimal())
    with pytest.raises(FormatError, match="Version du fichier élèves non prise en charge"):
        bee_eleves.read(written.replace(b'VERSION="3.0"', b'VERSION="2.0"'))
    with pytest.raises(FormatError, match="Valeur illisible pour DATE_NAISS : « 31/02/2013 »"):
        bee_eleves.read(written.replace(b"04/03/2013", b"31/02/2013"))
    with pytest.raises(FormatError, match="l'attribut ELEVE_ID"):
        bee_eleves.read(written.replace(b'ELEVE_ID="12"', b'ELEVE_ID="A12"'))


def test_zip_refusals():
    good = bee_eleves.write(minimal())
    with pytest.raises(FormatError, match="2 fichiers"):
        bee_eleves.read_upload("x.zip", _zip(("a.xml", good), ("b.xml", good)))
    with pytest.raises(FormatError, match="anormalement compressé"):
        bee_eleves.read_upload("x.zip", _zip(("a.xml", b"<a>" + b" " * 2_000_000 + b"</a>")))
    with pytest.raises(FormatError, match="fichier XML d'export des élèves est attendu"):
        bee_eleves.read_upload("x.zip", _zip(("a.csv", good)))
    with pytest.raises(FormatError, match="Nom de fichier dangereux"):
        bee_eleves.read_upload("x.zip", _zip(("../a.xml", good)))
    with pytest.raises(FormatError, match="pas une archive zip valide"):
        bee_eleves.read_upload("x.zip", b"PK\x03\x04 pas un zip")


# --- Round trip (property) --------------------------------------------------------------------

# Values as SIECLE writes them: no surrounding blanks (readers strip), characters ISO-8859-15
# holds and XML allows.
_CHARS = st.characters(
    codec="iso-8859-15", exclude_categories=("Cc", "Cs", "Zl", "Zp"), exclude_characters="\x85"
)
TEXT = st.text(_CHARS, max_size=20).map(str.strip)
OPT = st.none() | TEXT
DATES = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))
IDS = st.integers(min_value=0, max_value=2**40)

scolarites = st.builds(
    ScolariteAnDernier,
    **{
        name: OPT
        for name in (
            "code_mef",
            "code_structure",
            "code_rne",
            "sigle",
            "denom_princ",
            "ligne1_adresse",
            "mel",
            "ll_commune_insee",
        )
    },
)
eleves = st.builds(
    Eleve,
    eleve_id=IDS,
    elenoet=OPT,
    id_national=OPT,
    nom_de_famille=TEXT,
    nom_usage=OPT,
    prenom=TEXT,
    prenom2=OPT,
    date_naiss=DATES,
    date_entree=st.none() | DATES,
    date_sortie=st.none() | DATES,
    code_sexe=st.none() | st.sampled_from(["1", "2"]),
    code_mef=OPT,
    adresse_id=OPT,
    scolarite_an_dernier=st.none() | scolarites,
)
options = st.builds(
    Option,
    eleve_id=IDS,
    elenoet=OPT,
    options_eleve=st.lists(
        st.builds(
            OptionEleve,
            num_option=st.integers(min_value=1, max_value=9),
            code_modalite_elect=st.none() | st.sampled_from(["O", "F", "S"]),
            code_matiere=TEXT,
        ),
        max_size=3,
    ).map(tuple),
)
structures = st.builds(
    StructuresEleve,
    eleve_id=IDS,
    structures=st.lists(
        st.builds(Structure, code_structure=TEXT, type_structure=st.sampled_from(["D", "G"])),
        max_size=3,
    ).map(tuple),
)
adresses = st.builds(
    Adresse,
    adresse_id=TEXT,
    ligne1_adresse=OPT,
    ligne4_adresse=OPT,
    code_postal=OPT,
    ll_pays=OPT,
)
documents = st.builds(
    BeeEleves,
    version=st.just("3.0"),
    parametres=st.builds(
        Parametres,
        uaj=st.sampled_from(["0130001E", "0660864F"]),
        annee_scolaire=st.integers(min_value=1990, max_value=2099),
        date_export=DATES,
        horodatage=st.datetimes(
            min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2099, 12, 31)
        ).map(lambda d: d.replace(microsecond=0)),
    ),
    donnees=st.builds(
        Donnees,
        eleves=st.lists(eleves, max_size=3).map(tuple),
        options=st.lists(options, max_size=2).map(tuple),
        structures=st.lists(structures, max_size=2).map(tuple),
        bourses=st.booleans(),
        adresses=st.none() | st.lists(adresses, max_size=2).map(tuple),
    ),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_round_trip(doc):
    assert bee_eleves.read(bee_eleves.write(doc)) == doc
