import json as jsonlib

from django.core.management.base import BaseCommand

from entsim.selectors import world_report

from ._base import world_by_name


class Command(BaseCommand):
    help = "Rapport d'un monde : date simulée, établissement, comptes par système."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, name, **options):
        report = world_report(world=world_by_name(name))
        if options["json"]:
            self.stdout.write(_dumps(report))
            return
        self.stdout.write(f"{report['monde']} — {report['date_simulee']}")
        self.stdout.write(f"Établissement : {report['etablissement']['nom']}")
        for system, counts in report["systemes"].items():
            self.stdout.write(f"  {system}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


def _dumps(report: dict) -> str:
    return jsonlib.dumps(report, ensure_ascii=False, indent=2)
