"""Groupes EDT vers ENT (guide 4), the 3-minute procedure, in the year in progress."""

from entsim.models import World

from ..checks import annee, ent, rentree
from . import actions as a
from . import plants
from .base import Plant, Scenario, Step

SCENARIO = Scenario(
    id="groupes-ent",
    title="Groupes EDT vers ENT",
    summary=(
        "Le logiciel EDT a ses groupes et ses élèves ; l'ENT n'a pas les groupes. Exporter les "
        "liens en mode superviseur, les déposer dans SIECLE (pas de notification), les voir "
        "sur les fiches à +24 h et dans l'ENT à +48 h."
    ),
    default_size=World.Size.COLLEGE,
    year="en_cours",
    steps=(
        Step(
            "edt-export-liens",
            "Exporter les liens élèves-groupes (EDT en SPR)",
            "4.4",
            annee.check_export_liens,
            a.play_export_liens,
        ),
        Step(
            "siecle-depot-liens",
            "Déposer le fichier dans SIECLE",
            "4.5",
            annee.check_depot_liens,
            a.play_depot_liens,
        ),
        Step(
            "siecle-liens",
            "Les groupes sur les fiches des élèves (+24 h)",
            "4.5",
            rentree.check_liens_siecle,
            a.play_night,
        ),
        Step(
            "ent-groupes",
            "Les groupes peuplés dans l'ENT (+48 h)",
            "4.2",
            ent.check_groupes_ent,
            a.play_night,
        ),
    ),
    plants=(
        Plant(
            "edt-pret",
            "Le logiciel EDT de l'année en cours : groupes et élèves inscrits, "
            "hors mode superviseur.",
            "edt-export-liens",
            plants.edt_ready_for_the_year,
        ),
    ),
)
