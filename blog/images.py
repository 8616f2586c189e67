"""Responsive renditions of uploaded images, made with Pillow and stored beside the original.

A row keeps its renditions in a JSON field, {"source": <original's name>, "items": [{"name",
"width", "height"}, …]}; a rendition is remade only when the original it was made from changes.
"""

import io
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models.fields.files import ImageFieldFile
from PIL import Image, ImageOps

# Wide enough for a phone (480), a laptop column (960) and a high-density laptop (1440).
FEATURED_WIDTHS = (480, 960, 1440)
# Avatars are shown at 80 CSS pixels: one size for ordinary screens, one for dense ones.
AVATAR_WIDTHS = (96, 192)
WEBP_QUALITY = 80
# Pillow's encoder effort (0–6): 2 is twice as fast as the default 4 for files ~5 % larger.
WEBP_METHOD = 2

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
# Far beyond any photo a teacher takes, and far below what would exhaust the server's memory.
MAX_PIXELS = 50_000_000
SVG_REFUSED = (
    "SVG drawings cannot be uploaded: they can carry scripts that would run on the site. "
    "Please upload a JPEG, PNG, WebP or GIF image instead."
)


def image_upload_to(instance, filename: str) -> str:
    """Stored names are generated: an uploader's file name says nothing, and clashes never."""
    extension = PurePosixPath(filename).suffix.lower()[:10] or ".jpg"
    return f"blog/images/{uuid.uuid4().hex}{extension}"


def avatar_upload_to(instance, filename: str) -> str:
    extension = PurePosixPath(filename).suffix.lower()[:10] or ".jpg"
    return f"blog/avatars/{uuid.uuid4().hex}{extension}"


def is_svg(file) -> bool:
    """Whether an upload is an SVG drawing, by its name or by its first bytes."""
    if PurePosixPath(file.name or "").suffix.lower() in {".svg", ".svgz"}:
        return True
    file.seek(0)
    head = file.read(1024).lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    file.seek(0)
    return head.startswith(b"<?xml") or b"<svg" in head


def validate_image(file) -> None:
    """Refuse what is not a JPEG, PNG, WebP or GIF of a sensible size, in words people use.

    Django's ImageField already refuses files Pillow cannot read; this adds the formats that
    browsers show and a bound on the pixels that Pillow is asked to decode.
    """
    try:
        file.seek(0)
        with Image.open(file) as image:
            kind, (width, height) = image.format, image.size
    except Exception:
        raise ValidationError(
            "This file is not an image we can read. Please upload a JPEG, PNG, WebP or GIF.",
            code="invalid_image",
        ) from None
    finally:
        file.seek(0)
    if kind not in ACCEPTED_FORMATS:
        raise ValidationError(
            "Please upload a JPEG, PNG, WebP or GIF image (this one is %(kind)s).",
            code="image_format",
            params={"kind": kind or "of an unknown kind"},
        )
    if width * height > MAX_PIXELS:
        raise ValidationError(
            "This image is too large (%(width)s × %(height)s pixels); please make it smaller "
            "than 50 megapixels.",
            code="image_too_large",
            params={"width": width, "height": height},
        )


@dataclass(frozen=True)
class Rendition:
    name: str
    width: int
    height: int

    @property
    def url(self) -> str:
        return default_storage.url(self.name)


class Renditions:
    """What a template needs to show an image: a src, a srcset and the intrinsic size."""

    def __init__(self, data: dict | None):
        self.items = [Rendition(**item) for item in (data or {}).get("items", [])]

    def __bool__(self) -> bool:
        return bool(self.items)

    @property
    def default(self) -> Rendition:
        """The rendition nearest 960 px wide: a sensible src for browsers without srcset."""
        return min(self.items, key=lambda item: abs(item.width - 960))

    @property
    def smallest(self) -> Rendition:
        return self.items[0]

    @property
    def srcset(self) -> str:
        return ", ".join(f"{item.url} {item.width}w" for item in self.items)


def renditions_make(
    source: ImageFieldFile, *, widths: Iterable[int], square: bool = False
) -> list[dict]:
    """Resize `source` to each width no wider than itself, as WebP files beside it.

    Phones record sideways and say so in EXIF; the renditions are turned upright, and keep no
    metadata, so a photo's location never reaches the page.
    """
    with source.open("rb") as file, Image.open(file) as opened:
        image = ImageOps.exif_transpose(opened)
        image = image.convert("RGBA" if _has_alpha(image) else "RGB")
    if square:
        side = min(image.size)
        image = ImageOps.fit(image, (side, side), Image.Resampling.LANCZOS)
    stem = PurePosixPath(source.name).stem
    folder = PurePosixPath(source.name).parent / "renditions"
    sizes = sorted({min(width, image.width) for width in widths})
    items = []
    for width in sizes:
        height = max(1, round(image.height * width / image.width))
        resized = image if width == image.width else image.resize((width, height), Image.LANCZOS)
        buffer = io.BytesIO()
        resized.save(buffer, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD)
        name = source.storage.save(f"{folder}/{stem}-{width}.webp", ContentFile(buffer.getvalue()))
        items.append({"name": name, "width": width, "height": height})
    return items


def renditions_sync(
    instance, field_name: str, *, widths: Iterable[int], square: bool = False
) -> None:
    """Bring `<field>_renditions` in step with `<field>` before the row is saved.

    A new upload is stored first (as the field would do on save), so its generated name is
    known; the files of a replaced or cleared image are deleted once the save has committed.
    """
    field_file = getattr(instance, field_name)
    store_name = f"{field_name}_renditions"
    current = getattr(instance, store_name) or {}
    if field_file and not field_file._committed:
        field_file.save(field_file.name, field_file.file, save=False)
    name = field_file.name if field_file else ""
    if current.get("source", "") == name:
        return
    stale = [item["name"] for item in current.get("items", [])]
    if current.get("source"):
        stale.append(current["source"])
    if name:
        items = renditions_make(field_file, widths=widths, square=square)
        setattr(instance, store_name, {"source": name, "items": items})
    else:
        setattr(instance, store_name, {})
    files_delete_on_commit(stale)


def stored_names(renditions: dict | None) -> list[str]:
    """Every file a renditions record speaks for: the original and each rendition."""
    renditions = renditions or {}
    names = [item["name"] for item in renditions.get("items", [])]
    if renditions.get("source"):
        names.append(renditions["source"])
    return names


def files_delete_on_commit(names: Iterable[str]) -> None:
    """Delete stored files once the transaction commits: a rollback keeps them."""
    names = [name for name in names if name]
    if names:
        transaction.on_commit(lambda: [default_storage.delete(name) for name in names])


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in {"RGBA", "LA", "PA"} or (
        image.mode == "P" and "transparency" in image.info
    )
