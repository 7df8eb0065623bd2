import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from entsim.access import FORMATEUR, HELP_DESK, capability_grant
from entsim.models import Role, World
from entsim.services.worlds import user_ensure, world_create, world_member_add

DEMO_WORLD = "Démonstration"
DEMO_PASSWORD = "entsim-demo"  # noqa: S105 (printed to the user: a local demonstration)
DEMO_USERS = (
    ("formateur", "Claire", "Formatrice", Role.FORMATEUR),
    ("stagiaire", "Karim", "Stagiaire", Role.STAGIAIRE),
    ("assistance", "Sophie", "Assistance", Role.ASSISTANCE),
)

# The formateur creates training sessions; the help desk reads every world.
CAPABILITIES = {Role.FORMATEUR: FORMATEUR, Role.ASSISTANCE: HELP_DESK}


class Command(BaseCommand):
    help = "Prépare et lance la démonstration : base, monde, comptes, serveur web et worker."

    def add_arguments(self, parser):
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument("--size", default="college", choices=World.Size.values)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--no-serve", action="store_true", help="préparer seulement, sans lancer les serveurs"
        )

    def handle(self, *args, addrport, size, seed, no_serve, **options):
        for folder in (settings.VAR_DIR, settings.MEDIA_ROOT, settings.CELERY_QUEUE_DIR):
            folder.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        world = World.objects.filter(name=DEMO_WORLD).first()
        if world is None:
            self.stdout.write(f"Création du monde « {DEMO_WORLD} » ({size}, graine {seed})…")
            world = world_create(name=DEMO_WORLD, size=size, seed=seed, scenario="bac-a-sable")
        for username, first_name, last_name, role in DEMO_USERS:
            user = user_ensure(
                username=username,
                password=DEMO_PASSWORD,
                first_name=first_name,
                last_name=last_name,
            )
            world_member_add(world=world, user=user, role=role)
            if role in CAPABILITIES:
                capability_grant(user=user, capability=CAPABILITIES[role])
        database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        broker = settings.CELERY_BROKER_URL.split("://", 1)[0]
        self.stdout.write(
            self.style.SUCCESS(f"\nentsim est prêt : http://{addrport}/")
            + f"\n  monde : {world.name} — {world.home}"
            + f"\n  base : {database}, file de tâches : {broker}"
            + "\n  comptes (mot de passe « "
            + DEMO_PASSWORD
            + " ») : "
            + ", ".join(f"{u} ({r.label})" for u, _f, _l, r in DEMO_USERS)
            + "\n"
        )
        if no_serve:
            return
        self._serve(addrport)

    def _serve(self, addrport: str) -> None:
        python = sys.executable
        env = dict(os.environ)
        worker = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            [
                python,
                "-m",
                "celery",
                "-A",
                "entsim",
                "worker",
                "-B",
                "-P",
                "solo",
                "--loglevel",
                "INFO",
                "--schedule",
                str(settings.VAR_DIR / "celerybeat-schedule"),
            ],
            env=env,
        )
        web = subprocess.Popen(  # noqa: S603
            [python, "manage.py", "runserver", "--noreload", addrport],
            cwd=settings.BASE_DIR,
            env=env,
        )
        try:
            web.wait()
        except KeyboardInterrupt:
            pass
        finally:
            for process in (web, worker):
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in (web, worker):
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
