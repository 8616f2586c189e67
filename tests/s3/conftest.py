"""A real S3 server for the media tests: moto's server mode on 127.0.0.1, one bucket per test.

Django is pointed at it through psoasapp.settings.s3_media_storage, the function settings.py
itself uses, so the tests exercise the configuration an operator gets from AWS_* variables.
"""

import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from psoasapp.settings import csp_allowing_media_from, s3_media_origin, s3_media_storage

START_TIMEOUT = 60
RUNNING_ON = re.compile(r"Running on (http://127\.0\.0\.1:\d+)")


@dataclass
class Bucket:
    """A bucket on the test S3 server, and the AWS_* variables that configure the site for it."""

    name: str
    env: dict[str, str]
    client: object  # a boto3 S3 client

    @property
    def endpoint(self) -> str:
        return self.env["AWS_S3_ENDPOINT_URL"]

    def object_names(self) -> set[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return {item["Key"] for page in pages for item in page.get("Contents", [])}

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()


def _s3_client(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test-key",
        aws_secret_access_key="test-secret",
        config=Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30),
    )


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory) -> Iterator[str]:
    """Start moto_server on a free port (it binds port 0 and says which it got); stop it after."""
    log_path = tmp_path_factory.mktemp("moto") / "moto_server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", "0"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    try:
        endpoint = _wait_until_serving(server, log_path)
        yield endpoint
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def _wait_until_serving(server: subprocess.Popen, log_path: Path) -> str:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if server.poll() is not None:
            pytest.fail(f"moto_server exited at start:\n{log_path.read_text()}")
        if match := RUNNING_ON.search(log_path.read_text()):
            endpoint = match.group(1)
            try:
                _s3_client(endpoint).list_buckets()
                return endpoint
            except (BotoCoreError, ClientError):
                pass  # bound but not answering yet
        if time.monotonic() > deadline:
            pytest.fail(
                f"moto_server did not answer within {START_TIMEOUT} s:\n{log_path.read_text()}"
            )
        time.sleep(0.1)


@pytest.fixture
def s3_bucket(s3_endpoint, settings) -> Bucket:
    """A fresh bucket that the site's media storage (and its CSP) now point at."""
    name = f"psoas-test-{uuid.uuid4().hex[:12]}"
    client = _s3_client(s3_endpoint)
    client.create_bucket(Bucket=name)
    env = {
        "AWS_STORAGE_BUCKET_NAME": name,
        "AWS_S3_ENDPOINT_URL": s3_endpoint,
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_ACCESS_KEY_ID": "test-key",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
    }
    # Each assignment sends setting_changed, which makes default_storage (and so every
    # FileField, which holds that lazy object) build a new S3 storage from these options.
    settings.STORAGES = {**settings.STORAGES, "default": s3_media_storage(env)}
    settings.MEDIA_ORIGIN = s3_media_origin(env)
    settings.SECURE_CSP = csp_allowing_media_from(settings.SECURE_CSP, settings.MEDIA_ORIGIN)
    return Bucket(name=name, env=env, client=client)


@pytest.fixture(autouse=True)
def scratch_dirs(settings, tmp_path):
    """Uploads stream to, and videos are converted in, folders of the test's own."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    settings.PSOASAPP_VIDEO_WORK_DIR = tmp_path / "work"
    (tmp_path / "uploads").mkdir()
    return tmp_path
