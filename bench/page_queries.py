"""Print, as JSON, the benchmark's pages: each one's URL and the SQL queries it costs.

The URLs are picked from the database by rule (the routine with the most steps, the post with
the most comments…), so the same page is measured on the small and the scaled data set. Queries
are counted in-process on a page's second request, so one-off work (a first look-up that later
requests skip) does not count, and every cache is emptied just before it, so no cached page or
fragment hides a query. Run it with the site's environment and PSOASAPP_PAGE_CACHE_SECONDS=0.

Run: DATABASE_URL=... .venv/bin/python bench/page_queries.py
"""

import json
import os
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "psoasapp.settings")
django.setup()

from django.core.cache import caches  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from blog.models import Comment, Post  # noqa: E402
from routines.models import BodyArea, Routine, Stretch  # noqa: E402


def page_urls() -> dict[str, str]:
    """Each benchmarked page by name, in the order the report lists them."""
    gentle = Q(stretches__is_published=True, stretches__level=Stretch.Level.GENTLE)
    area = BodyArea.objects.annotate(gentle=Count("stretches", filter=gentle)).order_by(
        "-gentle", "name"
    )[0]
    stretch = (
        Stretch.objects.published()
        .annotate(routine_count=Count("steps__routine", distinct=True))
        .order_by("-routine_count", "title")[0]
    )
    routine = (
        Routine.objects.published().annotate(step_count=Count("steps")).order_by("-step_count")[0]
    )
    approved = Q(comments__status=Comment.Status.APPROVED)
    post = (
        Post.objects.published()
        .annotate(approved=Count("comments", filter=approved))
        .order_by("-approved", "-published_at")[0]
    )
    return {
        "home": "/",
        "stretch list": "/stretches/",
        "stretch filter": f"/stretches/?level=gentle&area={area.slug}",
        "stretch search": "/stretches/?q=hip",
        "stretch detail": stretch.get_absolute_url(),
        "routine detail": routine.get_absolute_url(),
        "session": routine.get_session_url(),
        "blog index": "/blog/",
        "post (comments)": post.get_absolute_url(),
        "blog search": "/blog/search/?q=psoas",
    }


def page_queries(url: str) -> dict:
    client = Client(HTTP_HOST="127.0.0.1")
    client.get(url)
    for cache in caches.all():
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return {
        "url": url,
        "status": response.status_code,
        "queries": len(queries),
        "sql": [query["sql"] for query in queries.captured_queries],
    }


if __name__ == "__main__":
    print(json.dumps({name: page_queries(url) for name, url in page_urls().items()}))
