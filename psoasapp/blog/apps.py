from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "psoasapp.blog"
    label = "blog"
    verbose_name = "Blog and comments"

    def ready(self):
        from . import signals  # noqa: F401
