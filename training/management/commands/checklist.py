import json

from django.core.management.base import BaseCommand

from entsim.management.commands._base import world_by_name
from training.checklist import checklist_compute, final_check

STATES = {"fait": "fait", "a_faire": "à faire", "erreur": "ERREUR"}


class Command(BaseCommand):
    help = "Affiche le parcours d'un monde : chaque étape du scénario, son état et son message."

    def add_arguments(self, parser):
        parser.add_argument("name", help="nom du monde")
        parser.add_argument("--json", action="store_true", dest="as_json", help="sortie JSON")

    def handle(self, *args, name, as_json: bool = False, **options):
        world = world_by_name(name)
        states = checklist_compute(world=world)
        if as_json:
            self.stdout.write(_json(world, states))
            return
        self.stdout.write(f"Parcours de « {world.name} » (scénario {world.scenario}) :")
        if not states:
            self.stdout.write("  aucune étape vérifiée (bac à sable).")
        for step in states:
            self.stdout.write(
                f"  [{STATES[step.state]:>7}] {step.guide:<6} {step.title} — {step.message}"
            )


def _json(world, states) -> str:
    return json.dumps(
        {
            "monde": world.name,
            "scenario": world.scenario,
            "etapes": [
                {
                    "cle": s.key,
                    "titre": s.title,
                    "guide": s.guide,
                    "etat": s.state,
                    "message": s.message,
                }
                for s in states
            ],
            "verification_finale": final_check(states),
        },
        ensure_ascii=False,
        indent=2,
    )
