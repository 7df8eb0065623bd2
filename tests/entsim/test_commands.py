"""Command-line entry points call the same services as the UI."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from entsim import registry
from entsim.models import Exchange, Job
from entsim.registry import ExchangeRefused
from entsim.services.exchanges import exchange_record
from tests.conftest import make_event
from tests.entsim.test_deploy import PRODUCTION_ENV, run_manage

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def echo_kind():
    """An exchange kind whose reader refuses files not starting with <ECHO>."""

    def export(*, world, user):
        return exchange_record(
            world=world,
            kind="echo",
            source="sts",
            target="edt",
            filename=f"echo_{world.home.uai}.xml",
            content=b"<ECHO/>",
            deposited_by=user,
        )

    def deposit(*, world, filename, content, user):
        if not content.startswith(b"<ECHO"):
            raise ExchangeRefused("Ce fichier n'est pas un fichier ECHO.")
        return exchange_record(
            world=world,
            kind="echo",
            source="edt",
            target="sts",
            filename=filename,
            content=content,
            state=Exchange.State.PROCESSED,
            report={"lignes": 1},
        )

    registry.register_exchange_kind(
        registry.ExchangeKind("echo", "sts", "edt", "Écho", export=export, deposit=deposit)
    )
    yield
    registry._exchange_kinds.pop("echo")


def test_world_clock_night(make_world, without_night_jobs):
    world = make_world()
    make_event(world)
    from entsim.services.calendar import calendar_jobs_schedule

    calendar_jobs_schedule(world=world)
    out = run("world_clock", world.name, "--night")
    assert "15/06/2027 08:00" in out and "1 tâche(s) lancée(s)" in out
    assert Job.objects.get(world=world).state == Job.State.PENDING  # dispatched on commit


def test_world_clock_to_a_date_and_refusals(make_world):
    world = make_world()
    assert "01/09/2027 08:00" in run("world_clock", world.name, "--to", "2027-09-01 08:00")
    with pytest.raises(CommandError, match="revenir en arrière") as refused:
        run("world_clock", world.name, "--to", "2027-06-01 08:00")
    assert refused.value.returncode == 2
    with pytest.raises(CommandError, match="Date illisible"):
        run("world_clock", world.name, "--to", "demain")
    with pytest.raises(CommandError, match="Monde introuvable"):
        run("world_clock", "Atlantide", "--night")


def test_world_report_json_has_every_system_with_zeros(make_world):
    world = make_world()
    report = json.loads(run("world_report", world.name, "--json"))
    assert report["date_simulee"].startswith("2027-06-14T08:00")
    assert report["etablissement"]["uai"] == "0130001E"
    assert report["annees_scolaires"]["en_cours"] == "2026-2027"
    assert set(report["systemes"]) == {"sts", "edt", "siecle", "aaf", "ent"}
    for counts in report["systemes"].values():
        assert set(counts) == set(registry.REPORT_KEYS) - {"signalements"} | {"signalements"}
        assert all(value == 0 for value in counts.values())
    assert report["taches"] == {"en_attente": 0, "terminees": 0, "en_echec": 0}


def test_exchange_export_and_import(make_world, echo_kind, tmp_path):
    world = make_world()
    path = run("exchange_export", world.name, "echo", "--out", str(tmp_path)).strip()
    assert path.endswith("echo_0130001E.xml")
    assert (tmp_path / "echo_0130001E.xml").read_bytes() == b"<ECHO/>"
    good = tmp_path / "retour.xml"
    good.write_bytes(b"<ECHO>ok</ECHO>")
    assert "Traité" in run("exchange_import", world.name, "echo", str(good))
    bad = tmp_path / "mauvais.xml"
    bad.write_bytes(b"<AUTRE/>")
    before = Exchange.objects.count()
    with pytest.raises(CommandError, match="pas un fichier ECHO") as refused:
        run("exchange_import", world.name, "echo", str(bad))
    assert refused.value.returncode == 2
    assert Exchange.objects.count() == before


def test_exchange_refusals(make_world, echo_kind, tmp_path, settings):
    world = make_world()
    with pytest.raises(CommandError, match="Type d'échange inconnu") as unknown:
        run("exchange_export", world.name, "inexistant", "--out", str(tmp_path))
    assert unknown.value.returncode == 2
    settings.ENTSIM_UPLOAD_MAX_BYTES = 10
    big = tmp_path / "gros.xml"
    big.write_bytes(b"<ECHO>" + b"x" * 100 + b"</ECHO>")
    with pytest.raises(CommandError, match="Fichier trop volumineux"):
        run("exchange_import", world.name, "echo", str(big))
    with pytest.raises(CommandError, match="Fichier introuvable"):
        run("exchange_import", world.name, "echo", str(tmp_path / "absent.xml"))


def test_refusal_exits_2_with_a_french_message_on_stderr(tmp_path):
    env = dict(PRODUCTION_ENV, ENTSIM_HTTPS="0", STATICFILES_MANIFEST="0")
    assert run_manage("migrate", "-v0", env=env, tmp_path=tmp_path).returncode == 0
    result = run_manage("exchange_import", "Atlantide", "echo", "f.xml", env=env, tmp_path=tmp_path)
    assert result.returncode == 2
    assert "Monde introuvable : « Atlantide »" in result.stderr


def test_refused_deposit_leaves_no_file_behind(make_world, settings, tmp_path):
    """A reader that records the file before refusing it: the rollback removes the file too."""
    from entsim.services.exchanges import exchange_deposit

    def deposit(*, world, filename, content, user):
        exchange_record(
            world=world, kind="late", source="edt", target="sts", filename=filename, content=content
        )
        raise ExchangeRefused("Refusé après enregistrement.")

    registry.register_exchange_kind(
        registry.ExchangeKind("late", "edt", "sts", "Tardif", deposit=deposit)
    )
    try:
        world = make_world()
        with pytest.raises(ExchangeRefused):
            exchange_deposit(world=world, kind="late", filename="f.xml", content=b"<X/>")
    finally:
        registry._exchange_kinds.pop("late")
    files = [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]
    assert files == []
    assert not Exchange.objects.filter(kind="late").exists()
