from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "blog"
    label = "blog"
    verbose_name = "Blog and comments"

    def ready(self):
        from routines import caching

        from . import signals  # noqa: F401
        from .models import Post

        caching.timed_changes.append(Post.objects.next_timed_change)
