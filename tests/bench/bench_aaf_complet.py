"""Benchmark: a Complet AAF run over a large académie (issue 7).

Target: the extraction alone under 120 s and under 300 MB peak memory, for an académie of
~50,000 pupils. The world is generated with `generate_academie(neighbours=...)` and persisted
as `world_create` does (truth, then every system's seeder); its creation is not in the target.

The extraction runs in its own process (this file run as a script on the test database), so
that nothing of the world's creation stays in its memory:
- a timed run: peak RSS of that process (Linux VmHWM) and its increase over the RSS measured
  just before the run (Django loaded, world read);
- the next night's Delta, timed, with its peak RSS (it reads the previous night's directory);
- last (AAF_BENCH_TRACE=0 to skip it: it is slow), a Complet under tracemalloc (not timed):
  the peak of Python allocations of the run alone.
Each figure is printed as soon as it is known.

AAF_BENCH_NEIGHBOURS sets the number of neighbouring establishments. The generator's
neighbours hold ~275 pupils each: 174 (the default) gives 175 establishments and ~48,000
pupils, the pupil count of the target; 49 gives the target's 50 establishments but ~14,000
pupils. AAF_BENCH_SIZE sets the home establishment's size (college by default).

    AAF_BENCH_NEIGHBOURS=49 pytest tests/bench/bench_aaf_complet.py --bench -q -s
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

TIME_LIMIT_S = 120.0
MEMORY_LIMIT_MB = 300.0
SEED = 2027
ROOT = Path(__file__).resolve().parents[2]


def _status_mb(field: str) -> float | None:
    """A memory line of /proc/self/status (Linux), in MB."""
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _reset_peak_rss() -> bool:
    """Linux: reset the process's RSS high-water mark (VmHWM) to its current RSS."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


# --- The extraction, in its own process ------------------------------------------------------


def _extract(world_id: int, mode: str, days: int) -> dict:
    """One run in this process: "timed" or "traced" (a Complet), or "delta" (timed)."""
    import django

    django.setup()
    from aaf import services
    from entsim.formats import aaf
    from entsim.models import World

    world = World.objects.get(pk=world_id)
    at = world.now() + dt.timedelta(days=days)
    gc.collect()
    result: dict = {"rss_before_mb": _status_mb("VmRSS")}
    if mode == "traced":
        import tracemalloc

        tracemalloc.start()
        run = services.aaf_run(world=world, at=at, kind=aaf.COMPLET)
        result["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / (1024 * 1024)
        tracemalloc.stop()
    else:
        result["peak_reset"] = _reset_peak_rss()
        kind = aaf.DELTA if mode == "delta" else aaf.COMPLET
        started, cpu = time.perf_counter(), time.process_time()
        run = services.aaf_run(world=world, at=at, kind=kind)
        result["elapsed_s"] = time.perf_counter() - started
        result["cpu_s"] = time.process_time() - cpu
        result["rss_peak_mb"] = _status_mb("VmHWM")
    result["counts"] = run.counts
    result["left_out"] = len(run.left_out)
    result["zip_mb"] = run.exchange.size / (1024 * 1024)
    return result


def _database_url(settings_dict: dict) -> str:
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    user = settings_dict.get("USER") or ""
    password = settings_dict.get("PASSWORD") or ""
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    return f"postgres://{credentials}{host}:{port}/{settings_dict['NAME']}"


def _in_own_process(world_id: int, mode: str, days: int) -> dict:
    from django.conf import settings
    from django.db import connection

    env = dict(
        os.environ,
        DATABASE_URL=_database_url(connection.settings_dict),
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        DJANGO_SETTINGS_MODULE="entsim.settings",
    )
    done = subprocess.run(  # noqa: S603 (this file, the world id and a mode: our own values)
        [sys.executable, __file__, str(world_id), mode, str(days)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- The world ----------------------------------------------------------------------------------


def _world(neighbours: int):
    from django.db import transaction
    from django.utils import timezone

    from entsim import registry
    from entsim.generator.build import generate_academie
    from entsim.models import World
    from entsim.services.worlds import academie_persist

    size = os.environ.get("AAF_BENCH_SIZE", "college")
    academie = generate_academie(seed=SEED, size=size, neighbours=neighbours)
    with transaction.atomic():
        world = World.objects.create(
            name=f"Banc AAF {neighbours}",
            slug=f"banc-aaf-{neighbours}",
            seed=SEED,
            size=size,
            academie_code=academie.code,
            academie_name=academie.name,
            sim_anchor=academie.clock_start,
            real_anchor=timezone.now(),
            scheduled_until=academie.clock_start,
        )
        academie_persist(world=world, academie=academie)
        for _system, seeder in registry.seeders():
            seeder(world)
    return world


@pytest.mark.bench
@pytest.mark.django_db(transaction=True)
def test_bench_aaf_complet():
    neighbours = int(os.environ.get("AAF_BENCH_NEIGHBOURS", "174"))
    started = time.perf_counter()
    world = _world(neighbours)
    print(f"\nworld built in {time.perf_counter() - started:.1f} s (not in the target)", flush=True)

    timed = _in_own_process(world.pk, "timed", 0)
    counts = timed["counts"]
    print(
        f"AAF Complet: {counts['EtabEducNat']} establishments, {counts['Eleve']} pupils, "
        f"{counts['PersRelEleve']} responsables, {counts['PersEducNat']} staff; "
        f"{timed['left_out']} left out; zip {timed['zip_mb']:.1f} MB"
        f"\nComplet (own process): {timed['elapsed_s']:.1f} s, CPU time of that process "
        f"{timed['cpu_s']:.1f} s (the machine's other load is in the first figure only); "
        f"peak RSS {timed['rss_peak_mb']:.1f} MB, +{_increase(timed):.1f} MB over "
        f"{timed['rss_before_mb']:.1f} MB before the run"
        f"{'' if timed['peak_reset'] else ' (high-water mark not reset)'}",
        flush=True,
    )
    delta = _in_own_process(world.pk, "delta", 1)  # the next night: a Delta (nothing changed)
    print(
        f"next night's Delta (own process): {delta['elapsed_s']:.1f} s, CPU {delta['cpu_s']:.1f} "
        f"s; peak RSS {delta['rss_peak_mb']:.1f} MB, +{_increase(delta):.1f} MB",
        flush=True,
    )
    if os.environ.get("AAF_BENCH_TRACE", "1") == "1":
        traced = _in_own_process(world.pk, "traced", 2)
        print(f"Complet under tracemalloc: peak {traced['traced_peak_mb']:.1f} MB", flush=True)
        assert traced["traced_peak_mb"] < MEMORY_LIMIT_MB, f"{traced['traced_peak_mb']:.1f} MB"
    assert counts["Eleve"] > 0
    assert timed["rss_peak_mb"] < MEMORY_LIMIT_MB, f"peak RSS {timed['rss_peak_mb']:.1f} MB"
    assert delta["rss_peak_mb"] < MEMORY_LIMIT_MB, f"Delta: peak RSS {delta['rss_peak_mb']:.1f} MB"
    assert timed["elapsed_s"] < TIME_LIMIT_S, f"{timed['elapsed_s']:.1f} s >= {TIME_LIMIT_S} s"


def _increase(result: dict) -> float:
    return result["rss_peak_mb"] - result["rss_before_mb"]


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    print(json.dumps(_extract(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]))))
