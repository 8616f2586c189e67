"""Tests for serving media with Range requests and conditional GET."""

import io
import os
from contextlib import closing

import pytest
from django.core.files.storage import Storage
from django.utils.http import http_date

from routines.streaming import FileSlice, ranged_file_response

SIZE = 1000
CONTENT = (bytes(range(256)) * 4)[:SIZE]
MTIME_NS = 1_700_000_000_123_456_789
ETAG = f'"{SIZE:x}-{MTIME_NS:x}"'
LAST_MODIFIED = http_date(MTIME_NS // 10**9)
URL = "/media/demo.mp4"


@pytest.fixture(autouse=True)
def demo_file(media_root):
    path = media_root / "demo.mp4"
    path.write_bytes(CONTENT)
    os.utime(path, ns=(MTIME_NS, MTIME_NS))
    return path


@pytest.fixture
def file_outside_media_root(media_root):
    path = media_root.parent / "settings.py"
    path.write_text("SECRET_KEY = 'x'\n")
    return path


def fetch(client, range_header=None, *, url=URL, method="get", **headers):
    """Make a request and read its body, kept as response.body.

    Reading a streamed body to the end also closes the response, and so the file.
    """
    if range_header is not None:
        headers["range"] = range_header
    response = getattr(client, method)(url, headers=headers)
    response.body = b"".join(response.streaming_content) if response.streaming else response.content
    return response


def test_file_without_range_is_served_whole(client):
    response = fetch(client)
    assert response.status_code == 200
    assert response["Content-Length"] == str(SIZE)
    assert "Content-Range" not in response
    assert response.body == CONTENT


def test_first_hundred_bytes_are_partial_content(client):
    response = fetch(client, "bytes=0-99")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 0-99/{SIZE}"
    assert response["Content-Length"] == "100"
    assert response.body == CONTENT[:100]


def test_open_ended_range_runs_to_end_of_file(client):
    response = fetch(client, "bytes=100-")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 100-{SIZE - 1}/{SIZE}"
    assert response["Content-Length"] == str(SIZE - 100)
    assert response.body == CONTENT[100:]


def test_suffix_range_serves_last_bytes(client):
    response = fetch(client, "bytes=-500")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 500-{SIZE - 1}/{SIZE}"
    assert response["Content-Length"] == "500"
    assert response.body == CONTENT[-500:]


def test_suffix_longer_than_file_serves_whole_file_as_partial(client):
    response = fetch(client, "bytes=-5000")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 0-{SIZE - 1}/{SIZE}"
    assert response.body == CONTENT


def test_range_end_past_end_of_file_is_clipped(client):
    response = fetch(client, "bytes=900-5000")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 900-{SIZE - 1}/{SIZE}"
    assert response["Content-Length"] == "100"
    assert response.body == CONTENT[900:]


def test_range_in_middle_is_byte_exact(client):
    response = fetch(client, "bytes=255-257")
    assert response.body == bytes([255, 0, 1])


@pytest.mark.parametrize("range_header", [f"bytes={SIZE}-", f"bytes={SIZE + 5}-{SIZE + 9}"])
def test_range_starting_past_end_of_file_is_416(client, range_header):
    response = fetch(client, range_header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{SIZE}"
    assert response.body == b""


def test_zero_length_suffix_is_416(client):
    response = fetch(client, "bytes=-0")
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{SIZE}"


@pytest.mark.parametrize("range_header", ["bytes=0-", "bytes=-10", "bytes=0-0"])
def test_any_range_on_empty_file_is_416(client, media_root, range_header):
    (media_root / "empty.vtt").write_bytes(b"")
    response = fetch(client, range_header, url="/media/empty.vtt")
    assert response.status_code == 416
    assert response["Content-Range"] == "bytes */0"
    assert response.body == b""


@pytest.mark.parametrize(
    "range_header",
    ["bytes=abc", "bytes=5-1", "bytes=-", "bytes 0-99", "bytes=0x10-", "bytes=1" + "0" * 25 + "-"],
)
def test_malformed_range_is_ignored(client, range_header):
    response = fetch(client, range_header)
    assert response.status_code == 200
    assert response["Content-Length"] == str(SIZE)
    assert response.body == CONTENT


def test_multiple_ranges_are_answered_with_whole_file(client):
    response = fetch(client, "bytes=0-1,5-6")
    assert response.status_code == 200
    assert "Content-Range" not in response
    assert response.body == CONTENT


def test_range_in_other_unit_is_ignored(client):
    response = fetch(client, "items=0-5")
    assert response.status_code == 200
    assert response.body == CONTENT


def test_range_unit_is_case_insensitive(client):
    response = fetch(client, "Bytes=0-9")
    assert response.status_code == 206
    assert response.body == CONTENT[:10]


def test_if_range_with_current_etag_honours_range(client):
    response = fetch(client, "bytes=0-99", if_range=ETAG)
    assert response.status_code == 206
    assert response.body == CONTENT[:100]


def test_if_range_with_stale_etag_sends_whole_file(client):
    response = fetch(client, "bytes=0-99", if_range='"3e8-1"')
    assert response.status_code == 200
    assert response.body == CONTENT


def test_if_range_with_weak_etag_sends_whole_file(client):
    """A weak validator never matches in If-Range, even for the same tag."""
    response = fetch(client, "bytes=0-99", if_range=f"W/{ETAG}")
    assert response.status_code == 200
    assert response.body == CONTENT


def test_if_range_with_last_modified_date_honours_range(client):
    response = fetch(client, "bytes=0-99", if_range=LAST_MODIFIED)
    assert response.status_code == 206
    assert response.body == CONTENT[:100]


def test_if_range_with_other_date_sends_whole_file(client):
    response = fetch(client, "bytes=0-99", if_range=http_date(MTIME_NS // 10**9 - 60))
    assert response.status_code == 200
    assert response.body == CONTENT


def test_if_range_without_range_is_ignored(client):
    response = fetch(client, if_range='"stale"')
    assert response.status_code == 200
    assert response.body == CONTENT


@pytest.mark.parametrize("if_none_match", [ETAG, "*", f'"other", W/{ETAG}'])
def test_if_none_match_that_matches_is_304(client, if_none_match):
    response = fetch(client, if_none_match=if_none_match)
    assert response.status_code == 304
    assert response["ETag"] == ETAG
    assert response["Last-Modified"] == LAST_MODIFIED
    assert response.body == b""


def test_if_none_match_wins_over_range(client):
    response = fetch(client, "bytes=0-99", if_none_match=ETAG)
    assert response.status_code == 304


def test_if_none_match_that_differs_sends_file(client):
    response = fetch(client, if_none_match='"other"')
    assert response.status_code == 200
    assert response.body == CONTENT


def test_if_modified_since_not_modified_is_304(client):
    response = fetch(client, if_modified_since=LAST_MODIFIED)
    assert response.status_code == 304
    assert response["ETag"] == ETAG


def test_if_modified_since_is_ignored_alongside_if_none_match(client):
    response = fetch(client, if_none_match='"other"', if_modified_since=LAST_MODIFIED)
    assert response.status_code == 200


def test_if_match_that_fails_is_412(client):
    response = fetch(client, if_match='"other"')
    assert response.status_code == 412


def test_if_match_that_passes_sends_file(client):
    response = fetch(client, "bytes=0-9", if_match=ETAG)
    assert response.status_code == 206
    assert response.body == CONTENT[:10]


def test_if_unmodified_since_that_fails_is_412(client):
    response = fetch(client, if_unmodified_since=http_date(MTIME_NS // 10**9 - 60))
    assert response.status_code == 412


def test_head_sends_get_headers_without_body(client):
    get_response = fetch(client)
    head_response = fetch(client, method="head")
    assert head_response.status_code == 200
    for name in ("Content-Type", "Content-Length", "ETag", "Last-Modified", "Accept-Ranges"):
        assert head_response[name] == get_response[name]
    assert head_response["Content-Length"] == str(SIZE)
    assert head_response.body == b""


def test_head_ignores_range(client):
    """RFC 9110 defines Range for GET only."""
    response = fetch(client, range_header="bytes=0-99", method="head")
    assert response.status_code == 200
    assert response["Content-Length"] == str(SIZE)


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("demo.mp4", "video/mp4"),
        ("captions.vtt", "text/vtt"),
        ("poster.jpg", "image/jpeg"),
        ("poster.webp", "image/webp"),
        ("archive.tar.gz", "application/octet-stream"),
        ("notes.unknownext", "application/octet-stream"),
    ],
)
def test_content_type_follows_extension(client, media_root, name, content_type):
    (media_root / name).write_bytes(b"x")
    response = fetch(client, url=f"/media/{name}")
    assert response["Content-Type"] == content_type


def test_partial_content_keeps_content_type(client):
    response = fetch(client, "bytes=0-9")
    assert response["Content-Type"] == "video/mp4"


@pytest.mark.parametrize(
    "headers",
    [{}, {"range": "bytes=0-9"}, {"range": f"bytes={SIZE}-"}, {"if_none_match": ETAG}],
)
def test_accept_ranges_is_always_sent(client, headers):
    response = fetch(client, **headers)
    assert response["Accept-Ranges"] == "bytes"


def test_validators_and_cache_control_are_sent(client):
    response = fetch(client)
    assert response["ETag"] == ETAG
    assert response["Last-Modified"] == LAST_MODIFIED
    assert response["Cache-Control"] == "public, max-age=3600"


def test_no_content_disposition_is_added(client):
    response = fetch(client, "bytes=0-9")
    assert "Content-Disposition" not in response


def test_file_in_subfolder_is_served(client, media_root):
    (media_root / "videos" / "2026").mkdir(parents=True)
    (media_root / "videos" / "2026" / "clip.mp4").write_bytes(CONTENT)
    response = fetch(client, url="/media/videos/2026/clip.mp4")
    assert response.body == CONTENT


@pytest.mark.parametrize(
    "url",
    ["/media/../settings.py", "/media/%2e%2e/settings.py", "/media/videos/%2E%2E/../settings.py"],
)
def test_path_traversal_is_404(client, media_root, file_outside_media_root, url):
    (media_root / "videos").mkdir()
    assert client.get(url).status_code == 404


def test_absolute_path_is_404(client, file_outside_media_root):
    assert client.get(f"/media/{file_outside_media_root}").status_code == 404


def test_symlink_out_of_media_root_is_404(client, media_root, file_outside_media_root):
    (media_root / "link.py").symlink_to(file_outside_media_root)
    assert client.get("/media/link.py").status_code == 404


def test_symlink_inside_media_root_is_served(client, media_root):
    (media_root / "alias.mp4").symlink_to(media_root / "demo.mp4")
    response = fetch(client, url="/media/alias.mp4")
    assert response.body == CONTENT


@pytest.mark.parametrize("name", [".env", "videos/.hidden.mp4"])
def test_dotfile_is_404(client, media_root, name):
    (media_root / "videos").mkdir()
    (media_root / name).write_bytes(b"secret")
    assert client.get(f"/media/{name}").status_code == 404


def test_directory_is_404(client, media_root):
    (media_root / "videos").mkdir()
    assert client.get("/media/videos").status_code == 404


def test_missing_file_is_404(client):
    assert client.get("/media/missing.mp4").status_code == 404


def test_nul_byte_in_path_is_404(client):
    assert client.get("/media/demo.mp4%00.txt").status_code == 404


def test_post_is_405(client):
    assert client.post(URL).status_code == 405


def test_ranged_body_is_a_file_slice_positioned_at_its_start(rf, demo_file):
    """gunicorn's sendfile sends Content-Length bytes from the descriptor's offset."""
    request = rf.get(URL, headers={"range": "bytes=100-199"})
    response = ranged_file_response(request, demo_file)
    file_slice = response.file_to_stream
    with closing(file_slice):
        assert isinstance(file_slice, FileSlice)
        assert os.lseek(file_slice.fileno(), 0, os.SEEK_CUR) == 100
        assert response["Content-Length"] == "100"
        assert b"".join(response.streaming_content) == CONTENT[100:200]


def test_file_slice_reads_stop_at_its_end(tmp_path):
    path = tmp_path / "data"
    path.write_bytes(CONTENT)
    with closing(FileSlice(path.open("rb", buffering=0), range(10, 20))) as file_slice:
        assert file_slice.read(4) == CONTENT[10:14]
        assert file_slice.read() == CONTENT[14:20]
        assert file_slice.read(4) == b""


def test_file_slice_seeks_in_file_offsets_as_socket_sendfile_does(tmp_path):
    path = tmp_path / "data"
    path.write_bytes(CONTENT)
    with closing(FileSlice(path.open("rb", buffering=0), range(10, 20))) as file_slice:
        assert file_slice.seek(0, io.SEEK_END) == 20
        file_slice.seek(15)
        assert file_slice.read(100) == CONTENT[15:20]


class RemoteStorage(Storage):
    """Stands in for S3: files have URLs but no local path."""

    def url(self, name):
        return f"https://bucket.example/{name}?X-Amz-Signature=abc"


@pytest.fixture
def remote_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.RemoteStorage"},
    }


@pytest.mark.usefixtures("remote_storage")
def test_object_storage_redirects_to_its_url(client):
    response = client.get("/media/videos/clip.mp4")
    assert response.status_code == 302
    assert response["Location"] == "https://bucket.example/videos/clip.mp4?X-Amz-Signature=abc"


@pytest.mark.usefixtures("remote_storage")
def test_object_storage_still_refuses_dot_segments(client):
    assert client.get("/media/%2e%2e/secret").status_code == 404


def test_media_is_served_as_a_file_never_as_a_page(client):
    response = fetch(client, "bytes=0-9")
    assert response.status_code == 206
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["X-Frame-Options"] == "DENY"
    # Sessions, CSRF and messages never run for a file.
    assert not response.cookies
    assert "Vary" not in response


def test_missing_media_gets_the_sites_not_found_page(client):
    response = client.get("/media/videos/missing.mp4")
    assert response.status_code == 404
    assert b"<!doctype html>" in response.content.lower()
