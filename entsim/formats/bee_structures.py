"""BEE_STRUCTURES: SIECLE's structures export (Exportations > En XML), version 2.0.

`Structures.xml` inside `ExportXML_Structures.zip`, ISO-8859-15. PARAMETRES {UAJ,
ANNEE_SCOLAIRE, DATE_EXPORT, HORODATAGE}, then DONNEES: DIVISIONS (DIVISION @CODE_STRUCTURE
{LIBELLE_LONG, MEFS_APPARTENANCE/MEF_APPARTENANCE/CODE_MEF}) and GROUPES (GROUPE
@CODE_STRUCTURE {LIBELLE_LONG, DIVISIONS_APPARTENANCE/DIVISION_APPARTENANCE/CODE_STRUCTURE,
MEFS_APPARTENANCE}), as FORMATS.md lists them (no real sample was seen).
"""

from __future__ import annotations

from entsim.formats.bee_common import Document, file_functions, other_exports, record
from entsim.formats.bee_common import Parametres as Parametres
from entsim.formats.xmlutil import attr, child, many, text

ROOT = "BEE_STRUCTURES"
VERSION = "2.0"
NAME = "Structures"
WRONG_ROOTS = {
    **other_exports(ROOT, "BEE_ELEVES"),
    "STS_EDT": (
        "Ce fichier est un export STS-web (STS_EDT), pas l'export des structures de SIECLE "
        "(BEE_STRUCTURES)."
    ),
}


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
class BeeStructures(Document):
    donnees: Donnees = child("DONNEES", Donnees)


write, write_zip_file, read = file_functions(BeeStructures, ROOT, NAME, WRONG_ROOTS)
