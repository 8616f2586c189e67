"""Fixtures shared by every test."""

import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each test writes uploads and generated files to its own folder, never media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT
