"""The address a request came from: the one comments, sign-ins and shared sessions are
counted by. It lives in routines, the bottom layer, so every app can use it."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address: the peer's, or behind our proxy the one it added last.

    Only the last X-Forwarded-For entry is the proxy's own; anything before it is whatever
    the client chose to send.
    """
    address = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.PSOASAPP_TRUST_X_FORWARDED_FOR and forwarded:
        address = forwarded.split(",")[-1]
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None
