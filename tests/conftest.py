"""Fixtures shared by every test."""

import functools
import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("PSOASAPP_CHROMIUM", "/usr/bin/chromium"))

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Videos must play without a user gesture in tests, as after a tap on a phone.
    "--autoplay-policy=no-user-gesture-required",
]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each test writes uploads and generated files to its own folder, never media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def page_cache(settings, tmp_path):
    """Each test starts with an empty cache and a content version of its own.

    A test's rows are rolled back without a delete signal, so a page stored in one test
    could otherwise be served in the next.
    """
    from django.core.cache import cache

    settings.PSOASAPP_CONTENT_VERSION_FILE = tmp_path / "content-version"
    cache.clear()
    yield
    cache.clear()


@functools.cache
def short_demo_video_bytes(title: str, **options) -> bytes:
    """A two-second demo clip, drawn once per test run."""
    from routines.demo_media import demo_video_bytes

    return demo_video_bytes(title, **{"seconds": 2, **options})


@pytest.fixture
def short_demo_clips(monkeypatch):
    """`seed_demo` makes short clips, which keeps its tests quick; the clip generator's own
    tests cover full-length clips."""
    from routines import demo

    monkeypatch.setattr(demo, "demo_video_bytes", short_demo_video_bytes)


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """Makes the module's sites run in subprocesses (tests/worker_site.py); drops their
    databases after it."""
    from tests.worker_site import Sites

    sites = Sites(tmp_path_factory.mktemp("sites"))
    yield sites
    sites.drop_all()


def pytest_sessionstart(session):
    """Stop at once, and say why, when the configured database or Redis is unreachable.

    `make test` runs a second pass against PostgreSQL and Redis. On a developer's
    machine without them that pass is skipped with a message; on CI they must be
    there, so it fails instead.
    """
    from django.conf import settings

    problems = []
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.postgresql":
        import psycopg

        try:
            psycopg.connect(
                host=database["HOST"] or None,
                port=database["PORT"] or None,
                user=database["USER"] or None,
                password=database["PASSWORD"] or None,
                dbname="postgres",
                connect_timeout=5,
            ).close()
        except psycopg.Error as error:
            problems.append(f"PostgreSQL at {database['HOST']}:{database['PORT']}: {error}")
    cache = settings.CACHES["default"]
    if cache["BACKEND"].endswith("RedisCache"):
        import redis

        try:
            redis.Redis.from_url(cache["LOCATION"], socket_connect_timeout=5).ping()
        except redis.RedisError as error:
            problems.append(f"Redis at {cache['LOCATION']}: {error}")
    if problems:
        message = "; ".join(problems)
        if os.environ.get("CI", "").lower() == "true":
            pytest.exit(f"Required service missing on CI: {message}", returncode=1)
        pytest.exit(f"Skipping this pass, a service is not running: {message}", returncode=0)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, one for the whole run: skipped without it, failed on CI."""
    if not CHROMIUM.exists():
        message = f"Chromium is not installed at {CHROMIUM}: run  apt-get install chromium"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " (browser tests must run on CI)", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between page actions are still plain synchronous calls.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
