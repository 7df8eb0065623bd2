from django.apps import AppConfig


class AafConfig(AppConfig):
    name = "aaf"
    verbose_name = "Annuaire académique (AAF)"

    def ready(self) -> None:
        from entsim import registry

        from . import services

        registry.register_job_kind(
            registry.JobKind(
                "aaf.extraction",
                "aaf",
                "Extraction de l'annuaire académique (Complet le samedi, Delta les autres soirs)",
                services.aaf_night_extraction,
            )
        )
        # The AAF writes these files; the ENT declared the deposit side (merged).
        registry.register_exchange_kind(
            registry.ExchangeKind(
                "aaf_complet",
                source="aaf",
                target="ent",
                label="AAF → ENT : fichiers Complet (ficAlimMENESR)",
                export=services.aaf_complet_export,
            )
        )
        registry.register_exchange_kind(
            registry.ExchangeKind(
                "aaf_delta",
                source="aaf",
                target="ent",
                label="AAF → ENT : fichiers Delta (ficAlimMENESR)",
                export=services.aaf_delta_export,
            )
        )
