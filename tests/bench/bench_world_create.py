"""Benchmark: creating a lycee-2000 world (generate + persist), on the configured database.

Target (issue "Foundation"): under 15 s and under 500 MB peak memory on the 2-core machine.
Three timed runs (same seed, distinct names), then one run under tracemalloc (which slows
Python down, so it is not timed). Peak RSS is the process's high-water mark growth over the
whole benchmark (resource.getrusage).

    pytest tests/bench --bench -q -s
"""

from __future__ import annotations

import gc
import resource
import statistics
import sys
import time
import tracemalloc

import pytest

TIME_LIMIT_S = 15.0
MEMORY_LIMIT_MB = 500.0
SIZE = "lycee-2000"
SEED = 2057


def _max_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024  # bytes vs KiB


@pytest.mark.bench
@pytest.mark.django_db(transaction=True)
def test_bench_world_create_lycee_2000():
    from entsim.models import Pupil, Schooling
    from entsim.services.worlds import world_create

    gc.collect()
    rss_before = _max_rss_mb()
    timings = []
    for run in range(3):
        started = time.perf_counter()
        world = world_create(name=f"Banc {SIZE} {run}", size=SIZE, seed=SEED)
        timings.append(time.perf_counter() - started)
        home_pupils = Schooling.objects.filter(
            world=world, establishment=world.home, school_year=2026
        ).count()
        assert home_pupils == 2057
        del world
        gc.collect()
    rss_peak = _max_rss_mb()

    tracemalloc.start()
    world = world_create(name=f"Banc {SIZE} mémoire", size=SIZE, seed=SEED)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    pupils = Pupil.objects.filter(world=world).count()

    median = statistics.median(timings)
    traced_mb = traced_peak / (1024 * 1024)
    rss_growth = rss_peak - rss_before
    print(
        f"\nworld_create({SIZE}, seed={SEED}): runs "
        + ", ".join(f"{t:.2f} s" for t in timings)
        + f"; median {median:.2f} s; {pupils} pupils in the world"
        + f"\npeak memory: tracemalloc {traced_mb:.1f} MB; process max RSS {rss_peak:.1f} MB"
        + f" (+{rss_growth:.1f} MB during the timed runs)"
    )
    assert median < TIME_LIMIT_S, f"median {median:.2f} s >= {TIME_LIMIT_S} s"
    assert traced_mb < MEMORY_LIMIT_MB, f"tracemalloc peak {traced_mb:.1f} MB"
    assert rss_peak < MEMORY_LIMIT_MB, f"max RSS {rss_peak:.1f} MB"
