"""Préparation de rentrée (guide 2.1 to 2.13): from June to September, STS-web, SIECLE and
the EDT software, then the ENT at +48 h and the final check."""

from entsim.models import World

from ..checks import ent, rentree
from . import actions as a
from . import plants
from .base import Plant, Scenario, Step

SCENARIO = Scenario(
    id="preparation-rentree",
    title="Préparation de rentrée",
    summary=(
        "De juin à septembre : bascule, nomenclatures, structure, dossiers des élèves, "
        "emploi du temps aller-retour, fichier des liens, puis l'ENT à +48 h. Pièges : un "
        "élève d'un établissement voisin à importer (pas à créer), un responsable en double, "
        "des fiches bloquantes, un groupe EDT au nom refusé par STS-web."
    ),
    default_size=World.Size.COLLEGE,
    steps=(
        Step(
            "sts-bascule",
            "Effectuer la bascule dans STS-web",
            "2.1",
            rentree.check_bascule,
            a.play_bascule,
        ),
        Step(
            "sts-nomenclatures",
            "Profiler les nomenclatures",
            "2.2",
            rentree.check_nomenclatures,
            a.play_nomenclatures,
        ),
        Step(
            "sts-structure",
            "Mettre à jour la structure de l'année en préparation",
            "2.3",
            rentree.check_structure,
            a.play_structure,
        ),
        Step(
            "sts-export-structure",
            "Exporter la structure vers SIECLE BEE",
            "2.4",
            rentree.check_export_structure,
            a.play_export_structure,
        ),
        Step(
            "siecle-deja-presents",
            "Mettre à jour les dossiers des élèves déjà présents",
            "2.5.1",
            rentree.check_deja_presents,
            a.play_deja_presents,
        ),
        Step(
            "siecle-nouveaux",
            "Recevoir ou créer les dossiers des nouveaux élèves",
            "2.5.2",
            rentree.check_nouveaux,
            a.play_nouveaux,
        ),
        Step(
            "siecle-fiches-bloquantes",
            "Compléter les fiches bloquantes",
            "2.5.2",
            rentree.check_fiches_bloquantes,
            a.play_fiches_bloquantes,
        ),
        Step(
            "sts-export-edt",
            "Exporter STS-web vers le logiciel EDT",
            "2.6",
            rentree.check_export_edt,
            a.play_export_edt,
        ),
        Step(
            "edt-groupes",
            "Créer les groupes et les services dans le logiciel EDT",
            "2.7",
            rentree.check_edt_groupes,
            a.play_edt_groupes,
        ),
        Step(
            "sts-import-edt",
            "Récupérer groupes et services dans STS-web",
            "2.8",
            rentree.check_import_edt,
            a.play_import_edt,
        ),
        Step(
            "sts-exports",
            "Exporter la structure puis les services",
            "2.9",
            rentree.check_exports,
            a.play_exports,
        ),
        Step(
            "siecle-export-eleves",
            "Exporter les élèves de SIECLE vers le logiciel EDT",
            "2.10",
            rentree.check_export_eleves,
            a.play_export_eleves,
        ),
        Step(
            "edt-eleves-groupes",
            "Inscrire les élèves dans les groupes",
            "2.11",
            rentree.check_eleves_groupes,
            a.play_eleves_groupes,
        ),
        Step(
            "siecle-liens",
            "Récupérer les liens élèves-groupes dans SIECLE",
            "2.12",
            rentree.check_liens_siecle,
            a.play_liens,
        ),
        Step(
            "siecle-doublons-responsables",
            "Supprimer les doublons de responsables",
            "2.13",
            rentree.check_doublons_responsables,
            a.play_doublons_responsables,
        ),
        Step(
            "ent-groupes",
            "Les groupes dans l'ENT (+48 h)",
            "4.5",
            ent.check_groupes_ent,
            a.play_rentree_ent,
        ),
        Step(
            "ent-verification",
            "Vérification finale : tous dans l'ENT, avec leurs classes et leurs groupes",
            "2",
            ent.check_final,
        ),
    ),
    plants=(
        Plant(
            a.ELEVE_VOISIN,
            "Élèves venant d'un collège ou lycée voisin : leurs dossiers "
            "attendent dans Importations > Dossiers depuis autre EPLE.",
            "siecle-nouveaux",
            plants.neighbours_export_dossiers,
        ),
        Plant(
            a.RESPONSABLE_DOUBLON,
            "Deux responsables saisis deux fois (adresse écrite autrement).",
            "siecle-doublons-responsables",
        ),
        Plant(
            a.FICHE_BLOQUANTE,
            "Deux fiches bloquantes : aucun représentant légal avec une adresse, "
            "représentant légal saisi comme simple contact.",
            "siecle-fiches-bloquantes",
        ),
        Plant(
            a.GROUPE_EDT,
            "Un groupe déjà créé dans le logiciel EDT avec un « / » dans son nom.",
            "sts-import-edt",
            plants.edt_group_with_forbidden_character,
        ),
    ),
)
