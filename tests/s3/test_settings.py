"""Configuration for media on S3: the AWS_* variables alone switch storage to the bucket, and
pages allow images and video from the bucket's origin (and from nowhere else new)."""

import os
import subprocess
import sys

import pytest
from django.utils.csp import CSP

from psoasapp.settings import s3_media_origin
from tests.factories import make_stretch

FROM_ENVIRONMENT = """
import django
django.setup()
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

name = default_storage.save("notes/hello.txt", ContentFile(b"hello"))
print(type(default_storage._wrapped).__name__)
print(name)
print(default_storage.url(name))
print(" ".join(settings.SECURE_CSP["media-src"]))
"""


def test_the_aws_variables_alone_put_media_in_the_bucket(s3_bucket, tmp_path):
    """A fresh process, configured only by its environment, as a web or worker machine is."""
    env = {
        **os.environ,
        **s3_bucket.env,
        "DJANGO_SETTINGS_MODULE": "psoasapp.settings",
        "DJANGO_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    done = subprocess.run(
        [sys.executable, "-c", FROM_ENVIRONMENT],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    backend, name, url, media_src = done.stdout.splitlines()
    assert backend == "S3Storage"
    assert s3_bucket.read(name) == b"hello"
    assert url.startswith(f"{s3_bucket.endpoint}/{s3_bucket.name}/{name}?")
    assert "X-Amz-Signature=" in url
    assert media_src.split() == [CSP.SELF, "blob:", s3_bucket.endpoint]


@pytest.mark.django_db
def test_pages_allow_images_and_video_from_the_bucket(client, s3_bucket):
    stretch = make_stretch(title="Supported bridge")

    response = client.get(stretch.get_absolute_url())

    directives = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
    )
    assert directives["img-src"] == f"'self' data: blob: {s3_bucket.endpoint}"
    assert directives["media-src"] == f"'self' blob: {s3_bucket.endpoint}"
    assert s3_bucket.endpoint not in directives["script-src"]
    assert directives["default-src"] == "'self'"


BUCKET = {"AWS_STORAGE_BUCKET_NAME": "psoas-media"}


@pytest.mark.parametrize(
    ("env", "origin"),
    [
        ({}, None),
        ({"AWS_S3_ENDPOINT_URL": "https://objects.example.org"}, None),
        (BUCKET, "https://*.amazonaws.com"),
        (
            {**BUCKET, "AWS_S3_ENDPOINT_URL": "https://objects.example.org:9000/s3/"},
            "https://objects.example.org:9000",
        ),
        (
            {
                **BUCKET,
                "AWS_S3_ENDPOINT_URL": "https://objects.example.org",
                "PSOASAPP_MEDIA_ORIGIN": "https://media.example.org",
            },
            "https://media.example.org",
        ),
    ],
    ids=["local files", "endpoint without bucket", "aws", "custom endpoint", "media origin"],
)
def test_the_media_origin_pages_allow(env, origin):
    assert s3_media_origin(env) == origin
