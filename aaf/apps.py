from django.apps import AppConfig


class AafConfig(AppConfig):
    name = "aaf"
    verbose_name = "Annuaire académique (AAF)"
