"""Blog pages from the page cache: comments, moderation, scheduling and the comment form."""

import re
import time
from datetime import timedelta

import brotli
import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from blog import spam
from blog.models import Comment
from tests.blog.factories import comment_data, make_comment, make_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def post():
    return make_post(title="Releasing the psoas")


def html_of(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html)[1]


def test_a_comment_approved_in_admin_appears_on_the_stored_post(client, admin_client, post):
    comment = make_comment(post, body="Waiting for a yes.", status=Comment.Status.PENDING)
    assert "Waiting for a yes." not in html_of(client, post.get_absolute_url())
    admin_client.post(
        "/admin/blog/comment/",
        {"action": "approve", "_selected_action": [comment.pk]},
    )
    assert "Waiting for a yes." in html_of(client, post.get_absolute_url())


def test_a_comment_removed_in_admin_leaves_the_stored_post(client, post):
    comment = make_comment(post, body="Soon gone.")
    assert "Soon gone." in html_of(client, post.get_absolute_url())
    comment.status = Comment.Status.REMOVED
    comment.save()
    assert "Soon gone." not in html_of(client, post.get_absolute_url())


def test_each_visitor_gets_a_csrf_token_of_their_own(post):
    first, second = Client(), Client()
    first_token = hidden(html_of(first, post.get_absolute_url()), "csrfmiddlewaretoken")
    second_page = second.get(post.get_absolute_url())
    second_token = hidden(second_page.content.decode(), "csrfmiddlewaretoken")
    assert second_token != first_token
    assert "csrftoken" in second_page.cookies


def test_a_stored_comment_form_is_signed_with_the_time_it_is_shown(client, post, monkeypatch):
    html_of(Client(), post.get_absolute_url())  # stored now
    later = time.time() + 600
    monkeypatch.setattr(spam.time, "time", lambda: later)
    token = hidden(html_of(client, post.get_absolute_url()), "token")
    assert signing.loads(token, salt=spam.TOKEN_SALT) == {"post": post.pk, "at": round(later, 3)}


def test_a_comment_sent_from_a_stored_page_is_accepted(post, monkeypatch):
    """The page was stored long ago; its form must still pass the robot checks."""
    html_of(Client(), post.get_absolute_url())
    visitor = Client(enforce_csrf_checks=True)
    form = html_of(visitor, post.get_absolute_url())
    shown_at = time.time()
    monkeypatch.setattr(spam.time, "time", lambda: shown_at + 30)
    data = comment_data(post, token=hidden(form, "token"))
    data["csrfmiddlewaretoken"] = hidden(form, "csrfmiddlewaretoken")
    response = visitor.post(f"/blog/comment/{post.pk}/", data)
    assert response.status_code == 302
    assert Comment.objects.filter(post=post).count() == 1


def test_a_remembered_commenters_details_are_never_stored_for_others(client, post):
    client.post(
        f"/blog/comment/{post.pk}/",
        comment_data(post, remember="on", email="zoe@example.com"),
    )
    client.cookies.pop("sessionid", None)  # the remember cookie alone makes the page personal
    assert "zoe@example.com" in html_of(client, post.get_absolute_url())
    assert "zoe@example.com" not in html_of(Client(), post.get_absolute_url())


def test_a_scheduled_post_appears_when_its_time_comes(client, monkeypatch):
    going_live = timezone.now() + timedelta(hours=1)
    make_post(title="Tomorrow's breathing", published_at=going_live)
    assert "Tomorrow&#x27;s breathing" not in html_of(client, "/blog/")
    later = going_live + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    monkeypatch.setattr(time, "time", lambda: later.timestamp())
    assert "Tomorrow&#x27;s breathing" in html_of(client, "/blog/")


def test_a_stored_post_is_filled_in_then_compressed_for_each_visitor(post):
    html_of(Client(), post.get_absolute_url())
    first, second = (
        Client().get(post.get_absolute_url(), headers={"accept-encoding": "br, gzip"})
        for _ in range(2)
    )
    assert first["Content-Encoding"] == second["Content-Encoding"] == "br"
    pages = [brotli.decompress(response.content).decode() for response in (first, second)]
    assert "Releasing the psoas" in pages[0]
    tokens = {hidden(page, "csrfmiddlewaretoken") for page in pages}
    assert len(tokens) == 2
