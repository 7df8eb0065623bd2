"""ficAlimMENESR (AAF → ENT): the real samples are read; what we write is valid against the
reference DTD and ours, uses only the documented names, chunks at 10,000; Delta is a diff."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from entsim.formats import aaf
from entsim.formats.safe import FormatError, parse_xml

HEADER = aaf.Header(code_academie="002", date_generation=dt.date(2027, 9, 4))
SAMPLES = "samples/aaf"


@pytest.fixture(scope="module")
def reference_dtd(reference_dir):
    return reference_dir / "specs" / "ficAlimMENESR.dtd"


@pytest.fixture(scope="module")
def sample_paths(reference_dir):
    return sorted((reference_dir / SAMPLES).glob("*/*.xml"))


def every_category() -> list[aaf.Request]:
    """One realistic entry of each category, every documented attribute filled."""
    return [
        aaf.AddRequest(
            aaf.ETAB,
            "9001",
            {
                "ENTStructureUAI": ["0130001E"],
                "ENTStructureNomCourant": [
                    aaf.StructureName("CLG", "JEAN MOULIN", "ARLES").value()
                ],
                "ENTStructureTypeStruct": ["COLLEGE"],
                "ENTStructureSIREN": ["19130001500017"],
                "ENTServAcAcademie": ["AIX-MARSEILLE"],
                "street": ["1 rue de l'Église"],
                "postalCode": ["13200"],
                "l": ["ARLES"],
                "telephoneNumber": ["+33 4 90 00 00 00"],
                "ENTStructureClasses": ["3A$3EME A", "3B$3EME B"],
                "ENTStructureGroupes": ["3ESP1$ESPAGNOL LV2 GR1"],
            },
        ),
        aaf.AddRequest(
            aaf.MEF,
            "10310019110",
            {
                "ENTLibelleMef": ["3EME"],
                "ENTMEFRattach": ["10310019110"],
                "ENTMEFSTAT11": ["10310019110"],
                "ENTNivFormation": ["3EME"],
                "ENTFiliere": ["GENERALE"],
            },
        ),
        aaf.AddRequest(
            aaf.MAT,
            "030602",
            {"ENTLibelleMatiere": ["ESPAGNOL LV2"], "ENTMatiereRattach": ["030602"]},
        ),
        aaf.AddRequest(
            aaf.ELEVE,
            "2867201",
            {
                "ENTEleveINE": ["071234567AB"],
                "ENTPersonDateNaissance": [aaf.format_date(dt.date(2013, 3, 4))],
                "sn": ["NUÑEZ"],
                "givenName": ["Zoé"],
                "ENTPersonAutresPrenoms": ["Anaïs"],
                "ENTPersonNomPatro": ["NUÑEZ"],
                "personalTitle": ["Mme"],
                "ENTElevePersRelEleve": [
                    aaf.RelativeLink("2867253", "20", "1", "1", "1", "1").value(),
                    aaf.RelativeLink("2867254", "10", "0", "2", "1", "0").value(),
                ],
                "ENTPersonStructRattach": ["9001"],
                "ENTEleveRegime": ["DP DAN"],
                "ENTEleveMEF": ["10310019110"],
                "ENTEleveLibelleMEF": ["3EME"],
                "ENTEleveClasses": [aaf.StructRef("9001", "3A").value()],
                "ENTEleveGroupes": [aaf.StructRef("9001", "3ESP1").value()],
                "ENTEleveNivFormation": ["3EME"],
                "ENTEleveFiliere": ["GENERALE"],
                "ENTEleveBoursier": [aaf.format_bool(True)],
                "ENTEleveTransport": [aaf.format_bool(False)],
                "ENTEleveStatutEleve": ["ST"],
                "ENTEleveStructRattachId": ["1234"],
                "ENTEleveCodeEnseignements": ["030602"],
                "ENTEleveEnseignements": ["ESPAGNOL LV2"],
                "ENTPersonAdresse": ["3 chemin des Oliviers"],
                "ENTPersonCodePostal": ["13200"],
                "ENTPersonVille": ["ARLES"],
                "ENTPersonPays": ["FRANCE"],
                "mail": [],
                "homePhone": [],
            },
        ),
        aaf.AddRequest(
            aaf.PERS_REL_ELEVE,
            "2867253",
            {
                "sn": ["NUÑEZ"],
                "givenName": ["Inès"],
                "personalTitle": ["Mme"],
                "homePhone": ["+33 4 90 11 22 33"],
                "telephoneNumber": [],
                "mobile": ["+33 6 11 22 33 44"],
                "mail": ["ines.nunez@example.org"],
                "ENTPersonAdresse": ["3 chemin des Oliviers"],
                "ENTPersonCodePostal": ["13200"],
                "ENTPersonVille": ["ARLES"],
                "ENTPersonPays": ["FRANCE"],
                "ENTAuxPersRelEleveEleve": ["2867201"],
            },
        ),
        aaf.AddRequest(
            aaf.PERS_EDUC_NAT,
            "412",
            {
                "sn": ["GARCIA"],
                "givenName": ["Lucía"],
                "personalTitle": ["Mme"],
                "ENTPersonDateNaissance": ["12/11/1984"],
                "mail": ["lucia.garcia@ac-aix-marseille.fr"],
                "ENTPersonStructRattach": ["9001"],
                "ENTPersonFonctions": [
                    aaf.Function("9001", "ENS", "ENSEIGNEMENT", "L0422", "ESPAGNOL").value()
                ],
                "ENTAuxEnsCategoDiscipline": [aaf.CodeLabel("L0422", "ESPAGNOL").value()],
                "ENTAuxEnsMEF": ["10310019110"],
                "ENTAuxEnsMatiereEnseignEtab": ["030602"],
                "ENTAuxEnsClasses": [aaf.StructRef("9001", "3A").value()],
                "ENTAuxEnsGroupes": [aaf.StructRef("9001", "3ESP1").value()],
                "ENTAuxEnsClassesMatieres": [aaf.CourseRef("9001", "3A", "030602").value()],
                "ENTAuxEnsGroupesMatieres": [aaf.CourseRef("9001", "3ESP1", "030602").value()],
                "ENTAuxEnsClassesPrincipal": [aaf.StructRef("9001", "3A").value()],
                "PersEducNatPresenceDevantEleves": ["O"],
                "ENTPersonCategorieEnseignant": ["O"],
            },
        ),
    ]


def write_zip(requests, **options) -> tuple[str, bytes]:
    return aaf.build_run(
        requests, prefix=options.pop("prefix", "ENT_0130001E"), header=HEADER, **options
    )


def members(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def validate(content: bytes, dtd_path) -> bool:
    return not aaf.dtd_errors(content, dtd_path)


# --- The real samples ---------------------------------------------------------------------------


def test_samples_are_read_whole_and_streamed_alike(sample_paths):
    assert len(sample_paths) == 3
    for path in sample_paths:
        content = path.read_bytes()
        requests = aaf.read(content)
        assert requests and all(isinstance(r, aaf.AddRequest) for r in requests)
        assert list(aaf.iter_requests(path)) == requests
        for request in requests:
            assert request.first(aaf.JOINTURE[request.category]) == request.id
            assert aaf.unknown_attributes(request) == []
        assert aaf.read_header(content) == {
            "versionAF": "AAF-VE2407",
            "versionSDET": "Annexe 4bis version 6.4",
            "codeAcademieExport": "13",
            "degre": "2D",
            "dateGenerationExport": "16/09/2024",
        }


def test_sample_values_parse_with_the_documented_fields(reference_dir):
    etab = aaf.read(next((reference_dir / SAMPLES / "before").glob("*Etab*")).read_bytes())
    assert aaf.StructureName.parse(etab[0].first("ENTStructureNomCourant")) == aaf.StructureName(
        "CLG", "CLG INTEGRATION", "PARIS"
    )
    staff = aaf.read(next((reference_dir / SAMPLES / "after").glob("*.xml")).read_bytes())
    functions = [aaf.Function.parse(v) for v in staff[2].values("ENTPersonFonctions")]
    assert [(f.structure, f.filiere, f.discipline) for f in functions] == [
        ("43", "DIR", "D0012"),
        ("43", "DIR", "D0013"),
        ("43", "DIR", "D0014"),
    ]
    assert staff[0].values("ENTAuxEnsClasses") == ()  # <value/> is no value
    assert aaf.parse_bool(staff[2].first("ENTPersonCategorieEnseignant")) is False


def test_samples_are_valid_against_both_dtds(sample_paths, reference_dtd):
    for path in sample_paths:
        assert validate(path.read_bytes(), reference_dtd)
        assert validate(path.read_bytes(), aaf.DTD_PATH)


# --- What we write ----------------------------------------------------------------------------


def test_our_files_are_valid_against_the_reference_dtd_and_ours(reference_dtd):
    requests = every_category()
    complet = members(write_zip(requests, kind=aaf.COMPLET)[1])
    following = [
        aaf.ModifyRequest(aaf.ELEVE, "2867201", (aaf.Modification("ENTEleveGroupes", ()),)),
        aaf.DeleteRequest(aaf.PERS_REL_ELEVE, "2867253"),
    ]
    delta = members(write_zip(following, kind=aaf.DELTA)[1])
    for files in (complet, delta):
        xml = {name: content for name, content in files.items() if name.endswith(".xml")}
        assert len(xml) == 6  # one per category, even empty
        for name, content in xml.items():
            assert validate(content, reference_dtd), (name, aaf.dtd_errors(content, reference_dtd))
            assert validate(content, aaf.DTD_PATH), name
    # The run reads back as written (the jointure attribute is added, equal to the id).
    with aaf.open_run(write_zip(requests, kind=aaf.COMPLET)[1]) as run:
        read = [r for file in run.files for r in run.requests(file)]
    assert [(r.category, r.id) for r in read] == [(r.category, r.id) for r in requests]
    for written, got in zip(requests, read, strict=True):
        expected = aaf.normal_attributes(written.attributes)
        expected[aaf.JOINTURE[written.category]] = (written.id,)
        assert aaf.normal_attributes(got.attributes) == expected


def test_file_layout_names_header_and_doctype():
    name, content = write_zip(every_category(), kind=aaf.COMPLET)
    assert name == "ENT_0130001E_Complet_20270904.zip"
    files = members(content)
    assert sorted(files) == sorted(
        [aaf.DTD_NAME] + [f"ENT_0130001E_Complet_20270904_{c}_0000.xml" for c in aaf.CATEGORIES]
    )
    assert files[aaf.DTD_NAME] == aaf.DTD_PATH.read_bytes()
    text = files["ENT_0130001E_Complet_20270904_Eleve_0000.xml"].decode("utf-8")
    lines = text.splitlines()
    assert lines[0] == '<?xml version="1.0" encoding="UTF-8"?>'
    assert lines[1] == '<!DOCTYPE ficAlimMENESR SYSTEM "ficAlimMENESR.dtd">'
    assert lines[2] == "<ficAlimMENESR>"
    assert lines[3:8] == [
        '<!-- versionAF="AAF-VE2407" -->',
        '<!-- versionSDET="Annexe 4bis version 6.4" -->',
        '<!-- codeAcademieExport="002" -->',
        '<!-- degre="2D" -->',
        '<!-- dateGenerationExport="04/09/2027" -->',
    ]
    assert '<attr name="sn"><value>NUÑEZ</value></attr>' in text  # UTF-8, not references
    assert aaf.read_header(text.encode())["dateGenerationExport"] == "04/09/2027"
    other = aaf.build_run([], prefix="ENT2DVA-ENT16", kind=aaf.DELTA, header=HEADER)
    assert other[0] == "ENT2DVA-ENT16_Delta_20270904.zip"


def formats_md_names(reference_dir) -> dict[str, set[str]]:
    """The attribute names per category as FORMATS.md lists them ("Attributes (2D)")."""
    text = (reference_dir / "FORMATS.md").read_text(encoding="utf-8")
    section = text.split("Attributes (2D):", 1)[1].split("An importer may stop", 1)[0]
    found: dict[str, set[str]] = {}
    for block in re.split(r"\n- ", "\n" + section.strip()):
        if not block.strip():
            continue
        category, names = block.split(":", 1)
        cleaned = re.sub(r"\([^)]*\)", "", names)
        found[category.strip()] = {n.strip(" .\n") for n in cleaned.split(",") if n.strip(" .\n")}
    return found


def test_written_names_are_exactly_the_formats_md_list(reference_dir):
    documented = formats_md_names(reference_dir)
    assert set(documented) == set(aaf.ATTRIBUTES)
    for category, names in aaf.ATTRIBUTES.items():
        assert set(names) == documented[category], category
    for category, extra in aaf.ALSO_READ.items():
        assert not extra & set(aaf.ATTRIBUTES[category])
    # and what a written run holds uses only them
    files = members(write_zip(every_category(), kind=aaf.COMPLET)[1])
    for name, content in files.items():
        if not name.endswith(".xml"):
            continue
        for request in aaf.read(content):
            assert set(request.attributes) <= documented[request.category]


def test_dollar_values_have_their_documented_number_of_fields():
    files = members(write_zip(every_category(), kind=aaf.COMPLET)[1])
    checked = set()
    for name, content in files.items():
        if not name.endswith(".xml"):
            continue
        root = parse_xml(content)
        for attr in root.iter("attr"):
            count = aaf.FIELDS.get(attr.get("name"))
            for value in attr.iter("value"):
                if count and value.text:
                    assert len(value.text.split("$")) == count, (attr.get("name"), value.text)
                    checked.add(attr.get("name"))
    assert checked == set(aaf.FIELDS)


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (aaf.AddRequest(aaf.PERS_EDUC_NAT, "1", {"ENTPersonNomPatro": ["X"]}), "inconnu"),
        (aaf.AddRequest(aaf.ELEVE, "1", {"ENTEleveGroupes": ["3ESP1"]}), "champ"),
        (aaf.AddRequest(aaf.ELEVE, "1", {"ENTElevePersRelEleve": ["2$1$1$1"]}), "6 attendu"),
        (aaf.AddRequest(aaf.ELEVE, "A12", {"sn": ["X"]}), "non numérique"),
        (aaf.AddRequest(aaf.ELEVE, "12", {"ENTPersonJointure": ["13"]}), "diffère"),
        (aaf.AddRequest("Inconnu", "12", {}), "Catégorie inconnue"),
        (aaf.ModifyRequest(aaf.ELEVE, "12", ()), "sans attribut"),
        (
            aaf.ModifyRequest(aaf.ELEVE, "12", (aaf.Modification("ENTPersonJointure", ["13"]),)),
            "identifiant",
        ),
        (aaf.ModifyRequest(aaf.ELEVE, "12", (aaf.Modification("foo", ["x"]),)), "inconnu"),
    ],
)
def test_writer_refuses_what_an_importer_would_stop_on(request_, message, tmp_path):
    with pytest.raises(aaf.RequestRefused, match=message):
        aaf.write_run([request_], directory=tmp_path, prefix="ENT_X", kind=aaf.DELTA, header=HEADER)


def test_complet_holds_only_adds(tmp_path):
    with pytest.raises(aaf.RequestRefused, match="que des ajouts"):
        aaf.write_run(
            [aaf.DeleteRequest(aaf.ELEVE, "12")],
            directory=tmp_path,
            prefix="ENT_X",
            kind=aaf.COMPLET,
            header=HEADER,
        )


def pupils(count: int, start: int = 1) -> list[aaf.AddRequest]:
    return [
        aaf.AddRequest(aaf.ELEVE, str(start + i), {"sn": ["MARTIN"], "givenName": [f"E{i}"]})
        for i in range(count)
    ]


def test_chunks_of_at_most_10000_requests(tmp_path):
    paths = aaf.write_run(
        iter(pupils(10_001)),
        directory=tmp_path,
        prefix="ENT_0130001E",
        kind=aaf.COMPLET,
        header=HEADER,
        categories=[aaf.ELEVE],
    )
    assert [p.name for p in paths] == [
        "ENT_0130001E_Complet_20270904_Eleve_0000.xml",
        "ENT_0130001E_Complet_20270904_Eleve_0001.xml",
    ]
    counts = [sum(1 for _ in aaf.iter_requests(p)) for p in paths]
    assert counts == [10_000, 1]


def test_chunk_size_parameter_and_import_order(tmp_path):
    mixed = [*pupils(7), every_category()[0], *pupils(2, start=100)]
    paths = aaf.write_run(
        mixed, directory=tmp_path, prefix="ENT_X", kind=aaf.COMPLET, header=HEADER, chunk_size=3
    )
    names = [p.name for p in paths]
    assert names[0] == "ENT_X_Complet_20270904_EtabEducNat_0000.xml"
    eleves = [n for n in names if "_Eleve_" in n]
    assert eleves == [f"ENT_X_Complet_20270904_Eleve_{i:04d}.xml" for i in range(3)]
    counts = [len(aaf.read((tmp_path / n).read_bytes())) for n in eleves]
    assert counts == [3, 3, 3]
    with aaf.open_run(aaf.zip_run(paths)) as run:
        assert [f.category for f in run.files][:4] == [aaf.ETAB, aaf.MEF, aaf.MAT, aaf.ELEVE]
        ids = [r.id for f in run.files if f.category == aaf.ELEVE for r in run.requests(f)]
    assert ids == [*map(str, range(1, 8)), "100", "101"]


# --- Same verdicts against our DTD and the reference one -------------------------------------

DOCTYPE = '<!DOCTYPE ficAlimMENESR SYSTEM "ficAlimMENESR.dtd">\n'
OP = (
    '<operationalAttributes><attr name="categoriePersonne"><value>Eleve</value></attr>'
    "</operationalAttributes>"
)
IDENT = "<identifier><id>1</id></identifier>"
SN = '<attributes><attr name="sn"><value>X</value><value/></attr></attributes>'


def doc(*requests: str) -> str:
    return "<ficAlimMENESR>" + "".join(requests) + "</ficAlimMENESR>"


def req(tag: str, *parts: str) -> str:
    return f"<{tag}>{''.join(parts)}</{tag}>"


def mods(operation: str = ' operation="replace"') -> str:
    return (
        f'<modifications><modification name="sn"{operation}><value>Y</value></modification>'
        "</modifications>"
    )


TWO_CATEGORIES = (
    '<operationalAttributes><attr name="a"><value>Eleve</value></attr>'
    '<attr name="b"><value>X</value></attr></operationalAttributes>'
)
DOCUMENTS = {
    "vide": ("<ficAlimMENESR/>", True),
    "ajout": (doc(req("addRequest", OP, IDENT, SN)), True),
    "modification": (doc(req("modifyRequest", OP, IDENT, mods())), True),
    "suppression": (doc(req("deleteRequest", OP, IDENT)), True),
    "plusieurs": (doc(req("deleteRequest", OP, IDENT), req("addRequest", OP, IDENT, SN)), True),
    "racine": ("<ficAlim/>", False),
    "sans identifiant": (doc(req("addRequest", OP, SN)), False),
    "attributs vides": (doc(req("addRequest", OP, IDENT, "<attributes/>")), False),
    "attr sans valeur": (
        doc(req("addRequest", OP, IDENT, '<attributes><attr name="sn"/></attributes>')),
        False,
    ),
    "attr sans nom": (
        doc(req("addRequest", OP, IDENT, "<attributes><attr><value>X</value></attr></attributes>")),
        False,
    ),
    "opération": (doc(req("modifyRequest", OP, IDENT, mods(' operation="add"'))), False),
    "opération absente": (doc(req("modifyRequest", OP, IDENT, mods(""))), False),
    "suppression avec attributs": (doc(req("deleteRequest", OP, IDENT, SN)), False),
    "deux catégories": (doc(req("deleteRequest", TWO_CATEGORIES, IDENT)), False),
    "ordre": (doc(req("deleteRequest", IDENT, OP)), False),
    "élément inconnu": (doc(req("deleteRequest", OP, IDENT), "<commentaire/>"), False),
    "id structuré": (
        doc(req("deleteRequest", OP, "<identifier><id><x/></id></identifier>")),
        False,
    ),
}


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_same_verdict_against_our_dtd_and_the_reference(name, reference_dtd):
    body, expected = DOCUMENTS[name]
    content = ('<?xml version="1.0" encoding="UTF-8"?>\n' + DOCTYPE + body).encode()
    assert validate(content, reference_dtd) is expected
    assert validate(content, aaf.DTD_PATH) is expected


def test_our_dtd_is_our_own_text(reference_dtd):
    ours = aaf.DTD_PATH.read_bytes()
    assert ours != reference_dtd.read_bytes()
    assert b"Pas de controle" not in ours
    etree.DTD(str(aaf.DTD_PATH))  # loads


# --- Reading refusals (French) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<EDT_STS/>", "Racine XML inattendue"),
        (b"<ficAlimMENESR><foo/></ficAlimMENESR>", "inattendu"),
        (
            f"<ficAlimMENESR><deleteRequest>{IDENT}</deleteRequest></ficAlimMENESR>".encode(),
            "operationalAttributes",
        ),
        (
            b'<ficAlimMENESR><deleteRequest><operationalAttributes><attr name="categoriePersonne">'
            b"<value>Prof</value></attr></operationalAttributes>"
            + IDENT.encode()
            + b"</deleteRequest></ficAlimMENESR>",
            "Catégorie inconnue",
        ),
        (
            b'<ficAlimMENESR><deleteRequest><operationalAttributes><attr name="categorieStructure">'
            b"<value>Eleve</value></attr></operationalAttributes>"
            + IDENT.encode()
            + b"</deleteRequest></ficAlimMENESR>",
            "categoriePersonne",
        ),
        (
            f"<ficAlimMENESR><deleteRequest>{OP}<identifier><id> </id></identifier>"
            "</deleteRequest></ficAlimMENESR>".encode(),
            "sans identifiant",
        ),
        (
            f'<ficAlimMENESR><modifyRequest>{OP}{IDENT}<modifications><modification name="sn" '
            'operation="add"><value>Y</value></modification></modifications></modifyRequest>'
            "</ficAlimMENESR>".encode(),
            "Opération « add » inconnue",
        ),
        (b"<ficAlimMENESR><addRequest>", "mal formé"),
        (
            b'<!DOCTYPE ficAlimMENESR [<!ENTITY x "y">]><ficAlimMENESR/>',
            "entités",
        ),
    ],
)
def test_reader_refusals_are_french(content, message):
    with pytest.raises(FormatError, match=message):
        aaf.read(content)
    with pytest.raises(FormatError, match=message):
        list(aaf.iter_requests(io.BytesIO(content), name="f.xml"))


def test_reading_does_not_fetch_the_doctype_nor_external_entities(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET")
    content = (
        f'<?xml version="1.0"?>\n<!DOCTYPE ficAlimMENESR SYSTEM "http://example.invalid/x.dtd" '
        f'[<!ENTITY e SYSTEM "file://{secret}">]>\n<ficAlimMENESR/>'
    ).encode()
    with pytest.raises(FormatError):
        aaf.read(content)
    with pytest.raises(FormatError):
        list(aaf.iter_requests(io.BytesIO(content)))
    # a plain DOCTYPE pointing at a DTD that is not there is fine: it is never loaded
    assert aaf.read(b'<!DOCTYPE ficAlimMENESR SYSTEM "absent.dtd"><ficAlimMENESR/>') == []


def zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


EMPTY = b"<ficAlimMENESR/>"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"pas un zip", "archive zip"),
        (zipped({aaf.DTD_NAME: b""}), "aucun fichier"),
        (zipped({"notes.txt": b"x"}), "Nom de fichier inattendu"),
        (zipped({"../ENT_X_Delta_20270904_Eleve_0000.xml": EMPTY}), "dangereux"),
        (zipped({"dossier/ENT_X_Delta_20270904_Eleve_0000.xml": EMPTY}), "Dossier"),
        (zipped({"ENT_X_Delta_20270904_Prof_0000.xml": EMPTY}), "Catégorie inconnue"),
        (zipped({"ENT_X_Delta_20271304_Eleve_0000.xml": EMPTY}), "Date impossible"),
        (
            zipped(
                {
                    "ENT_X_Delta_20270904_Eleve_0000.xml": EMPTY,
                    "ENT_X_Complet_20270904_Eleve_0000.xml": EMPTY,
                }
            ),
            "mélange",
        ),
    ],
)
def test_run_refusals(content, message):
    with pytest.raises(FormatError, match=message):
        aaf.open_run(content)


def test_run_member_that_inflates_too_much_is_refused():
    bomb = b"<ficAlimMENESR>" + b" " * 5_000_000 + b"</ficAlimMENESR>"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("ENT_X_Delta_20270904_Eleve_0000.xml", bomb)
    with pytest.raises(FormatError, match="anormalement compressé"):
        aaf.open_run(buffer.getvalue())


# --- Values ------------------------------------------------------------------------------------


def test_value_helpers():
    assert aaf.StructRef.parse("52006$2NDE3") == aaf.StructRef("52006", "2NDE3")
    link = aaf.RelativeLink.parse("2867253$2$1$1$0$0")
    assert link.relative == "2867253" and link.parental_authority
    assert not aaf.RelativeLink.parse("2867253$2$1$2$0$0").parental_authority
    assert aaf.CourseRef.parse("52006$3A$030602").subject == "030602"
    with pytest.raises(FormatError, match="2 attendu"):
        aaf.StructRef.parse("52006$2NDE3$X")
    with pytest.raises(ValueError, match="séparateur"):
        aaf.StructRef("52006", "A$B").value()
    assert aaf.format_date(dt.date(2013, 3, 4)) == "04/03/2013"
    assert aaf.parse_date("04/03/2013") == dt.date(2013, 3, 4)
    for bad in ("2013-03-04", "31/02/2013"):
        with pytest.raises(FormatError):
            aaf.parse_date(bad)
    assert (aaf.format_bool(True), aaf.format_bool(False)) == ("O", "N")
    assert aaf.parse_bool("o") is True
    with pytest.raises(FormatError, match="O ou N"):
        aaf.parse_bool("oui")
    assert aaf.FileName.parse("ENT_0130001E_Delta_20270904_PersEducNat_0012.xml") == aaf.FileName(
        "ENT_0130001E", "Delta", dt.date(2027, 9, 4), "PersEducNat", 12
    )


# --- Delta --------------------------------------------------------------------------------------


def apply(state: dict, requests) -> dict:
    """What an importer holds after a run: (category, id) → attributes."""
    result = {key: dict(value) for key, value in state.items()}
    for request in requests:
        key = (request.category, request.id)
        if isinstance(request, aaf.AddRequest):
            result[key] = aaf.normal_attributes(request.attributes)
        elif isinstance(request, aaf.ModifyRequest):
            for modification in request.modifications:
                if modification.values:
                    result[key][modification.name] = modification.values
                else:
                    result[key].pop(modification.name, None)
        else:
            del result[key]
    return result


def state_of(requests) -> dict:
    return {(r.category, r.id): aaf.normal_attributes(r.attributes) for r in requests}


def test_delta_examples():
    before = [
        aaf.AddRequest(aaf.ELEVE, "1", {"sn": ["A"], "ENTEleveGroupes": ["9$G1"]}),
        aaf.AddRequest(aaf.ELEVE, "2", {"sn": ["B"]}),
        aaf.AddRequest(aaf.PERS_EDUC_NAT, "3", {"sn": ["C"]}),
    ]
    after = [
        aaf.AddRequest(aaf.ELEVE, "1", {"sn": ["A"], "ENTEleveGroupes": []}),
        aaf.AddRequest(aaf.ELEVE, "2", {"sn": ["B"]}),
        aaf.AddRequest(aaf.ELEVE, "3", {"sn": ["C"]}),  # changes category
        aaf.AddRequest(aaf.ELEVE, "4", {"sn": ["D"]}),
    ]
    changes = list(aaf.delta(before, after))
    assert changes == [
        aaf.ModifyRequest(aaf.ELEVE, "1", (aaf.Modification("ENTEleveGroupes", ()),)),
        aaf.AddRequest(aaf.ELEVE, "3", {"sn": ["C"]}),
        aaf.AddRequest(aaf.ELEVE, "4", {"sn": ["D"]}),
        aaf.DeleteRequest(aaf.PERS_EDUC_NAT, "3"),
    ]
    assert apply(state_of(before), changes) == state_of(after)
    assert list(aaf.delta(after, after)) == []


values = st.lists(st.sampled_from(["A", "B", "9$3A", "9$3B", "Zoé", "l'Hôte"]), max_size=2)
entries = st.dictionaries(
    st.tuples(st.sampled_from([aaf.ELEVE, aaf.PERS_EDUC_NAT]), st.sampled_from("12345678")),
    st.dictionaries(
        st.sampled_from(["sn", "givenName", "mail", "personalTitle"]), values, max_size=3
    ),
    max_size=6,
)


def as_requests(state: dict) -> list[aaf.AddRequest]:
    """Entries as a Complet holds them, each with its jointure attribute (= its id)."""
    return [
        aaf.AddRequest(category, ident, {**attrs, aaf.JOINTURE[category]: [ident]})
        for (category, ident), attrs in state.items()
    ]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries, entries)
def test_delta_applied_to_the_previous_state_gives_the_next(previous, current):
    before, after = as_requests(previous), as_requests(current)
    changes = list(aaf.delta(before, after))
    assert apply(state_of(before), changes) == state_of(after)
    # and it survives a write and a read
    content = aaf.write_document(changes, HEADER)
    assert apply(state_of(before), aaf.read(content)) == state_of(after)
