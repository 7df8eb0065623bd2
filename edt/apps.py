from django.apps import AppConfig


class EdtConfig(AppConfig):
    name = "edt"
    verbose_name = "Logiciel EDT"

    def ready(self) -> None:
        from entsim import registry

        from . import selectors, services

        registry.register_reporter("edt", selectors.report_counts)
        # The software's side of each file: it reads sts_emp and the pupils exports, it writes
        # emp_sts and elegroupe (the other side is STS-web's or SIECLE's).
        registry.register_exchange_side(
            "sts_emp",
            "sts",
            "edt",
            "STS-web → EDT : export Emploi du temps (STS_EDT)",
            deposit=services.sts_file_deposit,
        )
        registry.register_exchange_side(
            "eleves_sans_adresses",
            "siecle",
            "edt",
            "SIECLE → EDT : export XML des élèves sans adresses (BEE_ELEVES)",
            deposit=services.eleves_sans_adresses_deposit,
        )
        registry.register_exchange_side(
            "eleves_avec_adresses",
            "siecle",
            "edt",
            "SIECLE → EDT : export XML des élèves avec adresses (BEE_ELEVES)",
            deposit=services.eleves_avec_adresses_deposit,
        )
        registry.register_exchange_side(
            "emp_sts",
            "edt",
            "sts",
            "EDT → STS-web : import Emploi du temps (EDT_STS)",
            export=services.emp_sts_export,
        )
        registry.register_exchange_side(
            "elegroupe",
            "edt",
            "siecle",
            "EDT → SIECLE : liens élèves-groupes (ELEGROUPE)",
            export=services.elegroupe_export,
        )
