"""gunicorn settings for psoasapp, overridable from the environment.

gthread workers keep serving pages while slow clients download video or
upload it; the timeout is long because a thread busy with one slow upload
must not get its worker killed.
"""

import os

from gunicorn.glogging import Logger

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
# A thread sending video to a slow phone is blocked in sendfile the whole time (no CPU, no
# GIL), so there must be many more threads than pages being rendered at once: with 8, fifty
# slow viewers left no thread for pages at all.
threads = int(os.environ.get("GUNICORN_THREADS", "64"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "600"))
# Ctrl-C (or a deploy) waits this long for open video downloads before cutting them.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "10"))
keepalive = 5
accesslog = "-"
errorlog = "-"
# sendfile is on by default and hands video slices to the kernel. Do not set
# `sendfile = True` here: gunicorn treats any value given for it as --no-sendfile.


class AccessLogger(Logger):
    """gunicorn's logger, leaving out the load balancer's probes of /healthz (every few seconds)."""

    def access(self, resp, req, environ, request_time):
        if environ.get("PATH_INFO") != "/healthz":
            super().access(resp, req, environ, request_time)


logger_class = AccessLogger
