"""ELEGROUPE: the pupil ↔ group links a private timetable software sends to SIECLE BEE.

`<UAI>ELEGROUPE<AAAA><AAMMJJhhmmss>.xml` inside a zip of the same base name; root
`IMPORT_ELEVES VERSION="1.4"`, PARAMETRES {UAJ, ANNEE_SCOLAIRE, DATE_IMPORT (JJ/MM/AAAA),
NUM_ENVOI, LOGICIEL}, then DONNEES/ELEVES/ELEVE: one identifier (ELEVE_ID, else ID_NATIONAL,
else ID_PRV_ELE), the identity (dates of birth ISO, xs:date) and GROUPES/GROUPE+ {CODE_GROUPE
(at most 8 characters), DATE_DEBUT_GROUPE?, DATE_FIN_GROUPE?}.

The file must be valid against the schema of the specification; the product's own transcription
of its structure is `schemas/import_elegroupes_1_4.xsd` (see `validate`). SIECLE's deposit
checks (`deposit_check`) run in the specification's order, each with its own message.
Encoding: ISO-8859-15 like the other BEE files (a guess: the specification's schema declares
it; what a given timetable software writes was not seen).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lxml import etree

from entsim.formats.safe import FormatError, ZipMember, parse_xml, read_zip, write_zip
from entsim.formats.xmlutil import (
    DATE_FR,
    INT,
    YEAR,
    Kind,
    attr,
    child,
    many,
    read_record,
    text,
    write_document,
)

ROOT = "IMPORT_ELEVES"
VERSION = "1.4"
SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "import_elegroupes_1_4.xsd"
CODE_GROUPE_MAX = 8
LOGICIEL_MAX = 10

# The deposit checks' messages (SIECLE BEE, Importations > Liens élève-groupe).
MSG_NAMES_DIFFER = (
    "Le fichier XML contenu dans l'archive ne porte pas le même nom que l'archive : "
    "« {inner} » au lieu de « {outer} »."
)
MSG_YEAR = "Année du fichier différente de l'année utilisée !"
MSG_NAME = "Nom du fichier mal formaté !"
MSG_INVALID = "Fichier XML non valide. Impossible d'importer ce fichier."

WRONG_ROOTS = {
    "BEE_ELEVES": (
        "Ce fichier est l'export des élèves de SIECLE (BEE_ELEVES), pas un fichier de liens "
        "élèves-groupes (IMPORT_ELEVES)."
    ),
    "EDT_STS": (
        "Ce fichier est le retour EDT pour STS-web (EDT_STS), pas un fichier de liens "
        "élèves-groupes (IMPORT_ELEVES)."
    ),
}

_XS_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(Z|[+-]\d{2}:\d{2})?")


def _parse_xs_date(raw: str) -> dt.date:
    found = _XS_DATE.fullmatch(raw)
    if not found:
        raise ValueError(raw)
    return dt.date.fromisoformat(found.group(1))


XS_DATE = Kind(parse=_parse_xs_date, format=dt.date.isoformat)  # AAAA-MM-JJ

record = dataclass(frozen=True, kw_only=True)


@record
class Parametres:
    uaj: str = text("UAJ")  # UAI of the establishment
    annee_scolaire: int = text("ANNEE_SCOLAIRE", YEAR)  # 2027 for 2027-2028
    date_import: dt.date = text("DATE_IMPORT", DATE_FR)  # JJ/MM/AAAA
    num_envoi: int = text("NUM_ENVOI", INT)  # 0..99999
    logiciel: str = text("LOGICIEL")  # 1 to 10 characters


@record
class Groupe:
    code_groupe: str = text("CODE_GROUPE")  # at most 8 characters
    date_debut_groupe: dt.date | None = text("DATE_DEBUT_GROUPE", XS_DATE, optional=True)
    date_fin_groupe: dt.date | None = text("DATE_FIN_GROUPE", XS_DATE, optional=True)


@record
class Eleve:
    """A pupil and their groups; exactly one of the three identifiers is set."""

    eleve_id: int | None = text("ELEVE_ID", INT, optional=True)  # SIECLE's ELEVE_ID
    id_national: str | None = text("ID_NATIONAL", optional=True)  # INE
    id_prv_ele: int | None = text("ID_PRV_ELE", INT, optional=True)
    nom_de_famille: str = text("NOM_DE_FAMILLE")
    nom_usage: str | None = text("NOM_USAGE", optional=True)
    prenom: str = text("PRENOM")
    prenom2: str | None = text("PRENOM2", optional=True)
    prenom3: str | None = text("PRENOM3", optional=True)
    date_naiss: dt.date = text("DATE_NAISS", XS_DATE)
    groupes: tuple[Groupe, ...] = many("GROUPES", "GROUPE", Groupe)


@record
class Donnees:
    eleves: tuple[Eleve, ...] = many("ELEVES", "ELEVE", Eleve)


@record
class ImportEleves:
    """A whole ELEGROUPE file."""

    version: str = attr("VERSION")
    parametres: Parametres = child("PARAMETRES", Parametres)
    donnees: Donnees = child("DONNEES", Donnees)

    @property
    def uai(self) -> str:
        return self.parametres.uaj

    @property
    def annee(self) -> int:
        return self.parametres.annee_scolaire


# --- Names ------------------------------------------------------------------------------------

_NAME = re.compile(r"(?P<uai>[0-9]{7}[A-Z])ELEGROUPE(?P<annee>\d{4})(?P<horodatage>\d{12})")
_LOOSE_YEAR = re.compile(r"ELEGROUPE(\d{4})", re.IGNORECASE)


@dataclass(frozen=True)
class FileName:
    uai: str
    annee: int
    horodatage: dt.datetime


def basename(uai: str, year: int, at: dt.datetime) -> str:
    """<UAI>ELEGROUPE<AAAA><AAMMJJhhmmss>: `at` is the time of the export (local time)."""
    return f"{uai}ELEGROUPE{year:04d}{at:%y%m%d%H%M%S}"


def filename(uai: str, year: int, at: dt.datetime) -> str:
    return basename(uai, year, at) + ".xml"


def zip_filename(uai: str, year: int, at: dt.datetime) -> str:
    return basename(uai, year, at) + ".zip"


def _stem(name: str) -> str:
    base = PurePosixPath(name.replace("\\", "/")).name
    return base.rsplit(".", 1)[0] if "." in base else base


def parse_filename(name: str) -> FileName | None:
    """The parts of a well-formed name (with or without .xml/.zip), else None."""
    found = _NAME.fullmatch(_stem(name))
    if not found:
        return None
    try:
        stamp = dt.datetime.strptime(found.group("horodatage"), "%y%m%d%H%M%S")
    except ValueError:
        return None
    return FileName(uai=found.group("uai"), annee=int(found.group("annee")), horodatage=stamp)


# --- Schema -----------------------------------------------------------------------------------


@functools.cache
def schema() -> etree.XMLSchema:
    """The product's schema of the file (compiled once)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH), parser))


def validate(content: bytes, xml_schema: etree.XMLSchema | None = None) -> list[str]:
    """The schema's complaints about `content` (empty when valid); FormatError if unreadable."""
    root = parse_xml(content)
    checker = xml_schema if xml_schema is not None else schema()
    if checker.validate(root.getroottree()):
        return []
    return [f"ligne {error.line} : {error.message}" for error in checker.error_log]


# --- Files ------------------------------------------------------------------------------------


def write(doc: ImportEleves) -> bytes:
    return write_document(doc, ROOT)


def write_zip_file(doc: ImportEleves, at: dt.datetime) -> tuple[str, bytes]:
    """(zip name, zip bytes): the xml inside a zip of the same base name."""
    member = ZipMember(filename(doc.uai, doc.annee, at), write(doc))
    return zip_filename(doc.uai, doc.annee, at), write_zip([member])


def read(content: bytes) -> ImportEleves:
    """Read an IMPORT_ELEVES xml (no schema check: see `validate`, `deposit_check`)."""
    root = parse_xml(content)
    tag = etree.QName(root).localname
    if tag in WRONG_ROOTS:
        raise FormatError(WRONG_ROOTS[tag])
    if tag != ROOT:
        raise FormatError(f"Racine XML inattendue : « {tag} » (attendu {ROOT}).")
    return read_record(ImportEleves, root)


class DepositRefused(FormatError):
    """A deposit refused by one of SIECLE's checks; `details` lists the schema's complaints."""

    def __init__(self, message: str, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.details = details or []


def deposit_check(name: str, content: bytes, *, annee: int) -> tuple[str, ImportEleves]:
    """SIECLE's checks at deposit, in order; returns (xml name, file) or raises DepositRefused.

    1. the zip's base name equals the xml's inside it; 2. the year in the name equals the
    connection year `annee`; 3. the name is `<UAI 8>ELEGROUPE<AAAA><AAMMJJhhmmss>`; 4. the XML
    is valid against the schema. (5., "no pupils export made yet", is SIECLE's own data.)
    A plain xml (not zipped) goes through 2 to 4.
    """
    xml_name, xml = name, content
    if content[:4] == b"PK\x03\x04" or name.lower().endswith(".zip"):
        (member,) = read_zip(content, max_members=1)
        if _stem(member.name) != _stem(name):
            raise DepositRefused(
                MSG_NAMES_DIFFER.format(inner=PurePosixPath(member.name).name, outer=name)
            )
        xml_name, xml = PurePosixPath(member.name).name, member.content
    parts = parse_filename(xml_name)
    loose = _LOOSE_YEAR.search(_stem(xml_name))
    if loose and int(loose.group(1)) != annee:
        raise DepositRefused(MSG_YEAR)
    if parts is None or not xml_name.lower().endswith(".xml"):
        raise DepositRefused(MSG_NAME)
    try:
        problems = validate(xml)
        doc = read(xml) if not problems else None
    except FormatError as error:
        raise DepositRefused(MSG_INVALID, [error.message]) from error
    if problems or doc is None:
        raise DepositRefused(MSG_INVALID, problems)
    return xml_name, doc
