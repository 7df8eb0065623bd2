"""BEE_NOMENCLATURES: SIECLE's nomenclatures export (Exportations > En XML), version 3.1.

`Nomenclature.xml` inside `ExportXML_Nomenclature.zip`, ISO-8859-15. PARAMETRES {UAJ,
ANNEE_SCOLAIRE, DATE_EXPORT, HORODATAGE}, then DONNEES: MEFS (MEF @CODE_MEF), MATIERES
(MATIERE @CODE_MATIERE), PROGRAMMES (PROGRAMME: MEF, subject, modality, hours) and
OPTIONS_OBLIGATOIRES. Layout of the real samples `nomenclature_simple.xml` and
`nomenclature_tout_niveau.xml` (dossiersco); values kept as text except the keys.
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

ROOT = "BEE_NOMENCLATURES"
VERSION = "3.1"
NAME = "Nomenclature"
WRONG_ROOTS = {
    "BEE_ELEVES": (
        "Ce fichier est l'export des élèves (BEE_ELEVES), pas l'export des nomenclatures "
        "(BEE_NOMENCLATURES)."
    ),
    "BEE_RESPONSABLES": (
        "Ce fichier est l'export des responsables (BEE_RESPONSABLES), pas l'export des "
        "nomenclatures (BEE_NOMENCLATURES)."
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
class Mef:
    code_mef: str = attr("CODE_MEF")
    formation: str | None = text("FORMATION", optional=True)
    libelle_long: str | None = text("LIBELLE_LONG", optional=True)
    libelle_edition: str | None = text("LIBELLE_EDITION", optional=True)
    statut_mef: str | None = text("STATUT_MEF", optional=True)
    mef_rattachement: str | None = text("MEF_RATTACHEMENT", optional=True)
    code_mefstat: str | None = text("CODE_MEFSTAT", optional=True)
    nb_opt_oblig: str | None = text("NB_OPT_OBLIG", optional=True)
    nb_opt_mini: str | None = text("NB_OPT_MINI", optional=True)
    renforcement_langues: str | None = text("RENFORCEMENT_LANGUES", optional=True)
    inscription_etab: str | None = text("INSCRIPTION_ETAB", optional=True)
    mef_origine: str | None = text("MEF_ORIGINE", optional=True)
    mef_selectionne: str | None = text("MEF_SELECTIONNE", optional=True)
    mef_selorig: str | None = text("MEF_SELORIG", optional=True)
    date_ouverture: dt.date | None = text("DATE_OUVERTURE", DATE_FR, optional=True)
    date_fermeture: dt.date | None = text("DATE_FERMETURE", DATE_FR, optional=True)


@record
class Matiere:
    code_matiere: str = attr("CODE_MATIERE")
    code_gestion: str | None = text("CODE_GESTION", optional=True)
    libelle_court: str | None = text("LIBELLE_COURT", optional=True)
    libelle_long: str | None = text("LIBELLE_LONG", optional=True)
    libelle_edition: str | None = text("LIBELLE_EDITION", optional=True)
    matiere_etp: str | None = text("MATIERE_ETP", optional=True)


@record
class Programme:
    code_mef: str = text("CODE_MEF")
    code_matiere: str = text("CODE_MATIERE")
    code_modalite_elect: str | None = text("CODE_MODALITE_ELECT", optional=True)
    horaire: str | None = text("HORAIRE", optional=True)  # "0.00"


@record
class OptionObligatoire:
    code_mef: str = text("CODE_MEF")
    code_matiere: str = text("CODE_MATIERE")
    rang_option: str | None = text("RANG_OPTION", optional=True)


@record
class Donnees:
    mefs: tuple[Mef, ...] = many("MEFS", "MEF", Mef)
    matieres: tuple[Matiere, ...] = many("MATIERES", "MATIERE", Matiere)
    programmes: tuple[Programme, ...] = many("PROGRAMMES", "PROGRAMME", Programme)
    options_obligatoires: tuple[OptionObligatoire, ...] = many(
        "OPTIONS_OBLIGATOIRES", "OPTION_OBLIGATOIRE", OptionObligatoire
    )


@record
class BeeNomenclatures:
    version: str = attr("VERSION")
    parametres: Parametres = child("PARAMETRES", Parametres)
    donnees: Donnees = child("DONNEES", Donnees)


def filename() -> str:
    return f"{NAME}.xml"


def zip_filename() -> str:
    return f"ExportXML_{NAME}.zip"


def write(doc: BeeNomenclatures) -> bytes:
    return write_document(doc, ROOT)


def write_zip_file(doc: BeeNomenclatures) -> tuple[str, bytes]:
    return zip_filename(), write_zip([ZipMember(filename(), write(doc))])


def read(content: bytes) -> BeeNomenclatures:
    """Read a BEE_NOMENCLATURES xml; FormatError (French message) when it is not one."""
    return read_document(content, BeeNomenclatures, ROOT, WRONG_ROOTS)
