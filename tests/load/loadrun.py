"""Simulated trainees: each logs in to gunicorn with their own account and browses their own
world's main pages, with a think time between pages, for a fixed duration.

Plain HTTP over loopback (urllib, a cookie jar per trainee, one thread per trainee): what a
browser sends for a page, without its static files (cached by a real browser). Every answer
is timed from the request to the last byte of the body; anything but a 200 is an error.
"""

from __future__ import annotations

import http.cookiejar
import random
import re
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field

from django.urls import reverse

PASSWORD = "mot-de-passe-charge-9"
LOGIN = "connexion"
ALL_PAGES = "(toutes les pages)"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Trainee:
    username: str
    slug: str
    pages: list[tuple[str, str]]  # (page name, path)


@dataclass
class Results:
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, page: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.timings[page].append(seconds)
            if error:
                self.errors.append(f"{page}: {error}")

    def summary(self) -> dict[str, dict[str, float]]:
        """p50 / p95 / max in ms and the count, per page and for all pages together (the
        login apart: it hashes the password on purpose, PBKDF2, hundreds of ms of CPU)."""
        rows = {page: _stats(values) for page, values in sorted(self.timings.items())}
        every = [v for page, values in self.timings.items() if page != LOGIN for v in values]
        rows[ALL_PAGES] = _stats(every)
        return rows

    def table(self) -> str:
        lines = [f"{'page':<24} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"]
        for page, row in self.summary().items():
            lines.append(
                f"{page:<24} {row['n']:>5.0f} {row['p50']:>8.0f} {row['p95']:>8.0f}"
                f" {row['max']:>8.0f}"
            )
        lines.append(f"erreurs : {len(self.errors)}")
        return "\n".join(lines + self.errors[:20])


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _stats(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0, "p50": 0.0, "p95": 0.0, "max": 0.0}
    ms = [value * 1000 for value in values]
    return {
        "n": len(ms),
        "p50": statistics.median(ms),
        "p95": _percentile(ms, 0.95),
        "max": max(ms),
    }


def trainee_pages(world) -> list[tuple[str, str]]:
    """The main pages of a world's five systems, with real ids of that world."""
    from aaf.models import AafRun
    from siecle.models import Scolarite

    slug = world.slug
    scolarite = (
        Scolarite.objects.filter(world=world, uai=world.home.uai)
        .select_related("eleve")
        .order_by("pk")
        .first()
    )
    eleve = scolarite.eleve
    search = urllib.parse.urlencode({"nom": eleve.nom[:3], "rechercher": "1"})
    pages = [
        ("accueil du monde", reverse("world_home", args=[slug])),
        ("STS accueil", reverse("sts:landing", args=[slug])),
        ("STS structure", reverse("sts:structure", args=[slug])),
        ("STS services", reverse("sts:services", args=[slug])),
        ("EDT accueil", reverse("edt:landing", args=[slug])),
        ("EDT emploi du temps", reverse("edt:emploi_du_temps", args=[slug])),
        ("EDT groupes", reverse("edt:groupes", args=[slug])),
        ("SIECLE tableau de bord", reverse("siecle:tableau_de_bord", args=[slug])),
        ("SIECLE recherche", reverse("siecle:recherche", args=[slug]) + "?" + search),
        ("SIECLE fiche", reverse("siecle:fiche_onglet", args=[slug, eleve.pk, "identite"])),
        ("AAF accueil", reverse("aaf:landing", args=[slug])),
        ("ENT accueil", reverse("ent:landing", args=[slug])),
        ("ENT comptes", reverse("ent:accounts", args=[slug])),
        ("tâches", reverse("world_jobs", args=[slug])),
        ("échanges", reverse("world_exchanges", args=[slug])),
    ]
    run = AafRun.objects.filter(world=world).order_by("-pk").first()
    if run is not None:
        pages.append(("AAF extraction", reverse("aaf:run", args=[slug, run.pk])))
    return pages


def trainees_prepare(count: int, *, seed: int = 9, night_every: int = 0) -> list[Trainee]:
    """`count` college worlds, each with its own trainee (stagiaire). One world in
    `night_every` has passed a night (its jobs run here, in order), so that its AAF and ENT
    pages show a real extraction and real accounts: trainees at different stages."""
    from entsim.models import Role
    from entsim.services.clock import clock_pass_night
    from entsim.services.jobs import job_execute
    from entsim.services.worlds import user_ensure, world_create, world_member_add

    trainees = []
    for number in range(1, count + 1):
        world = world_create(name=f"Charge {number:02d}", size="college", seed=seed + number)
        if night_every and number % night_every == 1 % night_every:
            for job_id in clock_pass_night(world=world):
                job_execute(job_id=job_id)
        user = user_ensure(username=f"stagiaire-charge-{number:02d}", password=PASSWORD)
        world_member_add(world=world, user=user, role=Role.STAGIAIRE)
        trainees.append(Trainee(user.username, world.slug, trainee_pages(world)))
    return trainees


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.url = ""
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[int, str]:
        """Status and body; a redirection (to the login page, say) is followed, and kept in
        `self.url`, the address of the last answer."""
        return self._open(urllib.request.Request(self.base + path))  # noqa: S310 - http only

    def post(self, path: str, data: dict[str, str]) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(self.base + path, data=body, method="POST")  # noqa: S310
        request.add_header("Referer", self.base + path)
        return self._open(request)

    def _open(self, request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=60) as response:
                self.url = response.geturl()
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            self.url = exc.geturl()
            return exc.code, exc.read().decode("utf-8", "replace")

    def login(self, username: str) -> None:
        login = reverse("login")
        status, page = self.get(login)
        token = CSRF_FIELD.search(page)
        if status != 200 or token is None:
            raise RuntimeError(f"login page: {status}")
        data = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token[1]}
        status, page = self.post(login, data)
        if status != 200 or "deconnexion" not in page:
            raise RuntimeError(f"login refused for {username}: {status}")


def _browse(base, trainee, until, think, results, rng) -> None:
    browser = Browser(base)
    started = time.perf_counter()
    try:
        browser.login(trainee.username)
        results.record(LOGIN, time.perf_counter() - started, None)
    except (RuntimeError, OSError) as exc:
        results.record(LOGIN, time.perf_counter() - started, f"{trainee.username}: {exc}")
        return
    pages = list(trainee.pages)
    while time.monotonic() < until:
        rng.shuffle(pages)
        for name, path in pages:
            if time.monotonic() >= until:
                return
            started = time.perf_counter()
            try:
                status, _ = browser.get(path)
                error = None if status == 200 else f"HTTP {status} {path}"
                if not error and browser.url != browser.base + path:
                    error = f"redirigé vers {browser.url} ({path})"
            except OSError as exc:
                error = f"{type(exc).__name__} {path}"
            results.record(name, time.perf_counter() - started, error)
            time.sleep(rng.uniform(*think))


def load_run(
    base: str,
    trainees: list[Trainee],
    *,
    seconds: float,
    think: tuple[float, float] = (0.5, 2.0),
    seed: int = 9,
) -> Results:
    """All trainees at once for `seconds`; each starts within the first second."""
    results = Results()
    until = time.monotonic() + seconds
    threads = []
    for index, trainee in enumerate(trainees):
        rng = random.Random(seed * 1000 + index)  # think times, not secrets
        thread = threading.Thread(
            target=_browse, args=(base, trainee, until, think, results, rng), daemon=True
        )
        threads.append(thread)
        thread.start()
        time.sleep(1 / max(1, len(trainees)))
    for thread in threads:
        thread.join(timeout=seconds + 120)
    return results
