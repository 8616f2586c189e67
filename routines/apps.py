from django.apps import AppConfig


class RoutinesConfig(AppConfig):
    name = "routines"
    verbose_name = "Stretches and routines"

    def ready(self):
        from . import signals  # noqa: F401
