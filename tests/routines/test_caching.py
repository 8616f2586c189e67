"""The page cache: stored pages for anonymous visitors, replaced whenever content changes."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from routines import caching
from routines.models import BodyArea, Stretch, Video
from routines.tasks import video_enqueue
from tests.factories import make_routine, make_stretch

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def stretch():
    return make_stretch(title="Constructive rest", summary="Knees bent, feet flat, breathe.")


def page(client, url, **headers) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def test_a_second_visit_is_answered_without_a_query(client, stretch, django_assert_num_queries):
    url = reverse("routines:stretch_list")
    first = page(client, url)
    with django_assert_num_queries(0):
        assert page(client, url) == first


@pytest.mark.parametrize(
    "url",
    ["/", "/stretches/", "/stretches/constructive-rest/", "/routines/", "/blog/"],
)
def test_stored_pages_are_the_pages_visitors_would_be_given(client, stretch, url):
    fresh = client.get(url)
    stored = client.get(url)
    assert stored.content == fresh.content
    ignored = {"Date", "Content-Length"}
    assert {k: v for k, v in stored.items() if k not in ignored} == {
        k: v for k, v in fresh.items() if k not in ignored
    }


def test_editing_a_stretch_replaces_the_stored_pages(client, stretch):
    page(client, stretch.get_absolute_url())
    page(client, reverse("routines:stretch_list"))
    stretch.title = "Constructive rest, supported"
    stretch.save()
    assert "Constructive rest, supported" in page(client, stretch.get_absolute_url())
    assert "Constructive rest, supported" in page(client, reverse("routines:stretch_list"))


def test_a_deleted_stretch_leaves_the_stored_list(client, stretch):
    assert "Constructive rest" in page(client, reverse("routines:stretch_list"))
    stretch.delete()
    assert "Constructive rest" not in page(client, reverse("routines:stretch_list"))
    assert client.get(stretch.get_absolute_url()).status_code == 404


def test_a_new_body_area_on_a_stretch_shows_on_its_stored_card(client, stretch):
    page(client, reverse("routines:stretch_list"))
    stretch.body_areas.add(BodyArea.objects.create(name="Pelvis"))
    assert "Pelvis" in page(client, reverse("routines:stretch_list"))


def test_a_step_added_to_a_routine_changes_its_stored_total(client, stretch):
    routine = make_routine({"stretch": stretch, "hold_seconds": 60})
    assert "1 min" in page(client, routine.get_absolute_url())
    routine.steps.create(stretch=make_stretch(title="Low lunge"), order=2, hold_seconds=30)
    html = page(client, routine.get_absolute_url())
    assert "Low lunge" in html
    assert "1 min 45 s" in html  # 60 s, 15 s rest, 30 s


def test_a_video_queued_again_is_shown_as_being_prepared(client, stretch):
    """Queueing writes with a queryset update, which sends no save signal."""
    video = Video.objects.create(title="Demo", original="videos/originals/x.mp4")
    Video.objects.filter(pk=video.pk).update(status=Video.Status.FAILED)
    stretch.video = video
    stretch.save()
    assert "could not be prepared" in page(client, stretch.get_absolute_url())
    video_enqueue(video=video)
    assert "still being prepared" in page(client, stretch.get_absolute_url())


def test_signed_in_staff_are_neither_served_nor_stored(
    client, admin_user, stretch, django_assert_max_num_queries
):
    url = reverse("routines:stretch_list")
    client.force_login(admin_user)
    page(client, url)
    # A session is read on every request; the page itself is rendered again.
    with django_assert_max_num_queries(20) as captured:
        page(client, url)
    assert any("routines_stretch" in query["sql"] for query in captured.captured_queries)


def test_with_the_page_cache_off_every_visit_renders(client, stretch, settings):
    settings.PSOASAPP_PAGE_CACHE_SECONDS = 0
    url = reverse("routines:stretch_list")
    page(client, url)
    Stretch.objects.filter(pk=stretch.pk).update(title="Changed without a signal")
    assert "Changed without a signal" in page(client, url)


def test_a_change_saved_in_another_process_reaches_this_one(stretch, tmp_path):
    """Gunicorn's workers and the task worker each have their own local-memory cache.

    The other process has a database of its own and no timed changes to look up: only the
    version (a file, or Redis on the second pass) is shared, as between real processes.
    """
    before = caching.content_version()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "psoasapp.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'other.sqlite3'}",
        "PSOASAPP_CONTENT_VERSION_FILE": str(settings.PSOASAPP_CONTENT_VERSION_FILE),
    }
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from routines import caching; "
            "caching.timed_changes.clear(); caching.content_changed()",
        ],
        cwd=BASE_DIR,
        env=environment,
        check=True,
        timeout=60,
    )
    assert caching.content_version() != before
