"""The home page, which shows a few routines, stretches and the latest posts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog.models import Post
from tests.blog.factories import image_file, make_post
from tests.factories import make_routine, make_stretch

pytestmark = pytest.mark.django_db


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_home_page_shows_the_three_latest_posts(client):
    for n in range(4):
        make_post(title=f"Home post {n}", published_at=timezone.now() - timedelta(days=n + 1))
    make_post(title="Draft on home", status=Post.Status.DRAFT)
    html = page(client, "/")
    assert "Latest posts" in html
    assert all(f"Home post {n}" in html for n in range(3))
    assert "Home post 3" not in html and "Draft on home" not in html


def test_home_page_queries_do_not_grow_with_posts(client):
    make_routine({})
    make_post(image=image_file(600, 400))
    with CaptureQueriesContext(connection) as one:
        client.get("/")
    for n in range(5):
        make_post(title=f"More {n}", image=image_file(600, 400))
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(many) == len(one)


def test_home_page_offers_six_routines_and_links_to_all_of_them(client):
    stretch = make_stretch()
    for n in range(7):
        make_routine({"stretch": stretch}, title=f"Routine {n}")
    html = page(client, "/")
    assert sum(f"Routine {n}<" in html for n in range(7)) == 6
    assert 'href="/routines/"' in html and "All routines" in html
