import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from routines.models import Stretch
from routines.plan import routine_plan
from tests.factories import make_routine, make_stretch

pytestmark = pytest.mark.django_db

JS = Path(settings.BASE_DIR) / "static" / "js"


class Tags(HTMLParser):
    """Every start tag of a page, with its attributes."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def of(self, name: str, *having: str, **wanted: str) -> list[dict]:
        """The `name` tags that have the attributes `having`, with the values `wanted`."""
        return [
            attrs
            for tag, attrs in self.tags
            if tag == name
            and all(attribute in attrs for attribute in having)
            and all(attrs.get(k) == v for k, v in wanted.items())
        ]


@pytest.fixture
def routine():
    return make_routine(
        {"stretch": make_stretch(title="Constructive rest"), "rest_after_seconds": 10},
        {"stretch": make_stretch(title="Low lunge", sides=Stretch.Sides.LEFT_RIGHT)},
        title="Evening unwind",
    )


def embedded_plan(html: str) -> dict:
    match = re.search(r'<script id="session-plan" type="application/json">(.*?)</script>', html)
    return json.loads(match.group(1))


def test_session_page_embeds_the_plan(client, routine):
    html = client.get(routine.get_session_url()).content.decode()
    assert embedded_plan(html) == routine_plan(routine)


def test_session_page_lists_every_step_with_times_and_cues_for_readers_without_javascript(
    client, routine
):
    html = client.get(routine.get_session_url()).content.decode()
    assert html.index("Constructive rest") < html.index("Low lunge")
    assert "1 min each side" in html
    assert "<li>Lie down.</li>" in html
    assert "Never go into sharp pain" in html


def test_session_controls_wait_for_javascript(client, routine):
    tags = Tags(client.get(routine.get_session_url()).content.decode())
    [setup] = tags.of("div", "data-setup")
    assert "hidden" in setup
    [live] = tags.of("section", **{"data-screen": "live"})
    assert "hidden" in live


def test_session_and_routine_pages_have_no_inline_script_or_style(client, routine):
    for url in [routine.get_session_url(), routine.get_absolute_url()]:
        tags = Tags(client.get(url).content.decode())
        assert not any("style" in attrs for _, attrs in tags.tags), url
        assert not tags.of("style"), url
        for script in tags.of("script"):
            assert script.get("src") or script.get("type") == "application/json", url


def imported_modules(name: str, seen: set[str] | None = None) -> set[str]:
    """`name` and every module it imports, following relative imports."""
    seen = set() if seen is None else seen
    seen.add(name)
    source = (JS / name).read_text()
    for imported in re.findall(r'^\s*(?:import|export)\b[^;]*?from\s+"\./([\w.-]+)"', source, re.M):
        if imported not in seen:
            imported_modules(imported, seen)
    return seen


@pytest.mark.parametrize(
    ("url_name", "entry"),
    [
        ("routines:routine_session", "session-player.js"),
        ("routines:routine_detail", "routine-page.js"),
    ],
)
def test_pages_preload_every_module_their_entry_imports(client, routine, url_name, entry):
    """Save for offline caches what the session page lists; a module left out would not load."""
    tags = Tags(client.get(reverse(url_name, kwargs={"slug": routine.slug})).content.decode())
    preloaded = {Path(link["href"]).name for link in tags.of("link", rel="modulepreload")}
    assert preloaded == imported_modules(entry)
    [script] = tags.of("script", type="module")
    assert script["src"].endswith(entry)


def test_routine_page_offers_saving_for_offline_with_the_size(client, routine):
    response = client.get(routine.get_absolute_url())
    tags = Tags(response.content.decode())
    [offline] = tags.of("section", "data-offline")
    assert offline["data-session-url"] == routine.get_session_url()
    assert offline["data-worker-url"] == "/sw.js"
    assert offline["data-media-bytes"] == "0"
    assert response.context["offline_size_bytes"] == 0
    assert "Save for offline" in response.content.decode()


def test_routine_page_has_a_place_for_the_last_sessions(client, routine):
    tags = Tags(client.get(routine.get_absolute_url()).content.decode())
    [history] = tags.of("section", "data-session-history")
    assert history["data-routine"] == routine.slug
    assert "hidden" in history, "empty until the browser fills it from its own storage"


def test_service_worker_is_served_from_the_root_with_a_scope_for_every_page(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    assert b'addEventListener("fetch"' in response.content
    assert reverse("routines:service_worker") == "/sw.js"


def test_service_worker_answers_only_get_and_head(client):
    assert client.post("/sw.js").status_code == 405
    assert client.head("/sw.js").status_code == 200


def test_session_page_queries_do_not_grow_with_steps(client, django_assert_max_num_queries):
    routine = make_routine(*({"stretch": make_stretch()} for _ in range(3)))
    with django_assert_max_num_queries(8) as few:
        client.get(routine.get_session_url())
    for order in range(10, 30):
        routine.steps.create(stretch=make_stretch(sides=Stretch.Sides.LEFT_RIGHT), order=order)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(routine.get_session_url())


def test_collected_modules_import_each_other_by_their_hashed_names(settings, tmp_path):
    """With DEBUG off, pages preload hashed module URLs; imports must load the very same files."""
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "psoasapp.storage.StaticFilesStorage"},
    }
    # Django admin's hundred files would only slow this down.
    call_command("collectstatic", interactive=False, verbosity=0, ignore_patterns=["admin"])

    player = Path(staticfiles_storage.path(staticfiles_storage.stored_name("js/session-player.js")))
    imports = set(re.findall(r'from "\./([\w.-]+)"', player.read_text()))
    expected = {
        Path(staticfiles_storage.stored_name(f"js/{name}")).name
        for name in imported_modules("session-player.js") - {"session-player.js"}
    }
    assert imports == expected
    assert all(re.fullmatch(r"[\w-]+\.[0-9a-f]{12}\.js", name) for name in imports)
