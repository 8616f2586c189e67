"""Error pages rendered with the site's own shell."""

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def server_error(request):
    # No request context: whatever broke may be what a context processor needs.
    return HttpResponseServerError(loader.get_template("500.html").render())
