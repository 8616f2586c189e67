import pytest
from playwright.sync_api import expect

from routines.models import Stretch
from tests.browser.conftest import assert_accessible, assert_plays_and_seeks, wait_for_metadata


def demo_two_sided_stretch() -> Stretch:
    return Stretch.objects.published().filter(sides=Stretch.Sides.LEFT_RIGHT).first()


def test_stretch_video_plays_and_seeks_near_the_end(page, demo):
    stretch = demo_two_sided_stretch()
    page.goto(page.base_url + stretch.get_absolute_url())
    video = page.get_by_label(f"Demo video: {stretch.title}")
    expect(video).to_be_visible()
    duration = wait_for_metadata(video)
    assert duration > 5
    assert_plays_and_seeks(page, video, duration)


def test_stretch_filter_form_narrows_the_list(page, demo):
    page.goto(page.base_url + "/stretches/")
    everything = page.get_by_role("heading", level=3).count()
    assert everything >= 5

    page.get_by_label("Sides").select_option(label="Left, then right")
    page.get_by_role("button", name="Show stretches").click()

    two_sided = Stretch.objects.published().filter(sides=Stretch.Sides.LEFT_RIGHT)
    expect(page.get_by_role("heading", level=3)).to_have_count(two_sided.count())
    for stretch in two_sided:
        expect(page.get_by_role("link", name=stretch.title, exact=True)).to_be_visible()
    expect(page.get_by_label("Sides")).to_have_value("left_right")


def test_stretch_search_by_words(page, demo):
    page.goto(page.base_url + "/stretches/")
    page.get_by_role("searchbox", name="Search").fill("lunge")
    page.get_by_role("button", name="Show stretches").click()
    expect(page.get_by_role("status")).to_contain_text("match")
    expected = sorted(s.title for s in Stretch.objects.published().search("lunge"))
    assert expected, "the demo content has a lunge"
    expect(page.get_by_role("heading", level=3)).to_have_count(len(expected))
    assert sorted(page.get_by_role("heading", level=3).all_inner_texts()) == expected


@pytest.mark.parametrize("path", ["/", "/stretches/", "stretch", "/routines/", "routine"])
def test_pages_have_no_accessibility_violations(page, demo, axe, path):
    from routines.models import Routine

    if path == "stretch":
        path = demo_two_sided_stretch().get_absolute_url()
    elif path == "routine":
        path = Routine.objects.published().first().get_absolute_url()
    page.goto(page.base_url + path)
    assert_accessible(axe, page)
