"""Benchmark: a Complet AAF run over an académie of many establishments (issue 7).

Target: under 120 s and under 300 MB peak memory for 50 establishments (~50,000 pupils).
The world is generated with `generate_academie(neighbours=...)` and persisted as
`world_create` does (truth, then every system's seeder); only the AAF run is timed, once,
then run again under tracemalloc (not timed). AAF_BENCH_NEIGHBOURS sets the number of
neighbouring establishments (49 by default: 50 establishments, but the generator's colleges
hold ~285 pupils each, so ~14,000 pupils; 174 gives 175 establishments and ~48,000 pupils).
Peak RSS is measured during the run only (Linux VmHWM reset before it).

    AAF_BENCH_NEIGHBOURS=19 pytest tests/bench/bench_aaf_complet.py --bench -q -s
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import resource
import sys
import time
import tracemalloc

import pytest

TIME_LIMIT_S = 120.0
MEMORY_LIMIT_MB = 300.0
SEED = 2027


def _max_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def _reset_peak_rss() -> bool:
    """Linux: reset the process's RSS high-water mark (VmHWM), so that the world's creation
    does not count in the run's peak."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def _peak_rss_mb() -> float:
    """VmHWM (Linux) since the last reset; the process's max RSS elsewhere."""
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return _max_rss_mb()


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
    from aaf import services
    from entsim.formats import aaf

    neighbours = int(os.environ.get("AAF_BENCH_NEIGHBOURS", "49"))
    started = time.perf_counter()
    world = _world(neighbours)
    built = time.perf_counter() - started
    gc.collect()
    rss_before = _max_rss_mb()
    _reset_peak_rss()
    started = time.perf_counter()
    run = services.aaf_run(world=world, at=world.now(), kind=aaf.COMPLET)
    elapsed = time.perf_counter() - started
    rss_peak = _max_rss_mb()
    run_peak = _peak_rss_mb()
    size_mb = run.exchange.size / (1024 * 1024)

    tracemalloc.start()
    services.aaf_run(world=world, at=world.now() + dt.timedelta(days=1), kind=aaf.COMPLET)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    traced_mb = traced_peak / (1024 * 1024)
    print(
        f"\nAAF Complet: {run.counts[aaf.ETAB]} establishments, {run.counts[aaf.ELEVE]} pupils, "
        f"{run.counts[aaf.PERS_REL_ELEVE]} responsables, {run.counts[aaf.PERS_EDUC_NAT]} staff; "
        f"{len(run.left_out)} left out; zip {size_mb:.1f} MB"
        f"\nworld built in {built:.1f} s; run {elapsed:.1f} s"
        f"\npeak memory: tracemalloc {traced_mb:.1f} MB; process max RSS {rss_peak:.1f} MB "
        f"(+{rss_peak - rss_before:.1f} MB during the run, world creation included); "
        f"peak RSS during the run {run_peak:.1f} MB"
    )
    assert elapsed < TIME_LIMIT_S, f"{elapsed:.1f} s >= {TIME_LIMIT_S} s"
    assert traced_mb < MEMORY_LIMIT_MB, f"tracemalloc peak {traced_mb:.1f} MB"
    assert run_peak < MEMORY_LIMIT_MB, f"peak RSS during the run {run_peak:.1f} MB"
