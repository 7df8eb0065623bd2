"""EDT_STS: the timetable software's return to STS-web (`emp_sts_<UAI>_<AAAA>.xml`).

The file name is a guess (FORMATS.md: GEPi and open-ent call it `emp_sts.xml`). ISO-8859-15,
root EDT_STS, PARAMETRES as plain text values, then DONNEES: the day bounds (HORAIRES), week
patterns (ALTERNANCES), rooms, staff (only their allowances here) and, for each division and
group, the services with their hours, teachers and the courses placed in the timetable.
Nesting follows the real files of open-ent/edt (test cases 1, 3 and 4), which STS-web imports;
STS-web's import is "annule et remplace" for groups and services.

Times are HHMM ("0830"), durations HHMM ("0100" = 1 h), hours decimals with two places.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from entsim.formats.xmlutil import (
    BOOL,
    CLOCK,
    DATE_ISO,
    DURATION,
    HOURS,
    INT,
    UAI,
    YEAR,
    attr,
    child,
    flag,
    many,
    read_document,
    text,
    values,
    write_document,
)

ROOT = "EDT_STS"
WRONG_ROOTS = {
    "STS_EDT": (
        "Ce fichier est un export STS-web STS_EDT, "
        "pas un fichier EDT_STS (retour du logiciel d'emploi du temps)."
    ),
}

record = dataclass(frozen=True, kw_only=True)


@record
class Parametres:
    uaj: str = text("UAJ", UAI)
    annee_scolaire: int = text("ANNEE_SCOLAIRE", YEAR)  # 2018 for 2018-2019
    application_source: str | None = text("APPLICATION_SOURCE", optional=True)  # EDITEUR_PRIVE


@record
class Horaire:
    """The bounds of a day of classes (1 = Monday)."""

    jour: int = attr("JOUR", INT)
    debut_cours: dt.time = text("DEBUT_COURS", CLOCK)
    fin_cours: dt.time = text("FIN_COURS", CLOCK)


@record
class Alternance:
    """A week pattern (H = every week...) and the Mondays of the weeks it covers."""

    code: str = attr("CODE")
    libelle_court: str | None = text("LIBELLE_COURT", optional=True)
    libelle_long: str | None = text("LIBELLE_LONG", optional=True)
    semaines: tuple[dt.date, ...] = values("SEMAINES", "DATE_DEBUT_SEMAINE", DATE_ISO)


@record
class SalleCours:
    code: str = attr("CODE")
    groupe_salle: str | None = text("GROUPE_SALLE", optional=True)
    localisation: str | None = text("LOCALISATION", optional=True)


@record
class Indemnite:
    code_structure: str = text("CODE_STRUCTURE")
    mefstat4: str | None = text("MEFSTAT4", optional=True)


@record
class Individu:
    """A member of staff, by the ID of the STS_EDT file.

    ARES is always empty in the real files seen: only its presence is kept.
    """

    id: str = attr("ID")
    indemnites: tuple[Indemnite, ...] = many("INDEMNITES", "INDEMNITE", Indemnite, keep_empty=False)
    ares: bool = flag("ARES", default=True)


@record
class Cours:
    """A course placed in the timetable."""

    code_alternance: str = text("CODE_ALTERNANCE")  # code of ALTERNANCES
    jour: int = text("JOUR", INT)  # 1 = Monday
    heure_debut: dt.time = text("HEURE_DEBUT", CLOCK)
    duree: dt.timedelta = text("DUREE", DURATION)
    code_salle: str | None = text("CODE_SALLE", optional=True)


@record
class Enseignant:
    type: str = attr("TYPE")  # epp
    id: str = attr("ID")
    heures_agent: Decimal | None = text("HEURES_AGENT", HOURS, optional=True)
    cours_rattaches: tuple[Cours, ...] = many("COURS_RATTACHES", "COURS", Cours)


@record
class Service:
    code_matiere: str = attr("CODE_MATIERE")
    code_mod_cours: str = attr("CODE_MOD_COURS")  # CG
    heures_structure: Decimal | None = text("HEURES_STRUCTURE", HOURS, optional=True)
    co_ens: bool | None = text("CO_ENS", BOOL, optional=True)
    enseignants: tuple[Enseignant, ...] = many("ENSEIGNANTS", "ENSEIGNANT", Enseignant)


@record
class Division:
    code: str = attr("CODE")
    services: tuple[Service, ...] = many("SERVICES", "SERVICE", Service)


@record
class DivisionAppartenance:
    code: str = attr("CODE")
    effectif_prevu: int | None = text("EFFECTIF_PREVU", INT, optional=True)


@record
class Groupe:
    code: str = attr("CODE")  # at most 8 characters
    libelle_long: str | None = text("LIBELLE_LONG", optional=True)  # at most 20
    effectif_prevu: int | None = text("EFFECTIF_PREVU", INT, optional=True)
    effectif_max_edt: int | None = text("EFFECTIF_MAX_EDT", INT, optional=True)
    divisions_appartenance: tuple[DivisionAppartenance, ...] = many(
        "DIVISIONS_APPARTENANCE", "DIVISION_APPARTENANCE", DivisionAppartenance
    )
    services: tuple[Service, ...] = many("SERVICES", "SERVICE", Service)


@record
class Structure:
    divisions: tuple[Division, ...] = many("DIVISIONS", "DIVISION", Division, keep_empty=False)
    groupes: tuple[Groupe, ...] = many("GROUPES", "GROUPE", Groupe, keep_empty=False)


@record
class Donnees:
    horaires: tuple[Horaire, ...] = many("HORAIRES", "HORAIRE", Horaire)
    alternances: tuple[Alternance, ...] = many("ALTERNANCES", "ALTERNANCE", Alternance)
    salles_cours: tuple[SalleCours, ...] = many("SALLES_COURS", "SALLE_COURS", SalleCours)
    individus: tuple[Individu, ...] = many("INDIVIDUS", "INDIVIDU", Individu)
    structure: Structure = child("STRUCTURE", Structure)


@record
class EmpSts:
    """A whole EDT_STS file."""

    parametres: Parametres = child("PARAMETRES", Parametres)
    donnees: Donnees = child("DONNEES", Donnees)

    @property
    def uai(self) -> str:
        return self.parametres.uaj

    @property
    def annee(self) -> int:
        return self.parametres.annee_scolaire


def filename(uai: str, year: int) -> str:
    """emp_sts_<UAI>_<AAAA>.xml (a guess: the real name is chosen by the EDT software)."""
    return f"emp_sts_{uai}_{year:04d}.xml"


def write(doc: EmpSts) -> bytes:
    return write_document(doc, ROOT)


def read(content: bytes) -> EmpSts:
    """Read an EDT_STS file; FormatError (French message) when it is not one."""
    return read_document(content, EmpSts, ROOT, WRONG_ROOTS)
