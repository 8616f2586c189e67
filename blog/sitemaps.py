"""sitemap.xml section for published posts."""

from django.contrib.sitemaps import Sitemap

from .models import Post


class PostSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Post.objects.published().order_by("-published_at", "-pk")

    def lastmod(self, post: Post):
        return post.updated_at
