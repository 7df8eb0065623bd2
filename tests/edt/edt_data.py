"""Test helper: a small STS_EDT file and a small BEE_ELEVES export, written with the formats.

Fast to build on a bare world (`make_world`: UAI 0130001E, clock in June 2027, so the year in
preparation 2027-2028 is accepted). Three divisions (3A, 3B, 4A), one group drawn from 3A
and 3B (3ESP1), four teachers (one is a head, not a teacher), twelve pupils with options.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from entsim.formats import bee_eleves, sts_emp

UAI = "0130001E"
YEAR = 2027
FRANCAIS, MATHS, ESP2, ALL2 = "020700", "061300", "030602", "030102"

_MATIERES = {
    FRANCAIS: ("FRANC", "FRANCAIS", "FRANCAIS"),
    MATHS: ("MATHS", "MATHEMATIQUES", "MATHEMATIQUES"),
    ESP2: ("ESP2", "ESPAGNOL LV2", "ESPAGNOL LV2"),
    ALL2: ("ALL2", "ALLEMAND LV2", "ALLEMAND LV2"),
}
_PEOPLE = (
    ("1001", "DURAND", "Alice", "ENS"),
    ("1002", "MARTIN", "Paul", "ENS"),
    ("1003", "GARCIA", "Lucia", "ENS"),
    ("1004", "LEROY", "Marc", "DIR"),
)


def _service(matiere: str, teacher: str) -> sts_emp.Service:
    return sts_emp.Service(
        code_matiere=matiere,
        code_mod_cours="CG",
        enseignants=(sts_emp.EnseignantRef(id=teacher, type="epp"),),
    )


def sts_doc(
    *,
    uai: str = UAI,
    year: int = YEAR,
    divisions: tuple[str, ...] = ("3A", "3B", "4A"),
    people: tuple[tuple[str, str, str, str], ...] = _PEOPLE,
    matieres: dict[str, tuple[str, str, str]] | None = None,
    groupes: tuple[str, ...] = ("3ESP1",),
) -> sts_emp.StsEmp:
    matieres = _MATIERES if matieres is None else matieres
    return sts_emp.StsEmp(
        parametres=sts_emp.Parametres(
            uaj=sts_emp.Uaj(
                code=uai,
                academie=sts_emp.Academie(code="002", libelle="AIX-MARSEILLE"),
                sigle="CLG",
                denom_princ="COLLEGE DE TEST",
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
            mods_cours=(
                sts_emp.ModCours(
                    code="CG", libelle_court="COURS GEN", libelle_long="COURS GENERAL"
                ),
            ),
            matieres=tuple(
                sts_emp.Matiere(
                    code=code, code_gestion=gestion, libelle_court=court, libelle_long=long_
                )
                for code, (gestion, court, long_) in matieres.items()
            ),
            mefs=(sts_emp.Mef(code="10310019110", formation="3EME", libelle_long="3EME"),),
        ),
        donnees=sts_emp.Donnees(
            individus=tuple(
                sts_emp.Individu(
                    id=ident,
                    type="epp",
                    civilite="2" if prenom in ("Alice", "Lucia") else "1",
                    nom_usage=nom,
                    nom_patronymique=nom,
                    prenom=prenom,
                    date_naissance=dt.date(1980, 1, 1),
                    fonction=fonction,
                )
                for ident, nom, prenom, fonction in people
            ),
            structure=sts_emp.Structure(
                divisions=tuple(
                    sts_emp.Division(
                        code=code,
                        libelle_long=f"DIVISION {code}",
                        mefs_appartenance=(sts_emp.MefAppartenance(code="10310019110"),),
                        services=(_service(FRANCAIS, "1001"), _service(MATHS, "1002")),
                    )
                    for code in divisions
                ),
                groupes=tuple(
                    sts_emp.Groupe(
                        code=code,
                        libelle_long="ESPAGNOL 3E",
                        divisions_appartenance=tuple(
                            sts_emp.DivisionAppartenance(code=d)
                            for d in ("3A", "3B")
                            if d in divisions
                        ),
                        services=(_service(ESP2, "1003"),),
                    )
                    for code in groupes
                ),
            ),
        ),
    )


def sts_bytes(**kwargs) -> bytes:
    return sts_emp.write(sts_doc(**kwargs))


# (ELEVE_ID, INE, nom, prénom, division, LV2)
PUPILS = (
    (501, "070000001AA", "ABADIE", "Léa", "3A", ESP2),
    (502, "070000002AA", "BERNARD", "Hugo", "3A", ESP2),
    (503, "070000003AA", "CHEVALIER", "Inès", "3A", ESP2),
    (504, "070000004AA", "DUBOIS", "Noé", "3A", ALL2),
    (505, "070000005AA", "ESTÈVE", "Zoé", "3A", ALL2),
    (506, "070000006AA", "FABRE", "Jules", "3B", ESP2),
    (507, "070000007AA", "GIRAUD", "Emma", "3B", ESP2),
    (508, "070000008AA", "HOARAU", "Liam", "3B", ALL2),
    (509, "070000009AA", "IBANEZ", "Chloé", "3B", ALL2),
    (510, "070000010AA", "JOLY", "Nathan", "4A", ESP2),
    (511, "070000011AA", "KLEIN", "Jade", "4A", ALL2),
    (512, "070000012AA", "LAMBERT", "Louis", "4A", ESP2),
)


def bee_doc(
    *,
    uai: str = UAI,
    year: int = YEAR,
    pupils=PUPILS,
    groups: dict[int, tuple[str, ...]] | None = None,
) -> bee_eleves.BeeEleves:
    groups = groups or {}
    return bee_eleves.BeeEleves(
        version="3.0",
        parametres=bee_eleves.Parametres(
            uaj=uai,
            annee_scolaire=year,
            date_export=dt.date(2027, 6, 14),
            horodatage=dt.datetime(2027, 6, 14, 8, 0, 0),
        ),
        donnees=bee_eleves.Donnees(
            eleves=tuple(
                bee_eleves.Eleve(
                    eleve_id=eleve_id,
                    id_national=ine,
                    nom_de_famille=nom,
                    prenom=prenom,
                    date_naiss=dt.date(2013, 1 + eleve_id % 12, 1 + eleve_id % 28),
                    code_sexe="1" if eleve_id % 2 else "2",
                    code_mef="10310019110",
                )
                for eleve_id, ine, nom, prenom, _, _ in pupils
            ),
            options=tuple(
                bee_eleves.Option(
                    eleve_id=eleve_id,
                    options_eleve=(
                        bee_eleves.OptionEleve(
                            num_option=1, code_modalite_elect="S", code_matiere="030201"
                        ),
                        bee_eleves.OptionEleve(
                            num_option=2, code_modalite_elect="O", code_matiere=lv2
                        ),
                    ),
                )
                for eleve_id, _, _, _, _, lv2 in pupils
            ),
            structures=tuple(
                bee_eleves.StructuresEleve(
                    eleve_id=eleve_id,
                    structures=(
                        bee_eleves.Structure(code_structure=division, type_structure="D"),
                        *(
                            bee_eleves.Structure(code_structure=code, type_structure="G")
                            for code in groups.get(eleve_id, ())
                        ),
                    ),
                )
                for eleve_id, _, _, _, division, _ in pupils
            ),
        ),
    )


def bee_bytes(**kwargs) -> bytes:
    return bee_eleves.write(bee_doc(**kwargs))


def bee_zip(**kwargs) -> bytes:
    return bee_eleves.write_zip_file(bee_doc(**kwargs), avec_adresses=False)[1]


def zip_of(*members: tuple[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, content in members:
            archive.writestr(name, content)
    return buffer.getvalue()


def load(world, *, with_pupils: bool = True):
    """Import the small STS file (and the pupils) into the world's EDT."""
    from edt import services

    services.sts_import(world=world, doc=sts_doc(), filename="sts_emp_0130001E_2027.xml")
    if with_pupils:
        services.eleves_import(world=world, doc=bee_doc(), filename="ElevesSansAdresses.xml")
