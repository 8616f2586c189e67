"""The home page, which composes both apps, and the error pages, in the site's own shell."""

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.generic import TemplateView

from blog.models import Post
from routines.caching import CachedPageMixin
from routines.models import Routine
from routines.views import published_stretches

# The home page offers a few of each; the lists have them all.
HOME_ROUTINES = 6
HOME_STRETCHES = 6
HOME_POSTS = 3


class HomeView(CachedPageMixin, TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        routines = Routine.objects.published().with_duration().select_related("breathing_pattern")
        context["routines"] = routines[:HOME_ROUTINES]
        context["stretches"] = published_stretches()[:HOME_STRETCHES]
        context["latest_posts"] = Post.objects.published().order_by("-published_at", "-pk")[
            :HOME_POSTS
        ]
        return context


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def server_error(request):
    # No request context: whatever broke may be what a context processor needs.
    return HttpResponseServerError(loader.get_template("500.html").render())
