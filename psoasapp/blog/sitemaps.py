"""sitemap.xml for the whole site: the main pages, stretches, routines and published posts."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from routines.models import Routine, Stretch

from .models import Post


class PageSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self) -> list[str]:
        return [
            "routines:home",
            "routines:stretch_list",
            "routines:routine_list",
            "blog:post_index",
        ]

    def location(self, name: str) -> str:
        return reverse(name)


class StretchSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Stretch.objects.published().order_by("pk")

    def lastmod(self, stretch: Stretch):
        return stretch.updated_at


class RoutineSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Routine.objects.published().order_by("pk")

    def lastmod(self, routine: Routine):
        return routine.updated_at


class PostSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Post.objects.published().order_by("-published_at", "-pk")

    def lastmod(self, post: Post):
        return post.updated_at


SITEMAPS = {
    "pages": PageSitemap,
    "stretches": StretchSitemap,
    "routines": RoutineSitemap,
    "posts": PostSitemap,
}
