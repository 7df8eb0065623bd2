from django.apps import AppConfig


class SiecleConfig(AppConfig):
    name = "siecle"
    verbose_name = "SIECLE Base élèves"

    def ready(self) -> None:
        from entsim import registry, timeline

        from . import academie, elegroupe, exchanges, exports, night, selectors

        registry.register_seeder("siecle", academie.seed)
        registry.register_job_kind(
            registry.JobKind(
                kind="siecle.night_batch",
                system="siecle",
                label="Traitements de nuit SIECLE",
                handler=night.night_batch_run,
            )
        )
        registry.register_job_kind(
            registry.JobKind(
                kind=timeline.STS_TO_BEE,
                system="siecle",
                label="Réception dans SIECLE d'un export STS-web (structure ou services)",
                handler=exchanges.sts_receive,
            )
        )
        registry.register_exchange_side(
            elegroupe.KIND,
            "edt",
            "siecle",
            "EDT → SIECLE : liens élèves-groupes (ELEGROUPE)",
            deposit=elegroupe.elegroupe_deposit,
        )
        for kind, label in exports.REGISTRY_LABELS.items():
            registry.register_exchange_side(
                kind,
                "siecle",
                exports.TARGETS.get(kind, "edt"),
                label,
                export=exports.exporter(kind),
            )
        for kind, listener in academie.listeners().items():
            registry.register_event_listener(kind, listener)
        registry.register_reporter("siecle", selectors.world_counts)
