"""Django's database sessions, looking up only session keys that Django could have made."""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

KEY_CHARS = frozenset(VALID_KEY_CHARS)


class SessionStore(DatabaseSessionStore):
    """A session cookie holding anything else is no session, and starts a fresh one.

    A cookie is the visitor's to forge: a quoted value can spell NUL as \\000, and PostgreSQL
    refuses to compare text holding NUL (a 500 on every page that reads the session).
    """

    def _validate_session_key(self, key):
        return super()._validate_session_key(key) and set(key) <= KEY_CHARS
