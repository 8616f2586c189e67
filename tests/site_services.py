"""The real services behind the sites tests run in subprocesses (tests/worker_site.py and
tests/reliability/sites.py): databases of their own, copied from a migrated one, and Redis.
"""

import contextlib
import os
import secrets
import sqlite3
import urllib.parse
from pathlib import Path

import psycopg
import pytest
import redis
from django.conf import settings


class SiteDatabases:
    """Databases for sites, following the suite's: SQLite files in a folder, or, when the suite
    runs on PostgreSQL (the second pass of `make test`), databases of their own on its server,
    named after its database and dropped by drop_all().
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self.postgres = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
        self.prefix = f"{settings.DATABASES['default']['NAME']}_site"
        self.created: list[str] = []

    def create(self, *, template: str | None = None) -> str:
        """A new database, empty or a copy of `template`: a SQLite file's path or a name."""
        if not self.postgres:
            path = self.folder / f"{secrets.token_hex(4)}.sqlite3"
            if template:
                # A backup, not a file copy: it includes what is still in the WAL file.
                with (
                    contextlib.closing(sqlite3.connect(template)) as source,
                    contextlib.closing(sqlite3.connect(path)) as target,
                ):
                    source.backup(target)
            return str(path)
        name = f"{self.prefix}_{secrets.token_hex(4)}"
        with psycopg.connect(**admin_params("postgres"), autocommit=True) as db:
            db.execute(
                f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
            )
        self.created.append(name)
        return name

    def url(self, database: str) -> str:
        """The DATABASE_URL a site sets to use `database`."""
        if not self.postgres:
            return f"sqlite:///{database}"
        params = admin_params(database)
        password = f":{urllib.parse.quote(params['password'])}" if params["password"] else ""
        return (
            f"postgres://{urllib.parse.quote(params['user'])}{password}@"
            f"{params['host']}:{params['port']}/{database}"
        )

    def drop_all(self) -> None:
        if self.created:
            with psycopg.connect(**admin_params("postgres"), autocommit=True) as db:
                for name in reversed(self.created):
                    db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def admin_params(dbname: str) -> dict:
    """psycopg connection parameters for `dbname` on the server the test settings name."""
    database = settings.DATABASES["default"]
    return {
        "host": database["HOST"] or "127.0.0.1",
        "port": database["PORT"] or 5432,
        "user": database["USER"] or "postgres",
        "password": database["PASSWORD"] or "",
        "dbname": dbname,
        "connect_timeout": 10,
    }


def reachable_redis(url: str, *, needed_by: str) -> str:
    """`url`, once Redis answers there; when it does not, a skip, or a failure on CI."""
    try:
        redis.Redis.from_url(url, socket_connect_timeout=5).ping()
    except redis.RedisError as error:
        message = f"{needed_by} need Redis at {url}: {error}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " (it must be there on CI)", pytrace=False)
        pytest.skip(message)
    return url
