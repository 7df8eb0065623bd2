"""How the timetable software reads and writes its files, through `entsim.formats`.

Reads: the STS-web export STS_EDT (`sts_emp_<UAI>_<AAAA>.xml`) and SIECLE's pupils export
BEE_ELEVES (`ExportXML_ElevesSansAdresses.zip` holding the xml, or the xml itself).
Writes: the return to STS-web EDT_STS (`emp_sts_<UAI>_<AAAA>.xml`; only what is matched to
STS-web goes back) and, in supervisor mode, the links file for SIECLE (ELEGROUPE, zipped,
checked against the schema before it leaves).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from entsim.formats import bee_eleves, elegroupe, emp_sts, sts_emp
from entsim.formats.safe import FormatError, ZipMember, read_zip, write_zip
from entsim.registry import ExchangeRefused

from .models import Cours, Eleve
from .selectors import ExportData

LOGICIEL = "EDT-ENTSIM"  # LOGICIEL of ELEGROUPE: at most 10 characters
APPLICATION_SOURCE = "EDITEUR_PRIVE"
DEFAULT_DAY = (dt.time(8, 0), dt.time(17, 0))
WEEKDAYS = (1, 2, 3, 4, 5)


# --- Reading ----------------------------------------------------------------------------------


def _single_xml(name: str, content: bytes) -> bytes:
    if content[:4] == b"PK\x03\x04" or name.lower().endswith(".zip"):
        (member,) = read_zip(content, max_members=1)
        if not member.name.lower().endswith(".xml"):
            raise FormatError(f"L'archive contient « {member.name} » : un fichier XML est attendu.")
        return member.content
    return content


def read_sts(name: str, content: bytes) -> sts_emp.StsEmp:
    """The STS-web export; ExchangeRefused with a French message when it cannot be read."""
    try:
        return sts_emp.read(_single_xml(name, content))
    except FormatError as error:
        raise ExchangeRefused(f"Fichier STS-web refusé : {error.message}") from error


def read_eleves(name: str, content: bytes) -> bee_eleves.BeeEleves:
    """SIECLE's pupils export (zip or xml); ExchangeRefused when it cannot be read."""
    try:
        return bee_eleves.read_upload(name, content)
    except FormatError as error:
        raise ExchangeRefused(f"Fichier élèves SIECLE refusé : {error.message}") from error


# --- EDT_STS ----------------------------------------------------------------------------------


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / Decimal(60)).quantize(Decimal("0.01"))


def _weeks(start: dt.date, end: dt.date) -> tuple[dt.date, ...]:
    """The Mondays of the school weeks, from the start of the year to the end of June."""
    last = min(end, dt.date(start.year + 1, 6, 30))
    monday = start + dt.timedelta(days=(7 - start.weekday()) % 7)
    weeks = []
    while monday <= last:
        weeks.append(monday)
        monday += dt.timedelta(days=7)
    return tuple(weeks)


def _cours(course: Cours) -> emp_sts.Cours:
    return emp_sts.Cours(
        code_alternance=course.alternance,
        jour=course.jour,
        heure_debut=course.heure_debut,
        duree=dt.timedelta(minutes=course.duree),
        code_salle=course.salle.code if course.salle else None,
    )


def emp_sts_document(data: ExportData) -> tuple[emp_sts.EmpSts, dict]:
    """The return file to STS-web and what it left out (not matched to STS-web)."""
    base = data.base
    left_out: dict[str, set[str]] = {"matieres": set(), "divisions": set(), "enseignants": set()}
    divisions_out: dict[int, list[emp_sts.Service]] = {d.pk: [] for d in data.divisions}
    groupes_out: dict[int, list[emp_sts.Service]] = {g.pk: [] for g in data.groupes}
    teachers: dict[str, None] = {}
    rooms: dict[str, None] = {}
    used_days: dict[int, tuple[dt.time, dt.time]] = {}
    for service in data.services:
        if not service.matiere.sts_code:
            left_out["matieres"].add(service.matiere.libelle)
            continue
        if service.division is not None and not service.division.sts_code:
            left_out["divisions"].add(service.division.code)
            continue
        courses = data.courses_by_service.get(service.pk, [])
        links = list(service.liens_enseignants.all())
        enseignants = []
        for index, link in enumerate(links):
            teacher = link.enseignant
            if not teacher.sts_id:
                left_out["enseignants"].add(str(teacher))
                continue
            mine = [
                c
                for c in courses
                if c.enseignant_id == teacher.pk or (c.enseignant_id is None and index == 0)
            ]
            teachers.setdefault(teacher.sts_id)
            minutes = sum(c.duree for c in mine)
            enseignants.append(
                emp_sts.Enseignant(
                    type=teacher.sts_type or "epp",
                    id=teacher.sts_id,
                    heures_agent=service.heures
                    if service.heures is not None and len(links) == 1
                    else _hours(minutes),
                    cours_rattaches=tuple(_cours(c) for c in mine),
                )
            )
        for course in courses:
            if course.salle:
                rooms.setdefault(course.salle.code)
            end = (
                dt.datetime.combine(dt.date.min, course.heure_debut)
                + dt.timedelta(minutes=course.duree)
            ).time()
            first, last = used_days.get(course.jour, (course.heure_debut, end))
            used_days[course.jour] = (min(first, course.heure_debut), max(last, end))
        total = (
            service.heures if service.heures is not None else _hours(sum(c.duree for c in courses))
        )
        out = emp_sts.Service(
            code_matiere=service.matiere.sts_code,
            code_mod_cours=service.mod_cours,
            heures_structure=total,
            co_ens=service.co_ens,
            enseignants=tuple(enseignants),
        )
        if service.division is not None:
            divisions_out[service.division_id].append(out)
        else:
            groupes_out[service.groupe_id].append(out)
    for division in data.divisions:
        if not division.sts_code:
            left_out["divisions"].add(division.code)
    divisions = tuple(
        emp_sts.Division(code=d.sts_code, services=tuple(divisions_out[d.pk]))
        for d in data.divisions
        if d.sts_code
    )
    groupes = tuple(
        emp_sts.Groupe(
            code=g.code,
            libelle_long=(g.libelle or g.code)[:20],
            effectif_prevu=g.effectif_prevu,
            divisions_appartenance=tuple(
                emp_sts.DivisionAppartenance(code=d.sts_code)
                for d in g.divisions.all()
                if d.sts_code
            ),
            services=tuple(groupes_out[g.pk]),
        )
        for g in data.groupes
    )
    days = sorted(set(WEEKDAYS) | set(used_days))
    doc = emp_sts.EmpSts(
        parametres=emp_sts.Parametres(
            uaj=base.uai, annee_scolaire=base.annee, application_source=APPLICATION_SOURCE
        ),
        donnees=emp_sts.Donnees(
            horaires=tuple(
                emp_sts.Horaire(
                    jour=day,
                    debut_cours=used_days.get(day, DEFAULT_DAY)[0],
                    fin_cours=used_days.get(day, DEFAULT_DAY)[1],
                )
                for day in days
            ),
            alternances=(
                emp_sts.Alternance(
                    code="H",
                    libelle_court="Cours Hebd",
                    libelle_long="Cours Hebdomadaire",
                    semaines=_weeks(base.date_debut, base.date_fin),
                ),
            ),
            salles_cours=tuple(emp_sts.SalleCours(code=code) for code in sorted(rooms)),
            individus=tuple(emp_sts.Individu(id=sts_id) for sts_id in sorted(teachers)),
            structure=emp_sts.Structure(divisions=divisions, groupes=groupes),
        ),
    )
    report = {
        "divisions": len(divisions),
        "groupes": len(groupes),
        "services": sum(len(d.services) for d in divisions) + sum(len(g.services) for g in groupes),
        "enseignants": len(teachers),
    }
    for key, names in left_out.items():
        if names:
            report[f"{key}_non_envoyes"] = sorted(names)
    return doc, report


def emp_sts_file(data: ExportData) -> tuple[str, bytes, dict]:
    doc, report = emp_sts_document(data)
    return emp_sts.filename(data.base.uai, data.base.annee), emp_sts.write(doc), report


# --- ELEGROUPE --------------------------------------------------------------------------------


def _name(value: str) -> str | None:
    value = value.strip()[:100]
    return value or None


def elegroupe_document(
    *, uai: str, annee: int, num_envoi: int, today: dt.date, eleves: list[Eleve]
) -> elegroupe.ImportEleves:
    """The links file: each active pupil in a group, identified by ELEVE_ID."""
    return elegroupe.ImportEleves(
        version=elegroupe.VERSION,
        parametres=elegroupe.Parametres(
            uaj=uai,
            annee_scolaire=annee,
            date_import=today,
            num_envoi=num_envoi,
            logiciel=LOGICIEL,
        ),
        donnees=elegroupe.Donnees(
            eleves=tuple(
                elegroupe.Eleve(
                    eleve_id=pupil.siecle_id,
                    nom_de_famille=_name(pupil.nom) or "?",
                    nom_usage=_name(pupil.nom_usage),
                    prenom=_name(pupil.prenom) or "?",
                    prenom2=_name(pupil.prenom2),
                    prenom3=_name(pupil.prenom3),
                    date_naiss=pupil.date_naissance,
                    groupes=tuple(
                        elegroupe.Groupe(
                            code_groupe=link.groupe.code,
                            date_debut_groupe=link.date_debut,
                            date_fin_groupe=pupil.date_sortie,
                        )
                        for link in pupil.appartenances.all()
                    ),
                )
                for pupil in eleves
            )
        ),
    )


def elegroupe_file(doc: elegroupe.ImportEleves, at: dt.datetime) -> tuple[str, bytes]:
    """(zip name, zip bytes), refused if the xml is not valid against the schema."""
    content = elegroupe.write(doc)
    problems = elegroupe.validate(content)
    if problems:
        raise ExchangeRefused(
            "Le fichier des liens élèves-groupes ne respecte pas le schéma d'import de SIECLE.",
            details=problems[:20],
        )
    member = ZipMember(elegroupe.filename(doc.uai, doc.annee, at), content)
    return elegroupe.zip_filename(doc.uai, doc.annee, at), write_zip([member])
