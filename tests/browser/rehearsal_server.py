"""A real server for the browser rehearsal: gunicorn and a Celery worker, each in its own
process, production-like (tests/load/stack.py: DEBUG off, ALLOWED_HOSTS, plain HTTP), on the
test's PostgreSQL database and its Redis broker.

The test runs on a transactional database: what it writes is committed, so the server and
the worker see it; they share its files (MEDIA_ROOT). Static files are served by WhiteNoise
from the apps' folders (STATICFILES_MANIFEST=0: no collectstatic). The last lines each
process printed are kept next to the screenshots (CI artefacts).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.load.stack import CeleryWorker, Gunicorn


@dataclass
class RealServer:
    web: Gunicorn
    worker: CeleryWorker
    logs: Path

    @property
    def url(self) -> str:
        return self.web.base

    @classmethod
    @contextmanager
    def start(cls, *, logs: Path):
        from entsim.celery import app

        app.control.purge()  # messages of an earlier run could name reused job ids
        worker = CeleryWorker()
        web = None
        try:
            worker.wait_ready(timeout=180)
            web = Gunicorn(workers=2)
            yield cls(web, worker, logs)
        finally:
            if web is not None:
                web.stop()
                (logs / "gunicorn.log").write_text(web.output.tail(200) + "\n")
            worker.stop()
            (logs / "celery-worker.log").write_text(worker.output.tail(200) + "\n")

    def check_alive(self) -> None:
        for name, process in (("gunicorn", self.web), ("celery", self.worker)):
            if process.process.poll() is not None:
                raise AssertionError(f"{name} stopped:\n{process.output.tail()}")
