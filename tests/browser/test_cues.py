"""Cues that follow the demo video, in Chromium, on the demo content.

Constructive rest's demo cues are timed 0:00, 0:03, 0:05, 0:08 and 0:10 in its 12 s clip; the
half-kneeling hip flexor stretch's 0:00, 0:02, 0:04, 0:07 and 0:09, its last cue untimed.
"""

from playwright.sync_api import expect

from routines.models import Stretch
from tests.browser.conftest import assert_accessible, wait_for_metadata
from tests.browser.test_session import open_session, start

REST = "constructive-rest"
LUNGE = "half-kneeling-hip-flexor-stretch"


def cue_texts(slug: str) -> list[str]:
    return Stretch.objects.get(slug=slug).cue_list


def open_stretch(page, slug=REST):
    stretch = Stretch.objects.get(slug=slug)
    page.goto(page.base_url + stretch.get_absolute_url())
    video = page.get_by_label(f"Demo video: {stretch.title}")
    wait_for_metadata(video)
    return video


def cues(page):
    return page.get_by_role("region", name="How to do it")


def cue_button(page, text):
    return cues(page).get_by_role("button", name=text, exact=True)


def seek(video, seconds: float, *, play=False) -> float:
    """Take the video to `seconds` as its own controls would; the time it landed on."""
    return video.evaluate(
        """(v, [t, play]) => new Promise(done => {
            v.muted = true;
            if (!play) v.pause();
            v.addEventListener("seeked", () => done(v.currentTime), {once: true});
            v.currentTime = t;
            if (play) v.play();
        })""",
        [seconds, play],
    )


def current_cues(page) -> list[str]:
    return cues(page).locator('[aria-current="step"]').all_inner_texts()


def test_the_cue_the_video_is_at_is_highlighted(page, demo):
    texts = cue_texts(REST)
    video = open_stretch(page)
    expect(cues(page).locator("[aria-current]")).to_have_count(0)  # nothing before it plays

    seek(video, 6.2)
    expect(cue_button(page, texts[2])).to_have_attribute("aria-current", "step")
    assert current_cues(page) == [texts[2]]

    seek(video, 0.4)
    expect(cue_button(page, texts[0])).to_have_attribute("aria-current", "step")
    assert current_cues(page) == [texts[0]]


def test_playing_on_moves_the_highlight_to_the_next_cue(page, demo):
    texts = cue_texts(REST)
    video = open_stretch(page)
    seek(video, 2.5, play=True)
    expect(cue_button(page, texts[0])).to_have_attribute("aria-current", "step")
    # The video reaches 0:03 by itself.
    expect(cue_button(page, texts[1])).to_have_attribute("aria-current", "step", timeout=5000)
    expect(cue_button(page, texts[0])).not_to_have_attribute("aria-current", "step")


def test_choosing_a_cue_plays_the_video_from_there(page, demo):
    texts = cue_texts(REST)
    video = open_stretch(page)
    cue_button(page, texts[3]).click()
    page.wait_for_function("v => !v.paused && v.currentTime >= 8", arg=video.element_handle())
    assert 8 <= video.evaluate("v => v.currentTime") < 10
    expect(cue_button(page, texts[3])).to_have_attribute("aria-current", "step")


def test_cues_work_from_the_keyboard(page, demo):
    texts = cue_texts(REST)
    video = open_stretch(page)
    cue_button(page, texts[0]).focus()
    page.keyboard.press("Tab")
    expect(cue_button(page, texts[1])).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_function("v => v.currentTime >= 3", arg=video.element_handle())
    video.evaluate("v => v.pause()")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    page.wait_for_function("v => v.currentTime >= 5", arg=video.element_handle())
    expect(cue_button(page, texts[2])).to_have_attribute("aria-current", "step")
    expect(cue_button(page, texts[2])).to_be_focused()


def cue_boxes(page) -> list[dict]:
    return [item.bounding_box() for item in cues(page).get_by_role("listitem").all()]


def test_highlighting_moves_nothing_and_the_buttons_read_like_the_list(browser, page, demo):
    texts = cue_texts(REST)
    video = open_stretch(page)
    expect(cue_button(page, texts[0])).to_be_visible()
    before = cue_boxes(page)
    for seconds, index in [(1, 0), (5.5, 2), (10.5, 4)]:
        seek(video, seconds)
        expect(cue_button(page, texts[index])).to_have_attribute("aria-current", "step")
        assert cue_boxes(page) == before

    # Without JavaScript the same list, in the same places.
    plain = browser.new_context(
        viewport={"width": 1100, "height": 900}, locale="en-GB", java_script_enabled=False
    )
    try:
        other = plain.new_page()
        other.goto(page.url)
        assert cue_boxes(other) == before
    finally:
        plain.close()


def test_cues_are_announced_only_when_the_visitor_asks(page, demo):
    texts = cue_texts(REST)
    video = open_stretch(page)
    announcer = page.locator("[data-cue-announcer]")
    toggle = page.get_by_role("checkbox", name="Announce cues")
    expect(toggle).not_to_be_checked()
    seek(video, 5.5)
    expect(cue_button(page, texts[2])).to_have_attribute("aria-current", "step")
    expect(announcer).to_have_text("")

    toggle.check()
    seek(video, 8.5)
    expect(announcer).to_have_text(texts[3])
    assert announcer.get_attribute("aria-live") == "polite"

    # A cue the visitor chose is not read out again: its button has just said it.
    cue_button(page, texts[1]).click()
    expect(cue_button(page, texts[1])).to_have_attribute("aria-current", "step")
    expect(announcer).to_have_text(texts[3])

    page.reload()
    expect(page.get_by_role("checkbox", name="Announce cues")).to_be_checked()


def test_the_browser_reads_the_chapters_track(page, demo):
    texts = cue_texts(REST)
    video = open_stretch(page)
    chapters = video.evaluate(
        """v => new Promise((done, fail) => {
            const element = v.querySelector('track[kind="chapters"]');
            const read = () => done([...element.track.cues].map(c => [c.startTime, c.text]));
            element.addEventListener("load", read, {once: true});
            element.addEventListener("error", () => fail("the track did not load"), {once: true});
            element.track.mode = "hidden";
            if (element.readyState === 2) read();
        })"""
    )
    assert chapters == [[0, texts[0]], [3, texts[1]], [5, texts[2]], [8, texts[3]], [10, texts[4]]]


def test_highlighted_and_announcing_states_are_accessible(page, demo, axe):
    texts = cue_texts(REST)
    video = open_stretch(page)
    assert_accessible(axe, page)
    page.get_by_role("checkbox", name="Announce cues").check()
    seek(video, 5.5)
    cue_button(page, texts[2]).focus()
    expect(cue_button(page, texts[2])).to_have_attribute("aria-current", "step")
    assert_accessible(axe, page)


def test_without_javascript_the_cues_are_a_plain_list_without_times(browser, live_server, demo):
    stretch = Stretch.objects.get(slug=REST)
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.url + stretch.get_absolute_url())
        items = cues(page).get_by_role("listitem")
        expect(items).to_have_text(stretch.cue_list)
        expect(cues(page).get_by_role("button")).to_have_count(0)
        expect(page.get_by_role("checkbox", name="Announce cues")).to_have_count(0)
        assert ":0" not in cues(page).inner_text()
    finally:
        context.close()


def live_cue(page, text):
    return page.get_by_role("list", name="Cues").get_by_role("button", name=text, exact=True)


def test_the_session_highlights_the_cue_of_the_hold_its_video_is_at(page, demo):
    rest, lunge = cue_texts(REST), cue_texts(LUNGE)
    open_session(page)
    start(page)
    video = page.get_by_label("Demo video: Constructive rest")
    page.wait_for_function("v => !v.paused && v.readyState >= 2", arg=video.element_handle())
    expect(live_cue(page, rest[0])).to_have_attribute("aria-current", "step")

    video.evaluate("v => { v.currentTime = 8.3; }")  # still playing, as in the session
    expect(live_cue(page, rest[3])).to_have_attribute("aria-current", "step")
    expect(page.get_by_role("list", name="Cues").locator("[aria-current]")).to_have_count(1)

    # The next stretch brings its own cues and video; the highlight follows that video.
    page.get_by_role("button", name="Next").click()
    video = page.get_by_label("Demo video: Half-kneeling hip flexor stretch")
    page.wait_for_function("v => !v.paused && v.readyState >= 2", arg=video.element_handle())
    video.evaluate("v => { v.currentTime = 4.5; }")
    expect(live_cue(page, lunge[2])).to_have_attribute("aria-current", "step")
    # The untimed last cue stays plain words.
    live = page.get_by_role("list", name="Cues")
    expect(live.get_by_role("listitem").last).to_have_text(lunge[-1])
    expect(live.get_by_role("button", name=lunge[-1])).to_have_count(0)
