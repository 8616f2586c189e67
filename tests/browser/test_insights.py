"""Practice insights end to end in Chromium: rate tightness before and after a session, share
it anonymously, and see it on the teacher's insights page. Without JavaScript none of it."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from routines.models import Routine, SharedSession
from tests.browser.conftest import assert_accessible
from tests.browser.test_session import DESK, LUNGE, advance, heading, open_session, start

PASSWORD = "a calm long password"
SHARE = "Share this anonymously with the teacher"
BEFORE = "How tight are your hips?"
AFTER = "How tight are they now?"


def rate(page, group, value):
    page.get_by_role("group", name=group, exact=True).get_by_role(
        "radio", name=str(value), exact=True
    ).check()


def tightness_result(page):
    return page.locator("[data-tightness-change]")


def test_a_session_rated_and_shared_shows_on_the_insights_page(page, context, demo, axe):
    routine = Routine.objects.get(slug=DESK)
    get_user_model().objects.create_superuser("teacher", "t@example.org", PASSWORD)

    open_session(page)
    rate(page, BEFORE, 7)
    start(page)
    page.clock.fast_forward(331_000)  # the whole routine
    expect(heading(page, "Well done")).to_be_focused()
    expect(page.get_by_role("button", name=SHARE)).to_be_visible()
    expect(tightness_result(page)).to_have_text("Tightness 7 before")

    rate(page, AFTER, 3)
    expect(tightness_result(page)).to_have_text(re.compile(r"Tightness 7\s*→\s*to 3 \(4 looser\)"))
    page.get_by_role("group", name="How do your hips feel?").get_by_role(
        "button", name="Better"
    ).click()
    assert not SharedSession.objects.exists(), "nothing is sent without the visitor's say"
    page.get_by_role("button", name=SHARE).click()
    expect(page.get_by_text("Shared, thank you", exact=False)).to_be_visible()
    expect(page.get_by_role("button", name=SHARE)).to_be_hidden()

    row = SharedSession.objects.get()
    assert (row.routine, row.is_completed, row.ended_at_step, row.is_gentle) == (
        routine,
        True,
        None,
        False,
    )
    assert (row.tightness_before, row.tightness_after, row.feeling) == (7, 3, "better")

    page.goto(page.base_url + routine.get_absolute_url())
    history = page.get_by_role("region", name="Your last sessions")
    expect(history.get_by_role("listitem")).to_contain_text("4 looser")
    expect(history.get_by_role("listitem")).to_contain_text("Hips: Better")

    page.clock.resume()  # the fake clock is the context's; axe on the admin page needs time
    admin = context.new_page()
    admin.goto(f"{page.base_url}/admin/login/?next=/admin/")
    admin.get_by_label("Username").fill("teacher")
    admin.get_by_label("Password").fill(PASSWORD)
    admin.get_by_role("button", name="Log in").click()
    admin.get_by_role("link", name="Practice insights").click()
    expect(admin.get_by_role("heading", level=1, name="Practice insights")).to_be_visible()
    desk = admin.get_by_role("region", name=routine.title)
    expect(desk).to_contain_text("Sessions shared")
    expect(desk.locator("dd").first).to_have_text("1")
    expect(desk).to_contain_text("100%")
    expect(desk).to_contain_text("−4")
    chart = desk.get_by_role("img", name=re.compile("Weekly sessions and median change"))
    expect(chart).to_be_visible()
    desk.get_by_text("The weeks as a table").click()
    expect(desk.get_by_role("table")).to_contain_text("−4")
    assert_accessible(axe, admin)


def test_a_session_ended_early_is_shared_with_its_stretch_and_skipped_rating(page, demo):
    open_session(page)
    start(page)  # no rating before: Start skips it
    advance(page, 140_000)
    expect(heading(page, LUNGE)).to_be_visible()
    page.get_by_role("button", name="End").click()
    expect(heading(page, "Well done")).to_be_visible()
    expect(tightness_result(page)).to_be_hidden()
    rate(page, AFTER, 2)
    expect(tightness_result(page)).to_have_text("Tightness 2 after")
    page.get_by_role("button", name=SHARE).click()
    expect(page.get_by_text("Shared, thank you", exact=False)).to_be_visible()
    row = SharedSession.objects.get()
    assert (row.is_completed, row.ended_at_step) == (False, 2)
    assert (row.tightness_before, row.tightness_after, row.feeling) == (None, 2, "")


def test_a_refused_share_says_why_and_can_be_sent_again(context, live_server, demo, settings):
    """Chromium logs the 429 itself, so this page only fails on errors of the page's own."""
    settings.PSOASAPP_INSIGHTS_SHARES_PER_HOUR = 0
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base_url = live_server.url
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    open_session(page)
    start(page)
    advance(page, 30_000)
    page.get_by_role("button", name="End").click()
    page.get_by_role("button", name=SHARE).click()
    expect(page.get_by_text("many sessions in the last hour", exact=False)).to_be_visible()
    expect(page.get_by_role("button", name=SHARE)).to_be_visible()
    assert not SharedSession.objects.exists()
    assert not errors


def test_ending_before_the_first_stretch_offers_no_rating_or_sharing(page, demo):
    open_session(page)
    start(page, countdown=False)
    page.get_by_role("button", name="End").click()
    expect(heading(page, "Session ended")).to_be_visible()
    expect(page.get_by_role("group", name=AFTER)).to_be_hidden()
    expect(page.get_by_role("button", name=SHARE)).to_be_hidden()


def test_start_again_begins_with_no_rating(page, demo):
    open_session(page)
    rate(page, BEFORE, 5)
    start(page)
    page.get_by_role("button", name="End").click()
    page.get_by_role("button", name="Start again").click()
    radios = page.get_by_role("group", name=BEFORE, exact=True).get_by_role("radio")
    for index in range(11):
        expect(radios.nth(index)).not_to_be_checked()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_ratings_fit_the_screen_without_sideways_scrolling(page, demo, width):
    page.set_viewport_size({"width": width, "height": 844})
    open_session(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    start(page)
    page.get_by_role("button", name="End").click()
    expect(page.get_by_role("group", name=AFTER)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_new_states_have_no_accessibility_violations(page, demo, axe):
    open_session(page, paused_clock=False)
    rate(page, BEFORE, 6)
    assert_accessible(axe, page)
    start(page)
    advance(page, 30_000)
    page.get_by_role("button", name="End").click()
    rate(page, AFTER, 4)
    expect(tightness_result(page)).to_contain_text("2 looser")
    assert_accessible(axe, page)
    page.get_by_role("button", name=SHARE).click()
    expect(page.get_by_text("Shared, thank you", exact=False)).to_be_visible()
    assert_accessible(axe, page)


def test_without_javascript_no_rating_or_sharing_is_offered(browser, live_server, demo):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/routines/{DESK}/session/")
        expect(page.get_by_role("heading", name="Follow these steps")).to_be_visible()
        expect(page.get_by_role("radio")).to_have_count(0)
        expect(page.get_by_role("button", name=SHARE)).to_have_count(0)
        expect(page.get_by_text(BEFORE)).to_be_hidden()
    finally:
        context.close()
