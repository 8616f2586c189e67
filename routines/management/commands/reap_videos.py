"""Re-queue videos whose worker died mid-job, and clear away what dead jobs and dead uploads
left behind.

`make run` keeps this running beside the task worker (`--every 60`); on many machines, run it
from cron or a systemd timer instead, on each web machine (partial uploads are local files) and
each worker machine (work folders too). Several at once are safe.
"""

import logging
import signal
import threading
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from routines.services import video_remove_abandoned_work
from routines.tasks import video_reap_stale
from routines.upload import upload_remove_abandoned

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Queue again the videos whose processing stopped sending heartbeats (the worker "
        "died), or mark them failed once they have used up their attempts; delete the work "
        "folders and partial uploads that dead processes left behind."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=float,
            default=0,
            metavar="SECONDS",
            help="Keep running, checking this often (default: check once and exit).",
        )
        parser.add_argument(
            "--stale-after",
            type=float,
            default=settings.PSOASAPP_VIDEO_STALE_SECONDS,
            metavar="SECONDS",
            help="A heartbeat older than this means the worker died (default: %(default)s).",
        )
        parser.add_argument(
            "--max-attempts",
            type=int,
            default=settings.PSOASAPP_VIDEO_MAX_ATTEMPTS,
            help="Give up on a video after this many starts (default: %(default)s).",
        )

    def handle(self, *args, every, stale_after, max_attempts, **options):
        stopped = threading.Event()
        if every:
            # Ctrl-C or `kill` ends the wait at once instead of raising mid-check.
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, lambda *_: stopped.set())
        while not stopped.is_set():
            if not every:
                self.reap(stale_after=timedelta(seconds=stale_after), max_attempts=max_attempts)
                break
            close_old_connections()  # a long-running process, like db_worker
            try:
                self.reap(stale_after=timedelta(seconds=stale_after), max_attempts=max_attempts)
            except DatabaseError:
                # A busy or restarting database: try again next round rather than stop.
                logger.warning("Could not check for stale videos.", exc_info=True)
            stopped.wait(every)

    def reap(self, *, stale_after: timedelta, max_attempts: int) -> None:
        for reaped in video_reap_stale(stale_after=stale_after, max_attempts=max_attempts):
            video = reaped.video
            if reaped.requeued:
                self.stdout.write(f"Queued “{video}” (video {video.pk}) again: its worker died.")
            else:
                self.stdout.write(
                    self.style.WARNING(
                        f"Gave up on “{video}” (video {video.pk}) after {video.attempts} attempts."
                    )
                )
        for folder in video_remove_abandoned_work(older_than=stale_after):
            self.stdout.write(f"Removed abandoned work folder {folder}.")
        for upload in upload_remove_abandoned(older_than=stale_after):
            self.stdout.write(f"Removed the partial upload {upload} (its worker died).")
