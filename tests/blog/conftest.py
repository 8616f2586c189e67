"""Fixtures for the blog's tests."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def no_flood_limit(settings):
    """Tests send comments back to back; the tests of the flood limit switch it on."""
    settings.BLOG_COMMENT_FLOOD_SECONDS = 0


@pytest.fixture(autouse=True)
def fresh_cache():
    """The flood limit lives in the cache; each test starts with none of it."""
    cache.clear()
    yield
    cache.clear()
