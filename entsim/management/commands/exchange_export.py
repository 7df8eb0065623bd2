from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from entsim.registry import ExchangeRefused
from entsim.services.exchanges import exchange_content, exchange_export

from ._base import EXIT_REFUSED, world_by_name


class Command(BaseCommand):
    help = "Fait écrire un fichier par son système source (comme le menu Exports) et le copie."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("kind")
        parser.add_argument("--out", required=True, type=Path, help="dossier de destination")

    def handle(self, *args, name, kind, out, **options):
        world = world_by_name(name)
        try:
            exchange = exchange_export(world=world, kind=kind)
        except ExchangeRefused as refusal:
            raise CommandError(refusal.message, returncode=EXIT_REFUSED) from refusal
        out.mkdir(parents=True, exist_ok=True)
        target = out / Path(exchange.filename).name
        target.write_bytes(exchange_content(exchange=exchange))
        self.stdout.write(str(target))
