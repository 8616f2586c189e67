"""Two sizes of every video in Chromium: which one pages and the session player choose, and
saving a session for offline use in the size the visitor picks.

The demo clips are 1280×720, so their renditions are 720p and 360p.
"""

import pytest
from playwright.sync_api import expect

from routines.models import Routine, Stretch
from tests.browser.conftest import assert_accessible, wait_for_metadata

DESK = "desk-day-psoas-reset"
REST = "Constructive rest"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1100, "height": 900}
SAVE_DATA = "Object.defineProperty(navigator, 'connection', {value: {saveData: true}})"


def rest_video():
    return Stretch.objects.select_related("video").get(title=REST).video


def played(video) -> tuple[str, int]:
    """The file the browser chose for a <video>, and the height of its picture."""
    wait_for_metadata(video)
    return tuple(video.evaluate("v => [new URL(v.currentSrc).pathname, v.videoHeight]"))


def start_session(page):
    page.clock.install()
    page.goto(f"{page.base_url}/routines/{DESK}/session/")
    page.get_by_role("button", name="Start").click()
    page.clock.run_for(5_017)  # the get-ready countdown, and a frame
    video = page.get_by_label(f"Demo video: {REST}")
    expect(video).to_be_visible()
    return video


@pytest.mark.parametrize(("viewport", "height"), [(PHONE, 360), (LAPTOP, 720)])
def test_the_stretch_page_plays_360p_on_a_phone_and_720p_on_a_wider_screen(
    page, demo, viewport, height
):
    """Chromium honours <source media> again: the page alone chooses, no script involved."""
    page.set_viewport_size(viewport)
    page.goto(page.base_url + Stretch.objects.get(title=REST).get_absolute_url())
    video = rest_video()
    small = height == 360
    expected = video.playable_small.url if small else video.playable.url
    assert played(page.get_by_label(f"Demo video: {REST}")) == (expected, height)


@pytest.mark.parametrize(("viewport", "height"), [(PHONE, 360), (LAPTOP, 720)])
def test_without_javascript_the_stretch_page_still_chooses_by_screen_width(
    browser, live_server, demo, viewport, height
):
    context = browser.new_context(java_script_enabled=False, viewport=viewport)
    try:
        page = context.new_page()
        page.goto(live_server.url + Stretch.objects.get(title=REST).get_absolute_url())
        video = page.get_by_label(f"Demo video: {REST}")
        expect(video).to_be_visible()
        assert played(video)[1] == height
    finally:
        context.close()


@pytest.mark.parametrize(
    ("viewport", "save_data", "height"),
    [(PHONE, False, 360), (LAPTOP, False, 720), (LAPTOP, True, 360)],
    ids=["phone", "laptop", "laptop-saving-data"],
)
def test_the_session_player_chooses_by_screen_width_and_data_saver(
    page, demo, viewport, save_data, height
):
    page.set_viewport_size(viewport)
    if save_data:
        page.add_init_script(SAVE_DATA)
    video = rest_video()
    expected = video.playable_small.url if height == 360 else video.playable.url
    assert played(start_session(page)) == (expected, height)


def offline_panel(page):
    return page.get_by_role("region", name="Use it without a connection")


def test_save_for_offline_offers_both_sizes_with_their_totals(page, demo):
    from django.template.defaultfilters import filesizeformat

    from routines.plan import media_size_bytes

    routine = Routine.objects.get(slug=DESK)
    page.goto(page.base_url + routine.get_absolute_url())
    sizes = offline_panel(page).get_by_role("group", name="Which videos to save")
    small = sizes.get_by_role("radio", name="Smaller, for phones")
    large = sizes.get_by_role("radio", name="Sharper")
    expect(small).to_have_accessible_name(
        f"Smaller, for phones (up to 360p): {filesizeformat(media_size_bytes(routine, small=True))}"
    )
    expect(large).to_have_accessible_name(
        f"Sharper (up to 720p): {filesizeformat(media_size_bytes(routine))}"
    )
    expect(large).to_be_checked()  # a wide screen

    page.set_viewport_size(PHONE)
    page.reload()
    expect(small).to_be_checked()  # a phone: the likely choice is made for it


def test_a_session_saved_with_small_videos_plays_them_offline(page, context, demo, axe):
    routine = Routine.objects.get(slug=DESK)
    video = rest_video()
    page.goto(page.base_url + routine.get_absolute_url())
    offline = offline_panel(page)
    offline.get_by_role("radio", name="Smaller, for phones").check()
    offline.get_by_role("button", name="Save for offline").click()
    expect(offline.get_by_role("status")).to_contain_text(
        "Saved for offline on this device", timeout=30_000
    )
    expect(offline.get_by_role("status")).to_contain_text("smaller videos")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    cached = page.evaluate(
        """async () => {
            const urls = [];
            for (const name of await caches.keys()) {
                const cache = await caches.open(name);
                for (const request of await cache.keys()) urls.push(new URL(request.url).pathname);
            }
            return urls;
        }"""
    )
    videos = [step.stretch.video for step in routine.steps.select_related("stretch__video")]
    assert {v.playable_small.url for v in videos} <= set(cached)
    assert not {v.playable.url for v in videos} & set(cached), "only the chosen size is saved"
    assert_accessible(axe, page)

    # A wide screen would choose 720p; with the network off it plays the 360p file it has.
    context.set_offline(True)
    page.clock.install()
    response = page.goto(page.base_url + routine.get_session_url())
    assert response.from_service_worker
    page.get_by_role("button", name="Start").click()
    page.clock.run_for(5_017)
    player = page.get_by_label(f"Demo video: {REST}")
    page.wait_for_function(
        "v => !v.paused && v.readyState >= 3 && v.currentTime > 0.2",
        arg=player.element_handle(),
        polling=100,
        timeout=10_000,
    )
    assert played(player) == (video.playable_small.url, 360)
    # Seeking asks for a byte range, which the worker cuts from the saved file.
    landed = player.evaluate(
        """v => new Promise(done => {
            v.addEventListener("seeked", () => done([v.currentTime, v.duration]), {once: true});
            v.currentTime = v.duration - 1;
        })"""
    )
    assert landed[0] == pytest.approx(landed[1] - 1, abs=0.5)

    # Back online, the routine page remembers which size the copy holds.
    context.set_offline(False)
    page.goto(page.base_url + routine.get_absolute_url())
    expect(offline_panel(page).get_by_role("radio", name="Smaller, for phones")).to_be_checked()


def test_the_offline_choice_on_a_phone(page, demo, axe, tmp_path_factory):
    """A screenshot for the record, and axe on the choice as a phone shows it."""
    page.set_viewport_size(PHONE)
    page.goto(page.base_url + Routine.objects.get(slug=DESK).get_absolute_url())
    panel = offline_panel(page)
    expect(panel.get_by_role("radio", name="Smaller, for phones")).to_be_checked()
    assert_accessible(axe, page)
    panel.screenshot(path=str(tmp_path_factory.getbasetemp() / "offline-choice-phone.png"))
