"""BEE_STRUCTURES: SIECLE's structures export (Exportations > En XML), version 2.0.

`Structures.xml` inside `ExportXML_Structures.zip`, ISO-8859-15. PARAMETRES {UAJ,
ANNEE_SCOLAIRE, DATE_EXPORT, HORODATAGE}, then DONNEES: DIVISIONS (DIVISION @CODE_STRUCTURE
{LIBELLE_LONG, MEFS_APPARTENANCE/MEF_APPARTENANCE/CODE_MEF}) and GROUPES (GROUPE
@CODE_STRUCTURE {LIBELLE_LONG, DIVISIONS_APPARTENANCE/DIVISION_APPARTENANCE/CODE_STRUCTURE,
MEFS_APPARTENANCE}), as FORMATS.md lists them (no real sample was seen).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from entsim.formats.safe import ZipMember, write_zip
from entsim.formats.xmlutil import (
    DATE_FR,
    DATETIME_FR,
    UAI,
    YEAR,
    attr,
    child,
    many,
    read_document,
    text,
    write_document,
)

ROOT = "BEE_STRUCTURES"
VERSION = "2.0"
NAME = "Structures"
WRONG_ROOTS = {
    "BEE_ELEVES": (
        "Ce fichier est l'export des élèves (BEE_ELEVES), pas l'export des structures "
        "(BEE_STRUCTURES)."
    ),
    "STS_EDT": (
        "Ce fichier est un export STS-web (STS_EDT), pas l'export des structures de SIECLE "
        "(BEE_STRUCTURES)."
    ),
}

record = dataclass(frozen=True, kw_only=True)


@record
class Parametres:
    uaj: str = text("UAJ", UAI)
    annee_scolaire: int = text("ANNEE_SCOLAIRE", YEAR)
    date_export: dt.date = text("DATE_EXPORT", DATE_FR)
    horodatage: dt.datetime = text("HORODATAGE", DATETIME_FR)


@record
class MefAppartenance:
    code_mef: str = text("CODE_MEF")


@record
class DivisionAppartenance:
    code_structure: str = text("CODE_STRUCTURE")


@record
class Division:
    code_structure: str = attr("CODE_STRUCTURE")
    libelle_long: str | None = text("LIBELLE_LONG", optional=True)
    mefs_appartenance: tuple[MefAppartenance, ...] = many(
        "MEFS_APPARTENANCE", "MEF_APPARTENANCE", MefAppartenance
    )


@record
class Groupe:
    code_structure: str = attr("CODE_STRUCTURE")
    libelle_long: str | None = text("LIBELLE_LONG", optional=True)
    divisions_appartenance: tuple[DivisionAppartenance, ...] = many(
        "DIVISIONS_APPARTENANCE", "DIVISION_APPARTENANCE", DivisionAppartenance
    )
    mefs_appartenance: tuple[MefAppartenance, ...] = many(
        "MEFS_APPARTENANCE", "MEF_APPARTENANCE", MefAppartenance
    )


@record
class Donnees:
    divisions: tuple[Division, ...] = many("DIVISIONS", "DIVISION", Division)
    groupes: tuple[Groupe, ...] = many("GROUPES", "GROUPE", Groupe)


@record
class BeeStructures:
    version: str = attr("VERSION")
    parametres: Parametres = child("PARAMETRES", Parametres)
    donnees: Donnees = child("DONNEES", Donnees)


def filename() -> str:
    return f"{NAME}.xml"


def zip_filename() -> str:
    return f"ExportXML_{NAME}.zip"


def write(doc: BeeStructures) -> bytes:
    return write_document(doc, ROOT)


def write_zip_file(doc: BeeStructures) -> tuple[str, bytes]:
    return zip_filename(), write_zip([ZipMember(filename(), write(doc))])


def read(content: bytes) -> BeeStructures:
    """Read a BEE_STRUCTURES xml; FormatError (French message) when it is not one."""
    return read_document(content, BeeStructures, ROOT, WRONG_ROOTS)
