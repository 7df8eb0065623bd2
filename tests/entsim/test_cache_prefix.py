"""Each test run has its own cache keys: a key left by another database's run is not seen."""

import os

from django.core.cache import cache
from django.utils.module_loading import import_string


def test_a_key_left_by_another_run_is_not_seen(settings):
    conf = dict(settings.CACHES["default"])
    assert conf["KEY_PREFIX"] == os.environ["ENTSIM_CACHE_PREFIX"]  # workers inherit it
    backend = import_string(conf.pop("BACKEND"))
    other_run = backend(conf.pop("LOCATION"), {**conf, "KEY_PREFIX": "une-autre-base"})
    key = "entsim:autopilot:1"
    other_run.set(key, {"etat": "en_cours", "etape": ""})
    try:
        assert other_run.get(key) == {"etat": "en_cours", "etape": ""}
        assert cache.get(key) is None
    finally:
        other_run.delete(key)
