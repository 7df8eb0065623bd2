from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = "Formation"

    def ready(self) -> None:
        from entsim import registry

        from . import autopilot  # noqa: F401 (registers the autopilot's Celery task)
        from .scenarios import scenario_plants_apply, scenarios_all

        registry.register_scenario_hook(
            registry.ScenarioHook(
                ids=lambda: [s.id for s in scenarios_all()], plant=scenario_plants_apply
            )
        )
