"""The Celery application: night jobs and exchanges run as real tasks."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "entsim.settings")

app = Celery("entsim")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
