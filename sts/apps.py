from django.apps import AppConfig


class StsConfig(AppConfig):
    name = "sts"
    verbose_name = "STS-web"

    def ready(self) -> None:
        from entsim import registry

        from . import selectors, services

        registry.register_seeder("sts", services.sts_seed)
        registry.register_event_listener("teacher_rep", services.teacher_arrival)
        registry.register_event_listener("teacher_sup", services.teacher_arrival)
        registry.register_event_listener("rentree", services.year_rentree)
        registry.register_reporter("sts", selectors.report_counts)
        # STS-web's side of each file: it writes sts_emp (read by the EDT software), the
        # structure and services exports (read by SIECLE BEE), and reads emp_sts.
        registry.register_exchange_side(
            "sts_emp",
            "sts",
            "edt",
            "STS-web → EDT : export Emploi du temps (STS_EDT)",
            export=services.sts_emp_export,
        )
        registry.register_exchange_side(
            "emp_sts",
            "edt",
            "sts",
            "EDT → STS-web : import Emploi du temps (EDT_STS)",
            deposit=services.edt_deposit,
        )
        registry.register_exchange_side(
            "sts_structure",
            "sts",
            "siecle",
            "STS-web → SIECLE BEE : export Structure",
            export=services.sts_structure_export,
        )
        registry.register_exchange_side(
            "sts_services",
            "sts",
            "siecle",
            "STS-web → SIECLE BEE : export Services",
            export=services.sts_services_export,
        )
