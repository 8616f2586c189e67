"""Storage helpers: static files with hashed names and module imports; local paths of media."""

from pathlib import Path

from django.core.files.storage import Storage
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    # The session player is plain ES modules importing each other by relative
    # path. Rewriting those imports to the hashed names keeps every module
    # cacheable for a year, and the URLs a page lists (modulepreload, the offline
    # copy) are then the very URLs the imports load.
    support_js_module_import_aggregation = True


def local_path(storage: Storage, name: str = "") -> Path | None:
    """Where `name` lives on this machine, or None when the storage keeps files elsewhere (S3).

    Django's storage API answers path() with NotImplementedError for remote
    storage; this is the one place that knows it.
    """
    try:
        return Path(storage.path(name))
    except NotImplementedError:
        return None
