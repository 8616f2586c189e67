"""Processing a video in the background: what it makes, what it records, how it recovers.

Videos are made with PyAV inside the tests (see test_video.py); tasks run in-process
(ImmediateBackend) except where the real database queue is under test.
"""

import os
import time
from datetime import timedelta
from pathlib import Path

import av
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from model_bakery import baker
from PIL import Image

from routines import services
from routines.models import Video
from routines.services import video_process, video_remove_abandoned_work, video_save
from routines.tasks import VideoWorkerLost, video_enqueue, video_reap_stale
from routines.video import LARGE, SMALL, video_probe
from tests.routines.test_video import top_level_boxes, write_clip

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def work_dir(settings, tmp_path):
    settings.PSOASAPP_VIDEO_WORK_DIR = tmp_path / "work"
    return settings.PSOASAPP_VIDEO_WORK_DIR


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("clips")
    return {
        # H.264/AAC MP4, already web-safe, but with its index at the end.
        "web_safe": write_clip(
            folder / "web-safe.mp4", size=(320, 180), seconds=2, fps=24, faststart=False, audio=True
        ),
        "web_safe_mov": write_clip(folder / "web-safe.mov", size=(320, 180), seconds=2, audio=True),
        # MPEG-4 Part 2 in Matroska: needs transcoding.
        "mpeg4_mkv": write_clip(
            folder / "old-camera.mkv", codec="mpeg4", size=(320, 180), seconds=2, fps=25, audio=True
        ),
        # HEVC in MOV, stored sideways with a quarter turn to apply, as iPhones record.
        "hevc_phone": write_clip(
            folder / "IMG_0001.MOV".lower(),
            codec="libx265",
            size=(320, 180),
            seconds=2,
            fps=30,
            rotation=-90,
            audio=True,
        ),
        # Portrait 1080×1920 H.264: browsers could play it, but it is bigger than 720p.
        "portrait": write_clip(folder / "portrait.mp4", size=(1080, 1920), seconds=1, fps=6),
        # 720p H.264/AAC, web-safe as it is: the 720p rendition is the clip remuxed.
        "web_safe_720p": write_clip(
            folder / "web-safe-720p.mp4", size=(1280, 720), seconds=1, fps=12, audio=True
        ),
    }


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run on_commit callbacks (deleting replaced files, sending tasks) as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


class ObjectStorage(InMemoryStorage):
    """Storage with no local paths, as S3 is."""

    def path(self, name):
        raise NotImplementedError("This backend doesn't support absolute paths.")

    def _relative_path(self, name):
        return os.path.relpath(InMemoryStorage.path(self, name), self.location)


def make_video(path: Path, **fields) -> Video:
    return baker.make(
        Video,
        title="Constructive rest",
        original=ContentFile(path.read_bytes(), name=path.name),
        original_name=path.name,
        **fields,
    )


def media_files(media_root: Path) -> list[str]:
    return sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file())


# What processing makes


def test_a_web_safe_upload_is_only_remuxed_with_its_index_first(clips, commit):
    video = make_video(clips["web_safe"])
    with commit():
        video = video_process(video=video)
    assert video.status == Video.Status.READY
    assert video.playable.name != video.original.name, "the original is kept as it was"
    boxes = top_level_boxes(Path(video.playable.path).read_bytes())
    assert boxes.index("moov") < boxes.index("mdat")
    uploaded = top_level_boxes(clips["web_safe"].read_bytes())
    assert uploaded.index("moov") > uploaded.index("mdat"), "the upload had its index last"
    probe = video_probe(video.playable.path)
    assert (probe.width, probe.height, probe.video_codec, probe.audio_codec) == (
        320,
        180,
        "h264",
        "aac",
    )


def test_a_web_safe_mov_is_served_under_an_mp4_name(clips, commit):
    with commit():
        video = video_process(video=make_video(clips["web_safe_mov"]))
    assert video.original.name.endswith(".mov")
    assert video.playable.name.startswith("videos/") and video.playable.name.endswith(".mp4")


@pytest.mark.parametrize("clip", ["mpeg4_mkv", "hevc_phone", "portrait"])
def test_a_video_that_needs_it_is_transcoded_to_h264_high_aac_with_faststart(clips, commit, clip):
    with commit():
        video = video_process(video=make_video(clips[clip]))
    assert video.status == Video.Status.READY, video.error_message
    path = Path(video.playable.path)
    boxes = top_level_boxes(path.read_bytes())
    assert boxes.index("moov") < boxes.index("mdat"), "faststart"
    original, playable = video_probe(clips[clip]), video_probe(path)
    assert (playable.video_codec, playable.pix_fmt) == ("h264", "yuv420p")
    assert playable.audio_codec == ("aac" if original.audio_codec else "")
    assert (
        min(playable.width, playable.height) <= 720 and max(playable.width, playable.height) <= 1280
    )
    assert playable.duration_seconds == pytest.approx(original.duration_seconds, abs=0.1)
    with av.open(str(path)) as container:
        assert container.streams.video[0].codec_context.profile == "High"


def assert_web_ready(path: Path, source: Path, size: tuple[int, int]) -> None:
    """H.264 (yuv420p) + AAC (if the source has sound) MP4, index first, `size`, same length."""
    boxes = top_level_boxes(path.read_bytes())
    assert boxes.index("moov") < boxes.index("mdat"), "faststart"
    made, original = video_probe(path), video_probe(source)
    assert (made.video_codec, made.pix_fmt) == ("h264", "yuv420p")
    assert made.audio_codec == ("aac" if original.audio_codec else "")
    assert (made.width, made.height, made.rotation) == (*size, 0)
    assert made.duration_seconds == pytest.approx(original.duration_seconds, abs=0.1)


@pytest.mark.parametrize(
    ("clip", "large", "small"),
    [
        ("web_safe_720p", (1280, 720), (640, 360)),
        ("portrait", (720, 1280), (360, 640)),
        # Below 360p a source keeps its own size in both: upscaling adds bytes, not detail.
        ("mpeg4_mkv", (320, 180), (320, 180)),
        ("hevc_phone", (180, 320), (180, 320)),
    ],
)
def test_processing_makes_a_720p_and_a_360p_rendition_and_records_both(
    clips, commit, clip, large, small
):
    with commit():
        video = video_process(video=make_video(clips[clip]))
    assert video.status == Video.Status.READY, video.error_message
    assert len({video.original.name, video.playable.name, video.playable_small.name}) == 3
    assert_web_ready(Path(video.playable.path), clips[clip], large)
    assert_web_ready(Path(video.playable_small.path), clips[clip], small)
    assert (video.playable_width, video.playable_height) == large
    assert (video.playable_small_width, video.playable_small_height) == small
    assert video.playable_size_bytes == Path(video.playable.path).stat().st_size
    assert video.playable_small_size_bytes == Path(video.playable_small.path).stat().st_size
    with av.open(video.playable_small.path) as container:
        assert container.streams.video[0].codec_context.profile == "High"


def test_the_small_rendition_stays_near_0_8_mbit_s_however_busy_the_picture(tmp_path, commit):
    """Noise is the worst case for an encoder: the cap, not the quality target, decides."""
    source = write_clip(tmp_path / "noise.mp4", size=(1280, 720), seconds=4, fps=12, noise=True)
    with commit():
        video = video_process(video=make_video(source))
    with av.open(video.playable_small.path) as container:
        picture = container.streams.video[0]
        bits_per_second = picture.bit_rate
    # 0.8 Mbit/s with a 1.6 Mbit buffer allows at most (0.8 × 4 + 1.6) / 4 = 1.2 Mbit/s here.
    assert 300_000 < bits_per_second <= 1_200_000
    assert video.playable_small_size_bytes < video.playable_size_bytes / 2


def test_a_sideways_phone_video_comes_out_upright(clips, commit):
    with commit():
        video = video_process(video=make_video(clips["hevc_phone"]))
    playable = video_probe(video.playable.path)
    assert (playable.width, playable.height, playable.rotation) == (180, 320, 0)
    assert (video.width, video.height) == (180, 320), "the displayed size is recorded"
    assert Image.open(video.poster.path).size == (180, 320)


def test_a_portrait_1080x1920_clip_is_scaled_to_720x1280(clips, commit):
    with commit():
        video = video_process(video=make_video(clips["portrait"]))
    assert (video.playable_width, video.playable_height) == (720, 1280)
    assert (video.width, video.height) == (1080, 1920)


def test_processing_records_what_the_file_holds(clips, commit):
    with commit():
        video = video_process(video=make_video(clips["mpeg4_mkv"]))
    assert video.duration_seconds == pytest.approx(2, abs=0.1)
    assert (video.width, video.height, video.frame_rate) == (320, 180, 25)
    assert (video.video_codec, video.audio_codec) == ("mpeg4", "aac")
    assert video.bits_per_second > 0
    assert video.size_bytes == clips["mpeg4_mkv"].stat().st_size
    assert video.playable_size_bytes == Path(video.playable.path).stat().st_size
    assert (video.attempts, video.progress_percent) == (1, 100)
    assert video.processing_started_at <= video.processing_finished_at
    assert video.heartbeat_at is not None
    assert video.error_message == ""


def test_processing_makes_a_poster_and_a_small_thumbnail(clips, commit):
    with commit():
        video = video_process(video=make_video(clips["web_safe"]))
    assert Image.open(video.poster.path).size == (320, 180)
    assert Image.open(video.thumbnail.path).size == (320, 180)
    with commit():
        video = video_process(video=make_video(clips["portrait"]))
    assert Image.open(video.thumbnail.path).size == (180, 320)


def test_processing_keeps_the_teachers_poster(clips, commit, tmp_path):
    poster = tmp_path / "mine.jpg"
    Image.new("RGB", (400, 300), "orange").save(poster)
    video = make_video(clips["web_safe"], poster=ContentFile(poster.read_bytes(), name="mine.jpg"))
    name = video.poster.name
    with commit():
        video = video_process(video=video)
    assert video.poster.name == name
    assert Image.open(video.thumbnail.path).size == (320, 240)


def test_processing_reports_progress_while_transcoding(clips, tmp_path):
    from routines.video import video_transcode

    seen = []
    source = clips["mpeg4_mkv"]
    video_transcode(
        source,
        {LARGE: tmp_path / "out.mp4", SMALL: tmp_path / "small.mp4"},
        probe=video_probe(source),
        on_progress=seen.append,
    )
    assert seen == sorted(seen)
    assert seen[0] < 0.5 and seen[-1] == 1.0


def test_the_original_is_kept_byte_for_byte(clips, commit):
    video = make_video(clips["hevc_phone"])
    with commit():
        video = video_process(video=video)
    assert Path(video.original.path).read_bytes() == clips["hevc_phone"].read_bytes()


def test_processing_works_on_storage_without_local_paths(clips, settings, commit):
    """As with S3: the original is copied to a temporary file and results saved through storage."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "tests.routines.test_video_pipeline.ObjectStorage"},
    }
    video = make_video(clips["mpeg4_mkv"])
    with pytest.raises(NotImplementedError):
        video.original.path  # noqa: B018
    with commit():
        video = video_process(video=video)
    assert video.status == Video.Status.READY, video.error_message
    assert video.playable.storage.exists(video.playable.name)
    assert video.playable.size == video.playable_size_bytes
    assert not list(Path(settings.PSOASAPP_VIDEO_WORK_DIR).iterdir()), "the copy is removed"


# Failure


def test_a_file_that_turns_out_unreadable_is_failed_with_its_reason(media_root, commit):
    video = make_video(Path(__file__))  # this test module is not a video
    with commit():
        video = video_process(video=video)
    assert video.status == Video.Status.FAILED
    assert video.error_message == "This file is not a video we can read."
    assert (video.attempts, video.progress_percent) == (1, 0)
    assert video.processing_finished_at is not None
    assert media_files(media_root) == [video.original.name], "nothing made, nothing left"


def test_an_unexpected_error_is_recorded_in_plain_words_and_raised(
    clips, media_root, commit, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("the encoder fell over")

    monkeypatch.setattr(services, "video_transcode", broken)
    video = make_video(clips["mpeg4_mkv"])
    with commit(), pytest.raises(RuntimeError):
        video_process(video=video)
    video.refresh_from_db()
    assert video.status == Video.Status.FAILED
    assert video.error_message.startswith("Processing failed unexpectedly.")
    assert "the encoder fell over" in video.error_message
    assert media_files(media_root) == [video.original.name], "nothing made is left"


def test_a_task_that_is_no_longer_current_does_nothing(clips, commit):
    video = make_video(clips["web_safe"], status=Video.Status.PENDING, task_token="a" * 32)
    with commit():
        video_process(video=video, token="b" * 32)
    video.refresh_from_db()
    assert (video.status, video.attempts, video.playable.name) == (Video.Status.PENDING, 0, "")


def test_work_for_a_video_replaced_meanwhile_is_thrown_away(clips, media_root, commit, monkeypatch):
    real_remux = services.video_remux

    def remux_while_the_teacher_uploads_again(source, destination):
        real_remux(source, destination)
        Video.objects.filter(pk=video.pk).update(task_token="c" * 32, status="pending")

    monkeypatch.setattr(services, "video_remux", remux_while_the_teacher_uploads_again)
    video = make_video(clips["web_safe"])
    with commit():
        video_process(video=video)
    video.refresh_from_db()
    assert (video.status, video.playable.name, video.poster.name) == ("pending", "", "")
    assert media_files(media_root) == [video.original.name]


# Queueing, reprocessing, replacing, deleting


def test_enqueue_runs_the_task_after_commit(clips, commit):
    video = make_video(clips["mpeg4_mkv"])
    with commit():
        video_enqueue(video=video)
        assert Video.objects.get(pk=video.pk).status == Video.Status.PENDING
    video.refresh_from_db()
    assert video.status == Video.Status.READY
    assert video.task_result_id, "the queue's id for the task is kept"


def test_reprocessing_replaces_the_made_files_and_deletes_the_old_ones(clips, media_root, commit):
    with commit():
        video = video_process(video=make_video(clips["mpeg4_mkv"]))
    before = {video.playable.name, video.playable_small.name, video.thumbnail.name}
    with commit():
        video_enqueue(video=video, reset_attempts=True)
    video.refresh_from_db()
    assert video.status == Video.Status.READY
    assert not before & {video.playable.name, video.playable_small.name, video.thumbnail.name}
    assert media_files(media_root) == sorted(
        [
            video.original.name,
            video.playable.name,
            video.playable_small.name,
            video.poster.name,
            video.thumbnail.name,
        ]
    )


def test_reprocessing_a_row_from_before_there_were_two_sizes_makes_the_small_one(
    clips, media_root, commit
):
    with commit():
        video = video_process(video=make_video(clips["mpeg4_mkv"]))
    old_small = video.playable_small.name
    Video.objects.filter(pk=video.pk).update(playable_small="", playable_small_size_bytes=None)
    Path(media_root / old_small).unlink()
    with commit():
        video_enqueue(video=video, reset_attempts=True)
    video.refresh_from_db()
    assert video.playable_small and video.playable_small_size_bytes
    assert Path(video.playable_small.path).is_file()


def test_reprocessing_a_row_that_played_its_original_keeps_the_original(clips, media_root, commit):
    """Rows from before this pipeline pointed `playable` at the original itself."""
    video = make_video(clips["web_safe"], status=Video.Status.READY)
    Video.objects.filter(pk=video.pk).update(playable=video.original.name)
    video.refresh_from_db()
    with commit():
        video_enqueue(video=video, reset_attempts=True)
    video.refresh_from_db()
    assert video.status == Video.Status.READY
    assert video.playable.name != video.original.name
    assert Path(video.original.path).exists()


def test_replacing_the_file_reprocesses_it_and_deletes_the_old_files(clips, media_root, commit):
    with commit():
        video = video_process(video=make_video(clips["mpeg4_mkv"]))
    old = set(media_files(media_root))
    video.original = ContentFile(clips["web_safe"].read_bytes(), name="take-two.mp4")
    with commit():
        video_save(video=video, changed_fields=["original"])
        video_enqueue(video=video, reset_attempts=True)
    video.refresh_from_db()
    assert video.status == Video.Status.READY
    assert video.original_name == "take-two.mp4"
    now = set(media_files(media_root))
    assert not old & now, "no file of the first upload is left"
    assert now == {
        video.original.name,
        video.playable.name,
        video.playable_small.name,
        video.poster.name,
        video.thumbnail.name,
    }


def test_deleting_a_video_removes_all_its_files(clips, media_root, commit):
    with commit():
        video = video_process(video=make_video(clips["mpeg4_mkv"]))
        video.captions.save("c.vtt", ContentFile(b"WEBVTT\n\n00:00.000 --> 00:01.000\nHi\n"))
    # The original, both renditions, the poster, the thumbnail and the captions.
    assert len(media_files(media_root)) == 6
    with commit():
        video.delete()
    assert media_files(media_root) == []


# The heartbeat and the reaper


@pytest.mark.django_db(transaction=True)
def test_processing_beats_while_it_works(clips, settings, monkeypatch):
    settings.PSOASAPP_VIDEO_HEARTBEAT_SECONDS = 0.05
    beats = []
    real_transcode = services.video_transcode

    def slow_transcode(*args, on_progress, **kwargs):
        real_transcode(*args, on_progress=on_progress, **kwargs)
        on_progress(0.5)
        started = Video.objects.get().heartbeat_at
        time.sleep(0.5)
        current = Video.objects.get()
        beats.append((started, current.heartbeat_at, current.progress_percent))

    monkeypatch.setattr(services, "video_transcode", slow_transcode)
    video_process(video=make_video(clips["mpeg4_mkv"]))
    [(started, later, percent)] = beats
    assert later > started
    assert percent == 50


def stale_job(*, attempts: int = 1, minutes_ago: int = 10, **fields) -> tuple[Video, DBTaskResult]:
    """A video a killed worker left processing, and its task left RUNNING in the queue."""
    long_ago = timezone.now() - timedelta(minutes=minutes_ago)
    task = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="routines.tasks.process_video",
        backend_name="default",
        status="RUNNING",
        started_at=long_ago,
        worker_ids=["dead-worker"],
    )
    video = baker.make(
        Video,
        title="Half done",
        original=ContentFile(b"x", name="a.mp4"),
        **{
            "status": Video.Status.PROCESSING,
            "attempts": attempts,
            "heartbeat_at": long_ago,
            "processing_started_at": long_ago,
            "task_token": "d" * 32,
            "task_result_id": str(task.pk),
            **fields,
        },
    )
    return video, task


def test_the_reaper_requeues_a_job_whose_heartbeat_is_stale(settings, commit):
    settings.TASKS = DATABASE_QUEUE
    video, dead_task = stale_job(attempts=1)
    with commit():
        [reaped] = video_reap_stale(stale_after=timedelta(minutes=2), max_attempts=3)
    assert reaped.requeued
    video.refresh_from_db()
    assert video.status == Video.Status.PENDING
    assert video.task_token != "d" * 32
    assert video.attempts == 1, "counted when the new task starts, not here"
    dead_task.refresh_from_db()
    assert dead_task.status == "FAILED"
    assert dead_task.exception_class_path == "routines.tasks.VideoWorkerLost"
    assert dead_task.task_result.errors[0].exception_class is VideoWorkerLost
    queued = DBTaskResult.objects.get(pk=video.task_result_id)
    assert (queued.status, queued.args_kwargs["kwargs"]) == (
        "READY",
        {"video_id": video.pk, "token": video.task_token},
    )


def test_the_reaper_gives_up_after_the_last_attempt(settings, commit):
    settings.TASKS = DATABASE_QUEUE
    video, dead_task = stale_job(attempts=3)
    with commit():
        [reaped] = video_reap_stale(stale_after=timedelta(minutes=2), max_attempts=3)
    assert not reaped.requeued
    video.refresh_from_db()
    assert video.status == Video.Status.FAILED
    assert video.error_message.startswith("Processing stopped 3 times without finishing")
    assert DBTaskResult.objects.count() == 1, "nothing new queued"


def test_the_reaper_leaves_a_live_job_alone(settings, commit):
    settings.TASKS = DATABASE_QUEUE
    video, task = stale_job(heartbeat_at=timezone.now() - timedelta(seconds=5))
    with commit():
        assert video_reap_stale(stale_after=timedelta(minutes=2), max_attempts=3) == []
    task.refresh_from_db()
    assert task.status == "RUNNING"


def test_the_reaper_requeues_a_video_whose_task_died_before_starting_it(settings, commit):
    settings.TASKS = DATABASE_QUEUE
    video, dead_task = stale_job(status=Video.Status.PENDING, attempts=0, heartbeat_at=None)
    Video.objects.filter(pk=video.pk).update(updated_at=timezone.now() - timedelta(minutes=10))
    with commit():
        [reaped] = video_reap_stale(stale_after=timedelta(minutes=2), max_attempts=3)
    assert reaped.requeued
    dead_task.refresh_from_db()
    assert dead_task.status == "FAILED"


def test_the_reaper_leaves_a_video_still_waiting_in_the_queue(settings, commit):
    settings.TASKS = DATABASE_QUEUE
    video, task = stale_job(status=Video.Status.PENDING, attempts=0, heartbeat_at=None)
    DBTaskResult.objects.filter(pk=task.pk).update(status="READY", started_at=None)
    Video.objects.filter(pk=video.pk).update(updated_at=timezone.now() - timedelta(minutes=10))
    with commit():
        assert video_reap_stale(stale_after=timedelta(minutes=2), max_attempts=3) == []


def test_reap_videos_command_says_what_it_did(settings, commit):
    settings.TASKS = DATABASE_QUEUE
    stale_job()
    from io import StringIO

    out = StringIO()
    with commit():
        call_command("reap_videos", "--stale-after", "60", stdout=out)
    assert "Queued “Half done”" in out.getvalue()


def test_abandoned_work_folders_are_removed_but_live_ones_kept(work_dir):
    live, _ = stale_job(heartbeat_at=timezone.now())
    work_dir.mkdir()
    (work_dir / f"{live.pk}-{live.task_token}-abc").mkdir()
    (work_dir / f"{live.pk}-{'e' * 32}-def").mkdir()
    removed = video_remove_abandoned_work(older_than=timedelta(0))
    assert [p.name for p in removed] == [f"{live.pk}-{'e' * 32}-def"]
    assert [p.name for p in work_dir.iterdir()] == [f"{live.pk}-{live.task_token}-abc"]


def test_a_brand_new_work_folder_is_kept_while_its_run_gets_going(work_dir):
    """A run may claim its video just after the reaper read the list of running ones."""
    work_dir.mkdir()
    (work_dir / f"1-{'f' * 32}-new").mkdir()
    assert video_remove_abandoned_work(older_than=timedelta(minutes=1)) == []


def test_the_encoder_chooses_keyframes_whatever_the_source_had(tmp_path, commit):
    """Decoded frames carry their picture type, and x264 would obey an all-keyframe source."""
    source = tmp_path / "all-intra.mkv"
    with av.open(str(source), "w", format="matroska") as container:
        stream = container.add_stream("mpeg4", rate=25, options={"g": "1"})
        stream.width, stream.height, stream.pix_fmt = 320, 180, "yuv420p"
        for index in range(100):
            frame = av.VideoFrame.from_image(Image.new("RGB", (320, 180), (index, 90, 120)))
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    with commit():
        video = video_process(video=make_video(source))
    with av.open(video.playable.path) as container:
        keyframes = sum(packet.is_keyframe for packet in container.demux(video=0) if packet.size)
    assert 2 <= keyframes <= 3, "one every two seconds of a four-second clip"
