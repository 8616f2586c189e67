"""/healthz: whether this server can use its database, cache and media storage.

For load balancers and uptime checks: 200 when all three answer, 503 naming the part that does
not. Answered by a middleware ahead of the HTTPS redirect's host check, the page cache and the
rest, because a load balancer probes over plain HTTP with its own address as the Host.
"""

import logging
import os
import secrets
from collections.abc import Callable

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse

from routines.storage import local_path

HEALTH_PATH = "/healthz"
# A name no upload gets (stored names are generated), asked of object storage.
STORAGE_PROBE_NAME = ".healthz-probe"

logger = logging.getLogger(__name__)


class HealthProblem(Exception):
    """A failed check whose message is safe to show to whoever asks."""


def database_check() -> None:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def cache_check() -> None:
    # A key of its own, so that checks on many machines sharing one Redis never meet.
    key = f"psoasapp:healthz:{secrets.token_hex(8)}"
    cache.set(key, "ok", timeout=10)
    try:
        if cache.get(key) != "ok":
            raise HealthProblem("the value stored could not be read back")
    finally:
        cache.delete(key)


def storage_check() -> None:
    location = local_path(default_storage)
    if location is None:
        # A request to the bucket: fails when it is unreachable or the keys are refused.
        default_storage.exists(STORAGE_PROBE_NAME)
        return
    if not location.is_dir():
        raise HealthProblem("the media folder does not exist")
    with os.scandir(location):
        pass
    if not os.access(location, os.W_OK):
        raise HealthProblem("the media folder is not writable")


CHECKS: dict[str, Callable[[], None]] = {
    "database": database_check,
    "cache": cache_check,
    "storage": storage_check,
}


def health_report() -> dict[str, str]:
    """{"status": "ok" | "unavailable", <part>: "ok" | "error: <what went wrong>"}.

    The error says which kind of failure it was, never its text, which can name hosts, users
    or paths; the full error goes to the log.
    """
    report = {"status": "ok"}
    for name, check in CHECKS.items():
        try:
            check()
        except HealthProblem as problem:
            report[name] = f"error: {problem}"
        except Exception as error:
            logger.warning("Health check: %s failed: %r", name, error)
            report[name] = f"error: {type(error).__name__}"
        else:
            report[name] = "ok"
    if any(value != "ok" for value in report.values()):
        report["status"] = "unavailable"
    return report


def healthz(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    report = health_report()
    healthy = report["status"] == "ok"
    if not healthy:
        logger.warning("Health check failed: %s", report)
    response = JsonResponse(report, status=200 if healthy else 503)
    response["Cache-Control"] = "no-store"
    if request.method == "HEAD":
        response.content = b""
    # Logged above, once, as a warning; not again as an error by Django for every probe.
    response._has_been_logged = True
    return response


class HealthCheckMiddleware:
    """Answer /healthz before anything that checks the Host header or could cache the answer.

    Put it right after SecurityMiddleware (with ^healthz$ in SECURE_REDIRECT_EXEMPT), so the
    probe gets nosniff and the rest, but no redirect to HTTPS and no DisallowedHost.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == HEALTH_PATH:
            return healthz(request)
        return self.get_response(request)
