"""Video flows with side effects: save an upload, process it, clean up after a crash.

Admin, the task and the management commands call these; the PyAV work is in routines/video.py,
queueing and the reaper are in routines/tasks.py (which imports this module, never the reverse).
"""

import errno
import logging
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path, PurePosixPath

import av
from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import DatabaseError, connections, transaction
from django.db.models import F
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from .caching import content_changed
from .models import Video
from .storage import local_path
from .video import (
    LARGE,
    SMALL,
    ProbeResult,
    VideoProbeError,
    video_make_poster,
    video_make_thumbnail,
    video_probe,
    video_remux,
    video_transcode,
)

logger = logging.getLogger(__name__)

COPY_CHUNK_BYTES = 1024 * 1024


def video_save(
    *, video: Video, changed_fields: Iterable[str], probe: ProbeResult | None = None
) -> Video:
    """Save a video edited in admin; a new or replaced file waits, pending, to be processed.

    Queueing it is the caller's next step (routines.tasks.video_enqueue).

    `probe` describes a new file (the form has already read it), so its facts show at once.
    Files the edit makes obsolete (the old original and everything made from it, an old
    poster or captions file) are deleted once the change is committed.
    """
    changed = set(changed_fields)
    new_file = "original" in changed
    previous = Video.objects.filter(pk=video.pk).first() if video.pk else None
    obsolete: list[str] = []
    if previous is not None:
        obsolete += [
            getattr(previous, name).name
            for name in ("original", "poster", "captions")
            if name in changed
        ]
        if new_file:
            obsolete += [
                previous.playable.name,
                previous.playable_small.name,
                previous.thumbnail.name,
            ]
            if "poster" not in changed:
                # A poster of the old file would now show the wrong picture.
                obsolete.append(previous.poster.name)
                video.poster = ""
        if "poster" in changed:
            obsolete.append(previous.thumbnail.name)

    if new_file:
        # Before saving, the field still holds the uploaded file under the name it came with.
        video.original_name = PurePosixPath(video.original.name).name[:255]
        _reset_processing(video, probe)
    if "poster" in changed:
        video.thumbnail = ""

    if previous is None or new_file:
        video.save()
    else:
        # Only what the form edits: the worker may be writing the processing fields now.
        video.save(update_fields=["title", "poster", "captions", "thumbnail", "updated_at"])

    if "poster" in changed and video.poster and not new_file:
        # A small Pillow resize, not video work: fine inside the request.
        with video.poster.open("rb") as poster:
            thumbnail = video_make_thumbnail(poster.read())
        video.thumbnail.name = _save_file(video.thumbnail, thumbnail, "thumbnail.jpg")
        video.save(update_fields=["thumbnail"])

    _delete_on_commit(obsolete, keep=_names(video))
    return video


def video_process(*, video: Video, token: str = "") -> Video:
    """Probe, make the poster, the thumbnail and both playable MP4s; record how it went.

    Runs in the task worker; demo content calls it directly (with no token). It works on a
    local copy of the original, writes results through Django's storage, and points the row
    at them only once all are complete, so a crash never leaves it on a half-written file.
    """
    if not token:
        token = uuid.uuid4().hex
        Video.objects.filter(pk=video.pk).update(task_token=token, status=Video.Status.PENDING)
    if not _claim(video, token):
        logger.info("Video %s: task %s is no longer current; nothing to do.", video.pk, token)
        return Video.objects.filter(pk=video.pk).first() or video

    heartbeat = _Heartbeat(video.pk, token)
    heartbeat.start()
    saved: list[str] = []  # names written so far, deleted again if the run fails
    try:
        made = _make_files(video, saved, on_progress=heartbeat.report_progress)
        _swap_in(video, token, made)
    except VideoProbeError as error:
        video_record_failure(video.pk, token, error.message)
        _delete_now(saved)
    except Exception as error:
        video_record_failure(video.pk, token, _plain_reason(error))
        _delete_now(saved)
        raise
    except BaseException:
        # The worker is being stopped: leave the row processing for the reaper to re-queue.
        _delete_now(saved)
        raise
    finally:
        heartbeat.stop()
    return Video.objects.filter(pk=video.pk).first() or video


def video_remove_abandoned_work(*, older_than: timedelta = timedelta(minutes=1)) -> list[Path]:
    """Delete work folders left by processing that crashed; return what was removed.

    A folder belongs to a live run when its name carries the token of a video being
    processed. The age check covers a run that started after that list was read.
    """
    work_dir = Path(settings.PSOASAPP_VIDEO_WORK_DIR)
    if not work_dir.is_dir():
        return []
    running = {
        f"{pk}-{token}-"
        for pk, token in Video.objects.filter(status=Video.Status.PROCESSING).values_list(
            "pk", "task_token"
        )
    }
    cutoff = time.time() - older_than.total_seconds()
    removed = []
    for folder in work_dir.iterdir():
        if (
            folder.is_dir()
            and folder.stat().st_mtime < cutoff
            and not any(folder.name.startswith(prefix) for prefix in running)
        ):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


@dataclass
class _Made:
    """The files one processing run produced, already saved to storage."""

    probe: ProbeResult
    playable: ProbeResult  # the 720p rendition
    playable_name: str
    playable_small: ProbeResult  # the 360p rendition
    playable_small_name: str
    poster_name: str  # "" when the video already had a poster
    thumbnail_name: str


def _claim(video: Video, token: str) -> bool:
    now = timezone.now()
    claimed = Video.objects.filter(
        pk=video.pk, task_token=token, status=Video.Status.PENDING
    ).update(
        status=Video.Status.PROCESSING,
        attempts=F("attempts") + 1,
        processing_started_at=now,
        processing_finished_at=None,
        heartbeat_at=now,
        progress_percent=0,
        error_message="",
        updated_at=now,
    )
    if claimed:
        video.refresh_from_db()
    return bool(claimed)


def _make_files(video: Video, saved: list[str], *, on_progress: Callable[[float], None]) -> _Made:
    work_root = Path(settings.PSOASAPP_VIDEO_WORK_DIR)
    work_root.mkdir(parents=True, exist_ok=True)
    # Named after the video and token, so the reaper can tell an abandoned folder.
    work = Path(tempfile.mkdtemp(prefix=f"{video.pk}-{video.task_token}-", dir=work_root))
    try:
        source = _local_path(video.original, work)
        probe = video_probe(source)
        if video.poster and video.poster.storage.exists(video.poster.name):
            with video.poster.open("rb") as poster:
                poster_data, new_poster = poster.read(), None
        else:
            poster_data = new_poster = video_make_poster(source)
        thumbnail = video_make_thumbnail(poster_data)
        output, small_output = work / "playable.mp4", work / "playable-small.mp4"
        if probe.is_web_safe:
            # Already what browsers get by default: only the small rendition is encoded.
            video_remux(source, output)
            video_transcode(source, {SMALL: small_output}, probe=probe, on_progress=on_progress)
        else:
            video_transcode(
                source, {LARGE: output, SMALL: small_output}, probe=probe, on_progress=on_progress
            )
        # What we made must itself be readable video.
        playable, playable_small = video_probe(output), video_probe(small_output)

        # Into storage only now that everything is made: a worker killed earlier leaves
        # nothing in media/, only a work folder the reaper clears away.
        poster_name = ""
        if new_poster is not None:
            poster_name = _save_file(video.poster, new_poster, "poster.jpg")
            saved.append(poster_name)
        thumbnail_name = _save_file(video.thumbnail, thumbnail, "thumbnail.jpg")
        saved.append(thumbnail_name)
        playable_name = _save_file(video.playable, output, "playable.mp4")
        saved.append(playable_name)
        playable_small_name = _save_file(video.playable_small, small_output, "playable.mp4")
        saved.append(playable_small_name)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return _Made(
        probe,
        playable,
        playable_name,
        playable_small,
        playable_small_name,
        poster_name,
        thumbnail_name,
    )


def _swap_in(video: Video, token: str, made: _Made) -> None:
    """Point the row at the new files in one step, and delete the ones they replace."""
    new_names = [
        made.playable_name,
        made.playable_small_name,
        made.poster_name,
        made.thumbnail_name,
    ]
    with transaction.atomic():
        current = Video.objects.select_for_update().filter(pk=video.pk, task_token=token).first()
        if current is None:
            # Deleted, given a new file, or queued again meanwhile: nobody wants these.
            _delete_on_commit(new_names, keep=set())
            return
        obsolete = [current.playable.name, current.playable_small.name]
        current.playable.name = made.playable_name
        current.playable_small.name = made.playable_small_name
        if made.poster_name and not current.poster:
            current.poster.name = made.poster_name
            obsolete.append(current.thumbnail.name)
            current.thumbnail.name = made.thumbnail_name
        elif made.poster_name:
            # The teacher chose a poster while we worked; hers wins, with her thumbnail.
            obsolete += [made.poster_name, made.thumbnail_name]
        else:
            obsolete.append(current.thumbnail.name)
            current.thumbnail.name = made.thumbnail_name
        _apply_facts(current, made.probe)
        current.playable_width = made.playable.width
        current.playable_height = made.playable.height
        current.playable_size_bytes = made.playable.size_bytes
        current.playable_small_width = made.playable_small.width
        current.playable_small_height = made.playable_small.height
        current.playable_small_size_bytes = made.playable_small.size_bytes
        now = timezone.now()
        current.status = Video.Status.READY
        current.error_message = ""
        current.progress_percent = 100
        current.processing_finished_at = now
        current.heartbeat_at = now
        current.save()
        # Never the original, even where an old row served it as its own playable file.
        _delete_on_commit(obsolete, keep=_names(current))


def video_record_failure(video_id: int, token: str, message: str) -> None:
    """Mark the video failed with a plain-words reason, if `token` is still its current one."""
    now = timezone.now()
    Video.objects.filter(pk=video_id, task_token=token).update(
        status=Video.Status.FAILED,
        error_message=message,
        progress_percent=0,
        processing_finished_at=now,
        updated_at=now,
    )
    content_changed()


def _reset_processing(video: Video, probe: ProbeResult | None) -> None:
    video.playable = video.playable_small = ""
    video.thumbnail = ""
    video.status = Video.Status.PENDING
    video.error_message = ""
    video.attempts = 0
    video.progress_percent = 0
    video.processing_started_at = video.processing_finished_at = video.heartbeat_at = None
    video.playable_width = video.playable_height = video.playable_size_bytes = None
    video.playable_small_width = video.playable_small_height = None
    video.playable_small_size_bytes = None
    if probe is not None:
        _apply_facts(video, probe)
    else:
        video.duration_seconds = video.width = video.height = video.frame_rate = None
        video.bits_per_second = video.size_bytes = None
        video.video_codec = video.audio_codec = ""


def _apply_facts(video: Video, probe: ProbeResult) -> None:
    video.duration_seconds = probe.duration_seconds
    video.width, video.height = probe.width, probe.height
    video.frame_rate = probe.frame_rate
    video.video_codec, video.audio_codec = probe.video_codec, probe.audio_codec
    video.bits_per_second = probe.bit_rate
    video.size_bytes = probe.size_bytes


class _Heartbeat(threading.Thread):
    """Tells the database every few seconds that processing is alive, and how far it got."""

    def __init__(self, video_id: int, token: str):
        super().__init__(name=f"video-{video_id}-heartbeat", daemon=True)
        self.video_id = video_id
        self.token = token
        self.interval = settings.PSOASAPP_VIDEO_HEARTBEAT_SECONDS
        self.progress = 0.0
        self._stopped = threading.Event()

    def report_progress(self, fraction: float) -> None:
        self.progress = fraction  # read by this thread at the next beat; a float swap is atomic

    def run(self) -> None:
        try:
            while not self._stopped.wait(self.interval):
                self.beat()
        finally:
            connections.close_all()  # this thread's own connections

    def beat(self) -> None:
        try:
            Video.objects.filter(
                pk=self.video_id, task_token=self.token, status=Video.Status.PROCESSING
            ).update(
                heartbeat_at=timezone.now(),
                progress_percent=min(99, int(self.progress * 100)),
            )
        except DatabaseError:
            # A busy database delays one beat; the reaper allows for several missed ones.
            logger.warning("Video %s: could not record a heartbeat.", self.video_id, exc_info=True)

    def stop(self) -> None:
        self._stopped.set()
        self.join(timeout=self.interval + 5)


class _WorkFile(File):
    """A finished file in the work folder.

    FileSystemStorage moves a file that has a temporary path rather than copying it, so on
    local storage the final name appears complete in one rename; other storages upload it.
    """

    def temporary_file_path(self) -> str:
        return self.file.name


def _save_file(field_file: FieldFile, content: bytes | Path, name: str) -> str:
    """Store `content` under a new generated name for the field; the row is left as it is."""
    target = field_file.field.generate_filename(field_file.instance, name)
    if isinstance(content, Path):
        with content.open("rb") as handle:
            return field_file.storage.save(target, _WorkFile(handle, name=name))
    return field_file.storage.save(target, ContentFile(content, name=name))


def _local_path(field_file: FieldFile, work: Path) -> Path:
    """A local path to a stored file: the file itself on local storage, else a copy in `work`."""
    path = local_path(field_file.storage, field_file.name)
    if path is not None and path.is_file():
        return path  # read in place; the original is never written to
    copy = work / f"original{PurePosixPath(field_file.name).suffix}"
    try:
        with field_file.open("rb") as source, copy.open("wb") as target:
            shutil.copyfileobj(source, target, COPY_CHUNK_BYTES)
    except FileNotFoundError:
        raise VideoProbeError("The uploaded file is missing.") from None
    return copy


def _names(video: Video) -> set[str]:
    return {f.name for f in video.stored_files()}


def _delete_now(names: Iterable[str]) -> None:
    for name in names:
        _storage().delete(name)


def _delete_on_commit(names: Iterable[str], *, keep: set[str]) -> None:
    doomed = {name for name in names if name and name not in keep}
    # Only once the change is committed: a rolled-back save keeps its files.
    transaction.on_commit(partial(_delete_now, doomed))


def _storage():
    # Every file field of Video uses the default storage.
    return Video._meta.get_field("original").storage


def _plain_reason(error: Exception) -> str:
    """Why processing failed, in words a teacher can act on, with detail for the operator."""
    if isinstance(error, MemoryError):
        return (
            "The server ran out of memory while converting this video. "
            "Try a shorter or smaller file."
        )
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return (
            "The server's disk is full, so the converted video could not be written. "
            "Ask whoever runs the site to free some space, then choose “Reprocess”."
        )
    if isinstance(error, av.FFmpegError):
        return (
            "We could not convert this video; the file may be damaged or in a format we "
            f"cannot convert. (FFmpeg said: {error.strerror or error})"
        )
    return (
        "Processing failed unexpectedly. Choose “Reprocess” to try again; if it fails again, "
        f"tell whoever runs the site. ({type(error).__name__}: {error})"
    )
