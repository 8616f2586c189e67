"""The site's URLs: the home page and the stretch library at the root, the blog under /blog/."""

from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView, TemplateView

from psoasapp.sitemaps import SITEMAPS
from psoasapp.views import HomeView
from routines.streaming import serve_media

admin.site.site_header = "Psoas Release admin"
admin.site.site_title = "Psoas Release admin"
admin.site.index_title = "Stretches, routines and videos"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("media/<path:path>", serve_media, name="media"),
    # Browsers ask for /favicon.ico on pages that name no icon (Django's admin).
    path("favicon.ico", RedirectView.as_view(url=static("img/favicon.svg"), permanent=True)),
    path("blog/", include("blog.urls")),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots_txt",
    ),
    path("", HomeView.as_view(), name="home"),
    path("", include("routines.urls")),
]

handler400 = "psoasapp.views.bad_request"
handler404 = "psoasapp.views.page_not_found"
handler500 = "psoasapp.views.server_error"
