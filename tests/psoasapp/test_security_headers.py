"""Every kind of response carries the full set of security headers, and no page runs inline code.

Some responses are answered early, before the middleware that adds page headers runs: pages
from the page cache, /media/, static files and /healthz. They must not go out with fewer.
"""

import re

import pytest
from django.test import Client
from django.urls import path, reverse

import psoasapp.urls
from tests.blog.factories import make_comment, make_post
from tests.factories import make_routine, make_stretch

pytestmark = pytest.mark.django_db

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), screen-wake-lock=(self)"
HSTS = "max-age=31536000; includeSubDomains; preload"


def boom(request):
    raise RuntimeError("A view that fails, to show the 500 page.")


# This module is also the URLconf of its tests: the site's URLs and one that fails.
urlpatterns = [path("boom/", boom), *psoasapp.urls.urlpatterns]
handler404 = psoasapp.urls.handler404
handler500 = psoasapp.urls.handler500


@pytest.fixture
def site(media_root):
    """One of each kind of content, and an upload; the URLs of every kind of page."""
    stretch = make_stretch(title="Half-kneeling lunge")
    routine = make_routine({"stretch": stretch}, title="Evening release")
    post = make_post(title="Releasing the psoas")
    make_comment(post)
    (media_root / "posters").mkdir()
    (media_root / "posters" / "lunge.jpg").write_bytes(b"\xff\xd8\xff\xe0 not much of a jpeg")
    return {
        "home": "/",
        "stretch list": reverse("routines:stretch_list"),
        "stretch detail": stretch.get_absolute_url(),
        "routine list": reverse("routines:routine_list"),
        "routine detail": routine.get_absolute_url(),
        "routine session": reverse("routines:routine_session", args=[routine.slug]),
        "blog index": reverse("blog:post_index"),
        "blog post": post.get_absolute_url(),
        "feed": reverse("blog:feed"),
        "sitemap": "/sitemap.xml",
        "not found": "/no/such/page/",
        "missing media": "/media/posters/missing.jpg",
        "server error": "/boom/",
        "media file": "/media/posters/lunge.jpg",
        "static file": "/static/css/site.css",
        "service worker": "/sw.js",
        "health check": "/healthz",
        "admin login": "/admin/login/",
    }


@pytest.fixture(params=[True, False], ids=["https", "plain-http"])
def https(request, settings):
    """The site as DJANGO_HTTPS=true configures it, and as `make run` serves it on localhost."""
    if request.param:
        settings.SECURE_SSL_REDIRECT = True
        settings.SECURE_HSTS_SECONDS = 31536000
        settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
        settings.SECURE_HSTS_PRELOAD = True
    return request.param


def fetch(url: str, *, secure: bool):
    """A visitor's request; a streamed body is read (and so closed)."""
    response = Client(raise_request_exception=False).get(url, secure=secure)
    response.body = b"".join(response.streaming_content) if response.streaming else response.content
    return response


def assert_security_headers(response, *, https: bool) -> None:
    csp = response.get("Content-Security-Policy", "")
    assert re.match(r"default-src '(self|none)'", csp), csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY
    if https:
        assert response["Strict-Transport-Security"] == HSTS
    else:
        assert "Strict-Transport-Security" not in response


def assert_no_inline_code(html: str, nonce: str | None) -> None:
    """Every script runs from a file or carries the request's nonce; so does every <style>.

    A JSON data block (json_script) never runs, so CSP does not apply to it; a nonce there
    would only keep the page out of the page cache. A style attribute cannot carry a nonce.
    """
    for tag in re.findall(r"<script\b[^>]*>", html, re.IGNORECASE):
        if "src=" in tag or 'type="application/json"' in tag:
            continue
        assert nonce and f'nonce="{nonce}"' in tag, tag
    for tag in re.findall(r"<style\b[^>]*>", html, re.IGNORECASE):
        assert nonce and f'nonce="{nonce}"' in tag, tag
    for tag in re.findall(r"<[a-zA-Z][^>]*>", html):
        attributes = re.sub(r'"[^"]*"', '""', tag)  # quoted values are text, not attributes
        assert not re.search(r"\sstyle\s*=", attributes, re.IGNORECASE), tag


PAGES = [
    "home",
    "stretch list",
    "stretch detail",
    "routine list",
    "routine detail",
    "routine session",
    "blog index",
    "blog post",
    "feed",
    "sitemap",
    "not found",
    "missing media",
    "server error",
    "media file",
    "static file",
    "service worker",
    "health check",
    "admin login",
]
EXPECTED_STATUS = {"not found": 404, "missing media": 404, "server error": 500}


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("page", PAGES)
def test_every_response_carries_the_full_set_of_security_headers(site, https, page):
    """Asked twice, so that a page stored by the page cache is checked as it is served again."""
    for _ in range(2):
        response = fetch(site[page], secure=https)
        assert response.status_code == EXPECTED_STATUS.get(page, 200), page
        assert_security_headers(response, https=https)
        if response["Content-Type"].startswith("text/html"):
            match = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
            assert_no_inline_code(response.body.decode(), match and match[1])


@pytest.mark.urls(__name__)
def test_the_page_cache_answers_with_the_same_headers_as_the_page(site):
    first = fetch("/", secure=False)
    second = fetch("/", secure=False)
    # Answered early by PageCacheMiddleware, which then never reaches the view below it.
    assert hasattr(first.wsgi_request, "page_lookup")
    assert not hasattr(second.wsgi_request, "page_lookup")
    for name in ("Content-Security-Policy", "X-Frame-Options", "Permissions-Policy"):
        assert second[name] == first[name]
    assert_security_headers(second, https=False)


def test_plain_http_is_redirected_to_https_with_the_headers(settings):
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get("/stretches/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/stretches/"
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY
