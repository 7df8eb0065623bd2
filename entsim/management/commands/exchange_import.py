from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from entsim.registry import ExchangeRefused
from entsim.services.exchanges import exchange_deposit

from ._base import EXIT_REFUSED, world_by_name


class Command(BaseCommand):
    help = "Dépose un fichier dans son système cible (comme le menu Import) ; refus : code 2."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("kind")
        parser.add_argument("file", type=Path)

    def handle(self, *args, name, kind, file, **options):
        world = world_by_name(name)
        if not file.is_file():
            raise CommandError(f"Fichier introuvable : {file}", returncode=EXIT_REFUSED)
        limit = settings.ENTSIM_UPLOAD_MAX_BYTES
        with file.open("rb") as handle:
            content = handle.read(limit + 1)  # never more than the cap in memory
        try:
            exchange = exchange_deposit(world=world, kind=kind, filename=file.name, content=content)
        except ExchangeRefused as refusal:
            message = "\n".join([refusal.message, *refusal.details])
            raise CommandError(message, returncode=EXIT_REFUSED) from refusal
        self.stdout.write(f"{exchange.filename} : {exchange.get_state_display()}")
        for key, value in exchange.report.items():
            self.stdout.write(f"  {key} : {value}")
