"""The home page, which composes both apps; the error pages; the admin's locked-out page."""

from axes.helpers import get_cool_off
from django.contrib import admin
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils import timezone
from django.utils.timesince import timeuntil
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


def bad_request(request, exception):
    """A request Django refused to read: too big a body, too many fields, an unknown host."""
    return render(request, "400.html", status=400)


def csrf_failure(request, reason=""):
    """A form sent without its CSRF token or cookie (CSRF_FAILURE_VIEW), usually a stale page."""
    return render(request, "403_csrf.html", status=403)


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def server_error(request):
    # No request context: whatever broke may be what a context processor needs.
    return HttpResponseServerError(loader.get_template("500.html").render())


def login_locked_out(request, response=None, credentials=None):
    """What the admin sign-in answers once a username has failed too often from one address.

    django-axes calls it (AXES_LOCKOUT_CALLABLE) instead of checking the password, so even the
    right one is refused until the pause ends or staff unlock the sign-in.
    """
    cool_off = get_cool_off(request)
    context = {**admin.site.each_context(request), "title": "Sign-in paused"}
    if cool_off:
        # Each refused attempt starts the pause afresh (see axes.handlers.database).
        now = timezone.now()
        context["retry_at"] = now + cool_off
        context["retry_in"] = timeuntil(now + cool_off, now)
    return render(request, "admin/locked_out.html", context, status=429)
