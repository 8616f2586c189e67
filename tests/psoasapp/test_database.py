"""The database settings an operator chooses by environment, and PostgreSQL's connection pool."""

import runpy
import threading
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from routines.models import Stretch
from tests.factories import make_stretch
from tests.postgres import postgresql_only

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "psoasapp" / "settings.py"
POSTGRES_URL = "postgres://psoasapp@db.example.org:5432/psoasapp"
POOL_VARIABLES = ("DJANGO_DB_POOL_MIN_SIZE", "DJANGO_DB_POOL_MAX_SIZE", "DJANGO_DB_POOL_TIMEOUT")


def database_settings(monkeypatch, **environ) -> dict:
    """settings.DATABASES["default"] as psoasapp/settings.py builds it from `environ`."""
    for name in (*POOL_VARIABLES, "DJANGO_CONN_MAX_AGE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))["DATABASES"]["default"]


@pytest.mark.parametrize(
    ("environ", "pool"),
    [
        ({}, {"min_size": 2, "max_size": 16, "timeout": 20.0}),
        (
            {
                "DJANGO_DB_POOL_MIN_SIZE": "0",
                "DJANGO_DB_POOL_MAX_SIZE": "40",
                "DJANGO_DB_POOL_TIMEOUT": "5",
            },
            {"min_size": 0, "max_size": 40, "timeout": 5.0},
        ),
    ],
)
def test_postgresql_gets_a_pool_sized_by_the_environment(monkeypatch, environ, pool):
    database = database_settings(monkeypatch, DATABASE_URL=POSTGRES_URL, **environ)
    assert database["OPTIONS"]["pool"] == pool
    assert database["CONN_MAX_AGE"] == 0, "Django refuses persistent connections with a pool"


def test_the_pool_keeps_options_given_in_the_url(monkeypatch):
    database = database_settings(monkeypatch, DATABASE_URL=f"{POSTGRES_URL}?sslmode=require")
    assert database["OPTIONS"]["sslmode"] == "require"
    assert "pool" in database["OPTIONS"]


def test_a_pool_size_of_zero_turns_the_pool_off_for_persistent_connections(monkeypatch):
    database = database_settings(
        monkeypatch,
        DATABASE_URL=POSTGRES_URL,
        DJANGO_DB_POOL_MAX_SIZE="0",
        DJANGO_CONN_MAX_AGE="60",
    )
    assert "pool" not in database.get("OPTIONS", {})
    assert database["CONN_MAX_AGE"] == 60


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"DJANGO_CONN_MAX_AGE": "60"}, "DJANGO_DB_POOL_MAX_SIZE=0"),
        ({"DJANGO_DB_POOL_MIN_SIZE": "8", "DJANGO_DB_POOL_MAX_SIZE": "4"}, "between 0 and"),
    ],
)
def test_contradictory_pool_settings_stop_the_start_with_a_clear_message(
    monkeypatch, environ, message
):
    with pytest.raises(ImproperlyConfigured, match=message):
        database_settings(monkeypatch, DATABASE_URL=POSTGRES_URL, **environ)


def test_sqlite_has_no_pool_and_keeps_its_own_settings(monkeypatch, tmp_path):
    database = database_settings(monkeypatch, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert "pool" not in database["OPTIONS"]
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "PRAGMA journal_mode=WAL;" in database["OPTIONS"]["init_command"]
    assert database["CONN_MAX_AGE"] == 600


@pytest.mark.django_db
def test_the_running_site_uses_a_pool_exactly_when_on_postgresql():
    assert Stretch.objects.count() == 0
    if connection.vendor == "postgresql":
        from psycopg_pool import ConnectionPool

        assert connection.settings_dict["OPTIONS"]["pool"]
        # Borrowed from a pool (not necessarily the one `connection.pool` would make now: a
        # test that closes the pools makes Django start a new one for the next connection).
        assert isinstance(connection.connection._pool, ConnectionPool)
    else:
        assert "pool" not in connection.settings_dict["OPTIONS"]


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_many_threads_querying_at_once_all_succeed_through_the_pool():
    """More threads than pooled connections, as under gunicorn: they take turns, none fails."""
    for n in range(3):
        make_stretch(title=f"Stretch {n}")
    pool = connection.pool
    threads_count = pool.max_size * 3
    start = threading.Barrier(threads_count)
    results, errors = [], []

    def page_like_request():
        from django.db import connection as thread_connection

        try:
            start.wait(timeout=30)
            with thread_connection.cursor() as cursor:
                # A short sleep keeps each connection borrowed while others ask for one.
                cursor.execute("SELECT pg_backend_pid(), pg_sleep(0.02)")
                pid = cursor.fetchone()[0]
            results.append((pid, Stretch.objects.filter(title__startswith="Stretch").count()))
        except Exception as error:  # every failure is reported below
            errors.append(repr(error))
        finally:
            thread_connection.close()  # what request_finished does: back to the pool

    threads = [threading.Thread(target=page_like_request) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert [count for _, count in results] == [3] * threads_count
    backends = {pid for pid, _ in results}
    assert len(backends) <= pool.max_size, "never more PostgreSQL connections than the pool's"
