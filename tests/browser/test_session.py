"""The guided session player in Chromium, on the demo routines, with Playwright's fake clock.

The desk-day routine, as seed_demo makes it (times in seconds after the 5 s countdown):
constructive rest 0–120 (calm breath 4-6), rest 120–135, half-kneeling hip flexor stretch left
135–180, switch 180–185, right 185–230, rest 230–245, knee to chest left 245–285, switch
285–290, right 290–330. Total 330 s.
"""

import re

import pytest
from playwright.sync_api import expect

from routines.models import Routine
from routines.plan import routine_plan
from routines.templatetags.routines_tags import duration
from tests.browser.conftest import assert_accessible

DESK = "desk-day-psoas-reset"
SLOW = "slow-psoas-release"
REST = "Constructive rest"
LUNGE = "Half-kneeling hip flexor stretch"
KNEE = "Knee to chest, one leg long"

HIDE = """() => {
    Object.defineProperty(document, "visibilityState", {configurable: true, get: () => "hidden"});
    Object.defineProperty(document, "hidden", {configurable: true, get: () => true});
    document.dispatchEvent(new Event("visibilitychange"));
}"""
SHOW = """() => {
    delete document.visibilityState;
    delete document.hidden;
    document.dispatchEvent(new Event("visibilitychange"));
}"""


def open_session(page, slug=DESK, *, paused_clock=True):
    """The session page under a fake clock; paused, time moves only when a test moves it."""
    page.clock.install()
    page.goto(f"{page.base_url}/routines/{slug}/session/")
    if paused_clock:
        page.clock.pause_at(page.evaluate("Date.now()") + 1000)


# The screen changes on the next animation frame, which the fake clock runs every 16 ms.
FRAME_MS = 17


def advance(page, ms):
    """Move the fake clock on by `ms`, and one frame more so the screen shows that moment."""
    page.clock.run_for(ms + FRAME_MS)


def start(page, *, countdown=True):
    page.get_by_role("button", name="Start").click()
    if countdown:
        advance(page, 5000)


def text(page, words, *, exact=True):
    """Visible text only: the hidden screens (start, done, the step list) say some of it too."""
    return page.get_by_text(words, exact=exact).filter(visible=True)


def timer(page):
    return page.get_by_role("timer")


def heading(page, name):
    return page.get_by_role("heading", name=name, exact=True)


def progress(page) -> int:
    bar = page.get_by_role("progressbar", name="Session progress")
    return int(bar.get_attribute("aria-valuenow"))


def circle_scale(page) -> float | None:
    """The pacer circle's scale as drawn, None when it is not scaled at all."""
    transform = page.locator(".pacer__circle").evaluate("e => getComputedStyle(e).transform")
    if transform == "none":
        return None
    return float(re.match(r"matrix\(([\d.]+)", transform).group(1))


def test_session_runs_from_countdown_through_breaths_and_steps_to_done(page, demo):
    open_session(page)
    expect(page.get_by_role("heading", level=1, name="Desk-day psoas reset")).to_be_visible()
    expect(text(page, "5 min 30 s")).to_be_visible()
    expect(page.get_by_text("Never go into sharp pain", exact=False)).to_be_visible()

    start(page, countdown=False)
    expect(text(page, "Get ready")).to_be_visible()
    expect(heading(page, REST)).to_be_visible()
    expect(timer(page)).to_have_text("0:05")
    assert progress(page) == 0

    advance(page, 5000)
    expect(text(page, "Breathe in")).to_be_visible()
    expect(text(page, "Breathe in for 4", exact=False)).to_have_attribute("aria-live", "polite")
    expect(timer(page)).to_have_text("2:00")
    expect(text(page, "Stretch 1 of 3", exact=False)).to_be_visible()
    expect(text(page, "5:30")).to_be_visible()

    advance(page, 4000)
    expect(text(page, "Breathe out")).to_be_visible()
    advance(page, 6000)
    expect(text(page, "Breathe in")).to_be_visible()
    expect(timer(page)).to_have_text("1:50")
    assert progress(page) == 10

    advance(page, 110_000)
    expect(heading(page, "Rest")).to_be_visible()
    expect(text(page, f"Up next: {LUNGE}")).to_be_visible()
    expect(timer(page)).to_have_text("0:15")

    advance(page, 15_000)
    expect(heading(page, LUNGE)).to_be_visible()
    expect(text(page, "Stretch 2 of 3", exact=False)).to_be_visible()
    assert progress(page) == 135

    page.clock.fast_forward(195_000)
    expect(heading(page, "Well done")).to_be_focused()
    expect(text(page, "5 min 30 s")).to_be_visible()
    expect(text(page, "3 of 3")).to_be_visible()


def test_a_pattern_with_holds_shows_hold_between_breaths(page, demo):
    open_session(page, SLOW)  # crocodile breathing first, in box breath: 4-4-4-4
    start(page)
    expect(heading(page, "Crocodile breathing")).to_be_visible()
    for word in ["Breathe in", "Hold", "Breathe out", "Hold", "Breathe in"]:
        expect(text(page, word)).to_be_visible()
        advance(page, 4000)


def test_breathing_circle_grows_on_the_in_breath_and_shrinks_on_the_out_breath(page, demo):
    open_session(page)
    start(page)
    empty = circle_scale(page)
    advance(page, 2000)
    halfway = circle_scale(page)
    advance(page, 2000)
    full = circle_scale(page)
    advance(page, 3000)
    expect(text(page, "Breathe out")).to_be_visible()
    emptying = circle_scale(page)
    assert empty < halfway < full
    assert emptying < full


def test_reduced_motion_keeps_the_words_and_stops_the_scaling(page, demo):
    page.emulate_media(reduced_motion="reduce")
    open_session(page)
    start(page)
    expect(text(page, "Breathe in")).to_be_visible()
    assert circle_scale(page) is None
    bar = page.locator(".pacer__bar")
    expect(bar).to_be_visible()
    advance(page, 4500)
    expect(text(page, "Breathe out")).to_be_visible()
    assert circle_scale(page) is None


def test_pause_freezes_the_time_left_and_resume_continues_from_it(page, demo):
    open_session(page)
    start(page)
    advance(page, 10_000)
    expect(timer(page)).to_have_text("1:50")

    page.get_by_role("button", name="Pause").click()
    expect(text(page, "Paused")).to_be_visible()
    page.clock.fast_forward(10 * 60_000)
    expect(timer(page)).to_have_text("1:50")
    assert progress(page) == 10
    expect(heading(page, REST)).to_be_visible()

    page.get_by_role("button", name="Resume").click()
    expect(text(page, "Paused")).to_be_hidden()
    advance(page, 3000)
    expect(timer(page)).to_have_text("1:47")


def test_next_previous_and_keys_move_between_steps(page, demo):
    open_session(page)
    start(page)
    page.get_by_role("button", name="Next").click()
    expect(heading(page, LUNGE)).to_be_visible()
    expect(text(page, "Left side")).to_be_visible()
    expect(timer(page)).to_have_text("0:45")

    page.get_by_role("button", name="Previous").click()
    expect(heading(page, REST)).to_be_visible()
    expect(timer(page)).to_have_text("2:00")

    page.keyboard.press("ArrowRight")
    expect(heading(page, LUNGE)).to_be_visible()
    page.keyboard.press("ArrowRight")
    expect(text(page, "Right side")).to_be_visible()
    page.keyboard.press("ArrowLeft")
    expect(text(page, "Left side")).to_be_visible()

    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("Space")
    expect(page.get_by_role("button", name="Resume")).to_be_visible()
    page.keyboard.press("Space")
    expect(page.get_by_role("button", name="Pause")).to_be_visible()


def test_next_on_the_last_step_ends_the_session(page, demo):
    open_session(page)
    start(page)
    for _ in range(4):  # both sides of the lunge, then of the knee to chest
        page.get_by_role("button", name="Next").click()
    expect(heading(page, KNEE)).to_be_visible()
    expect(text(page, "Right side")).to_be_visible()
    page.get_by_role("button", name="Next").click()
    expect(heading(page, "Well done")).to_be_visible()


def test_a_two_sided_stretch_runs_each_side_with_a_switch_between(page, demo):
    open_session(page)
    start(page)
    page.get_by_role("button", name="Next").click()
    expect(heading(page, LUNGE)).to_be_visible()
    expect(text(page, "Left side")).to_be_visible()

    advance(page, 45_000)
    expect(heading(page, "Switch sides")).to_be_visible()
    expect(text(page, "Up next: right side")).to_be_visible()
    expect(timer(page)).to_have_text("0:05")

    advance(page, 5000)
    expect(heading(page, LUNGE)).to_be_visible()
    expect(text(page, "Right side")).to_be_visible()
    expect(timer(page)).to_have_text("0:45")

    advance(page, 45_000)
    expect(heading(page, "Rest")).to_be_visible()
    expect(text(page, f"Up next: {KNEE}")).to_be_visible()


def test_a_long_clock_jump_while_hidden_lands_on_the_right_step_and_second(page, demo):
    open_session(page)
    start(page)
    page.evaluate(HIDE)
    # Hidden tabs get no animation frames and throttled timers; time must come from the clock.
    page.clock.fast_forward(250_000)
    page.evaluate(SHOW)
    expect(heading(page, KNEE)).to_be_visible()
    expect(text(page, "Left side")).to_be_visible()
    expect(timer(page)).to_have_text("0:35")
    assert progress(page) == 250
    expect(text(page, "1:20")).to_be_visible()  # left in all


def test_gentle_mode_shortens_holds_and_lengthens_rests(page, demo):
    plan = routine_plan(Routine.objects.get(slug=DESK))
    open_session(page)
    page.get_by_label("Gentle mode").check()
    expect(
        text(page, f"{duration(plan['gentle_total_seconds'])} in gentle mode", exact=False)
    ).to_be_visible()
    start(page)
    expect(timer(page)).to_have_text("1:20")  # two thirds of 2:00
    advance(page, 80_000)
    expect(heading(page, "Rest")).to_be_visible()
    expect(timer(page)).to_have_text("0:23")  # 15 s, half as long again


def test_check_in_is_kept_and_shown_on_the_routine_page(page, demo):
    routine = Routine.objects.get(slug=DESK)
    open_session(page)
    start(page)
    advance(page, 30_000)
    page.get_by_role("button", name="End").click()

    expect(heading(page, "Well done")).to_be_visible()
    expect(text(page, "30 s")).to_be_visible()
    expect(text(page, "1 of 3")).to_be_visible()
    checkin = page.get_by_role("group", name="How do your hips feel?")
    checkin.get_by_role("button", name="Worse").click()
    expect(checkin.get_by_role("button", name="Worse")).to_have_attribute("aria-pressed", "true")
    expect(text(page, "less, not more", exact=False)).to_be_visible()
    page.get_by_role("button", name="Use gentle mode next time").click()
    expect(page.get_by_role("status")).to_contain_text("Gentle mode will be on next time")

    page.goto(page.base_url + routine.get_absolute_url())
    history = page.get_by_role("region", name="Your last sessions")
    expect(history.get_by_role("listitem")).to_have_count(1)
    expect(history.get_by_role("listitem")).to_contain_text("Hips: Worse")
    expect(history.get_by_role("listitem")).to_contain_text("30 s, 1 of 3 stretches")

    page.goto(page.base_url + routine.get_session_url())
    expect(page.get_by_label("Gentle mode")).to_be_checked()


def test_wake_lock_is_held_while_running_and_taken_again_when_the_page_returns(page, demo):
    page.add_init_script("""
        window.wakeLocks = [];
        Object.defineProperty(navigator, "wakeLock", {value: {request: async () => {
            const lock = new EventTarget();
            lock.released = false;
            lock.release = async () => {
                lock.released = true;
                lock.dispatchEvent(new Event("release"));
            };
            window.wakeLocks.push(lock);
            return lock;
        }}});
    """)
    open_session(page)
    start(page)
    assert page.evaluate("wakeLocks.length") == 1
    # The browser lets go of the lock when the page is hidden...
    page.evaluate(HIDE)
    page.evaluate("wakeLocks[0].release()")
    page.evaluate(SHOW)
    # ...and the player asks again when it is back.
    advance(page, 100)
    assert page.evaluate("wakeLocks.length") == 2
    page.get_by_role("button", name="Pause").click()
    assert page.evaluate("wakeLocks[1].released")


def test_chimes_sound_at_changes_and_the_choices_are_remembered(page, demo):
    page.add_init_script("""
        window.tones = 0;
        window.spoken = [];
        const Oscillator = window.OscillatorNode;
        window.OscillatorNode = class extends Oscillator {
            constructor(...args) { super(...args); window.tones += 1; }
        };
        speechSynthesis.speak = (utterance) => window.spoken.push(utterance.text);
    """)
    open_session(page)
    expect(page.get_by_label("Chimes")).to_be_checked()
    expect(page.get_by_label("Spoken cues")).not_to_be_checked()
    page.get_by_label("Spoken cues").check()
    start(page)
    assert page.evaluate("tones") > 0
    assert f"{REST}. 2 minutes." in page.evaluate("spoken")

    page.get_by_role("button", name="Chimes").click()
    expect(page.get_by_role("button", name="Chimes")).to_have_attribute("aria-pressed", "false")
    before = page.evaluate("tones")
    advance(page, 20_000)
    assert page.evaluate("tones") == before

    page.reload()
    expect(page.get_by_label("Chimes")).not_to_be_checked()
    expect(page.get_by_label("Spoken cues")).to_be_checked()


def test_session_has_no_accessibility_violations_in_any_state(page, demo, axe):
    # axe waits on timers of its own, so this clock keeps running.
    open_session(page, paused_clock=False)
    assert_accessible(axe, page)
    start(page)
    advance(page, 1000)
    expect(text(page, "Breathe in")).to_be_visible()
    assert_accessible(axe, page)
    page.get_by_role("button", name="Pause").click()
    assert_accessible(axe, page)
    page.get_by_role("button", name="End").click()
    expect(heading(page, "Well done")).to_be_visible()
    assert_accessible(axe, page)


def test_controls_are_large_enough_to_touch(page, demo):
    page.set_viewport_size({"width": 390, "height": 844})
    open_session(page)
    start(page)
    for name in ["Previous", "Pause", "Next", "End", "Chimes"]:
        box = page.get_by_role("button", name=name).bounding_box()
        assert box["height"] >= 48 and box["width"] >= 48, name


def test_saved_session_runs_offline_and_plays_its_first_video(page, context, demo):
    routine = Routine.objects.get(slug=DESK)
    page.goto(page.base_url + routine.get_absolute_url())
    offline = page.get_by_role("region", name="Use it without a connection")
    expect(offline).to_contain_text("KB")  # the size, before anything is downloaded
    offline.get_by_role("button", name="Save for offline").click()
    expect(offline.get_by_role("status")).to_contain_text("Saved for offline", timeout=20_000)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")

    # Served from the saved copy, the page still shows the old title.
    Routine.objects.filter(pk=routine.pk).update(title="Renamed on the server")
    context.set_offline(True)
    page.clock.install()
    response = page.goto(page.base_url + routine.get_session_url())
    assert response.from_service_worker
    expect(page.get_by_role("heading", level=1, name="Desk-day psoas reset")).to_be_visible()

    start(page)
    video = page.get_by_label(f"Demo video: {REST}")
    expect(video).to_be_visible()
    page.wait_for_function(
        "v => !v.paused && v.readyState >= 3 && v.currentTime > 0.2",
        arg=video.element_handle(),
        polling=100,
        timeout=10_000,
    )
    # Seeking asks for a byte range, which the worker cuts from the saved file.
    landed = video.evaluate(
        """v => new Promise(done => {
            v.addEventListener("seeked", () => done([v.currentTime, v.duration]), {once: true});
            v.currentTime = v.duration - 1;
        })"""
    )
    assert landed[0] == pytest.approx(landed[1] - 1, abs=0.5)


def test_without_javascript_the_steps_are_listed(browser, live_server, demo):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/routines/{DESK}/session/")
        expect(page.get_by_role("heading", name="Follow these steps")).to_be_visible()
        for title in [REST, LUNGE, KNEE]:
            expect(page.get_by_role("heading", level=3, name=title)).to_be_visible()
        expect(text(page, "2 min")).to_be_visible()
        expect(text(page, "45 s each side", exact=False)).to_be_visible()
        expect(text(page, "Let your knees lean in towards each other", exact=False)).to_be_visible()
        expect(page.get_by_role("button", name="Start")).to_have_count(0)
    finally:
        context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_session_fits_the_screen_without_sideways_scrolling(page, demo, width):
    page.set_viewport_size({"width": width, "height": 844})
    open_session(page)
    start(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_ending_before_the_first_stretch_keeps_nothing(page, demo):
    open_session(page)
    start(page, countdown=False)
    page.get_by_role("button", name="End").click()
    expect(heading(page, "Session ended")).to_be_focused()
    expect(page.get_by_role("group", name="How do your hips feel?")).to_be_hidden()
    assert page.evaluate("localStorage.getItem('psoasapp:sessions')") is None
