"""robots.txt and sitemap.xml, which list the pages of both apps."""

from datetime import timedelta

import pytest
from django.utils import timezone

from blog.models import Post
from tests.blog.factories import make_post
from tests.factories import make_routine, make_stretch

pytestmark = pytest.mark.django_db


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_robots_txt_disallows_admin_and_names_the_sitemap(client):
    response = client.get("/robots.txt")
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/plain")
    assert "Disallow: /admin/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


def test_sitemap_lists_posts_stretches_and_routines_but_no_drafts(client):
    post = make_post()
    draft = make_post(title="Draft", status=Post.Status.DRAFT)
    scheduled = make_post(title="Later", published_at=timezone.now() + timedelta(days=1))
    stretch = make_stretch(title="Constructive rest")
    hidden = make_stretch(title="Hidden", is_published=False)
    routine = make_routine({"stretch": stretch}, title="Evening")
    xml = page(client, "/sitemap.xml")
    for url in [post.get_absolute_url(), stretch.get_absolute_url(), routine.get_absolute_url()]:
        assert f"http://testserver{url}" in xml
    for url in [draft.get_absolute_url(), scheduled.get_absolute_url(), hidden.get_absolute_url()]:
        assert url not in xml
    assert "http://testserver/blog/</loc>" in xml
