"""Feeds are well-formed, show only what is public, and never carry an email address."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone

from blog.models import Comment, Post
from tests.blog.factories import make_author, make_category, make_comment, make_post

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def content(django_user_model):
    user = django_user_model.objects.create_user("lena", email="lena.private@example.com")
    author = make_author(name="Lena Hart", user=user)
    anatomy = make_category("Anatomy")
    post = make_post(title="Live post", excerpt="Where it runs & why.", author=author)
    post.categories.add(anatomy)
    make_post(title="Draft post", status=Post.Status.DRAFT, author=author).categories.add(anatomy)
    make_post(
        title="Scheduled post", published_at=timezone.now() + timedelta(days=1), author=author
    ).categories.add(anatomy)
    make_comment(post, name="Maren", email="maren.private@example.com", body="Approved words.")
    make_comment(post, status=Comment.Status.PENDING, body="Pending words.")
    make_comment(post, status=Comment.Status.SPAM, body="Spam words.")
    return {"post": post, "anatomy": anatomy}


def fetch(client, url: str) -> tuple[str, ET.Element]:
    response = client.get(url)
    assert response.status_code == 200, url
    text = response.content.decode()
    return text, ET.fromstring(response.content)


@pytest.mark.parametrize("url", ["/blog/feed/", "/blog/category/anatomy/feed/"])
def test_rss_feeds_list_published_posts_only(client, content, url):
    text, root = fetch(client, url)
    assert root.tag == "rss"
    titles = [item.findtext("title") for item in root.iter("item")]
    assert titles == ["Live post"]
    item = next(root.iter("item"))
    assert item.findtext("link") == f"http://testserver{content['post'].get_absolute_url()}"
    assert item.findtext("description") == "Where it runs & why."
    assert item.findtext("category") == "Anatomy"


def test_atom_feed_lists_published_posts_with_authors(client, content):
    text, root = fetch(client, "/blog/feed/atom/")
    entries = root.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == ["Live post"]
    assert entries[0].find(f"{ATOM}author").findtext(f"{ATOM}name") == "Lena Hart"


def test_comments_feed_lists_approved_comments_only(client, content):
    post = content["post"]
    text, root = fetch(client, post.get_comments_feed_url())
    items = list(root.iter("item"))
    assert [item.findtext("title") for item in items] == ["By: Maren"]
    assert "Approved words." in items[0].findtext("description")
    assert items[0].findtext("link").startswith(f"http://testserver{post.get_absolute_url()}#")
    assert "Pending words." not in text and "Spam words." not in text


@pytest.mark.parametrize(
    "url",
    ["/blog/feed/", "/blog/feed/atom/", "/blog/category/anatomy/feed/", "comments"],
)
def test_no_feed_carries_an_email_address(client, content, url):
    if url == "comments":
        url = content["post"].get_comments_feed_url()
    text, _ = fetch(client, url)
    assert "@" not in text


def test_an_unknown_category_feed_is_not_found(client):
    assert client.get("/blog/category/nothing/feed/").status_code == 404
