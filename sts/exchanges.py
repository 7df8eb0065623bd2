"""How STS-web writes and reads its files, through `entsim.formats`.

- Exports > Emploi du temps: `sts_emp_<UAI>_<AAAA>.xml` (STS_EDT) for the EDT software.
- Exports > Structure / Services to SIECLE BEE: no public format exists for that transfer;
  the simulator carries it in the STS_EDT layout (see docs/formats.md):
  `sts_structure_<UAI>_<AAAA>.xml` (PARAMETRES, NOMENCLATURES/MEFS, DONNEES/STRUCTURE without
  services) and `sts_services_<UAI>_<AAAA>.xml` (PARAMETRES, NOMENCLATURES/MATIERES and
  MODS_COURS, DONNEES/INDIVIDUS, STRUCTURE with SERVICES, SUPPLEANTS).
- Import > Emploi du temps: the EDT_STS file, read with `entsim.formats.emp_sts`.
"""

from __future__ import annotations

from entsim import nomenclatures as nom
from entsim.formats import emp_sts, sts_emp
from entsim.formats.safe import FormatError
from entsim.registry import ExchangeRefused

from .models import NomenclatureEntry, Service, Teacher
from .selectors import YearData

EMPLOI_DU_TEMPS = "emploi_du_temps"
STRUCTURE = "structure"
SERVICES = "services"


def filename(kind: str, uai: str, year: int) -> str:
    if kind == EMPLOI_DU_TEMPS:
        return sts_emp.filename(uai, year)
    return f"sts_{kind}_{uai}_{year:04d}.xml"


# --- Writing ---------------------------------------------------------------------------------


def _parametres(data: YearData) -> sts_emp.Parametres:
    est = data.establishment
    world = data.world
    return sts_emp.Parametres(
        uaj=sts_emp.Uaj(
            code=est.uai,
            academie=sts_emp.Academie(code=world.academie_code, libelle=world.academie_name),
            sigle=est.sigle,
            denom_princ=est.denom_princ,
            denom_compl=est.denom_compl,
            code_nature=est.code_nature,
            code_categorie=est.sigle,
            adresse=est.adresse,
            commune=est.commune,
            code_postal=est.code_postal,
            telephone=est.telephone,
            statut="public",
        ),
        annee_scolaire=sts_emp.AnneeScolaire(
            annee=data.year.year, date_debut=data.year.date_debut, date_fin=data.year.date_fin
        ),
    )


def _entries(data: YearData, kind: str, used: set[str]) -> dict[str, NomenclatureEntry | None]:
    """The profiled codes of a kind, plus the codes the data uses (labels from the national
    nomenclature when the establishment did not profile them)."""
    found: dict[str, NomenclatureEntry | None] = {
        e.code: e for e in data.nomenclatures if e.kind == kind
    }
    for code in used:
        found.setdefault(code, None)
    return dict(sorted(found.items()))


def _mefs(data: YearData) -> tuple[sts_emp.Mef, ...]:
    used = {code for code in data.division_mef.values() if code}
    rows = []
    for code, entry in _entries(data, NomenclatureEntry.Kind.MEF, used).items():
        national = nom.MEFS.get(code)
        if entry is not None:
            rows.append(
                sts_emp.Mef(
                    code=code,
                    formation=entry.formation or None,
                    libelle_long=entry.libelle_long or None,
                    libelle_edition=entry.libelle_edition or None,
                    mefstat11=entry.mefstat11 or None,
                    mefstat4=entry.mefstat4 or None,
                )
            )
        elif national is not None:
            rows.append(
                sts_emp.Mef(
                    code=code,
                    formation=national.formation,
                    libelle_long=national.libelle_long,
                    libelle_edition=national.libelle_edition,
                    mefstat11=national.mefstat11,
                    mefstat4=national.mefstat4,
                )
            )
        else:
            rows.append(sts_emp.Mef(code=code))
    return tuple(rows)


def _matieres(data: YearData) -> tuple[sts_emp.Matiere, ...]:
    used = {s.subject_code for s in data.services}
    rows = []
    for code, entry in _entries(data, NomenclatureEntry.Kind.MATIERE, used).items():
        national = nom.SUBJECTS.get(code)
        if entry is not None:
            rows.append(
                sts_emp.Matiere(
                    code=code,
                    code_gestion=entry.code_gestion or None,
                    libelle_court=entry.libelle_court or None,
                    libelle_long=entry.libelle_long or None,
                    libelle_edition=entry.libelle_edition or None,
                )
            )
        elif national is not None:
            rows.append(
                sts_emp.Matiere(
                    code=code,
                    code_gestion=national.code_gestion,
                    libelle_court=national.libelle_court,
                    libelle_long=national.libelle_long,
                    libelle_edition=national.libelle_edition,
                )
            )
        else:
            rows.append(sts_emp.Matiere(code=code))
    return tuple(rows)


def _mods_cours(data: YearData) -> tuple[sts_emp.ModCours, ...]:
    used = {s.mod_cours for s in data.services}
    rows = []
    for code, entry in _entries(data, NomenclatureEntry.Kind.MOD_COURS, used).items():
        national = nom.MODS_COURS.get(code)
        if entry is not None:
            rows.append(
                sts_emp.ModCours(
                    code=code,
                    libelle_court=entry.libelle_court or None,
                    libelle_long=entry.libelle_long or None,
                    co_ens=entry.co_ens,
                )
            )
        elif national is not None:
            rows.append(
                sts_emp.ModCours(
                    code=code,
                    libelle_court=national.libelle_court,
                    libelle_long=national.libelle_long,
                    co_ens=national.co_ens,
                )
            )
        else:
            rows.append(sts_emp.ModCours(code=code))
    return tuple(rows)


def _mefstats4(mefs: tuple[sts_emp.Mef, ...]) -> tuple[sts_emp.Mefstat4, ...]:
    codes = sorted({m.mefstat4 for m in mefs if m.mefstat4})
    return tuple(
        sts_emp.Mefstat4(code=code, libelle_long=nom.MEFSTAT4_LABELS.get(code)) for code in codes
    )


def _programmes(mefs: tuple[sts_emp.Mef, ...]) -> tuple[sts_emp.Programme, ...]:
    rows = []
    for mef in mefs:
        programme = nom.PROGRAMMES.get(mef.code)
        if programme is None:
            continue
        seen = set()
        for subject, hours, _modalite in programme.lines():
            if subject in seen:
                continue
            seen.add(subject)
            rows.append(sts_emp.Programme(code_mef=mef.code, code_matiere=subject, horaire=hours))
    return tuple(rows)


def _civilites() -> tuple[sts_emp.Civilite, ...]:
    return tuple(
        sts_emp.Civilite(code=c.code, libelle_court=c.libelle_court, libelle_long=c.libelle_sts)
        for c in nom.CIVILITES.values()
    )


def _individu(teacher: Teacher, principals: list[str]) -> sts_emp.Individu:
    civilite = nom.CIVILITE_BY_LC.get(teacher.civilite)
    disciplines = ()
    if teacher.discipline_code:
        disciplines = (
            sts_emp.Discipline(
                code=teacher.discipline_code,
                libelle_court=_discipline_short(teacher.discipline_code),
                nb_heures=teacher.hours,
            ),
        )
    return sts_emp.Individu(
        id=str(teacher.sts_id),
        type="epp",
        sexe=teacher.sexe or None,
        civilite=civilite.code if civilite else None,
        nom_usage=teacher.nom_usage,
        nom_patronymique=teacher.nom_patronymique,
        prenom=teacher.prenom,
        date_naissance=teacher.date_naissance,
        grade=teacher.grade or None,
        fonction=teacher.fonction,
        disciplines=disciplines,
        profs_princ=tuple(sts_emp.ProfPrinc(code_structure=code) for code in principals),
    )


def _discipline_short(code: str) -> str | None:
    discipline = nom.DISCIPLINES.get(code)
    return discipline.libelle_court if discipline else None


def _services_of(data: YearData, services: list[Service]) -> tuple[sts_emp.Service, ...]:
    return tuple(
        sts_emp.Service(
            code_matiere=s.subject_code,
            code_mod_cours=s.mod_cours,
            enseignants=tuple(
                sts_emp.EnseignantRef(id=str(a.teacher.sts_id), type="epp")
                for a in data.service_teachers.get(s.pk, ())
            ),
        )
        for s in services
    )


def _structure(data: YearData, *, with_services: bool) -> sts_emp.Structure:
    by_division: dict[int, list[Service]] = {}
    by_group: dict[int, list[Service]] = {}
    if with_services:
        for service in data.services:
            if service.division_id:
                by_division.setdefault(service.division_id, []).append(service)
            else:
                by_group.setdefault(service.group_id, []).append(service)
    divisions = tuple(
        sts_emp.Division(
            code=d.code,
            libelle_long=d.libelle_long,
            effectif_prevu=d.effectif_prevu,
            mefs_appartenance=((sts_emp.MefAppartenance(code=d.mef_code),) if d.mef_code else ()),
            services=_services_of(data, by_division.get(d.pk, [])),
        )
        for d in data.divisions
    )
    groups = []
    for g in data.groups:
        codes = data.group_divisions.get(g.pk, [])
        mefs = sorted({data.division_mef[c] for c in codes if data.division_mef.get(c)})
        groups.append(
            sts_emp.Groupe(
                code=g.code,
                libelle_long=g.libelle_long,
                effectif_prevu=g.effectif_prevu,
                divisions_appartenance=tuple(sts_emp.DivisionAppartenance(code=c) for c in codes),
                mefs_appartenance=tuple(sts_emp.MefAppartenance(code=m) for m in mefs),
                services=_services_of(data, by_group.get(g.pk, [])),
            )
        )
    return sts_emp.Structure(divisions=divisions, groupes=tuple(groups))


def document(data: YearData, kind: str) -> sts_emp.StsEmp:
    """The STS_EDT document of one export kind (emploi du temps, structure, services)."""
    parametres = _parametres(data)
    mefs = _mefs(data)
    if kind == STRUCTURE:
        return sts_emp.StsEmp(
            parametres=parametres,
            nomenclatures=sts_emp.Nomenclatures(mefs=mefs),
            donnees=sts_emp.Donnees(structure=_structure(data, with_services=False)),
        )
    individus = tuple(_individu(t, data.principals.get(t.pk, [])) for t in data.teachers)
    suppleants = tuple(_individu(t, []) for t in data.suppleants)
    donnees = sts_emp.Donnees(
        individus=individus,
        structure=_structure(data, with_services=True),
        suppleants=suppleants,
    )
    if kind == SERVICES:
        nomenclatures = sts_emp.Nomenclatures(
            civilites=_civilites(), mods_cours=_mods_cours(data), matieres=_matieres(data)
        )
    else:
        nomenclatures = sts_emp.Nomenclatures(
            civilites=_civilites(),
            mefstats4=_mefstats4(mefs),
            mods_cours=_mods_cours(data),
            matieres=_matieres(data),
            mefs=mefs,
            programmes=_programmes(mefs),
        )
    return sts_emp.StsEmp(parametres=parametres, nomenclatures=nomenclatures, donnees=donnees)


def write(data: YearData, kind: str) -> tuple[str, bytes]:
    """(file name, bytes) of an export."""
    name = filename(kind, data.establishment.uai, data.year.year)
    return name, sts_emp.write(document(data, kind))


# --- Reading -----------------------------------------------------------------------------------


def read_edt_file(content: bytes) -> emp_sts.EmpSts:
    """The EDT software's file, or ExchangeRefused with the reason in French."""
    try:
        return emp_sts.read(content)
    except FormatError as error:
        raise ExchangeRefused(f"Fichier refusé : {error.message}") from error
