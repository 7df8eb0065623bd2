"""BEE_RESPONSABLES: SIECLE's responsables export (Exportations > En XML), version 2.1.

`ResponsablesAvecAdresses.xml` inside `ExportXML_ResponsablesAvecAdresses.zip`, ISO-8859-15.
PARAMETRES {UAJ, ANNEE_SCOLAIRE, DATE_EXPORT, HORODATAGE}, then DONNEES: PERSONNES (PERSONNE
@PERSONNE_ID), RESPONSABLES (RESPONSABLE_ELEVE: ELEVE_ID, PERSONNE_ID, NIVEAU_RESPONSABILITE,
CODE_PARENTE, flags) and ADRESSES (ADRESSE @ADRESSE_ID). Layout of the real sample
`responsables_avec_adresses_simple.xml` (dossiersco). Flags are kept as written ("1"/"0" for
PAIE_FRAIS_SCOLAIRES, "true"/"false" for the others).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from entsim.formats.safe import ZipMember, write_zip
from entsim.formats.xmlutil import (
    DATE_FR,
    DATETIME_FR,
    INT,
    UAI,
    YEAR,
    attr,
    child,
    many,
    read_document,
    text,
    write_document,
)

ROOT = "BEE_RESPONSABLES"
VERSION = "2.1"
NAME = "ResponsablesAvecAdresses"
WRONG_ROOTS = {
    "BEE_ELEVES": (
        "Ce fichier est l'export des élèves (BEE_ELEVES), pas l'export des responsables "
        "(BEE_RESPONSABLES)."
    ),
    "BEE_NOMENCLATURES": (
        "Ce fichier est l'export des nomenclatures (BEE_NOMENCLATURES), pas l'export des "
        "responsables (BEE_RESPONSABLES)."
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
class Personne:
    personne_id: int = attr("PERSONNE_ID", INT)
    lc_civilite: str | None = text("LC_CIVILITE", optional=True)  # M. | MME
    ll_civilite: str | None = text("LL_CIVILITE", optional=True)  # MONSIEUR | MADAME
    nom_de_famille: str = text("NOM_DE_FAMILLE")
    nom_usage: str | None = text("NOM_USAGE", optional=True)
    prenom: str = text("PRENOM")
    tel_personnel: str | None = text("TEL_PERSONNEL", optional=True)
    tel_portable: str | None = text("TEL_PORTABLE", optional=True)
    accepte_sms: str | None = text("ACCEPTE_SMS", optional=True)
    tel_professionnel: str | None = text("TEL_PROFESSIONNEL", optional=True)
    mel: str | None = text("MEL", optional=True)
    communication_adresse: str | None = text("COMMUNICATION_ADRESSE", optional=True)
    adresse_id: str | None = text("ADRESSE_ID", optional=True)  # key of ADRESSES
    code_profession: str | None = text("CODE_PROFESSION", optional=True)


@record
class ResponsableEleve:
    eleve_id: int = text("ELEVE_ID", INT)
    personne_id: int = text("PERSONNE_ID", INT)
    niveau_responsabilite: str = text("NIVEAU_RESPONSABILITE")  # 1 légal, 2 financier, 3 contact
    code_parente: str = text("CODE_PARENTE")  # 10 mère, 20 père...
    paie_frais_scolaires: str | None = text("PAIE_FRAIS_SCOLAIRES", optional=True)
    percoit_les_aides: str | None = text("PERCOIT_LES_AIDES", optional=True)
    heberge_eleve: str | None = text("HEBERGE_ELEVE", optional=True)
    a_contacter_en_priorite: str | None = text("A_CONTACTER_EN_PRIORITE", optional=True)


@record
class Adresse:
    adresse_id: str = attr("ADRESSE_ID")
    ligne1_adresse: str | None = text("LIGNE1_ADRESSE", optional=True)
    ligne2_adresse: str | None = text("LIGNE2_ADRESSE", optional=True)
    ligne3_adresse: str | None = text("LIGNE3_ADRESSE", optional=True)
    ligne4_adresse: str | None = text("LIGNE4_ADRESSE", optional=True)
    commune_etrangere: str | None = text("COMMUNE_ETRANGERE", optional=True)
    code_postal: str | None = text("CODE_POSTAL", optional=True)
    code_pays: str | None = text("CODE_PAYS", optional=True)
    code_commune_insee: str | None = text("CODE_COMMUNE_INSEE", optional=True)
    ll_pays: str | None = text("LL_PAYS", optional=True)
    code_departement: str | None = text("CODE_DEPARTEMENT", optional=True)
    libelle_postal: str | None = text("LIBELLE_POSTAL", optional=True)


@record
class Donnees:
    personnes: tuple[Personne, ...] = many("PERSONNES", "PERSONNE", Personne)
    responsables: tuple[ResponsableEleve, ...] = many(
        "RESPONSABLES", "RESPONSABLE_ELEVE", ResponsableEleve
    )
    adresses: tuple[Adresse, ...] = many("ADRESSES", "ADRESSE", Adresse)


@record
class BeeResponsables:
    version: str = attr("VERSION")
    parametres: Parametres = child("PARAMETRES", Parametres)
    donnees: Donnees = child("DONNEES", Donnees)


def filename() -> str:
    return f"{NAME}.xml"


def zip_filename() -> str:
    return f"ExportXML_{NAME}.zip"


def write(doc: BeeResponsables) -> bytes:
    return write_document(doc, ROOT)


def write_zip_file(doc: BeeResponsables) -> tuple[str, bytes]:
    return zip_filename(), write_zip([ZipMember(filename(), write(doc))])


def read(content: bytes) -> BeeResponsables:
    """Read a BEE_RESPONSABLES xml; FormatError (French message) when it is not one."""
    return read_document(content, BeeResponsables, ROOT, WRONG_ROOTS)
