from django.apps import AppConfig


class EntsimConfig(AppConfig):
    name = "entsim"
    verbose_name = "entsim"

    def ready(self) -> None:
        from .services import calendar  # noqa: F401  (registers the calendar job kind)
