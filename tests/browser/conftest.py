"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

The `browser` fixture itself is in tests/conftest.py, so that tests elsewhere (a restart in
tests/reliability/) share the one Chromium: Playwright's sync API runs one event loop.
"""

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
