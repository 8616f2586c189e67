"""Background tasks. Video processing runs here, in the task worker, never in a web request."""

from django.tasks import task

from .models import Video
from .services import video_process


@task()
def process_video(*, video_id: int, token: str) -> str:
    """Process one uploaded video; `token` says which enqueue this is (see Video.task_token).

    Returns the video's status afterwards, or "gone" when the video was deleted meanwhile.
    """
    video = Video.objects.filter(pk=video_id).first()
    if video is None:
        return "gone"
    return video_process(video=video, token=token).status
