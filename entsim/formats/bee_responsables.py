"""BEE_RESPONSABLES: SIECLE's responsables export (Exportations > En XML), version 2.1.

`ResponsablesAvecAdresses.xml` inside `ExportXML_ResponsablesAvecAdresses.zip`, ISO-8859-15.
PARAMETRES {UAJ, ANNEE_SCOLAIRE, DATE_EXPORT, HORODATAGE}, then DONNEES: PERSONNES (PERSONNE
@PERSONNE_ID), RESPONSABLES (RESPONSABLE_ELEVE: ELEVE_ID, PERSONNE_ID, NIVEAU_RESPONSABILITE,
CODE_PARENTE, flags) and ADRESSES (ADRESSE @ADRESSE_ID). Layout of the real sample
`responsables_avec_adresses_simple.xml` (dossiersco). Flags are kept as written ("1"/"0" for
PAIE_FRAIS_SCOLAIRES, "true"/"false" for the others).
"""

from __future__ import annotations

from entsim.formats.bee_common import Adresse as Adresse
from entsim.formats.bee_common import Document, file_functions, other_exports, record
from entsim.formats.bee_common import Parametres as Parametres
from entsim.formats.xmlutil import INT, attr, child, many, text

ROOT = "BEE_RESPONSABLES"
VERSION = "2.1"
NAME = "ResponsablesAvecAdresses"
WRONG_ROOTS = other_exports(ROOT, "BEE_ELEVES", "BEE_NOMENCLATURES")


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
class Donnees:
    personnes: tuple[Personne, ...] = many("PERSONNES", "PERSONNE", Personne)
    responsables: tuple[ResponsableEleve, ...] = many(
        "RESPONSABLES", "RESPONSABLE_ELEVE", ResponsableEleve
    )
    adresses: tuple[Adresse, ...] = many("ADRESSES", "ADRESSE", Adresse)


@record
class BeeResponsables(Document):
    donnees: Donnees = child("DONNEES", Donnees)


write, write_zip_file, read = file_functions(BeeResponsables, ROOT, NAME, WRONG_ROOTS)
