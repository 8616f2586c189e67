"""Background tasks, and queueing them: video processing runs in the task worker, never in a
web request. This module imports the services; they never import it.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus, task, task_backends
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import timezone
from django_tasks.exceptions import TaskResultDoesNotExist as BackportResultDoesNotExist

from .caching import content_changed
from .models import Video
from .services import video_process, video_record_failure

# django-tasks-rq is built on the django-tasks backport, and raises the backport's exception.
TASK_RESULT_MISSING = (TaskResultDoesNotExist, BackportResultDoesNotExist)


@task()
def process_video(*, video_id: int, token: str) -> str:
    """Process one uploaded video; `token` says which enqueue this is (see Video.task_token).

    Returns the video's status afterwards, or "gone" when the video was deleted meanwhile.
    """
    video = Video.objects.filter(pk=video_id).first()
    if video is None:
        return "gone"
    return video_process(video=video, token=token).status


class VideoWorkerLost(Exception):
    """The worker running a video's task stopped without finishing it (recorded by the reaper)."""


@dataclass(frozen=True)
class ReapedVideo:
    video: Video
    requeued: bool  # False: it ran out of attempts and is now marked failed


def video_enqueue(*, video: Video, reset_attempts: bool = False) -> None:
    """Queue `video` for processing once the current transaction commits.

    Each call gets a new token; a task still running for an older one finds it no longer
    matches and throws its work away.
    """
    fields = {
        "status": Video.Status.PENDING,
        "task_token": uuid.uuid4().hex,
        "task_result_id": "",
        "error_message": "",
        "progress_percent": 0,
        "heartbeat_at": None,
        "processing_started_at": None,
        "processing_finished_at": None,
        "updated_at": timezone.now(),
    }
    if reset_attempts:
        fields["attempts"] = 0
    Video.objects.filter(pk=video.pk).update(**fields)
    content_changed()  # pages say it is being prepared; an update sends no save signals
    for name, value in fields.items():
        setattr(video, name, value)
    # After commit, so a worker never picks up a task for a row it cannot see yet. A queue
    # that is down must not undo the save; the reaper queues the video again later.
    transaction.on_commit(partial(_send_task, video.pk, fields["task_token"]), robust=True)


def video_reap_stale(
    *,
    stale_after: timedelta | None = None,
    max_attempts: int | None = None,
    now: datetime | None = None,
) -> list[ReapedVideo]:
    """Re-queue videos whose worker died mid-job; mark them failed after `max_attempts`.

    Neither task backend retries a killed worker's task (django-tasks-db leaves it RUNNING for
    ever; RQ marks it failed once its heartbeat lapses), so this is what recovers from a
    crash: a video whose heartbeat is older than `stale_after` is queued again (with
    django-tasks-db its dead task is marked failed in the queue). So is one that has waited
    that long for a task that never came or was lost before it started (with RQ, a Redis
    that lost its data). Safe to run from several places at once.
    """
    if stale_after is None:
        stale_after = timedelta(seconds=settings.PSOASAPP_VIDEO_STALE_SECONDS)
    if max_attempts is None:
        max_attempts = settings.PSOASAPP_VIDEO_MAX_ATTEMPTS
    now = now or timezone.now()
    cutoff = now - stale_after
    stuck = Q(status=Video.Status.PROCESSING) & (
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, updated_at__lt=cutoff)
    )
    waiting = Q(status=Video.Status.PENDING, updated_at__lt=cutoff)

    reaped = []
    for video in Video.objects.filter(stuck | waiting).order_by("pk"):
        if video.status == Video.Status.PENDING and not _task_was_lost(video, cutoff):
            continue  # still waiting its turn in the queue
        with transaction.atomic():
            # Again under the write lock: another reaper, or the task itself, may have got
            # there first.
            video = (
                Video.objects.select_for_update()
                .filter(stuck | waiting, pk=video.pk, task_token=video.task_token)
                .first()
            )
            if video is None:
                continue
            _give_up_task(video.task_result_id, now=now)
            if video.status == Video.Status.PROCESSING and video.attempts >= max_attempts:
                video_record_failure(
                    video.pk,
                    video.task_token,
                    f"Processing stopped {video.attempts} times without finishing: the worker "
                    "was stopped or ran out of memory part-way through. Choose “Reprocess” to "
                    "try again, or upload a shorter or smaller file.",
                )
                video.refresh_from_db()
                reaped.append(ReapedVideo(video, requeued=False))
            else:
                video_enqueue(video=video)
                reaped.append(ReapedVideo(video, requeued=True))
    return reaped


def _send_task(video_id: int, token: str) -> None:
    result = process_video.enqueue(video_id=video_id, token=token)
    Video.objects.filter(pk=video_id, task_token=token).update(task_result_id=str(result.id))


def _task_was_lost(video: Video, cutoff: datetime) -> bool:
    """Whether a pending video's task will never run it: never queued, or gone from the queue."""
    if not video.task_result_id:
        return True  # queueing failed after the save
    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    if not backend.supports_get_result:
        return False
    try:
        result = backend.get_result(video.task_result_id)
    except TASK_RESULT_MISSING:
        return True  # e.g. Redis restarted without its data
    if result.status == TaskResultStatus.READY:
        return False
    if result.status == TaskResultStatus.RUNNING:
        # A running task claims its video within moments; still pending means it died first.
        return result.started_at is not None and result.started_at < cutoff
    return True  # finished without ever claiming the video


def _give_up_task(task_result_id: str, *, now: datetime) -> None:
    """Mark a dead worker's task failed in the database queue, where it would stay RUNNING.

    RQ needs no help: its workers move a job whose heartbeat stopped to the failed registry.
    """
    if not task_result_id:
        return
    try:
        from django_tasks_db.backend import DatabaseBackend
        from django_tasks_db.models import DBTaskResult
    except ImportError:
        return
    if not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
        return
    DBTaskResult.objects.filter(id=task_result_id, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path=f"{VideoWorkerLost.__module__}.{VideoWorkerLost.__qualname__}",
        traceback=(
            "The worker stopped sending heartbeats for this video, so it was presumed dead "
            "and the video was queued again or marked failed."
        ),
    )
