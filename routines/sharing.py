"""Taking a session a visitor shares with the teacher: strict checks, a limit per address,
then one anonymous row. The address only counts towards the limit; it is never stored."""

import json

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac

from .models import TIGHTNESS_MAX, Routine, SharedSession

FIELDS = {"routine", "gentle", "completed", "ended_at_step", "before", "after", "feeling"}
MAX_BODY_BYTES = 1024  # a record is about 120 bytes
LIMIT_SECONDS = 60 * 60

TOO_MANY = (
    "Thank you, but this address has shared many sessions in the last hour. Please try again later."
)


class ShareRefused(Exception):
    """The reason, in words for the visitor, that a shared session was not kept."""

    status = 400


class TooManyShares(ShareRefused):
    status = 429


def share_parse(body: bytes, content_type: str) -> dict:
    """The SharedSession fields in `body` (JSON), or ShareRefused saying what is wrong.

    Strict on purpose: exactly the expected fields, of exactly the expected types, so a
    mistake in the player shows up at once instead of as odd figures later.
    """
    if content_type != "application/json":
        raise ShareRefused("Send the session as JSON (Content-Type: application/json).")
    if len(body) > MAX_BODY_BYTES:
        raise ShareRefused("That is far more than one session.")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ShareRefused("The session could not be read: it is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ShareRefused("The session must be a JSON object.")
    if missing := sorted(FIELDS - data.keys()):
        raise ShareRefused(f"Missing: {', '.join(missing)}.")
    if unknown := sorted(data.keys() - FIELDS):
        raise ShareRefused(f"Not something we take: {', '.join(unknown)}.")

    slug = data["routine"]
    routine = (
        Routine.objects.published().filter(slug=slug).first() if isinstance(slug, str) else None
    )
    if routine is None:
        raise ShareRefused("There is no published routine by that name.")
    for name in ("gentle", "completed"):
        if not isinstance(data[name], bool):
            raise ShareRefused(f"{name} must be true or false.")
    before = rating(data, "before")
    after = rating(data, "after")

    step = data["ended_at_step"]
    if data["completed"]:
        if step is not None:
            raise ShareRefused("A completed session has no ended_at_step; send null.")
    else:
        stretch_count = routine.steps.count()
        if not is_whole_number(step) or not 1 <= step <= stretch_count:
            raise ShareRefused(
                f"ended_at_step must be the stretch the session ended at, 1 to {stretch_count}."
            )

    feeling = data["feeling"]
    if feeling is not None and feeling not in SharedSession.Feeling.values:
        choices = ", ".join(f'"{value}"' for value in SharedSession.Feeling.values)
        raise ShareRefused(f"feeling must be {choices} or null.")
    return {
        "routine": routine,
        "is_gentle": data["gentle"],
        "is_completed": data["completed"],
        "ended_at_step": step,
        "tightness_before": before,
        "tightness_after": after,
        "feeling": feeling or "",
    }


def is_whole_number(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def rating(data: dict, name: str) -> int | None:
    value = data[name]
    if value is None:
        return None
    if not is_whole_number(value) or not 0 <= value <= TIGHTNESS_MAX:
        raise ShareRefused(f"{name} must be a whole number from 0 to {TIGHTNESS_MAX}, or null.")
    return value


def limit_reached(ip: str | None) -> bool:
    """Count this share against the address; whether it is over the hourly limit.

    The key holds a keyed hash of the address, so not even the cache keeps it. With the
    local-memory cache each worker process counts on its own; with Redis, all of them
    together.
    """
    per_hour = settings.PSOASAPP_INSIGHTS_SHARES_PER_HOUR
    digest = salted_hmac("routines.sharing.limit", ip or "unknown", algorithm="sha256").hexdigest()[
        :32
    ]
    key = f"routines:share-limit:{digest}"
    cache.add(key, 0, timeout=LIMIT_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=LIMIT_SECONDS)
        count = 1
    return count > per_hour


def shared_session_submit(*, body: bytes, content_type: str, ip: str | None) -> SharedSession:
    """Check a shared session, count it against the address, and keep it.

    Raises ShareRefused, keeping nothing, when it is malformed or the address is over its
    limit. Only well-formed shares count towards the limit.
    """
    fields = share_parse(body, content_type)
    if limit_reached(ip):
        raise TooManyShares(TOO_MANY)
    return SharedSession.objects.create(**fields)
