"""Isolation sweep (issue 9, item 6): every URL under `mondes/<world_slug>/`, found by walking
the URL resolver (a new app's URLs are swept without touching this file), with world B's slug
or world B's real object ids, as a member of world A only.

Ids tell their table and their world: before each world is generated, every world-scoped
table's id sequence is moved to a range of its own (`IdRanges`), so that any id found in a
page, a link or a form names one table and one world. Then:

1. B's slug, with B's real ids in the URL's other parts: 404 on GET and POST.
2. A's slug, with one id of a URL taken from A's own pages (crawled as A's trainer) replaced
   by an id of the same table in B: 404 on GET and POST. URLs with ids that no page of A
   links to are swept with B's ids of every table.
3. A's slug, with an id in a link's query string or a form's field (taken from A's pages)
   replaced by an id of the same table in B: the answer must be the one given for an id that
   exists nowhere (same status, same page once tokens and the id itself are masked): another
   world's object is, for the user, an object that does not exist.
4. A's help desk member (read-only role): every POST of every route refused (403, 404, 405)
   and A's data unchanged.

Never a 500; B's data unchanged at the end and no row of A pointing to a row of B.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.db.models import ProtectedError
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from lxml import html

from entsim.models import World

pytestmark = pytest.mark.django_db

SPAN = 1_000_000  # ids per table and world
MAX_SAMPLES = 3  # URLs kept per route from the crawl
MAX_PAGES = 500  # pages crawled at most
MASKS = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'), "csrf"),
    (re.compile(r'nonce="[^"]*"'), "nonce"),
]
REFUSED = {403, 404, 405}
# POSTs a read-only member may make, and why. Any other POST must be refused to them.
READ_ONLY_MAY_POST = {
    "sts:year_switch": "which school year the pages show: the user's session, no data",
    "siecle:annee_choisir": "which school year the pages show: the user's session, no data",
    "training_world:pilote": "the autopilot: the help desk may run it (training.may_pilot)",
}


# --- worlds whose ids tell their table and their world ---------------------------------------


def world_path(model) -> str | None:
    """The lookup from `model` to its world (`world`, `eleve__world`...), or None."""
    seen: set = set()

    def walk(current, prefix: str, depth: int) -> str | None:
        if depth > 3 or current in seen:
            return None
        seen.add(current)
        forwards = [
            f for f in current._meta.get_fields() if f.many_to_one or (f.one_to_one and f.concrete)
        ]
        for f in forwards:
            if f.related_model is World:
                return f"{prefix}{f.name}"
        for f in forwards:
            if f.related_model is not None and f.related_model._meta.app_label != "auth":
                found = walk(f.related_model, f"{prefix}{f.name}__", depth + 1)
                if found:
                    return found
        return None

    return walk(model, "", 0)


def scoped_models() -> list[tuple[type[models.Model], str]]:
    return [
        (model, path)
        for model in sorted(apps.get_models(), key=lambda m: m._meta.label)
        if model is not World and (path := world_path(model))
    ]


@dataclass
class IdRanges:
    """Table i: world A's ids from (2i+1)·SPAN, world B's from (2i+2)·SPAN."""

    tables: list[type[models.Model]]

    def start(self, index: int, side: str) -> int:
        return (2 * index + (1 if side == "A" else 2)) * SPAN

    def move_sequences(self, side: str) -> None:
        for index, model in enumerate(self.tables):
            table, start = model._meta.db_table, self.start(index, side)
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute(
                        "SELECT setval(pg_get_serial_sequence(%s, %s), %s, false)",
                        [table, model._meta.pk.column, start],
                    )
                else:  # SQLite: Django's primary keys are AUTOINCREMENT
                    cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
                    cursor.execute(
                        "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                        [table, start - 1],
                    )

    def owner(self, value: str) -> tuple[type[models.Model], str] | None:
        """The table and world ('A' or 'B') an id names, or None for any other number."""
        if not value.isdigit():
            return None
        block = int(value) // SPAN
        index, side = (block - 1) // 2, "A" if block % 2 else "B"
        if block < 1 or index >= len(self.tables) or int(value) % SPAN >= SPAN // 2:
            return None
        return self.tables[index], side

    def missing(self, model) -> int:
        """An id of `model`'s range that no row has (nor ever will in this test)."""
        return self.start(self.tables.index(model), "A") + SPAN - 7


def populated_world(name: str, seed: int) -> World:
    """A college world one night into its chain: AAF extraction, ENT import, exchanges."""
    from entsim.services.clock import clock_pass_night
    from entsim.services.jobs import job_execute
    from entsim.services.worlds import world_create
    from tests.browser.populate import edt_populate

    world = world_create(name=name, size="college", seed=seed)
    edt_populate(world)
    for job_id in clock_pass_night(world=world):
        job_execute(job_id=job_id)
    world.refresh_from_db()
    return world


@dataclass
class Worlds:
    a: World
    b: World
    ranges: IdRanges
    scoped: list[tuple[type[models.Model], str]]
    trainer_a: object
    help_desk_a: object
    b_ids: dict[type[models.Model], list[int]] = field(default_factory=dict)
    b_print: dict[str, str] = field(default_factory=dict)

    def fingerprint(self, world: World) -> dict[str, str]:
        """Every world-scoped row of `world`, hashed table by table."""
        prints = {}
        for model, path in self.scoped:
            digest = hashlib.sha256()
            rows = model.objects.filter(**{path: world}).order_by("pk").values_list()
            for row in rows.iterator(chunk_size=2000):
                digest.update(repr(row).encode())
            prints[model._meta.label] = digest.hexdigest()
        return prints


@pytest.fixture(scope="module")
def worlds(django_db_setup, django_db_blocker):
    from entsim.models import WorldMember

    user_model = get_user_model()
    with django_db_blocker.unblock():
        scoped = scoped_models()
        ranges = IdRanges([model for model, _ in scoped])
        tag = uuid.uuid4().hex[:6]
        users = {}
        made = {}
        for side, seed, roles in (
            ("A", 11, ("formateur", "assistance")),
            ("B", 12, ("formateur",)),
        ):
            ranges.move_sequences(side)
            world = made[side] = populated_world(f"Isolement {side} {tag}", seed=seed)
            for role in roles:
                user = user_model.objects.create_user(username=f"{role}-{world.slug}")
                WorldMember.objects.create(world=world, user=user, role=role)
                users[side, role] = user
        world_a, world_b = made["A"], made["B"]
        found = Worlds(
            world_a,
            world_b,
            ranges,
            scoped,
            users["A", "formateur"],
            users["A", "assistance"],
        )
        for model, path in scoped:
            ids = (
                model.objects.filter(**{path: world_b}).order_by("pk").values_list("pk", flat=True)
            )
            if ids := list(ids[:2]):
                found.b_ids[model] = ids
        found.b_print = found.fingerprint(world_b)
    yield found
    with django_db_blocker.unblock():
        _delete_worlds([world_a.pk, world_b.pk])
        user_model.objects.filter(pk__in=[user.pk for user in users.values()]).delete()


def _delete_worlds(pks: list[int]) -> None:
    """Delete the worlds, rows protected from the cascade (on_delete=PROTECT) first."""
    for _ in range(10):
        try:
            World.objects.filter(pk__in=pks).delete()
            return
        except ProtectedError as exc:
            for obj in exc.protected_objects:
                type(obj).objects.filter(pk=obj.pk).delete()
    World.objects.filter(pk__in=pks).delete()


def test_ids_tell_their_table_and_world(worlds):
    """The premise of the sweep: every id of A and B lies in its own table's range."""
    for model, path in worlds.scoped:
        for side, world in (("A", worlds.a), ("B", worlds.b)):
            for pk in model.objects.filter(**{path: world}).values_list("pk", flat=True)[:50]:
                assert worlds.ranges.owner(str(pk)) == (model, side), (model, pk)
    assert len(worlds.b_ids) >= 30, "world B has rows in most tables"


def assert_b_untouched(worlds: Worlds) -> None:
    """B's rows as generated; no row of A points to a row of B."""
    leaks = []
    for model, path in worlds.scoped:
        for f in model._meta.get_fields():
            if not (f.many_to_one and f.concrete) or f.related_model is World:
                continue
            target_path = world_path(f.related_model)
            if target_path is None:
                continue
            rows = model.objects.filter(**{path: worlds.a}).exclude(**{f"{f.name}__isnull": True})
            if rows.exclude(**{f"{f.name}__{target_path}": worlds.a}).exists():
                leaks.append(f"{model._meta.label}.{f.name}")
    assert not leaks, f"rows of A pointing to another world: {leaks}"
    changed = [
        label
        for label, value in worlds.fingerprint(worlds.b).items()
        if worlds.b_print[label] != value
    ]
    assert not changed, f"world B changed: {changed}"


# --- routes and crawl ------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str
    kwargs: tuple[tuple[str, str], ...]  # (name, converter) besides world_slug


def world_routes() -> list[Route]:
    found = []

    def walk(patterns, namespace: str, converters: dict):
        for entry in patterns:
            names = {**converters, **_converters(entry.pattern)}
            if isinstance(entry, URLResolver):
                ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, ns, names)
            elif isinstance(entry, URLPattern) and "world_slug" in names:
                assert entry.name, f"a world URL without a name: {entry.pattern}"
                other = tuple(sorted((k, v) for k, v in names.items() if k != "world_slug"))
                found.append(Route(namespace + entry.name, other))

    walk(get_resolver().url_patterns, "", {})
    return found


def _converters(pattern) -> dict[str, str]:
    converters = getattr(pattern, "converters", {})
    return {
        name: type(converters[name]).__name__.replace("Converter", "").lower()
        if name in converters
        else "str"
        for name in pattern.regex.groupindex
    }


ROUTES = world_routes()


@dataclass
class Crawl:
    samples: dict[str, list[dict]] = field(default_factory=dict)  # route -> kwargs
    links: list[str] = field(default_factory=list)  # paths with a query string
    forms: list[tuple[str, str, dict[str, list[str]]]] = field(default_factory=list)
    pages: int = 0


def _request(client: Client, method: str, path: str, data=None, keep: bool = False):
    """One request in a savepoint (rolled back unless `keep`); a crash is a 500."""
    client.cookies.pop("messages", None)
    try:
        with transaction.atomic():
            response = client.get(path) if method == "GET" else client.post(path, data or {})
            if not keep:
                transaction.set_rollback(True)
    except Exception as exc:  # the view crashed: report it as the server would
        response = type("Crash", (), {"status_code": 500, "content": repr(exc).encode()})()
    return response


def _form_fields(form) -> dict[str, list[str]]:
    """What a browser sends for this form, plus every candidate value of each field."""
    data: dict[str, list[str]] = {}
    for element in form.inputs:
        name = element.get("name")
        if not name:
            continue
        values = data.setdefault(name, [])
        if element.tag == "select":
            values.extend(o.get("value", o.text_content()) for o in element.findall(".//option"))
        elif element.tag == "textarea":
            values.append(element.text or "")
        elif element.get("type") not in ("submit", "button", "file"):
            values.append(element.get("value", ""))
    return data


def crawl(worlds: Worlds) -> Crawl:
    """A's pages as A's trainer sees them: the URLs, links and forms they hold."""
    client = Client()
    client.force_login(worlds.trainer_a)
    prefix = f"/mondes/{worlds.a.slug}/"
    todo = [
        reverse(route.name, kwargs={"world_slug": worlds.a.slug})
        for route in ROUTES
        if not route.kwargs
    ]
    seen, result = set(todo), Crawl()
    for path in todo:
        result.samples[resolve(path).view_name] = [resolve(path).kwargs]
    while todo and result.pages < MAX_PAGES:
        path = todo.pop(0)
        response = _request(client, "GET", path)
        result.pages += 1
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        tree = html.fromstring(response.content)
        targets = [
            a.get(attribute)
            for attribute in ("href", "hx-get")
            for a in tree.xpath(f"//*[@{attribute}]")
        ]
        for form in tree.forms:
            action = form.get("action") or path
            if action.startswith(prefix):
                result.forms.append((form.method.upper(), action, _form_fields(form)))
            if form.method.upper() != "POST":
                targets.append(action)
            elif action.startswith(prefix):  # a real URL of A for the sweeps, never crawled
                _sample(result, action)
        for target in targets:
            target = target.split("#")[0]
            if not target.startswith(prefix) or target in seen:
                continue
            seen.add(target)
            if urlsplit(target).query:
                result.links.append(target)
            if _sample(result, target):
                todo.append(target)
    return result


def _sample(result: Crawl, target: str) -> bool:
    """Keep the URL's route and kwargs (a few per route); True if it is a new one."""
    try:
        match = resolve(urlsplit(target).path)
    except Resolver404:
        return False
    samples = result.samples.setdefault(match.view_name, [])
    if len(samples) >= MAX_SAMPLES or match.kwargs in samples:
        return False
    samples.append(match.kwargs)
    return True


@pytest.fixture(scope="module")
def crawled(worlds, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        found = crawl(worlds)
        transaction.set_rollback(True)
    return found


def test_the_crawl_reaches_every_system(crawled):
    reached = {name.split(":")[0] for name in crawled.samples if ":" in name}
    unreached = sorted({r.name for r in ROUTES if r.kwargs} - set(crawled.samples))
    print(
        f"\n{crawled.pages} pages of A crawled, {len(crawled.samples)} of {len(ROUTES)} routes;"
        f" {len(crawled.links)} links with a query, {len(crawled.forms)} forms; routes with ids"
        f" no page of A links to (swept with B's ids of every table): {', '.join(unreached)}"
    )
    assert {"sts", "edt", "siecle", "aaf", "ent"} <= reached, reached
    assert crawled.forms and crawled.links


# --- the sweeps ------------------------------------------------------------------------------


def _b_ids_for(worlds: Worlds, crawled: Crawl, route: Route, name: str) -> list[int]:
    """B's ids of the table this URL part names in A's pages (else any id of B: the world
    check answers before the view looks the id up)."""
    for sample in crawled.samples.get(route.name, []):
        owner = worlds.ranges.owner(str(sample[name]))
        if owner and owner[0] in worlds.b_ids:
            return worlds.b_ids[owner[0]]
    return next(iter(worlds.b_ids.values()))


def _fill(route: Route, slug: str, ints: dict[str, int]) -> str:
    kwargs = {name: ints.get(name, "x") for name, _ in route.kwargs}
    return reverse(route.name, kwargs={"world_slug": slug, **kwargs})


def test_other_world_slug_is_404(client, worlds, crawled):
    """B's slug with B's own ids, as A's trainer: the world does not exist for them."""
    client.force_login(worlds.trainer_a)
    failures = []
    for route in ROUTES:
        ints = [name for name, conv in route.kwargs if conv == "int"]
        choices = {name: _b_ids_for(worlds, crawled, route, name) for name in ints}
        for index in range(max([len(ids) for ids in choices.values()] or [1])):
            path = _fill(
                route, worlds.b.slug, {n: ids[index % len(ids)] for n, ids in choices.items()}
            )
            for method in ("GET", "POST"):
                status = _request(client, method, path, keep=True).status_code
                if status != 404:
                    failures.append(f"{method} {path} ({route.name}): {status}")
    assert not failures, "\n".join(failures)
    assert_b_untouched(worlds)


def test_other_world_ids_in_urls_are_404(client, worlds, crawled):
    """A's slug, one id of a real URL of A replaced by the same table's id in B: 404."""
    client.force_login(worlds.trainer_a)
    failures, swept = [], 0
    for route in ROUTES:
        ints = [name for name, conv in route.kwargs if conv == "int"]
        if not ints:
            continue
        samples = crawled.samples.get(route.name, [])
        cases = []
        for sample in samples:
            for name in ints:
                owner = worlds.ranges.owner(str(sample[name]))
                models_to_try = [owner[0]] if owner else list(worlds.b_ids)
                for model in models_to_try:
                    for b_id in worlds.b_ids.get(model, []):
                        cases.append(sample | {name: b_id})
        paths = [reverse(route.name, kwargs=kwargs) for kwargs in cases]
        if not samples:  # no page of A links there: B's ids of every table
            paths += [
                _fill(route, worlds.a.slug, dict.fromkeys(ints, ids[0]))
                for ids in worlds.b_ids.values()
            ]
        for path in paths:
            for method in ("GET", "POST"):
                swept += 1
                status = _request(client, method, path, keep=True).status_code
                if status not in (404, 405):  # 405: a view for the other method only
                    failures.append(f"{method} {path} ({route.name}): {status}")
    print(f"\n{swept} requests with another world's id in the URL")
    assert swept > 0
    assert not failures, "\n".join(failures)
    assert_b_untouched(worlds)


def _masked(content: bytes, *ids: int) -> str:
    text = content.decode("utf-8", "replace")
    for pattern, mask in MASKS:
        text = pattern.sub(mask, text)
    for value in ids:
        text = text.replace(str(value), "ID")
    return text


def _same_answer(one, other, ids) -> bool:
    if one.status_code != other.status_code:
        return False
    if one.status_code in (301, 302, 303):
        return _masked(one["Location"].encode(), *ids) == _masked(other["Location"].encode(), *ids)
    return _masked(one.content, *ids) == _masked(other.content, *ids)


def _submitted(fields: dict[str, list[str]]) -> dict[str, list[str]]:
    """A form as sent: the first value of each field (the first option of a list...)."""
    return {name: values[:1] or [""] for name, values in fields.items()}


def _foreign_cases(worlds: Worlds, params: dict[str, list[str]]):
    """For each parameter holding an id of A: (name, B's id, an id that exists nowhere)."""
    for name, values in params.items():
        for value in values:
            owner = worlds.ranges.owner(value)
            if owner and owner[1] == "A" and owner[0] in worlds.b_ids:
                yield name, worlds.b_ids[owner[0]][0], worlds.ranges.missing(owner[0])
                break


def test_other_world_ids_in_queries_and_forms_act_as_missing(client, worlds, crawled):
    """An id of B in a link's query or a form's field: answered as an id that exists nowhere."""
    client.force_login(worlds.trainer_a)
    failures, swept, seen = [], 0, set()
    for link in crawled.links:
        path, query = urlsplit(link).path, parse_qsl(urlsplit(link).query)
        params: dict[str, list[str]] = {}
        for name, value in query:
            params.setdefault(name, []).append(value)
        for name, b_id, missing in _foreign_cases(worlds, params):
            key = (resolve(path).view_name, name)
            if key in seen:
                continue
            seen.add(key)
            answers = []
            for value in (b_id, missing):
                replaced = [(k, value if k == name else v) for k, v in query]
                answers.append(_request(client, "GET", f"{path}?{urlencode(replaced)}"))
            swept += 1
            if answers[0].status_code == 500 or not _same_answer(*answers, (b_id, missing)):
                failures.append(f"GET {path} ?{name}=<B> {answers[0].status_code}")
    for method, action, fields in crawled.forms:
        for name, b_id, missing in _foreign_cases(worlds, fields):
            key = (resolve(urlsplit(action).path).view_name, name)
            if key in seen:
                continue
            seen.add(key)
            answers = []
            for value in (b_id, missing):
                data = _submitted(fields) | {name: [value]}
                if method == "POST":
                    answers.append(_request(client, "POST", action, data))
                else:
                    query = urlencode(data, doseq=True)
                    answers.append(_request(client, "GET", f"{urlsplit(action).path}?{query}"))
            swept += 1
            if answers[0].status_code == 500 or not _same_answer(*answers, (b_id, missing)):
                failures.append(f"{method} {action} {name}=<B> {answers[0].status_code}")
    print(f"\n{swept} query or form parameters holding an id, answered with B's id as missing")
    assert swept >= 5, "ids of A were found in links and forms"
    assert not failures, "\n".join(failures)


def test_help_desk_posts_are_refused(client, worlds, crawled):
    """The read-only role (assistance): every POST refused, A's data unchanged."""
    client.force_login(worlds.help_desk_a)
    forms = {
        resolve(urlsplit(action).path).view_name: (action, fields)
        for method, action, fields in crawled.forms
        if method == "POST"
    }
    before = worlds.fingerprint(worlds.a)
    failures = []
    for route in ROUTES:
        if route.name in forms:
            action, fields = forms[route.name]
            cases = [(action, _submitted(fields))]
        else:
            samples = crawled.samples.get(route.name)
            if samples is None and route.kwargs:
                continue  # no real URL of A for it: swept above with B's ids
            kwargs = (samples or [{"world_slug": worlds.a.slug}])[0]
            cases = [(reverse(route.name, kwargs=kwargs), {})]
        for path, data in cases:
            allowed = route.name in READ_ONLY_MAY_POST
            status = _request(client, "POST", path, data, keep=not allowed).status_code
            if status == 500 or (status not in REFUSED and not allowed):
                failures.append(f"POST {path} ({route.name}) as assistance: {status}")
    assert not failures, "\n".join(failures)
    assert worlds.fingerprint(worlds.a) == before
    assert_b_untouched(worlds)
