"""Test helper: the files STS-web and SIECLE would send to the EDT software, from the truth.

Until the STS and SIECLE apps export for real, tests and the benchmark build their input
files with the format writers (`sts_emp.write`, `bee_eleves.write`) from a generated world's
truth. Test code may read the truth tables; the EDT product code never does.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from entsim import nomenclatures as nom
from entsim.formats import bee_eleves, sts_emp
from entsim.models import Division, Schooling, Service, Staff, TeachingGroup, World

NEXT_YEAR = 2027  # the year in preparation when a generated world opens


def sts_file(world: World, year: int = NEXT_YEAR) -> bytes:
    """STS_EDT of the home establishment for `year`: divisions, groups, teachers, services."""
    home = world.home
    divisions = list(
        Division.objects.filter(world=world, establishment=home, school_year=year).order_by("code")
    )
    groups = list(
        TeachingGroup.objects.filter(world=world, establishment=home, school_year=year)
        .prefetch_related("divisions")
        .order_by("code")
    )
    services = list(
        Service.objects.filter(world=world, establishment=home, school_year=year)
        .select_related("teacher", "division", "group")
        .order_by("id")
    )
    teacher_ids = {s.teacher_id for s in services}
    staff = list(
        Staff.objects.filter(world=world, establishment=home).filter(pk__in=teacher_ids)
        | Staff.objects.filter(world=world, establishment=home, function=Staff.Function.ENS)
    )
    by_division: dict[int, list[sts_emp.Service]] = defaultdict(list)
    by_group: dict[int, list[sts_emp.Service]] = defaultdict(list)
    for service in services:
        row = sts_emp.Service(
            code_matiere=service.subject_code,
            code_mod_cours=service.mod_cours,
            enseignants=(sts_emp.EnseignantRef(id=str(service.teacher.sts_id), type="epp"),),
        )
        if service.division_id:
            by_division[service.division_id].append(row)
        else:
            by_group[service.group_id].append(row)
    subjects = sorted({s.subject_code for s in services} | {g.subject_code for g in groups})
    mefs = sorted({d.mef_code for d in divisions})
    doc = sts_emp.StsEmp(
        parametres=sts_emp.Parametres(
            uaj=sts_emp.Uaj(
                code=home.uai,
                academie=sts_emp.Academie(code=world.academie_code, libelle=world.academie_name),
                sigle=home.sigle,
                denom_princ=home.name,
                code_nature=home.nature_code,
                commune=home.commune,
                code_postal=home.code_postal,
            ),
            annee_scolaire=sts_emp.AnneeScolaire(
                annee=year, date_debut=dt.date(year, 9, 1), date_fin=dt.date(year + 1, 8, 31)
            ),
        ),
        nomenclatures=sts_emp.Nomenclatures(
            civilites=(
                sts_emp.Civilite(code="1", libelle_court="M.", libelle_long="M."),
                sts_emp.Civilite(code="2", libelle_court="MME", libelle_long="Mme"),
            ),
            mods_cours=tuple(
                sts_emp.ModCours(
                    code=m.code,
                    libelle_court=m.libelle_court,
                    libelle_long=m.libelle_long,
                    co_ens=m.co_ens,
                )
                for m in nom.MODS_COURS.values()
            ),
            matieres=tuple(
                sts_emp.Matiere(
                    code=code,
                    code_gestion=nom.SUBJECTS[code].code_gestion,
                    libelle_court=nom.SUBJECTS[code].libelle_court,
                    libelle_long=nom.SUBJECTS[code].libelle_long,
                    libelle_edition=nom.SUBJECTS[code].libelle_edition,
                )
                if code in nom.SUBJECTS
                else sts_emp.Matiere(code=code)
                for code in subjects
            ),
            mefs=tuple(
                sts_emp.Mef(
                    code=code,
                    formation=nom.MEFS[code].formation,
                    libelle_long=nom.MEFS[code].libelle_long,
                    mefstat4=nom.MEFS[code].mefstat4,
                )
                for code in mefs
            ),
        ),
        donnees=sts_emp.Donnees(
            individus=tuple(
                sts_emp.Individu(
                    id=str(person.sts_id),
                    type="epp",
                    sexe=person.sex,
                    civilite="1" if person.sex == "1" else "2",
                    nom_usage=person.last_name,
                    nom_patronymique=person.birth_name,
                    prenom=person.first_name,
                    date_naissance=person.birth_date,
                    grade=person.grade or None,
                    fonction=person.function,
                    disciplines=(
                        (sts_emp.Discipline(code=person.discipline_code, nb_heures=person.hours),)
                        if person.discipline_code
                        else ()
                    ),
                )
                for person in sorted(staff, key=lambda p: p.sts_id)
            ),
            structure=sts_emp.Structure(
                divisions=tuple(
                    sts_emp.Division(
                        code=d.code,
                        libelle_long=d.label,
                        mefs_appartenance=(sts_emp.MefAppartenance(code=d.mef_code),),
                        services=tuple(by_division[d.pk]),
                    )
                    for d in divisions
                ),
                groupes=tuple(
                    sts_emp.Groupe(
                        code=g.code,
                        libelle_long=g.label,
                        divisions_appartenance=tuple(
                            sts_emp.DivisionAppartenance(code=d.code)
                            for d in sorted(g.divisions.all(), key=lambda d: d.code)
                        ),
                        services=tuple(by_group[g.pk]),
                    )
                    for g in groups
                ),
            ),
        ),
    )
    return sts_emp.write(doc)


def bee_file(
    world: World, year: int = NEXT_YEAR, *, with_groups: bool = False, id_offset: int = 100000
) -> bytes:
    """BEE_ELEVES (sans adresses) of the home establishment's pupils of `year`.

    ELEVE_ID is SIECLE's number; here the truth pupil's id plus `id_offset`.
    """
    home = world.home
    schoolings = list(
        Schooling.objects.filter(world=world, establishment=home, school_year=year)
        .select_related("pupil", "division")
        .order_by("pupil__last_name", "pupil__first_name", "pupil_id")
    )
    groups_of: dict[int, list[str]] = defaultdict(list)
    if with_groups:
        through = TeachingGroup.pupils.through.objects.filter(
            teachinggroup__establishment=home, teachinggroup__school_year=year
        ).values_list("pupil_id", "teachinggroup__code")
        for pupil_id, code in through:
            groups_of[pupil_id].append(code)
    eleves, options, structures = [], [], []
    for schooling in schoolings:
        pupil = schooling.pupil
        eleve_id = pupil.pk + id_offset
        eleves.append(
            bee_eleves.Eleve(
                eleve_id=eleve_id,
                id_national=pupil.ine,
                nom_de_famille=pupil.last_name,
                nom_usage=pupil.usage_name or None,
                prenom=pupil.first_name,
                prenom2=pupil.first_name2 or None,
                prenom3=pupil.first_name3 or None,
                date_naiss=pupil.birth_date,
                code_pays=pupil.birth_country,
                code_regime=pupil.regime,
                date_entree=schooling.start_date,
                date_sortie=schooling.end_date,
                ville_naiss=pupil.birth_commune,
                code_sexe=pupil.sex,
                code_pays_nat=pupil.nationality,
                code_statut="ST",
                code_mef=schooling.mef_code,
                code_departement_naiss=pupil.birth_departement or None,
                code_commune_insee_naiss=pupil.birth_commune_insee or None,
            )
        )
        if schooling.options:
            options.append(
                bee_eleves.Option(
                    eleve_id=eleve_id,
                    options_eleve=tuple(
                        bee_eleves.OptionEleve(
                            num_option=rank,
                            code_modalite_elect=option["modalite"],
                            code_matiere=option["subject"],
                        )
                        for rank, option in enumerate(schooling.options, start=1)
                    ),
                )
            )
        structures.append(
            bee_eleves.StructuresEleve(
                eleve_id=eleve_id,
                structures=(
                    bee_eleves.Structure(
                        code_structure=schooling.division.code, type_structure="D"
                    ),
                    *(
                        bee_eleves.Structure(code_structure=code, type_structure="G")
                        for code in sorted(groups_of.get(pupil.pk, ()))
                    ),
                ),
            )
        )
    now = world.now()
    doc = bee_eleves.BeeEleves(
        version=bee_eleves.VERSION,
        parametres=bee_eleves.Parametres(
            uaj=home.uai,
            annee_scolaire=year,
            date_export=now.date(),
            horodatage=now.replace(tzinfo=None, microsecond=0),
        ),
        donnees=bee_eleves.Donnees(
            eleves=tuple(eleves), options=tuple(options), structures=tuple(structures)
        ),
    )
    return bee_eleves.write(doc)
