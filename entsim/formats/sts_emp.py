"""STS_EDT: the export STS-web writes for the timetable software (`sts_emp_<UAI>_<AAAA>.xml`).

ISO-8859-15, root STS_EDT, then PARAMETRES (establishment and school year), NOMENCLATURES
(codes the file uses) and DONNEES (staff, divisions and groups with their services, substitutes).
Element names and nesting follow the real export (open-ent/edt test case 3, read by GEPi,
SACoche, open-ent); elements absent from FORMATS.md but present in real files are kept too
(MENTION_DISTRIBUTION, BOITE_POSTALE, CEDEX, ETABLISSEMENT_SENSIBLE, TAUX_PONDS, the counts of
MEF_APPARTENANCE, EFFECTIF_MAX_EDT...) so that a file read then written loses nothing we model.

Dates are ISO (AAAA-MM-JJ), hours decimals with two places ("18.00"), booleans true/false.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from entsim.formats.xmlutil import (
    BOOL,
    DATE_ISO,
    DECIMAL,
    HOURS,
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

ROOT = "STS_EDT"
WRONG_ROOTS = {
    "EDT_STS": (
        "Ce fichier est un fichier EDT_STS (retour du logiciel d'emploi du temps), "
        "pas un export STS-web STS_EDT."
    ),
}

record = dataclass(frozen=True, kw_only=True)


# --- PARAMETRES -------------------------------------------------------------------------------


@record
class Academie:
    code: str = text("CODE")  # "024"
    libelle: str | None = text("LIBELLE", optional=True)  # CRETEIL


@record
class Uaj:
    """The establishment (UAJ@CODE is its UAI)."""

    code: str = attr("CODE", UAI)
    academie: Academie | None = child("ACADEMIE", Academie, optional=True)
    sigle: str | None = text("SIGLE", optional=True)  # CLG
    denom_princ: str | None = text("DENOM_PRINC", optional=True)  # COLLEGE
    denom_compl: str | None = text("DENOM_COMPL", optional=True)  # LOUIS ARAGON
    code_nature: str | None = text("CODE_NATURE", optional=True)  # 340
    code_categorie: str | None = text("CODE_CATEGORIE", optional=True)  # CLG
    mention_distribution: str | None = text("MENTION_DISTRIBUTION", optional=True)
    adresse: str | None = text("ADRESSE", optional=True)
    commune: str | None = text("COMMUNE", optional=True)
    code_postal: str | None = text("CODE_POSTAL", optional=True)
    boite_postale: str | None = text("BOITE_POSTALE", optional=True)
    cedex: str | None = text("CEDEX", optional=True)  # N
    telephone: str | None = text("TELEPHONE", optional=True)
    statut: str | None = text("STATUT", optional=True)  # public
    etablissement_sensible: bool | None = text("ETABLISSEMENT_SENSIBLE", BOOL, optional=True)


@record
class AnneeScolaire:
    annee: int = attr("ANNEE", YEAR)  # 2018 for 2018-2019
    date_debut: dt.date = text("DATE_DEBUT", DATE_ISO)
    date_fin: dt.date = text("DATE_FIN", DATE_ISO)


@record
class Parametres:
    uaj: Uaj = child("UAJ", Uaj)
    annee_scolaire: AnneeScolaire = child("ANNEE_SCOLAIRE", AnneeScolaire)


# --- NOMENCLATURES ----------------------------------------------------------------------------


@record
class TypeAhe:
    code: str = attr("CODE")
    libelle_court: str | None = text("LIBELLE_COURT", optional=True)
    libelle_long: str | None = text("LIBELLE_LONG", optional=True)


@record
class Civilite:
    code: str = attr("CODE")  # 1, 2, 3, ".", "L", "M"
    libelle_court: str | None = text("LIBELLE_COURT", optional=True)  # M., MME
    libelle_long: str | None = text("LIBELLE_LONG", optional=True)  # M., Mme


@record
class Mefstat4:
    code: str = attr("CODE")  # 23C1
    libelle_court: str | None = text("LIBELLE_COURT", optional=True)
    libelle_long: str | None = text("LIBELLE_LONG", optional=True)
    indemnite_pp_autorisee: bool | None = text("INDEMNITE_PP_AUTORISEE", BOOL, optional=True)


@record
class TauxPond:
    taux: Decimal = attr("TAUX", DECIMAL)  # 1.25
    cpge_bts: str | None = text("CPGE_BTS", optional=True)  # bts


@record
class ModCours:
    code: str = attr("CODE")  # CG, AI...
    libelle_court: str | None = text("LIBELLE_COURT", optional=True)
    libelle_long: str | None = text("LIBELLE_LONG", optional=True)
    co_ens: bool | None = text("CO_ENS", BOOL, optional=True)


@record
class Matiere:
    code: str = attr("CODE")  # 020700
    code_gestion: str | None = text("CODE_GESTION", optional=True)  # FRANC
    libelle_court: str | None = text("LIBELLE_COURT", optional=True)
    libelle_long: str | None = text("LIBELLE_LONG", optional=True)
    libelle_edition: str | None = text("LIBELLE_EDITION", optional=True)  # Français


@record
class Mef:
    code: str = attr("CODE")  # 10310019110
    formation: str | None = text("FORMATION", optional=True)  # 3EME
    specialite: str | None = text("SPECIALITE", optional=True)
    libelle_long: str | None = text("LIBELLE_LONG", optional=True)
    libelle_edition: str | None = text("LIBELLE_EDITION", optional=True)
    mefstat11: str | None = text("MEFSTAT11", optional=True)
    mefstat4: str | None = text("MEFSTAT4", optional=True)


@record
class Programme:
    code_mef: str = text("CODE_MEF")
    code_matiere: str = text("CODE_MATIERE")
    horaire: Decimal | None = text("HORAIRE", HOURS, optional=True)  # 2.50


@record
class Nomenclatures:
    types_ahe: tuple[TypeAhe, ...] = many("TYPES_AHE", "TYPE_AHE", TypeAhe)
    civilites: tuple[Civilite, ...] = many("CIVILITES", "CIVILITE", Civilite)
    mefstats4: tuple[Mefstat4, ...] = many("MEFSTATS4", "MEFSTAT4", Mefstat4)
    taux_ponds: tuple[TauxPond, ...] = many("TAUX_PONDS", "TAUX_POND", TauxPond)
    mods_cours: tuple[ModCours, ...] = many("MODS_COURS", "MOD_COURS", ModCours)
    matieres: tuple[Matiere, ...] = many("MATIERES", "MATIERE", Matiere)
    mefs: tuple[Mef, ...] = many("MEFS", "MEF", Mef)
    programmes: tuple[Programme, ...] = many("PROGRAMMES", "PROGRAMME", Programme)


# --- DONNEES ----------------------------------------------------------------------------------


@record
class Discipline:
    code: str = attr("CODE")  # L0202
    libelle_court: str | None = text("LIBELLE_COURT", optional=True)  # LET MODERN
    nb_heures: Decimal | None = text("NB_HEURES", HOURS, optional=True)  # 18.00


@record
class ProfPrinc:
    """Main teacher of a division (DATE_FIN is read by SACoche; not in the sample)."""

    code_structure: str = text("CODE_STRUCTURE")
    date_fin: dt.date | None = text("DATE_FIN", DATE_ISO, optional=True)


@record
class Individu:
    """A member of staff (INDIVIDU) or a substitute (SUPPLEANT): same fields."""

    id: str = attr("ID")  # 69881
    type: str = attr("TYPE")  # epp
    sexe: str | None = text("SEXE", optional=True)  # 1 | 2
    civilite: str | None = text("CIVILITE", optional=True)  # code of CIVILITES
    nom_usage: str | None = text("NOM_USAGE", optional=True)
    nom_patronymique: str | None = text("NOM_PATRONYMIQUE", optional=True)
    prenom: str | None = text("PRENOM", optional=True)
    date_naissance: dt.date | None = text("DATE_NAISSANCE", DATE_ISO, optional=True)
    grade: str | None = text("GRADE", optional=True)
    fonction: str | None = text("FONCTION", optional=True)  # ENS, EDU, DIR, DOC...
    disciplines: tuple[Discipline, ...] = many("DISCIPLINES", "DISCIPLINE", Discipline)
    profs_princ: tuple[ProfPrinc, ...] = many(
        "PROFS_PRINC", "PROF_PRINC", ProfPrinc, keep_empty=False
    )


@record
class EnseignantRef:
    """A teacher of a service, by the INDIVIDU it names."""

    id: str = attr("ID")
    type: str = attr("TYPE")  # epp


@record
class Service:
    code_matiere: str = attr("CODE_MATIERE")
    code_mod_cours: str = attr("CODE_MOD_COURS")
    enseignants: tuple[EnseignantRef, ...] = many("ENSEIGNANTS", "ENSEIGNANT", EnseignantRef)


@record
class MefAppartenance:
    code: str = attr("CODE")
    effectif_prevu: int | None = text("EFFECTIF_PREVU", INT, optional=True)
    effectif_calcule: int | None = text("EFFECTIF_CALCULE", INT, optional=True)


@record
class DivisionAppartenance:
    code: str = attr("CODE")
    effectif_prevu: int | None = text("EFFECTIF_PREVU", INT, optional=True)
    effectif_calcule: int | None = text("EFFECTIF_CALCULE", INT, optional=True)


@record
class Division:
    code: str = attr("CODE")  # 3A (at most 8 characters, may hold spaces)
    libelle_long: str | None = text("LIBELLE_LONG", optional=True)
    effectif_prevu: int | None = text("EFFECTIF_PREVU", INT, optional=True)
    effectif_calcule: int | None = text("EFFECTIF_CALCULE", INT, optional=True)
    mefs_appartenance: tuple[MefAppartenance, ...] = many(
        "MEFS_APPARTENANCE", "MEF_APPARTENANCE", MefAppartenance
    )
    services: tuple[Service, ...] = many("SERVICES", "SERVICE", Service)


@record
class Groupe:
    code: str = attr("CODE")  # 3B_G2
    libelle_long: str | None = text("LIBELLE_LONG", optional=True)
    effectif_prevu: int | None = text("EFFECTIF_PREVU", INT, optional=True)
    effectif_calcule: int | None = text("EFFECTIF_CALCULE", INT, optional=True)
    effectif_max_edt: int | None = text("EFFECTIF_MAX_EDT", INT, optional=True)
    divisions_appartenance: tuple[DivisionAppartenance, ...] = many(
        "DIVISIONS_APPARTENANCE", "DIVISION_APPARTENANCE", DivisionAppartenance
    )
    mefs_appartenance: tuple[MefAppartenance, ...] = many(
        "MEFS_APPARTENANCE", "MEF_APPARTENANCE", MefAppartenance
    )
    services: tuple[Service, ...] = many("SERVICES", "SERVICE", Service)


@record
class Structure:
    divisions: tuple[Division, ...] = many("DIVISIONS", "DIVISION", Division)
    groupes: tuple[Groupe, ...] = many("GROUPES", "GROUPE", Groupe)


@record
class Donnees:
    individus: tuple[Individu, ...] = many("INDIVIDUS", "INDIVIDU", Individu)
    structure: Structure = child("STRUCTURE", Structure)
    suppleants: tuple[Individu, ...] = many("SUPPLEANTS", "SUPPLEANT", Individu)


@record
class StsEmp:
    """A whole STS_EDT file."""

    parametres: Parametres = child("PARAMETRES", Parametres)
    nomenclatures: Nomenclatures = child("NOMENCLATURES", Nomenclatures)
    donnees: Donnees = child("DONNEES", Donnees)

    @property
    def uai(self) -> str:
        return self.parametres.uaj.code

    @property
    def annee(self) -> int:
        return self.parametres.annee_scolaire.annee


# --- Files ------------------------------------------------------------------------------------


def filename(uai: str, year: int) -> str:
    """sts_emp_<UAI>_<AAAA>.xml, as STS-web names the export."""
    return f"sts_emp_{uai}_{year:04d}.xml"


def write(doc: StsEmp) -> bytes:
    return write_document(doc, ROOT)


def read(content: bytes) -> StsEmp:
    """Read an STS_EDT file; FormatError (French message) when it is not one."""
    return read_document(content, StsEmp, ROOT, WRONG_ROOTS)
