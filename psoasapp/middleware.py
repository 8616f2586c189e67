"""Security headers on every response, and compression of pages that carry no secret (BREACH).

BREACH recovers a secret from a compressed response's length when the same response also
reflects text an attacker chose (a search term, say). Django masks the CSRF token afresh in
every response, so it leaks nothing. What is left to protect is a visitor's own data: a
signed-in account's pages and a page that shows a commenter their saved name and email
(marked private). Those go uncompressed; every other page is gzipped, with Django's random
filename padding on top. Pages from the page cache come already compressed.
"""

from django.conf import settings
from django.middleware.gzip import GZipMiddleware
from django.utils.csp import build_policy

from routines.caching import is_private


class SecurityHeadersMiddleware:
    """Permissions-Policy on every response, and the page headers on those answered early.

    Static files (WhiteNoise) and /healthz are answered before the CSP and X-Frame-Options
    middleware run; this gives them the site's policy (without a nonce, which only a page can
    use) so that no response goes out without it. Put it first in MIDDLEWARE.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.defaults = {"Permissions-Policy": settings.PSOASAPP_PERMISSIONS_POLICY}
        if settings.SECURE_CSP:
            self.defaults["Content-Security-Policy"] = build_policy(settings.SECURE_CSP)
        if settings.X_FRAME_OPTIONS:
            self.defaults["X-Frame-Options"] = settings.X_FRAME_OPTIONS

    def __call__(self, request):
        response = self.get_response(request)
        for name, value in self.defaults.items():
            response.headers.setdefault(name, value)
        return response


class PublicGZipMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if (
            response.streaming  # files, which come compressed or are not worth it
            or settings.SESSION_COOKIE_NAME in request.COOKIES
            or is_private(response)
        ):
            return response
        return super().process_response(request, response)
