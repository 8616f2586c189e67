"""Fixtures for the tests against real gunicorn: sites with their own database, files and state.

The site's database follows the suite's: a fresh SQLite file, or, when DATABASE_URL is
PostgreSQL (the second pass of `make test`), a database of its own on that server, dropped
afterwards. Both are copied from one migrated at the start of the session. REDIS_URL, when set,
is the sites' cache. The figures each test measured are printed at the end of the run.
"""

import contextlib
import os
import secrets
import sqlite3
import urllib.parse
from pathlib import Path

import dj_database_url
import psycopg
import pytest
import redis

from tests.reliability.sites import Site, site_env

FIGURES: list[str] = []
# Where the flood-limit test finds Redis when the suite runs without REDIS_URL.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/5"


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("reliability figures")
        for line in FIGURES:
            terminalreporter.write_line(line)


@pytest.fixture
def report(request):
    """Record what a test measured: `report(accepted=200, seconds=4.2)`."""

    def report(**figures):
        FIGURES.append(
            f"{request.node.nodeid}: " + ", ".join(f"{k}={v}" for k, v in figures.items())
        )

    return report


def _suite_database_url() -> str:
    return os.environ.get("DATABASE_URL", "")


def _on_postgres() -> bool:
    return _suite_database_url().startswith(("postgres://", "postgresql://"))


class PostgresDatabases:
    """Databases of our own on the suite's PostgreSQL server, named after its database."""

    def __init__(self, url: str):
        self.url = url
        config = dj_database_url.parse(url)
        self.base_name = config["NAME"]
        self.connect_args = {
            "host": config["HOST"] or None,
            "port": config["PORT"] or None,
            "user": config["USER"] or None,
            "password": config["PASSWORD"] or None,
            "dbname": "postgres",
            "connect_timeout": 10,
            "autocommit": True,
        }
        self.created: list[str] = []

    def create(self, *, template: str | None = None) -> str:
        name = f"{self.base_name}_site_{secrets.token_hex(4)}"
        with psycopg.connect(**self.connect_args) as connection:
            query = f'CREATE DATABASE "{name}"'
            if template:
                query += f' TEMPLATE "{template}"'
            connection.execute(query)
        self.created.append(name)
        return name

    def url_of(self, name: str) -> str:
        return urllib.parse.urlsplit(self.url)._replace(path=f"/{name}").geturl()

    def drop_all(self) -> None:
        with psycopg.connect(**self.connect_args) as connection:
            for name in reversed(self.created):
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def site_template(tmp_path_factory):
    """Collected static files and a migrated database, made once; sites copy the database."""
    root = tmp_path_factory.mktemp("site-template")
    static_root = root / "static"
    postgres = PostgresDatabases(_suite_database_url()) if _on_postgres() else None
    if postgres:
        database_url = postgres.url_of(postgres.create())
    else:
        database_url = f"sqlite:///{root / 'template.sqlite3'}"
    template = Site(
        root, site_env(root, database_url=database_url, redis_url=None, static_root=static_root)
    )
    # First: without the manifest it writes, DEBUG-off Django cannot even load its URLs.
    template.manage("collectstatic", "--noinput", "-v", "0")
    template.manage("migrate", "--noinput", "-v", "0")
    yield {"static_root": static_root, "database_url": database_url, "postgres": postgres}
    if postgres:
        postgres.drop_all()


@pytest.fixture(scope="session")
def new_site(site_template):
    """Make a Site in a folder: a copy of the migrated database, empty media and var/."""

    def new_site(root: Path, *, redis_url: str | None = os.environ.get("REDIS_URL")) -> Site:
        root.mkdir(parents=True, exist_ok=True)
        postgres = site_template["postgres"]
        template = dj_database_url.parse(site_template["database_url"])["NAME"]
        if postgres:
            database_url = postgres.url_of(postgres.create(template=template))
        else:
            database_url = f"sqlite:///{root / 'db.sqlite3'}"
            with (
                contextlib.closing(sqlite3.connect(template)) as source,
                contextlib.closing(sqlite3.connect(root / "db.sqlite3")) as target,
            ):
                source.backup(target)
        env = site_env(
            root,
            database_url=database_url,
            redis_url=redis_url,
            static_root=site_template["static_root"],
        )
        return Site(root, env)

    return new_site


@pytest.fixture
def make_site(new_site, tmp_path):
    """Make sites for one test; their servers are stopped after it."""
    sites: list[Site] = []

    def make_site(**options) -> Site:
        sites.append(new_site(tmp_path / f"site-{len(sites)}", **options))
        return sites[-1]

    yield make_site
    for site in sites:
        site.stop_all()


@pytest.fixture
def shared_redis_url():
    """The Redis that sites on several servers share: REDIS_URL, or db 5 on this machine.

    Missing, it skips on a developer's machine and fails on CI, where it must be there.
    """
    url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    try:
        redis.Redis.from_url(url, socket_connect_timeout=5).ping()
    except redis.RedisError as error:
        message = f"Redis at {url} is not reachable: {error}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " (it must be there on CI)", pytrace=False)
        pytest.skip(message)
    return url
