import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from entsim import registry, timeline
from entsim.models import Job
from entsim.services.clock import ClockError, clock_add_hours, clock_advance, clock_pass_night

from ._base import EXIT_REFUSED, world_by_name


class Command(BaseCommand):
    help = "Fait avancer l'horloge d'un monde et lance les tâches échues sur le worker Celery."

    def add_arguments(self, parser):
        parser.add_argument("name")
        move = parser.add_mutually_exclusive_group(required=True)
        move.add_argument("--night", action="store_true", help="passer la nuit (jusqu'à 8 h)")
        move.add_argument("--hours", type=float, help="avancer de H heures")
        move.add_argument("--to", help='aller à une date : "AAAA-MM-JJ HH:MM" (heure de Paris)')
        parser.add_argument(
            "--wait", action="store_true", help="attendre la fin des tâches lancées"
        )
        parser.add_argument("--timeout", type=float, default=600, help="secondes (avec --wait)")

    def handle(self, *args, name, night, hours, to, wait, timeout, **options):
        world = world_by_name(name)
        try:
            if night:
                job_ids = clock_pass_night(world=world)
            elif hours is not None:
                job_ids = clock_add_hours(world=world, hours=hours)
            else:
                job_ids = clock_advance(world=world, to=_parse(to))
        except ClockError as error:
            raise CommandError(str(error), returncode=EXIT_REFUSED) from error
        self.stdout.write(
            f"Horloge de « {world.name} » : {timeline.local(world.now()):%d/%m/%Y %H:%M}. "
            f"{len(job_ids)} tâche(s) lancée(s)."
        )
        if wait and job_ids:
            self._wait(job_ids, timeout)

    def _wait(self, job_ids: list[int], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        open_states = (Job.State.PENDING, Job.State.RUNNING)
        while Job.objects.filter(pk__in=job_ids, state__in=open_states).exists():
            if time.monotonic() > deadline:
                raise CommandError(
                    f"Les tâches ne sont pas terminées après {timeout:.0f} s : "
                    "un worker Celery est-il lancé (make worker) ?",
                    returncode=1,
                )
            time.sleep(0.2)
        failed = 0
        for job in Job.objects.filter(pk__in=job_ids).order_by("due_at", "id"):
            kind = registry.job_kind(job.kind)
            label = kind.label if kind else job.kind
            line = (
                f"  {timeline.local(job.due_at):%d/%m %H:%M}  {label} : {job.get_state_display()}"
            )
            self.stdout.write(line)
            if job.state == Job.State.FAILED:
                failed += 1
                self.stderr.write(job.error.strip().splitlines()[-1] if job.error else "")
        if failed:
            raise CommandError(f"{failed} tâche(s) en échec.", returncode=1)


def _parse(value: str) -> dt.datetime:
    try:
        moment = dt.datetime.strptime(value.strip(), "%Y-%m-%d %H:%M")
    except ValueError as error:
        raise CommandError(
            f"Date illisible : « {value} » (attendu : AAAA-MM-JJ HH:MM).", returncode=EXIT_REFUSED
        ) from error
    return moment.replace(tzinfo=timeline.PARIS)
