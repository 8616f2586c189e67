"""Sharing a session with the teacher: strict checks, a limit per address, nothing personal."""

import json
import re

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.test import Client
from django.urls import reverse

from routines.models import SharedSession, Stretch
from tests.factories import make_routine, make_stretch

pytestmark = pytest.mark.django_db

URL = "/sessions/shared/"


@pytest.fixture
def routine():
    return make_routine(
        {"stretch": make_stretch(title="Constructive rest")},
        {"stretch": make_stretch(title="Low lunge", sides=Stretch.Sides.LEFT_RIGHT)},
        {"stretch": make_stretch(title="Knee to chest")},
        title="Evening unwind",
    )


def record(of, **changes) -> dict:
    """What the player sends about a session of the routine `of`, with `changes`."""
    return {
        "routine": of.slug,
        "gentle": False,
        "completed": False,
        "ended_at_step": 2,
        "before": 7,
        "after": 4,
        "feeling": "better",
        **changes,
    }


def share(client, data, *, address="203.0.113.7", **extra):
    body = data if isinstance(data, (str, bytes)) else json.dumps(data)
    extra.setdefault("content_type", "application/json")
    return client.post(URL, body, REMOTE_ADDR=address, **extra)


def test_the_endpoint_is_where_the_player_sends_sessions():
    assert reverse("routines:session_share") == URL


def test_a_shared_session_is_kept_with_exactly_what_was_sent(client, routine):
    response = share(client, record(routine))
    assert response.status_code == 201
    assert response.json() == {"shared": True}
    row = SharedSession.objects.get()
    assert (row.routine, row.is_gentle, row.is_completed, row.ended_at_step) == (
        routine,
        False,
        False,
        2,
    )
    assert (row.tightness_before, row.tightness_after, row.feeling) == (7, 4, "better")
    assert row.tightness_change == -3


def test_a_completed_session_and_skipped_ratings_are_kept(client, routine):
    data = record(routine, completed=True, ended_at_step=None, before=None, feeling=None)
    assert share(client, {**data, "gentle": True}).status_code == 201
    row = SharedSession.objects.get()
    assert (row.is_completed, row.ended_at_step, row.is_gentle) == (True, None, True)
    assert (row.tightness_before, row.tightness_after, row.feeling) == (None, 4, "")
    assert row.tightness_change is None


def test_nothing_personal_is_stored(client, routine):
    """The row's fields are only the session's; no address, agent, cookie or moment is kept."""
    share(
        client,
        record(routine),
        HTTP_USER_AGENT="Firefox/140",
        HTTP_COOKIE="sessionid=abc; csrftoken=xyz",
    )
    fields = {field.name for field in SharedSession._meta.get_fields()}
    assert fields == {
        "id",
        "routine",
        "shared_on",
        "is_gentle",
        "is_completed",
        "ended_at_step",
        "tightness_before",
        "tightness_after",
        "feeling",
    }
    assert SharedSession._meta.get_field("shared_on").get_internal_type() == "DateField"
    stored = " ".join(str(value) for value in SharedSession.objects.values().get().values())
    for personal in ("203.0.113.7", "Firefox", "abc", "xyz"):
        assert personal not in stored


def cache_keys() -> list[str]:
    backend = caches["default"]
    if isinstance(backend, LocMemCache):
        return list(backend._cache)
    return [key.decode() for key in backend._cache.get_client().keys("*")]  # Redis


def test_the_address_is_not_kept_in_the_cache_either(client, routine):
    share(client, record(routine), address="203.0.113.7")
    keys = cache_keys()
    assert any("share-limit" in key for key in keys)
    assert not any("203.0.113.7" in key for key in keys)


def test_the_answer_sets_no_cookie_and_starts_no_session(routine):
    visitor = Client()
    for data in (record(routine), record(routine, before=11)):
        response = share(visitor, data)
        assert response.cookies == {}, response.cookies
        assert "Set-Cookie" not in str(response.serialize_headers())
    assert not Session.objects.exists()


def test_the_page_cookies_are_not_sent_back(routine):
    """A visitor with a CSRF cookie and a session gets neither renewed by sharing."""
    visitor = Client()
    visitor.get(routine.get_session_url())
    assert "csrftoken" in visitor.cookies
    response = share(visitor, record(routine))
    assert response.status_code == 201
    assert response.cookies == {}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"before": 11}, "before must be a whole number from 0 to 10"),
        ({"after": -1}, "after must be a whole number from 0 to 10"),
        ({"before": 4.5}, "before must be a whole number"),
        ({"before": "4"}, "before must be a whole number"),
        ({"after": True}, "after must be a whole number"),
        ({"gentle": "yes"}, "gentle must be true or false"),
        ({"completed": 1}, "completed must be true or false"),
        ({"feeling": "ecstatic"}, 'feeling must be "better", "same", "worse" or null'),
        ({"routine": "no-such-routine"}, "no published routine"),
        ({"routine": 3}, "no published routine"),
        ({"ended_at_step": 0}, "ended_at_step must be the stretch the session ended at, 1 to 3"),
        ({"ended_at_step": 4}, "1 to 3"),
        ({"ended_at_step": None}, "1 to 3"),
        ({"completed": True}, "A completed session has no ended_at_step"),
        ({"name": "Ada"}, "Not something we take: name"),
        ({"ip": "1.2.3.4", "email": "a@b.c"}, "Not something we take: email, ip"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_kept(client, routine, change, message):
    response = share(client, record(routine, **change))
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not SharedSession.objects.exists()


def test_a_missing_field_is_named(client, routine):
    data = record(routine)
    del data["feeling"], data["after"]
    response = share(client, data)
    assert response.status_code == 400
    assert response.json()["error"] == "Missing: after, feeling."


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        ("{not json", "application/json", "not valid JSON"),
        ("[1, 2]", "application/json", "must be a JSON object"),
        ("before=3", "application/x-www-form-urlencoded", "Send the session as JSON"),
        (b"\xff\xfe", "application/json", "not valid JSON"),
        ('{"a": "' + "x" * 2000 + '"}', "application/json", "far more than one session"),
    ],
)
def test_a_body_that_is_not_one_session_is_refused(client, routine, body, content_type, message):
    response = share(client, body, content_type=content_type)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not SharedSession.objects.exists()


def test_an_unpublished_routine_takes_no_shares(client, routine):
    routine.is_published = False
    routine.save()
    assert share(client, record(routine)).status_code == 400
    assert not SharedSession.objects.exists()


def test_only_post_is_answered(client):
    assert client.get(URL).status_code == 405


def test_sharing_needs_the_csrf_token_the_session_page_carries(routine):
    visitor = Client(enforce_csrf_checks=True)
    assert share(visitor, record(routine)).status_code == 403
    page = visitor.get(routine.get_session_url()).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    assert share(visitor, record(routine), HTTP_X_CSRFTOKEN=token).status_code == 201
    assert SharedSession.objects.count() == 1


def test_an_address_is_limited_per_hour_and_others_are_not(client, routine, settings):
    settings.PSOASAPP_INSIGHTS_SHARES_PER_HOUR = 3
    for _ in range(3):
        assert share(client, record(routine)).status_code == 201
    refused = share(client, record(routine))
    assert refused.status_code == 429
    assert "many sessions in the last hour" in refused.json()["error"]
    assert SharedSession.objects.count() == 3
    assert share(client, record(routine), address="198.51.100.9").status_code == 201


def test_malformed_shares_do_not_use_up_the_limit(client, routine, settings):
    settings.PSOASAPP_INSIGHTS_SHARES_PER_HOUR = 1
    for _ in range(5):
        assert share(client, record(routine, before=99)).status_code == 400
    assert share(client, record(routine)).status_code == 201


def test_behind_a_proxy_the_limit_counts_the_address_it_adds(client, routine, settings):
    settings.PSOASAPP_INSIGHTS_SHARES_PER_HOUR = 1
    settings.PSOASAPP_TRUST_X_FORWARDED_FOR = True

    def via_proxy(client_address):
        return share(
            client, record(routine), address="10.0.0.1", HTTP_X_FORWARDED_FOR=client_address
        )

    assert via_proxy("203.0.113.7").status_code == 201
    assert via_proxy("forged, 203.0.113.7").status_code == 429
    assert via_proxy("198.51.100.9").status_code == 201
