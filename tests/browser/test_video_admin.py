"""The teacher's side in Chromium: sign in, upload a phone video with a progress bar, see it
ready and playing in admin, then play and seek in it on the stretch page.

The page fixture fails a test on any console error, CSP violations included. Tasks run
in-process (ImmediateBackend): the video is processed during the upload's request.
"""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from routines.models import Video
from tests.browser.conftest import assert_plays_and_seeks, wait_for_metadata
from tests.factories import make_stretch
from tests.routines.test_video import write_clip

PASSWORD = "a calm long password"


@pytest.fixture
def teacher(transactional_db):
    return get_user_model().objects.create_superuser("teacher", "t@example.org", PASSWORD)


@pytest.fixture
def phone_clip(tmp_path):
    """HEVC in MOV, stored sideways with a turn to apply, with sound: it needs transcoding."""
    return write_clip(
        tmp_path / "IMG_0042.mov",
        codec="libx265",
        size=(320, 180),
        seconds=8,
        fps=24,
        rotation=-90,
        audio=True,
    )


@pytest.fixture(autouse=True)
def work_dir(settings, tmp_path):
    settings.PSOASAPP_VIDEO_WORK_DIR = tmp_path / "work"


def sign_in(page, next_path: str) -> None:
    page.goto(f"{page.base_url}/admin/login/?next={next_path}")
    page.get_by_label("Username").fill("teacher")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # As a person would, start once the page has loaded (its scripts have run).
    page.wait_for_url(f"**{next_path}")
    page.wait_for_load_state("load")


def throttle_uploads(page, bytes_per_second: int) -> None:
    """Slow the network as a phone on a weak connection would, so the progress bar shows."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 0,
            "downloadThroughput": -1,
            "uploadThroughput": bytes_per_second,
        },
    )


def test_upload_shows_progress_then_the_video_plays_and_seeks(page, teacher, phone_clip):
    sign_in(page, "/admin/routines/video/add/")
    expect(page.get_by_role("heading", name="Add video")).to_be_visible()

    page.get_by_label("Title").fill("Half-kneeling hip flexor stretch")
    page.get_by_label("Original file").set_input_files(phone_clip)
    throttle_uploads(page, max(20_000, phone_clip.stat().st_size // 3))
    page.get_by_role("button", name="Save and continue editing").click()

    progress = page.get_by_role("progressbar")
    expect(progress).to_be_visible()
    expect(page.locator(".upload-progress__status")).to_contain_text("sent")
    expect(page.get_by_role("button", name="Cancel upload")).to_be_visible()
    page.wait_for_function(
        "() => { const p = document.querySelector('progress'); return p && p.value > 0; }"
    )

    # Saved, processed during the request, and back on the change page.
    expect(page.get_by_text("was added successfully")).to_be_visible(timeout=30_000)
    expect(page.locator(".field-status_label")).to_contain_text("Ready")
    video_row = Video.objects.get()
    assert video_row.status == Video.Status.READY
    assert (video_row.playable_width, video_row.playable_height) == (180, 320)

    player = page.get_by_label("Demo video: Half-kneeling hip flexor stretch")
    expect(player).to_be_visible()
    assert wait_for_metadata(player) == pytest.approx(8, abs=0.2)

    stretch = make_stretch(title="Half-kneeling hip flexor stretch", video=video_row)
    page.goto(page.base_url + stretch.get_absolute_url())
    video = page.get_by_label("Demo video: Half-kneeling hip flexor stretch")
    expect(video).to_be_visible()
    duration = wait_for_metadata(video)
    assert duration == pytest.approx(8, abs=0.2)
    size = video.evaluate("v => [v.videoWidth, v.videoHeight]")
    assert size == [180, 320], "portrait, as the phone held it"

    assert_plays_and_seeks(page, video, duration)


def test_a_file_over_the_limit_is_refused_before_it_is_sent(page, teacher, phone_clip, settings):
    settings.PSOASAPP_VIDEO_MAX_UPLOAD_BYTES = 10_000
    sign_in(page, "/admin/routines/video/add/")
    page.get_by_label("Title").fill("Too big")
    page.get_by_label("Original file").set_input_files(phone_clip)
    expect(page.get_by_role("alert")).to_contain_text("the limit is 9.8 KB")
    requests = []
    page.on("request", lambda request: requests.append(request.method))
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert "POST" not in requests
    assert not Video.objects.exists()


def test_a_file_that_is_not_a_video_is_refused_in_plain_words(page, teacher, tmp_path):
    notes = tmp_path / "notes.mp4"
    notes.write_text("Not a video at all.\n" * 50)
    sign_in(page, "/admin/routines/video/add/")
    page.get_by_label("Title").fill("Notes")
    page.get_by_label("Original file").set_input_files(notes)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("This file is not a video we can read.")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("Notes")
    assert not Video.objects.exists()


def test_the_plain_form_works_without_javascript(browser, live_server, teacher, phone_clip):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.base_url = live_server.url
    try:
        sign_in(page, "/admin/routines/video/add/")
        page.get_by_label("Title").fill("No script")
        page.get_by_label("Original file").set_input_files(phone_clip)
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.get_by_text("was added successfully")).to_be_visible(timeout=30_000)
        assert Video.objects.get().status == Video.Status.READY
    finally:
        context.close()
