from django.core.management.base import BaseCommand, CommandError

from entsim import registry
from entsim.models import World
from entsim.services.worlds import WorldError, world_create

from ._base import EXIT_REFUSED


class Command(BaseCommand):
    help = "Crée un monde (une académie synthétique reproductible à partir d'une graine)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="nom du monde")
        parser.add_argument("--size", required=True, choices=World.Size.values)
        parser.add_argument("--seed", required=True, type=int)
        hook = registry.scenario_hook()
        known = ", ".join(hook.ids()) if hook is not None else "bac-a-sable"
        parser.add_argument("--scenario", default="bac-a-sable", help=f"scénario : {known}")

    def handle(self, *args, name, size, seed, scenario, **options):
        try:
            world = world_create(name=name, size=size, seed=seed, scenario=scenario)
        except WorldError as error:
            raise CommandError(str(error), returncode=EXIT_REFUSED) from error
        self.stdout.write(
            f"Monde « {world.name} » créé : {world.home}, académie {world.academie_name}, "
            f"horloge au {world.now():%d/%m/%Y %H:%M}."
        )
