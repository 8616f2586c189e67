"""psoasapp as it runs in production, under real gunicorn on loopback, for the reliability tests.

A Site is one deployment: its own database (a fresh SQLite file, or a PostgreSQL database of
its own when the suite runs on PostgreSQL), media, var/ folder (uploads, content version) and
optional Redis; it starts gunicorn masters with the repo's gunicorn.conf.py. A Visitor speaks
HTTP to one of them from any 127.x.y.z address, keeping its cookies as a browser does.
"""

import contextlib
import http.client
import json
import os
import random
import subprocess
import sys
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path

from bench._common import free_port, log_tail, stop, wait_until_serving, worker_pids

BASE_DIR = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"
STAFF_USERNAME = "teacher"
STAFF_PASSWORD = "a long and gentle passphrase"
# Each wait has its limit, well above what it takes on a busy two-core machine.
START_TIMEOUT = 60.0
COMMAND_TIMEOUT = 180.0
REQUEST_TIMEOUT = 120.0


@dataclass
class Server:
    """One gunicorn master (and its workers) serving a Site."""

    process: subprocess.Popen
    port: int
    log: Path

    def workers(self) -> list[int]:
        return worker_pids(self.process.pid, timeout=START_TIMEOUT)

    def log_text(self) -> str:
        return log_tail(self.log, lines=200)


@dataclass
class Site:
    root: Path
    env: dict[str, str]
    servers: list[Server] = field(default_factory=list)

    @property
    def media(self) -> Path:
        return Path(self.env["DJANGO_MEDIA_ROOT"])

    @property
    def uploads(self) -> Path:
        return Path(self.env["DJANGO_VAR_DIR"]) / "uploads"

    def manage(self, *args: str) -> str:
        """Run a management command against this site's database and files; its output."""
        done = subprocess.run(
            [sys.executable, str(BASE_DIR / "manage.py"), *args],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
        )
        assert done.returncode == 0, f"manage.py {args[0]} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def query(self, code: str):
        """Run Python in `manage.py shell` on this site; the JSON its last line prints."""
        return json.loads(self.manage("shell", "--no-imports", "-c", code).splitlines()[-1])

    def start(self, *, port: int | None = None, workers: int = 2) -> Server:
        """A gunicorn master on 127.0.0.1 (a free port unless told), once it answers."""
        port = port or free_port()
        log = self.root / f"gunicorn-{port}-{len(self.servers)}.log"
        env = {**self.env, "HOST": "127.0.0.1", "PORT": str(port)}
        env["GUNICORN_WORKERS"] = str(workers)
        with log.open("ab") as out:
            process = subprocess.Popen(
                # gunicorn 27 gives every master one control socket in $HOME unless told
                # otherwise: ours must not take over that of another server on this machine.
                [str(GUNICORN), "-c", "gunicorn.conf.py", "--no-control-socket", "psoasapp.wsgi"],
                cwd=BASE_DIR,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = Server(process, port, log)
        self.servers.append(server)
        wait_until_serving(
            process, port, log, path="/robots.txt", expect_status=200, timeout=START_TIMEOUT
        )
        return server

    def stop(self, server: Server) -> int:
        """SIGTERM the master (and its workers), as a deploy or Ctrl-C does; its exit code."""
        stop(server.process, group=True, timeout=START_TIMEOUT)
        return server.process.returncode

    def stop_all(self) -> None:
        for server in self.servers:
            stop(server.process, group=True, timeout=START_TIMEOUT)

    def media_files(self) -> set[str]:
        """Every file under MEDIA_ROOT, as storage names."""
        return {
            path.relative_to(self.media).as_posix()
            for path in self.media.rglob("*")
            if path.is_file()
        }


def site_env(
    root: Path, *, database_url: str, redis_url: str | None, static_root: Path
) -> dict[str, str]:
    """A production environment (DEBUG off, plain HTTP on loopback) with its state in `root`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PSOASAPP_", "GUNICORN_", "BLOG_", "PYTEST_"))
        and key not in {"REDIS_URL", "DATABASE_URL", "HOST", "PORT"}
    }
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_HTTPS="false",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECRET_KEY=f"reliability-{uuid.uuid4().hex}{uuid.uuid4().hex}",
        DJANGO_VAR_DIR=str(root / "var"),
        DJANGO_MEDIA_ROOT=str(root / "media"),
        PSOASAPP_CONTENT_VERSION_FILE=str(root / "var" / "content-version"),
        DJANGO_STATIC_ROOT=str(static_root),
        DATABASE_URL=database_url,
        DJANGO_LOG_LEVEL="WARNING",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def client_addresses(count: int) -> list[str]:
    """`count` distinct loopback addresses, from a block chosen afresh for each run.

    Linux answers the whole of 127.0.0.0/8 on lo, so each can be a commenter of its own; a
    random block keeps two runs sharing one Redis from meeting each other's flood limits.
    """
    first, second = random.randrange(1, 255), random.randrange(0, 256)
    return [
        f"127.{first}.{second + index // 250 & 255}.{index % 250 + 2}" for index in range(count)
    ]


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class Visitor:
    """An HTTP client at one loopback address that keeps cookies like a browser."""

    def __init__(self, server: Server, address: str = "127.0.0.1"):
        self.server = server
        self.address = address
        self.cookies: dict[str, str] = {}

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> Answer:
        connection = http.client.HTTPConnection(
            "127.0.0.1",
            self.server.port,
            timeout=REQUEST_TIMEOUT,
            source_address=(self.address, 0),
        )
        headers = {"User-Agent": "psoasapp-reliability/1", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            for value in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(value).items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
        finally:
            connection.close()

    def get(self, path: str, headers: dict | None = None) -> Answer:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, fields: list[tuple[str, str]] | dict) -> Answer:
        """POST a form as a browser does: urlencoded, with its Origin."""
        body = urllib.parse.urlencode(fields).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": self.origin,
            "Referer": self.origin + path,
        }
        return self.request("POST", path, body=body, headers=headers)

    def log_in(self) -> None:
        """Sign in to admin as the staff user `staff_user_code` made."""
        page = self.get("/admin/login/")
        fields = dict(form_fields(page.text, "login-form"))
        fields.update(username=STAFF_USERNAME, password=STAFF_PASSWORD, next="/admin/")
        answer = self.post("/admin/login/", fields)
        assert answer.status == 302 and "sessionid" in self.cookies, answer.status


# Makes the staff account Visitor.log_in uses, in Site.query code.
STAFF_USER_CODE = f"""
from django.contrib.auth.models import User
staff = User.objects.create_superuser({STAFF_USERNAME!r}, "teacher@example.org", {STAFF_PASSWORD!r})
"""

# BLOG_COMMENT_MIN_SECONDS, the default: a form sent sooner is taken for a robot.
MIN_FILL_SECONDS = 3

SEED_POST = (
    STAFF_USER_CODE
    + """
import json
from datetime import timedelta
from django.utils import timezone
from blog.models import AuthorProfile, Post

author = AuthorProfile.objects.create(name="Lena Hart", slug="lena-hart", user=staff)
post = Post.objects.create(
    title="Releasing the psoas",
    slug="releasing-the-psoas",
    author=author,
    body="The psoas runs from the *lower spine* to the thigh.",
    status=Post.Status.PUBLISHED,
    published_at=timezone.now() - timedelta(days=1),
)
print(json.dumps({"pk": post.pk, "url": post.get_absolute_url()}))
"""
)


class _FormParser(HTMLParser):
    """The fields a browser would send for one form (found by id), with their values."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self.select: str | None = None
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.inside = attributes.get("id") == self.form_id
        if not self.inside or not (name := attributes.get("name")) and tag != "option":
            return
        if tag == "input":
            kind = attributes.get("type", "text").lower()
            if kind in {"submit", "button", "image", "file", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attributes:
                return
            self.fields.append((name, attributes.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select":
            self.select = name
        elif tag == "option" and self.select and "selected" in attributes:
            self.fields.append((self.select, attributes.get("value", "")))
        elif tag == "textarea":
            self.textarea, self.text = name, ""

    def handle_data(self, data):
        if self.textarea is not None:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            # A browser drops the one newline that may follow <textarea>.
            self.fields.append((self.textarea, self.text.removeprefix("\n")))
            self.textarea = None


def form_fields(html: str, form_id: str) -> list[tuple[str, str]]:
    parser = _FormParser(form_id)
    parser.feed(html)
    assert parser.fields, f"no form #{form_id} with fields on the page"
    return parser.fields


def wait_for(condition, *, timeout: float, what: str):
    """Poll `condition` until it returns something true; fail saying `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.05)
    raise AssertionError(f"gave up after {timeout:.0f} s waiting for {what}")


@contextlib.contextmanager
def stopwatch(figures: dict):
    """Adds the seconds the block took to `figures["seconds"]`."""
    began = time.monotonic()
    try:
        yield
    finally:
        figures["seconds"] = round(time.monotonic() - began, 2)
