from django.apps import AppConfig


class SiecleConfig(AppConfig):
    name = "siecle"
    verbose_name = "SIECLE Base élèves"
