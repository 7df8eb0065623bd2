import time

from django.core.management.base import BaseCommand, CommandError

from entsim.management.commands._base import EXIT_REFUSED, world_by_name
from training.autopilot import AutopilotError, autopilot_run, inline_advance, worker_advance
from training.scenarios.actions import PilotError


class Command(BaseCommand):
    help = (
        "Pilote automatique : joue la bonne chronologie du scénario du monde, étape par étape, "
        "avec les mêmes services que l'interface ; les tâches de nuit passent par le worker "
        "Celery (make worker)."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="nom du monde")
        parser.add_argument("--until", help="s'arrêter après cette étape (sa clé)")
        parser.add_argument(
            "--sur-place",
            action="store_true",
            dest="inline",
            help="exécuter les tâches de nuit dans ce processus, sans worker",
        )
        parser.add_argument(
            "--timeout", type=float, default=3600, help="secondes d'attente du worker par étape"
        )

    def handle(self, *args, name, until, inline, timeout, **options):
        world = world_by_name(name)
        advance = inline_advance if inline else worker_advance(timeout)
        started = time.monotonic()

        def on_step(step) -> None:
            self.stdout.write(f"→ {step.guide:<6} {step.title}")

        try:
            result = autopilot_run(world=world, until=until, advance=advance, on_step=on_step)
        except AutopilotError as error:
            raise CommandError(str(error), returncode=EXIT_REFUSED) from error
        except PilotError as error:
            raise CommandError(str(error), returncode=1) from error
        for line in result.log:
            self.stdout.write(f"  {line}")
        done = sum(1 for s in result.checklist if s.state == "fait")
        self.stdout.write(
            f"{len(result.played)} étape(s) jouée(s) en {time.monotonic() - started:.0f} s ; "
            f"parcours : {done}/{len(result.checklist)} étape(s) faite(s)."
        )
        for step in result.checklist:
            if step.state == "erreur":
                self.stdout.write(f"  ERREUR {step.guide} {step.title} — {step.message}")
