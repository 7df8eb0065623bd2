"""Doublons et multi-inscriptions (guide 2.13), in June of the year in progress."""

from entsim.models import World

from ..checks import annee, rentree
from . import actions as a
from . import plants
from .base import Plant, Scenario, Step

SCENARIO = Scenario(
    id="doublons",
    title="Doublons et multi-inscriptions",
    summary=(
        "Éviter les doublons d'élèves (importer, ne jamais créer la fiche d'un élève de "
        "l'académie), supprimer les doublons de responsables, lever une multi-inscription "
        "signalée par l'académie pour que l'élève revienne dans l'annuaire et l'ENT."
    ),
    default_size=World.Size.COLLEGE,
    year="en_cours",
    steps=(
        Step(
            "siecle-eleve-voisin",
            "Importer les dossiers des élèves venant de l'académie",
            "2.13",
            annee.check_eleve_voisin,
            a.play_import_voisins,
        ),
        Step(
            "siecle-doublons-responsables",
            "Supprimer les doublons de responsables",
            "2.13",
            rentree.check_doublons_responsables,
            a.play_doublons_responsables,
        ),
        Step(
            "siecle-multi-inscription",
            "Lever la multi-inscription",
            "2.13",
            annee.check_multi_inscription,
            a.play_multi_inscription,
        ),
        Step(
            "aaf-multi-inscription",
            "L'élève revient dans l'annuaire (AAF)",
            "2.13",
            annee.check_aaf_multi,
        ),
    ),
    plants=(
        Plant(
            a.ELEVE_VOISIN,
            "Des dossiers envoyés par les établissements voisins attendent "
            "dans Importations > Dossiers depuis autre EPLE.",
            "siecle-eleve-voisin",
            plants.neighbours_export_dossiers,
        ),
        Plant(
            a.RESPONSABLE_DOUBLON,
            "Deux responsables saisis deux fois (adresse écrite autrement).",
            "siecle-doublons-responsables",
        ),
        Plant(
            a.MULTI_INSCRIPTION,
            "Un élève d'un collège voisin apparaît aussi scolarisé dans l'établissement.",
            "siecle-multi-inscription",
            plants.multi_inscription,
        ),
    ),
)
