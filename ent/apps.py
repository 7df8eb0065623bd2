import dataclasses

from django.apps import AppConfig


def _register_exchange(kind) -> None:
    """Register an exchange kind, keeping what another system already declared for it (the
    AAF declares the export side of the same files)."""
    from entsim import registry

    existing = registry.exchange_kind(kind.kind)
    if existing is not None:
        kind = dataclasses.replace(
            kind,
            export=kind.export or existing.export,
            deposit=kind.deposit or existing.deposit,
        )
    registry.register_exchange_kind(kind)


class EntConfig(AppConfig):
    name = "ent"
    verbose_name = "ENT"

    def ready(self) -> None:
        from entsim import registry

        from . import selectors, services

        registry.register_job_kind(
            registry.JobKind(
                "ent.import",
                "ent",
                "Import dans l'ENT des fichiers de l'annuaire",
                services.aaf_night_import,
            )
        )
        registry.register_reporter("ent", selectors.report_counts)
        _register_exchange(
            registry.ExchangeKind(
                "aaf_complet",
                source="aaf",
                target="ent",
                label="AAF → ENT : fichiers Complet (ficAlimMENESR)",
                deposit=services.aaf_deposit_complet,
            )
        )
        _register_exchange(
            registry.ExchangeKind(
                "aaf_delta",
                source="aaf",
                target="ent",
                label="AAF → ENT : fichiers Delta (ficAlimMENESR)",
                deposit=services.aaf_deposit_delta,
            )
        )
