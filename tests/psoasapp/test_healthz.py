"""/healthz as a load balancer uses it: 200 when the database, cache and storage answer, 503
naming the part that does not, over plain HTTP, by IP address, and kept out of the access log."""

import http.client
import logging
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test import override_settings

pytestmark = pytest.mark.django_db

ALL_OK = {"status": "ok", "database": "ok", "cache": "ok", "storage": "ok"}
GUNICORN = Path(sys.executable).parent / "gunicorn"
START_TIMEOUT = 30


@pytest.fixture
def closed_port():
    """A loopback port bound by nobody's server: connecting to it is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))  # bound, never listening, so no one else can take it
        yield sock.getsockname()[1]


@pytest.fixture
def unreachable_database(tmp_path, closed_port):
    """The default connection swapped for one to a database that is not there."""
    if connection.vendor == "sqlite":
        dead = {**connection.settings_dict, "NAME": str(tmp_path / "missing" / "db.sqlite3")}
    else:
        dead = {
            **connection.settings_dict,
            "HOST": "127.0.0.1",
            "PORT": str(closed_port),
            "OPTIONS": {"connect_timeout": 5},
        }
    original = connections[DEFAULT_DB_ALIAS]
    broken = type(original)(dead, alias=DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = broken
    yield
    connections[DEFAULT_DB_ALIAS] = original
    broken.close()


def test_a_healthy_site_answers_ok_for_each_part(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == ALL_OK
    assert response["Cache-Control"] == "no-store"


def test_head_answers_without_a_body(client):
    response = client.head("/healthz")
    assert response.status_code == 200
    assert response.content == b""


def test_other_methods_are_refused(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.usefixtures("unreachable_database")
def test_an_unreachable_database_is_named(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    report = response.json()
    assert report["status"] == "unavailable"
    assert report["database"] == "error: OperationalError"
    assert report["cache"] == report["storage"] == "ok"
    assert response["Cache-Control"] == "no-store"


def test_an_unreachable_cache_is_named(client, closed_port):
    redis_cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{closed_port}/1",
    }
    with override_settings(CACHES={"default": redis_cache}):
        response = client.get("/healthz")
    assert response.status_code == 503
    report = response.json()
    assert report["cache"] == "error: ConnectionError"
    assert report["database"] == report["storage"] == "ok"
    assert str(closed_port) not in response.content.decode()  # no addresses in the answer


def test_a_missing_media_folder_is_named(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "unmounted"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "ok",
        "cache": "ok",
        "storage": "error: the media folder does not exist",
    }


def test_each_answer_is_checked_afresh_never_stored(client, settings, tmp_path):
    assert client.get("/healthz").status_code == 200
    settings.MEDIA_ROOT = tmp_path / "unmounted"
    assert client.get("/healthz").status_code == 503


def test_a_failure_is_logged_once_as_a_warning_with_its_detail(client, settings, tmp_path, caplog):
    settings.MEDIA_ROOT = tmp_path / "unmounted"
    with caplog.at_level(logging.INFO):
        client.get("/healthz")
    records = [record for record in caplog.records if "healthz" in record.getMessage().lower()]
    warnings = [record for record in caplog.records if record.name == "psoasapp.health"]
    assert [record.levelname for record in warnings] == ["WARNING"]
    assert "media folder does not exist" in warnings[0].getMessage()
    # Django's own "Service Unavailable: /healthz" error would repeat it on every probe.
    assert not [record for record in records if record.name == "django.request"]


def test_a_healthy_probe_logs_nothing(client, caplog):
    with caplog.at_level(logging.DEBUG):
        client.get("/healthz")
    assert [record for record in caplog.records if record.levelno >= logging.INFO] == []


def test_plain_http_probes_are_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/stretches/").status_code == 301
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == ALL_OK


def test_a_probe_by_ip_address_is_answered(client, settings):
    """A load balancer sends its own idea of the Host (often the server's IP address)."""
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/robots.txt", headers={"host": "10.0.0.7"}).status_code == 400
    response = client.get("/healthz", headers={"host": "10.0.0.7:8000"})
    assert response.status_code == 200
    assert response.json() == ALL_OK


# gunicorn with the repo's gunicorn.conf.py ---------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str, *, host: str) -> int:
    """The status of a plain-HTTP GET to the server."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": host})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


@pytest.fixture
def gunicorn(tmp_path):
    """gunicorn as a deploy runs it (DEBUG off, HTTPS on), on a free loopback port.

    Yields (port, the file gunicorn's access and error logs go to).
    """
    port, root = free_port(), tmp_path / "site"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PSOASAPP_", "GUNICORN_", "PYTEST_"))
        and key not in {"DATABASE_URL", "HOST", "PORT"}
    }
    (root / "media").mkdir(parents=True)
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_HTTPS="true",
        DJANGO_ALLOWED_HOSTS="example.org",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_VAR_DIR=str(root / "var"),
        DJANGO_MEDIA_ROOT=str(root / "media"),
        DATABASE_URL=f"sqlite:///{root / 'site.sqlite3'}",
        HOST="127.0.0.1",
        PORT=str(port),
        GUNICORN_WORKERS="1",
        GUNICORN_THREADS="2",
        GUNICORN_GRACEFUL_TIMEOUT="2",
    )
    log = root / "gunicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            # gunicorn 27 opens a control socket in $HOME unless told not to: ours must not
            # take over that of another server on this machine.
            [str(GUNICORN), "-c", "gunicorn.conf.py", "--no-control-socket", "psoasapp.wsgi"],
            cwd=django_settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert process.poll() is None, f"gunicorn stopped:\n{log.read_text()}"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, f"gunicorn did not start:\n{log.read_text()}"
                time.sleep(0.2)
        yield port, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_gunicorn_answers_probes_but_keeps_them_out_of_its_access_log(gunicorn):
    """The Host is the server's address, not an allowed host, and the probe is plain HTTP."""
    port, log = gunicorn
    assert get(port, "/healthz", host=f"127.0.0.1:{port}") == 200
    assert get(port, "/robots.txt", host="example.org") == 301  # to https://example.org/
    deadline = time.monotonic() + 10
    while "GET /robots.txt" not in log.read_text():
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)
    text = log.read_text()
    assert "/healthz" not in text, text
    # The access log is on: the other request is in it, with its status.
    assert any("GET /robots.txt" in line and " 301 " in line for line in text.splitlines())
