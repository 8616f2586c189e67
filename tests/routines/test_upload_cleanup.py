"""Partial uploads left by a dead worker are removed; uploads still arriving are not."""

import os
import time
from datetime import timedelta

import pytest
from django.core.management import call_command

from routines.upload import SizeLimitedUploadHandler, upload_remove_abandoned


@pytest.fixture
def uploads(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    settings.PSOASAPP_VIDEO_WORK_DIR = tmp_path / "work"
    (tmp_path / "uploads").mkdir()
    return tmp_path / "uploads"


def aged(path, seconds=600):
    then = time.time() - seconds
    os.utime(path, (then, then))
    return path


def arriving_upload() -> SizeLimitedUploadHandler:
    """An upload being received right now: its handler holds the temporary file open."""
    handler = SizeLimitedUploadHandler()
    handler.new_file("file", "class.mov", "video/quicktime", None)
    handler.receive_data_chunk(b"\x00" * 1024, 0)
    handler.file.flush()
    return handler


def test_an_old_upload_nobody_holds_is_removed(uploads):
    left = uploads / "tmpabc123.upload.mov"
    left.write_bytes(b"\x00" * 1024)
    aged(left)
    assert upload_remove_abandoned(older_than=timedelta(minutes=1)) == [left]
    assert not left.exists()


def test_an_upload_still_arriving_is_kept_however_old(uploads):
    handler = arriving_upload()
    path = aged(handler.file.temporary_file_path())
    try:
        assert upload_remove_abandoned(older_than=timedelta(minutes=1)) == []
        assert os.path.exists(path)
    finally:
        handler.file.close()


def test_a_fresh_file_and_other_files_are_left_alone(uploads):
    fresh = uploads / "tmpfresh.upload.mp4"
    fresh.write_bytes(b"x")
    other = uploads / "notes.txt"
    other.write_bytes(b"x")
    aged(other)
    assert upload_remove_abandoned(older_than=timedelta(minutes=1)) == []
    assert fresh.exists() and other.exists()


@pytest.mark.django_db
def test_reap_videos_removes_partial_uploads_and_says_so(uploads, capsys):
    left = uploads / "tmpdead.upload.mov"
    left.write_bytes(b"\x00" * 1024)
    aged(left)
    call_command("reap_videos")
    assert f"Removed the partial upload {left}" in capsys.readouterr().out
    assert not left.exists()
