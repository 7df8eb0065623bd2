"""Arrivées en cours d'année (guide 3): after the rentrée, a REP and a SUP teacher, a pupil
from a neighbouring school, a pupil from another académie, a departure; in the order they
happen (the clock does not go back)."""

from entsim.models import World

from ..checks import annee, ent
from . import actions as a
from . import plants
from .base import Plant, Scenario, Step

SCENARIO = Scenario(
    id="arrivees",
    title="Arrivées en cours d'année",
    summary=(
        "Après la rentrée : un enseignant remplaçant (REP, changement de support), un élève "
        "d'un établissement voisin (à importer), un élève d'une autre académie (à créer), un "
        "départ, un suppléant (SUP) ; chacun doit arriver (ou sortir) dans l'ENT."
    ),
    default_size=World.Size.COLLEGE,
    steps=(
        Step("rentree", "La rentrée est préparée", "2", annee.check_rentree, a.play_rentree),
        Step(
            "sts-rep",
            "Enseignant remplaçant (REP) : changement de support",
            "3.1.1",
            annee.check_rep,
            a.play_rep,
        ),
        Step(
            "siecle-eleve-voisin",
            "Élève venant d'un établissement de l'académie",
            "3.2.1",
            annee.check_eleve_arrive_voisin,
            a.play_eleve_arrive_voisin,
        ),
        Step(
            "siecle-eleve-autre-academie",
            "Élève venant d'une autre académie",
            "3.2.2",
            annee.check_eleve_autre_academie,
            a.play_eleve_autre_academie,
        ),
        Step("siecle-depart", "Départ d'un élève", "3.3", annee.check_depart, a.play_depart),
        Step(
            "sts-sup",
            "Enseignant suppléant (SUP) : saisie rapide",
            "3.1.2",
            annee.check_sup,
            a.play_sup,
        ),
        Step(
            "ent-verification",
            "Tous dans l'ENT, avec leurs classes et leurs groupes",
            "3",
            ent.check_final,
            a.play_night,
        ),
    ),
    plants=(
        Plant(
            "dossiers-rentree",
            "Les dossiers des élèves venant des établissements voisins "
            "à la rentrée attendent dans Importations > Dossiers depuis autre EPLE.",
            "rentree",
            plants.neighbours_export_dossiers,
        ),
        Plant(
            a.ELEVE_VOISIN,
            "En septembre, un élève arrive d'un collège voisin : son dossier "
            "arrive dans Importations (à importer, pas à créer).",
            "siecle-eleve-voisin",
        ),
    ),
)
