"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

The `browser` fixture itself is in tests/conftest.py, so that tests elsewhere (a restart in
tests/reliability/) share the one Chromium: Playwright's sync API runs one event loop.
"""

import functools
import hashlib
import threading
from pathlib import Path

import pytest


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session", autouse=True)
def media_through_the_site():
    """Let the live server send /media/ requests to our Range-aware view.

    Django's live server answers MEDIA_URL itself with django.views.static.serve,
    which ignores Range, so a browser could not seek and the tests would not be
    testing what gunicorn serves.
    """
    from django.test import testcases

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(testcases._MediaFilesHandler, "_should_handle", lambda self, path: False)
        yield


@pytest.fixture(scope="session", autouse=True)
def one_database_request_at_a_time():
    """Let the live server's threads take turns with the test database's one connection.

    With the in-memory SQLite test database every thread of the live server shares the test's
    connection (Django's connections_override), and two requests using it at once fail with
    "bad parameter or other API misuse": the offline save fetches several chapter tracks at
    once, say. gunicorn gives each thread its own connection, so this is the test server's
    problem only. Files (/media/, /static/) touch no database and stay concurrent, so a video
    streaming to the page never holds up the requests beside it.
    """
    from django.test import testcases

    lock = threading.Lock()
    # Every request the static files handler passes on goes through this one.
    handle = testcases._MediaFilesHandler.__call__

    def take_turns(self, environ, start_response):
        if environ.get("PATH_INFO", "").startswith(("/media/", "/static/")):
            return handle(self, environ, start_response)
        with lock:
            return handle(self, environ, start_response)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(testcases._MediaFilesHandler, "__call__", take_turns)
        yield


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-GB")
    yield context
    context.close()


@pytest.fixture
def page(context, live_server):
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    page.base_url = live_server.url
    yield page
    assert not errors, f"the page logged errors: {errors}"


@pytest.fixture
def demo(transactional_db):
    """The demo content, as `make run` shows it."""
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)


@pytest.fixture
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def assert_accessible(axe, page):
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()


def wait_for_metadata(video) -> float:
    """The video's duration, once the browser has read it."""
    return video.evaluate(
        "v => new Promise(done => v.readyState >= 1 ? done(v.duration)"
        " : v.addEventListener('loadedmetadata', () => done(v.duration)))"
    )


def assert_plays_and_seeks(page, video, duration: float) -> None:
    """The video plays (time advances) and a seek near the end lands there."""
    video.evaluate("v => { v.muted = true; return v.play(); }")
    page.wait_for_function("v => v.currentTime > 0.5", arg=video.element_handle(), timeout=10_000)
    target = duration - 1.5
    landed = video.evaluate(
        """(v, t) => new Promise(done => {
            v.pause();
            v.addEventListener('seeked', () => done(v.currentTime), {once: true});
            v.currentTime = t;
        })""",
        target,
    )
    assert landed == pytest.approx(target, abs=0.5), "the seek snapped back instead of landing"


@pytest.fixture(scope="session", autouse=True)
def demo_media_made_once():
    """Every browser test's seed_demo reuses the demo clips drawn and converted the first time."""
    with pytest.MonkeyPatch.context() as patch:
        reuse_demo_media(patch)
        yield


def reuse_demo_media(patch: pytest.MonkeyPatch) -> None:
    """Draw each demo clip, and convert it, once while `patch` lasts rather than once per test.

    seed_demo runs for every browser test, and drawing and encoding the clips costs seconds of CPU
    each time for the same bytes. Converted files are kept by the source's digest and written
    out again on later runs, so processing still stores, probes and records real files.
    """
    from routines import demo, services

    patch.setattr(demo, "demo_video_bytes", functools.cache(demo.demo_video_bytes))
    made: dict[tuple, list[bytes]] = {}

    def once(convert, key: tuple, destinations: list) -> None:
        if key not in made:
            convert()
            made[key] = [Path(d).read_bytes() for d in destinations]
        for destination, data in zip(destinations, made[key], strict=True):
            Path(destination).write_bytes(data)

    def digest(path) -> str:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()

    real_transcode, real_remux = services.video_transcode, services.video_remux

    def transcode(source, renditions, **kwargs):
        key = ("transcode", digest(source), *renditions)
        once(lambda: real_transcode(source, renditions, **kwargs), key, [*renditions.values()])

    def remux(source, destination):
        once(lambda: real_remux(source, destination), ("remux", digest(source)), [destination])

    patch.setattr(services, "video_transcode", transcode)
    patch.setattr(services, "video_remux", remux)
