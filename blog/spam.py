"""Spam and flood defences for comments, without a CAPTCHA.

Each check is a small function; services.comment_submit decides what follows from them.
"""

import re
import time
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils import timezone

from .models import Comment

# Named after the app's old module path; a new salt would refuse every form already open.
TOKEN_SALT = "psoasapp.blog.comment-form"

# Anything a reader would count as a link: a web address, or a domain starting with www.
LINK = re.compile(r"(?:https?://|www\.)\S", re.IGNORECASE)

HONEYPOT_FILLED = (
    "Your comment looked automated (a hidden field meant to stay empty was filled in), so it "
    "was not sent. If you are a person, please send it again."
)
TOO_FAST = (
    "That was quicker than anyone can write a comment, so we took it for a robot. Please wait a "
    "few seconds and send it again; everything you wrote is still here."
)
TOO_OLD = (
    "This form was open for a long time, so for safety it needs sending once more. Everything "
    "you wrote is still here."
)
BAD_TOKEN = (
    "We could not check where this comment came from. Please send it again; everything you "
    "wrote is still here."
)
FLOODING = (
    "You are commenting faster than we can read. Please wait %(seconds)s seconds and send it "
    "again; everything you wrote is still here."
)


def token_make(post_pk: int, *, issued_at: float | None = None) -> str:
    """A signed note of when the form for this post was shown."""
    issued_at = time.time() if issued_at is None else issued_at
    return signing.dumps({"post": post_pk, "at": round(issued_at, 3)}, salt=TOKEN_SALT)


def token_refresh(token: str) -> str:
    """The same form's token signed with the time now, for a page shown again from the cache."""
    try:
        return token_make(signing.loads(token, salt=TOKEN_SALT)["post"])
    except (signing.BadSignature, KeyError, TypeError):
        return token


def token_problem(token: str, post_pk: int) -> str | None:
    """What is wrong with a form's signed timestamp, in words for the commenter; None if fine."""
    try:
        data = signing.loads(token or "", salt=TOKEN_SALT)
        issued_at, token_post = float(data["at"]), data["post"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return BAD_TOKEN
    if token_post != post_pk:
        return BAD_TOKEN
    age = time.time() - issued_at
    if age < settings.BLOG_COMMENT_MIN_SECONDS:
        return TOO_FAST
    if age > settings.BLOG_COMMENT_FORM_MAX_AGE_SECONDS:
        return TOO_OLD
    return None


def flood_problem(ip: str | None) -> str | None:
    """Refuse a second comment from one address within BLOG_COMMENT_FLOOD_SECONDS.

    cache.add is atomic (in Redis too), so two comments racing from one address cannot both
    pass. The local-memory cache is one per worker process, so the saved comments are asked
    as well, as WordPress does. Call it last, just before saving: only accepted comments
    start the wait.
    """
    seconds = settings.BLOG_COMMENT_FLOOD_SECONDS
    if seconds <= 0:
        return None
    since = timezone.now() - timedelta(seconds=seconds)
    recent = bool(ip) and Comment.objects.filter(ip_address=ip, created_at__gte=since).exists()
    if not recent and cache.add(f"blog:comment-flood:{ip or 'unknown'}", 1, timeout=seconds):
        return None
    return FLOODING % {"seconds": seconds}


def link_count(text: str) -> int:
    return len(LINK.findall(text))


def has_too_many_links(text: str) -> bool:
    return link_count(text) > settings.BLOG_COMMENT_MAX_LINKS


def disallowed_word_in(*values: str) -> bool:
    """Whether any of `values` contains a word from BLOG_DISALLOWED_WORDS (any case)."""
    words = [word.casefold() for word in settings.BLOG_DISALLOWED_WORDS if word.strip()]
    if not words:
        return False
    haystack = "\n".join(value for value in values if value).casefold()
    return any(word in haystack for word in words)
