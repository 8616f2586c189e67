"""How pages offer a video's two renditions: <source>s chosen by media query, and the choice
of size when saving a session for offline use. Browsers' side of it: tests/browser/."""

import pytest
from django.template.defaultfilters import filesizeformat
from django.urls import reverse

from routines.models import SMALL_VIDEO_MEDIA, Video
from tests.factories import make_routine, make_stretch
from tests.routines.test_plan import ready_video
from tests.routines.test_session_views import Tags

pytestmark = pytest.mark.django_db


def sources(page: str) -> list[dict]:
    """The video <source>s (not a <picture>'s image sources)."""
    return Tags(page).of("source", type="video/mp4")


def test_the_stretch_page_lists_the_small_file_for_narrow_screens_then_the_default(client):
    video = ready_video()
    stretch = make_stretch(video=video)
    page = client.get(stretch.get_absolute_url()).content.decode()
    assert sources(page) == [
        {"src": video.playable_small.url, "type": "video/mp4", "media": SMALL_VIDEO_MEDIA},
        # No media query: every other screen, and any browser ignoring media, plays 720p.
        {"src": video.playable.url, "type": "video/mp4"},
    ]
    assert f'<a href="{video.playable.url}">Download it</a>' in page
    assert "{#" not in page and "media matches" not in page, "the template's comments stay out"


def test_a_video_without_a_small_rendition_offers_its_one_file(client):
    video = ready_video(small=False)
    page = client.get(make_stretch(video=video).get_absolute_url()).content.decode()
    assert sources(page) == [{"src": video.playable.url, "type": "video/mp4"}]


def test_the_routine_page_asks_which_size_to_save_with_both_totals(client):
    routine = make_routine(
        {"stretch": make_stretch(video=ready_video())},
        {"stretch": make_stretch(video=ready_video())},
    )
    response = client.get(routine.get_absolute_url())
    page = response.content.decode()
    [offline] = Tags(page).of("section", "data-offline")
    # Two 1000-byte and two 300-byte renditions, two 200-byte posters.
    assert (offline["data-media-bytes"], offline["data-small-media-bytes"]) == ("2400", "1000")
    assert offline["data-small-media"] == SMALL_VIDEO_MEDIA
    radios = [r for r in Tags(page).of("input", type="radio") if r["name"] == "offline-size"]
    assert [(r["value"], "checked" in r) for r in radios] == [("small", False), ("large", True)]
    assert "<legend>Which videos to save</legend>" in page
    assert f"Smaller, for phones (up to 360p): {filesizeformat(1000)}" in page
    assert f"Sharper (up to 720p): {filesizeformat(2400)}" in page


def test_the_routine_page_does_not_ask_when_both_sizes_come_to_the_same(client):
    """Videos processed before there were two sizes: one total, no choice to make."""
    routine = make_routine({"stretch": make_stretch(video=ready_video(small=False))})
    page = client.get(routine.get_absolute_url()).content.decode()
    assert not Tags(page).of("input", type="radio")
    assert f"with its videos and pictures ({filesizeformat(1200)})" in page


def test_the_admin_change_page_plays_both_renditions(admin_client):
    video = ready_video(playable_width=1280, playable_height=720, playable_size_bytes=1000)
    Video.objects.filter(pk=video.pk).update(
        playable_small_width=640, playable_small_height=360, playable_small_size_bytes=300
    )
    page = admin_client.get(reverse("admin:routines_video_change", args=[video.pk])).content
    page = page.decode()
    assert [s["src"] for s in sources(page)] == [video.playable_small.url, video.playable.url]
    assert "Default (up to 720p): H.264/AAC MP4, 1280×720, 1000" in page
    assert "Small (up to 360p: phones, saved for offline): H.264/AAC MP4, 640×360, 300" in page
