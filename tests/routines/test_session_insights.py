"""The session page's tightness ratings and offer to share: there for the player, hidden
without JavaScript, and a CSRF token each visitor gets their own of from the page cache."""

import re

import pytest
from django.test import Client

from tests.factories import make_routine
from tests.routines.test_session_views import Tags

pytestmark = pytest.mark.django_db


@pytest.fixture
def routine():
    return make_routine({}, {}, title="Evening unwind")


def test_tightness_is_rated_on_a_scale_of_0_to_10_before_and_after(client, routine):
    tags = Tags(client.get(routine.get_session_url()).content.decode())
    for moment in ("before", "after"):
        named = f"tightness-{moment}"
        radios = [a for a in tags.of("input", type="radio") if a.get("name") == named]
        assert [attrs["value"] for attrs in radios] == [str(n) for n in range(11)]


def test_without_javascript_no_rating_or_sharing_is_offered(client, routine):
    """The first rating sits in the setup the player reveals; the rest on its done screen."""
    html = client.get(routine.get_session_url()).content.decode()
    setup = html[html.index("data-setup") : html.index('data-screen="live"')]
    assert 'data-tightness="before"' in setup
    tags = Tags(html)
    [after] = tags.of("fieldset", **{"data-tightness": "after"})
    [share] = tags.of("form", "data-share")
    assert "hidden" in after and "hidden" in share
    [done] = tags.of("section", **{"data-screen": "done"})
    assert "hidden" in done
    assert share["action"] == "/sessions/shared/" and share["method"] == "post"


def test_each_visitor_of_the_stored_session_page_gets_a_csrf_token_of_their_own(routine):
    tokens = set()
    for _ in range(3):
        response = Client().get(routine.get_session_url())
        html = response.content.decode()
        tokens.add(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1])
        assert "csrftoken" in response.cookies
    assert len(tokens) == 3
