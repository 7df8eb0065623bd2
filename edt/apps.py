from django.apps import AppConfig


class EdtConfig(AppConfig):
    name = "edt"
    verbose_name = "Logiciel EDT"
