"""Fixtures for the tests against real gunicorn: sites with their own database, files and state.

The site's database follows the suite's: a fresh SQLite file, or, when DATABASE_URL is
PostgreSQL (the second pass of `make test`), a database of its own on that server, dropped
afterwards. Both are copied from one migrated at the start of the session
(tests/site_services.py). REDIS_URL, when set, is the sites' cache. The figures each test
measured are printed at the end of the run.
"""

import os
from pathlib import Path

import pytest

from tests.reliability.sites import Site, site_env
from tests.site_services import SiteDatabases, reachable_redis

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


@pytest.fixture(scope="session")
def site_template(tmp_path_factory):
    """Collected static files and a migrated database, made once; sites copy the database."""
    root = tmp_path_factory.mktemp("site-template")
    static_root = root / "static"
    databases = SiteDatabases(root)
    database = databases.create()
    template = Site(
        root,
        site_env(
            root,
            database_url=databases.url(database),
            redis_url=None,
            static_root=static_root,
        ),
    )
    # First: without the manifest it writes, DEBUG-off Django cannot even load its URLs.
    template.manage("collectstatic", "--noinput", "-v", "0")
    template.manage("migrate", "--noinput", "-v", "0")
    yield {"static_root": static_root, "databases": databases, "database": database}
    databases.drop_all()


@pytest.fixture(scope="session")
def new_site(site_template):
    """Make a Site in a folder: a copy of the migrated database, empty media and var/."""

    def new_site(root: Path, *, redis_url: str | None = os.environ.get("REDIS_URL")) -> Site:
        root.mkdir(parents=True, exist_ok=True)
        databases = site_template["databases"]
        database = databases.create(template=site_template["database"])
        env = site_env(
            root,
            database_url=databases.url(database),
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
    return reachable_redis(url, needed_by="sites sharing a cache")
