"""sitemap.xml for the whole site: the main pages, then each app's own section."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from blog.sitemaps import PostSitemap
from routines.sitemaps import RoutineSitemap, StretchSitemap


class PageSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self) -> list[str]:
        return ["home", "routines:stretch_list", "routines:routine_list", "blog:post_index"]

    def location(self, name: str) -> str:
        return reverse(name)


SITEMAPS = {
    "pages": PageSitemap,
    "stretches": StretchSitemap,
    "routines": RoutineSitemap,
    "posts": PostSitemap,
}
