"""Stopping gunicorn and starting it again on the same database and media loses nothing.

The demo content (posts with approved comments, stretches with ready videos, routines) is
served, gunicorn is stopped with SIGTERM as a deploy stops it, and started again: every page
is the same, video is still served in byte ranges, and a session saved for offline use in
Chromium before the restart still opens and plays once the server is gone altogether.
"""

import html
import re

import pytest
from playwright.sync_api import expect

from tests.reliability.sites import Site, Visitor

DESK = "desk-day-psoas-reset"
DESK_TITLE = "Desk-day psoas reset"
FIRST_STRETCH = "Constructive rest"
COUNTDOWN_MS = 5000 + 17  # the get-ready countdown, and one frame more

CONTENT = """
import json
from blog.models import Comment, Post
from routines.models import Routine, Stretch, Video

posts = list(Post.objects.published())
routines = list(Routine.objects.filter(is_published=True))
stretches = list(Stretch.objects.filter(is_published=True))
titled = {
    **{post.get_absolute_url(): post.title for post in posts},
    **{routine.get_absolute_url(): routine.title for routine in routines},
    **{routine.get_session_url(): routine.title for routine in routines},
    **{stretch.get_absolute_url(): stretch.title for stretch in stretches},
}
print(json.dumps({
    "pages": {"/": "", "/blog/": "", "/stretches/": "", "/routines/": "", **titled},
    "comments": [
        [comment.post.get_absolute_url(), comment.name, comment.body]
        for comment in Comment.objects.approved().select_related("post")
    ],
    "videos": [
        [video.playable.url, video.playable.name]
        for video in Video.objects.filter(status=Video.Status.READY)
    ],
}))
"""

# What differs between two answers of one page: the masked CSRF token, the comment form's
# signed time, a CSP nonce.
PER_RESPONSE = re.compile(r'(name="(?:csrfmiddlewaretoken|token)" value=|nonce=)"[^"]*"')


@pytest.fixture(scope="module")
def demo_site(new_site, tmp_path_factory):
    """A site with the demo content and what it holds, made once for this module's tests."""
    site = new_site(tmp_path_factory.mktemp("demo-site"))
    site.manage("seed_demo")
    content = site.query(CONTENT)
    assert content["comments"] and content["videos"] and len(content["pages"]) > 8
    yield site, content
    site.stop_all()


def pages_as_served(server, content: dict) -> dict[str, str]:
    pages = {}
    for url, title in content["pages"].items():
        answer = Visitor(server).get(url)
        assert answer.status == 200, (url, answer.status)
        text = html.unescape(answer.text)
        assert title in text, (url, title)
        pages[url] = PER_RESPONSE.sub(r"\1…", text)
    for post_url, name, body in content["comments"]:
        assert name in pages[post_url] and body.splitlines()[0] in pages[post_url]
    return pages


def assert_served_in_ranges(server, site: Site, content: dict) -> int:
    """Each ready video answers a byte range with exactly those bytes; how many were checked."""
    for url, name in content["videos"]:
        data = (site.media / name).read_bytes()
        answer = Visitor(server).get(url, headers={"Range": "bytes=100-1099"})
        assert answer.status == 206, (url, answer.status)
        assert answer.headers["content-range"] == f"bytes 100-1099/{len(data)}"
        assert answer.body == data[100:1100]
    return len(content["videos"])


def test_a_restart_keeps_every_post_comment_video_and_routine(demo_site, report):
    site, content = demo_site
    server = site.start()
    before = pages_as_served(server, content)
    assert_served_in_ranges(server, site, content)

    assert site.stop(server) == 0, server.log_text()  # a clean, graceful stop
    server = site.start(port=server.port)

    after = pages_as_served(server, content)
    assert after == before
    videos = assert_served_in_ranges(server, site, content)
    report(
        database=site.env["DATABASE_URL"].split(":", 1)[0],
        pages_compared=len(after),
        approved_comments=len(content["comments"]),
        videos_served_in_ranges=videos,
    )


@pytest.mark.browser
def test_a_session_saved_offline_still_plays_after_a_restart_and_with_the_server_gone(
    demo_site, browser, report
):
    site, _ = demo_site
    server = site.start()
    origin = f"http://127.0.0.1:{server.port}"
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{origin}/routines/{DESK}/")
        offline = page.get_by_role("region", name="Use it without a connection")
        offline.get_by_role("button", name="Save for offline").click()
        expect(offline.get_by_role("status")).to_contain_text("Saved for offline", timeout=30_000)
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")

        assert site.stop(server) == 0, server.log_text()
        server = site.start(port=server.port)  # the same origin, so the same saved copy
        page.reload()
        offline = page.get_by_role("region", name="Use it without a connection")
        expect(offline.get_by_role("status")).to_contain_text("Saved for offline on this device")
        expect(offline.get_by_role("button", name="Update the offline copy")).to_be_visible()

        site.stop(server)
        context.set_offline(True)
        page.clock.install()
        response = page.goto(f"{origin}/routines/{DESK}/session/")
        assert response.from_service_worker
        expect(page.get_by_role("heading", level=1, name=DESK_TITLE)).to_be_visible()
        page.get_by_role("button", name="Start").click()
        page.clock.run_for(COUNTDOWN_MS)
        video = page.get_by_label(f"Demo video: {FIRST_STRETCH}")
        expect(video).to_be_visible()
        page.wait_for_function(
            "v => !v.paused && v.readyState >= 3 && v.currentTime > 0.2",
            arg=video.element_handle(),
            polling=100,
            timeout=15_000,
        )
        landed = video.evaluate(
            """v => new Promise(done => {
                v.addEventListener("seeked", () => done([v.currentTime, v.duration]), {once: true});
                v.currentTime = v.duration - 1;
            })"""
        )
        assert landed[0] == pytest.approx(landed[1] - 1, abs=0.5)
        assert not errors, errors
    finally:
        context.close()
    report(
        database=site.env["DATABASE_URL"].split(":", 1)[0],
        served_by_service_worker=True,
        video_seconds=round(landed[1], 1),
    )
