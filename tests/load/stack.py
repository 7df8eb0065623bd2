"""The production processes, started for a test on the test database: gunicorn and a Celery
worker, each in its own process group (so that a test can SIGKILL the whole worker).

Both read the same settings as production (`entsim/settings.py`, DEBUG off), pointed at the
database pytest-django created (the test process commits its rows: `transactional_db`) and at
the configured broker.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def database_url() -> str:
    """The URL of the database this test process uses (pytest-django's test database)."""
    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise RuntimeError("the production processes are only started on PostgreSQL")
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def process_env(**extra: str) -> dict[str, str]:
    """Production-like environment on the test database and this test's files."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url(),
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        ALLOWED_HOSTS="127.0.0.1",
        DEBUG="0",
        ENTSIM_HTTPS="0",
        STATICFILES_MANIFEST="0",
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Output:
    """The last lines a process printed (read in a thread, so that its pipe never fills)."""

    def __init__(self, stream):
        self.lines: deque[str] = deque(maxlen=200)
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream) -> None:
        for line in iter(stream.readline, ""):
            self.lines.append(line.rstrip())

    def seen(self, text: str) -> bool:
        return any(text in line for line in list(self.lines))

    def tail(self, count: int = 30) -> str:
        return "\n".join(list(self.lines)[-count:])


def _start(args: list[str], env: dict[str, str]) -> tuple[subprocess.Popen, _Output]:
    process = subprocess.Popen(  # noqa: S603 - our own executables, fixed arguments
        args,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: killpg reaches its children
    )
    return process, _Output(process.stdout)


def _stop(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, sig)
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


class Gunicorn:
    """`gunicorn entsim.wsgi` as in docker-compose.yml (3 sync workers), on a loopback port."""

    def __init__(self, workers: int = 3):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        args = [str(BIN / "gunicorn"), "entsim.wsgi", "--bind", f"127.0.0.1:{self.port}"]
        args += ["--workers", str(workers), "--timeout", "120", "--log-level", "warning"]
        self.process, self.output = _start(args, process_env())
        self._wait_healthy()

    def _wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped:\n{self.output.tail()}")
            try:
                with urllib.request.urlopen(f"{self.base}/sante/", timeout=5) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer in {timeout} s:\n{self.output.tail()}")

    def stop(self) -> None:
        _stop(self.process)

    def __enter__(self) -> Gunicorn:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class CeleryWorker:
    """`celery -A entsim worker` as in docker-compose.yml (prefork, 2 processes)."""

    def __init__(self, **env: str):
        args = [str(BIN / "celery"), "-A", "entsim", "worker", "--loglevel", "INFO"]
        args += ["--concurrency", "2", "--without-gossip", "--without-mingle"]
        self.process, self.output = _start(args, process_env(LOG_LEVEL="INFO", **env))

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not self.output.seen(" ready."):
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker stopped:\n{self.output.tail()}")
            if time.monotonic() > deadline:
                tail = self.output.tail()
                raise RuntimeError(f"the worker was not ready in {timeout} s:\n{tail}")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL to the whole group (main process and pool children): no clean-up at all."""
        _stop(self.process, signal.SIGKILL)

    def stop(self) -> None:
        _stop(self.process, signal.SIGTERM, timeout=60)
