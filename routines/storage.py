"""Where media files live on this machine, if they live on it at all."""

from pathlib import Path

from django.core.files.storage import Storage


def local_path(storage: Storage, name: str = "") -> Path | None:
    """Where `name` lives on this machine, or None when the storage keeps files elsewhere (S3).

    Django's storage API answers path() with NotImplementedError for remote
    storage; this is the one place that knows it.
    """
    try:
        return Path(storage.path(name))
    except NotImplementedError:
        return None
