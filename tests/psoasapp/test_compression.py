"""Pages go compressed, except those carrying a visitor's own data (BREACH)."""

import gzip

import brotli
import pytest

from blog.views import REMEMBER_COOKIE
from tests.blog.factories import comment_data, make_post
from tests.factories import make_stretch

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def library():
    make_stretch(title="Constructive rest")


@pytest.mark.parametrize("accept", ["gzip", "br, gzip", "br"])
@pytest.mark.parametrize("visit", ["first", "stored"])
def test_public_pages_are_compressed(client, accept, visit):
    """A page rendered now is gzipped; a stored one comes as brotli when the browser takes it."""
    if visit == "stored":
        client.get("/stretches/")
    response = client.get("/stretches/", headers={"accept-encoding": accept})
    encoding = response.get("Content-Encoding")
    if accept == "br" and visit == "first":
        assert encoding is None
        return
    assert encoding in accept.split(", ")
    assert "Accept-Encoding" in response["Vary"]
    decompress = gzip.decompress if encoding == "gzip" else brotli.decompress
    assert b"Constructive rest" in decompress(response.content)


def test_a_page_without_accept_encoding_is_plain(client):
    response = client.get("/stretches/")
    assert not response.has_header("Content-Encoding")
    assert b"Constructive rest" in response.content


def test_pages_for_a_signed_in_account_are_not_compressed(admin_client):
    response = admin_client.get("/stretches/", headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")


def test_a_page_showing_a_commenters_saved_details_is_not_compressed(client):
    post = make_post()
    client.post(f"/blog/comment/{post.pk}/", comment_data(post, remember="on"))
    client.cookies.pop("sessionid", None)
    assert REMEMBER_COOKIE in client.cookies
    response = client.get(post.get_absolute_url(), headers={"accept-encoding": "gzip"})
    assert "private" in response["Cache-Control"]
    assert not response.has_header("Content-Encoding")
