"""sitemap.xml sections for the stretch library and the routines."""

from django.contrib.sitemaps import Sitemap

from .models import Routine, Stretch


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
