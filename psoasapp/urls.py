"""The site's URLs: the stretch library and routines at the root, admin under /admin/."""

from django.contrib import admin
from django.urls import include, path

from routines.streaming import serve_media

admin.site.site_header = "Psoas Release admin"
admin.site.site_title = "Psoas Release admin"
admin.site.index_title = "Stretches, routines and videos"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("media/<path:path>", serve_media, name="media"),
    path("", include("routines.urls")),
]

handler404 = "psoasapp.views.page_not_found"
handler500 = "psoasapp.views.server_error"
