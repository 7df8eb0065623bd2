"""Production settings pass Django's deployment checks; the compose file is complete."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "k7$Zq!2vN@x9#pL0wR&e4tY*u8iO^aS6dF3gH5jJ1lK-mN=bV_cX+zQ",
    "ALLOWED_HOSTS": "entsim.ac-aix-marseille.example",
    "ENTSIM_HTTPS": "1",
    "STATICFILES_MANIFEST": "1",
}


def run_manage(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    full_env.update(env)
    full_env["ENTSIM_VAR_DIR"] = str(tmp_path)
    return subprocess.run(  # noqa: S603 (our interpreter, our arguments)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_passes_with_production_variables(tmp_path):
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV, tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key(tmp_path):
    env = dict(PRODUCTION_ENV, SECRET_KEY="")
    result = run_manage("check", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY est obligatoire" in result.stderr


def test_settings_follow_the_environment(settings):
    assert settings.TIME_ZONE == "Europe/Paris"
    assert settings.LANGUAGE_CODE == "fr"
    assert settings.CELERY_TASK_ACKS_LATE is True
    database = settings.DATABASES["default"]
    if os.environ.get("DATABASE_URL"):
        assert database["ENGINE"].endswith("postgresql")
    else:
        assert database["ENGINE"].endswith("sqlite3")
        # one file per test process (pytest-xdist then adds its worker's suffix, "_gw0"…)
        name = Path(database["TEST"]["NAME"]).name
        assert name.split("_gw")[0] == f"test-entsim-{os.getpid()}.sqlite3", name
    broker = os.environ.get("CELERY_BROKER_URL") or "filesystem://"
    assert broker == settings.CELERY_BROKER_URL


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_full_stack(compose):
    services = compose["services"]
    assert {"db", "redis", "migrate", "web", "worker", "beat"} <= set(services)
    assert services["web"]["command"][0] == "gunicorn"
    assert services["worker"]["command"][:4] == ["celery", "-A", "entsim", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "entsim", "beat"]
    for name in ("db", "redis", "web", "worker"):
        assert "healthcheck" in services[name], name


def test_compose_runs_migrations_before_web_and_workers(compose):
    services = compose["services"]
    assert services["migrate"]["command"][-2:] == ["migrate", "--noinput"]
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["db"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["CELERY_BROKER_URL"].startswith("redis://")
        assert env["DEBUG"] == "0"


@pytest.mark.django_db
def test_compose_health_url_exists(client):
    assert client.get("/sante/").json() == {"etat": "ok"}
