"""Uploads are served with their real type, and nothing a browser would run is shown in place.

Uploads are checked when staff add them, but a file can reach media/ by other means (a copy, a
restore, a bug): whatever it is named, only known video, image and caption types are shown
inline; the rest are opaque downloads, so our origin never serves a page someone else wrote.
"""

import pytest

SCRIPT = b"<script>fetch('/admin/').then(r => r.text()).then(alert)</script>"
HOSTILE = {
    "page.html": b"<!doctype html><html><body>" + SCRIPT + b"</body></html>",
    "page.htm": b"<html>" + SCRIPT + b"</html>",
    "page.xhtml": b'<html xmlns="http://www.w3.org/1999/xhtml">' + SCRIPT + b"</html>",
    "drawing.svg": b'<svg xmlns="http://www.w3.org/2000/svg">' + SCRIPT + b"</svg>",
    "data.xml": b'<?xml version="1.0"?><x:script xmlns:x="http://www.w3.org/1999/xhtml"/>',
    "notes.txt": b"<html>" + SCRIPT + b"</html>",
    "tool.js": b"alert(1)",
    "no-extension": b"<html>" + SCRIPT + b"</html>",
}
INLINE = {
    "clip.mp4": "video/mp4",
    "clip.m4v": "video/mp4",
    "clip.webm": "video/webm",
    "clip.mov": "video/quicktime",
    "poster.jpg": "image/jpeg",
    "poster.jpeg": "image/jpeg",
    "poster.png": "image/png",
    "poster.webp": "image/webp",
    "poster.gif": "image/gif",
    "captions.vtt": "text/vtt",
}


def fetch(client, url: str, **headers):
    response = client.get(url, headers=headers)
    response.body = b"".join(response.streaming_content) if response.streaming else response.content
    return response


@pytest.mark.parametrize("name", HOSTILE)
def test_a_file_a_browser_could_run_is_only_ever_a_download(client, media_root, name):
    (media_root / "blog" / "images").mkdir(parents=True)
    (media_root / "blog" / "images" / name).write_bytes(HOSTILE[name])
    response = fetch(client, f"/media/blog/images/{name}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.body == HOSTILE[name]


def test_a_ranged_request_for_a_download_is_a_download_too(client, media_root):
    (media_root / "drawing.svg").write_bytes(HOSTILE["drawing.svg"])
    response = fetch(client, "/media/drawing.svg", range="bytes=0-9")
    assert response.status_code == 206
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize(("name", "content_type"), INLINE.items())
def test_videos_images_and_captions_are_shown_in_place_with_their_type(
    client, media_root, name, content_type
):
    (media_root / name).write_bytes(b"\x00\x01 some bytes")
    response = fetch(client, f"/media/{name}")
    assert response["Content-Type"] == content_type
    assert "Content-Disposition" not in response
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_head_of_a_download_says_so_without_a_body(client, media_root):
    (media_root / "page.html").write_bytes(HOSTILE["page.html"])
    response = client.head("/media/page.html")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="page.html"'
    assert response.content == b""
