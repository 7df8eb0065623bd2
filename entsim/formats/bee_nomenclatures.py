"""BEE_NOMENCLATURES: SIECLE's nomenclatures export (Exportations > En XML), version 3.1.

`Nomenclature.xml` inside `ExportXML_Nomenclature.zip`, ISO-8859-15. PARAMETRES {UAJ,
ANNEE_SCOLAIRE, DATE_EXPORT, HORODATAGE}, then DONNEES: MEFS (MEF @CODE_MEF), MATIERES
(MATIERE @CODE_MATIERE), PROGRAMMES (PROGRAMME: MEF, subject, modality, hours) and
OPTIONS_OBLIGATOIRES. Layout of the real samples `nomenclature_simple.xml` and
`nomenclature_tout_niveau.xml` (dossiersco); values kept as text except the keys.
"""

from __future__ import annotations

import datetime as dt

from entsim.formats.bee_common import Document, file_functions, other_exports, record
from entsim.formats.bee_common import Parametres as Parametres
from entsim.formats.xmlutil import DATE_FR, attr, child, many, text

ROOT = "BEE_NOMENCLATURES"
VERSION = "3.1"
NAME = "Nomenclature"
WRONG_ROOTS = other_exports(ROOT, "BEE_ELEVES", "BEE_RESPONSABLES")


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
class BeeNomenclatures(Document):
    donnees: Donnees = child("DONNEES", Donnees)


write, write_zip_file, read = file_functions(BeeNomenclatures, ROOT, NAME, WRONG_ROOTS)
