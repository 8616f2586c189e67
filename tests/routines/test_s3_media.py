"""Media on S3-compatible storage: configuration only, no code change."""

import os
import subprocess
import sys

import pytest

S3_ENV = {
    "AWS_STORAGE_BUCKET_NAME": "psoas-media",
    "AWS_S3_ENDPOINT_URL": "https://objects.example.org",
    "AWS_ACCESS_KEY_ID": "test-key",
    "AWS_SECRET_ACCESS_KEY": "test-secret",
}

CHECK = """
import django
django.setup()
from django.conf import settings
from django.core.files.storage import default_storage
from django.test import RequestFactory
from routines.streaming import serve_media

response = serve_media(RequestFactory().get("/media/videos/a.mp4"), "videos/a.mp4")
print(type(default_storage._wrapped).__name__)
print(response.status_code)
print(response["Location"])
print(" ".join(settings.SECURE_CSP["media-src"]))
"""


@pytest.fixture
def s3_run():
    """Run a snippet in a fresh interpreter whose environment configures a bucket."""
    env = {**os.environ, **S3_ENV, "DJANGO_SETTINGS_MODULE": "psoasapp.settings"}
    result = subprocess.run(
        [sys.executable, "-c", CHECK], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_bucket_setting_switches_media_to_s3(s3_run):
    assert s3_run[0] == "S3Storage"


def test_media_view_redirects_to_a_presigned_url(s3_run):
    status, location = s3_run[1], s3_run[2]
    assert status == "302"
    assert location.startswith("https://objects.example.org/psoas-media/videos/a.mp4?")
    assert "Signature=" in location or "X-Amz-Signature=" in location
    assert "Expires=" in location or "X-Amz-Expires=" in location


def test_pages_may_load_media_from_the_bucket(s3_run):
    assert "https://objects.example.org" in s3_run[3].split()
