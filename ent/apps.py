from django.apps import AppConfig


class EntConfig(AppConfig):
    name = "ent"
    verbose_name = "ENT"
