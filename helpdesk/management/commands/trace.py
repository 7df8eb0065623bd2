import json

from django.core.management.base import BaseCommand, CommandError

from entsim.management.commands._base import EXIT_REFUSED, world_by_name
from helpdesk.people import PersonAmbiguous, PersonNotFound, person_find
from helpdesk.trace import trace_compute, when


class Command(BaseCommand):
    help = (
        "Trace d'une personne (élève, responsable, enseignant) dans la chaîne STS-web → SIECLE "
        "→ AAF → ENT : où elle s'arrête, pourquoi, et la section du guide qui y remédie."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="nom du monde")
        parser.add_argument(
            "person", help="INE, « NOM Prénom », identifiant STS, identifiant ENT ou jointure AAF"
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, name, person, **options):
        world = world_by_name(name)
        try:
            found = person_find(world=world, query=person)
        except PersonAmbiguous as error:
            lines = [error.message] + [
                f"  - {c.label} ({c.detail}) : « {c.ref} »" for c in error.candidates
            ]
            raise CommandError("\n".join(lines), returncode=EXIT_REFUSED) from error
        except PersonNotFound as error:
            raise CommandError(error.message, returncode=EXIT_REFUSED) from error
        trace = trace_compute(world=world, person=found)
        if options["json"]:
            self.stdout.write(json.dumps(trace.as_dict(), ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"{found.label} — {found.kind_label} ({found.detail}) — {world.name}, {when(trace.now)}"
        )
        for number, hop in enumerate(trace.hops, start=1):
            self.stdout.write(f"{number}. {hop.title} : {hop.state_label}")
            if hop.changed_at:
                self.stdout.write(f"   Modifié le {when(hop.changed_at)} ({hop.changed_label})")
            for line in hop.holds:
                self.stdout.write(f"   - {line}")
            if hop.reason:
                self.stdout.write(f"   Motif : {hop.reason}")
            if hop.guide:
                self.stdout.write(f"   Guide : {hop.guide_label}")
        self.stdout.write(f"=> {trace.conclusion}")
        if trace.break_hop is not None and trace.break_hop.guide:
            self.stdout.write(f"   Section du guide : {trace.break_hop.guide_label}")
