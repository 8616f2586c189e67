"""Compression of pages, limited to responses that carry no secret (BREACH).

BREACH recovers a secret from a compressed response's length when the same response also
reflects text an attacker chose (a search term, say). Django masks the CSRF token afresh in
every response, so it leaks nothing. What is left to protect is a visitor's own data: a
signed-in account's pages and a page that shows a commenter their saved name and email
(marked private). Those go uncompressed; every other page is gzipped, with Django's random
filename padding on top. Pages from the page cache come already compressed.
"""

from django.conf import settings
from django.middleware.gzip import GZipMiddleware

from routines.caching import is_private


class PublicGZipMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if (
            response.streaming  # files, which come compressed or are not worth it
            or settings.SESSION_COOKIE_NAME in request.COOKIES
            or is_private(response)
        ):
            return response
        return super().process_response(request, response)
