"""Faults (issue 9, item 4): PostgreSQL restarted under a running session. gunicorn keeps
running (same master, same workers); the trainee's pages answer again as soon as the server
accepts connections (persistent connections are checked before each request:
CONN_HEALTH_CHECKS), and the session survives (it is stored in the database)."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from tests.load.loadrun import PASSWORD, Browser
from tests.load.stack import Gunicorn

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _command(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"needs the local PostgreSQL cluster and its tools ({name})")
    return path


def _restart_command() -> list[str]:
    versions = sorted(p.name for p in Path("/etc/postgresql").glob("*"))
    if not versions or connection.settings_dict["HOST"] not in ("127.0.0.1", "localhost", ""):
        pytest.skip("needs the local PostgreSQL cluster (pg_ctlcluster)")
    restart = [_command("pg_ctlcluster"), "--skip-systemctl-redirect", versions[-1], "main"]
    return [*restart, "restart"]


def _children(pid: int) -> set[int]:
    listing = [_command("ps"), "-o", "pid=", "--ppid", str(pid)]
    out = subprocess.run(listing, capture_output=True, text=True, check=False)  # noqa: S603
    return {int(line) for line in out.stdout.split()}


def _wait_accepting(timeout: float = 60) -> None:
    ready = [_command("pg_isready"), "-h", "127.0.0.1", "-q"]
    deadline = time.monotonic() + timeout
    while subprocess.run(ready, check=False).returncode:  # noqa: S603
        if time.monotonic() > deadline:
            raise AssertionError("PostgreSQL did not come back")
        time.sleep(0.2)


def test_pages_recover_after_postgresql_restart(make_world):
    from entsim.services.worlds import user_ensure, world_member_add

    restart = _restart_command()
    world = make_world()
    user = user_ensure(username="stagiaire-panne", password=PASSWORD)
    world_member_add(world=world, user=user, role="stagiaire")
    pages = [
        reverse(name, args=[world.slug])
        for name in ("world_home", "world_jobs", "world_exchanges", "siecle:tableau_de_bord")
    ]
    with Gunicorn() as server:
        browser = Browser(server.base)
        browser.login(user.username)
        for path in pages * 3:  # every gunicorn worker holds a database connection
            assert browser.get(path)[0] == 200 and browser.url == server.base + path
        workers = _children(server.process.pid)
        try:
            subprocess.run(restart, check=True, capture_output=True)  # noqa: S603
        finally:
            _wait_accepting()
            connection.close()  # this test's own connection died with the server
        for path in pages * 3:
            status, body = browser.get(path)
            assert (status, browser.url) == (200, server.base + path), "same session, same page"
            assert world.name in body
        assert server.process.poll() is None, "gunicorn still runs"
        assert _children(server.process.pid) == workers, "no gunicorn worker was restarted"
