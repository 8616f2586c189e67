"""Static files with hashed names and rewritten module imports."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    # The session player is plain ES modules importing each other by relative
    # path. Rewriting those imports to the hashed names keeps every module
    # cacheable for a year, and the URLs a page lists (modulepreload, the offline
    # copy) are then the very URLs the imports load.
    support_js_module_import_aggregation = True
