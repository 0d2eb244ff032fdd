"""Static files storage: whitenoise's compressed, hashed files."""
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Falls back to the plain name when a file is not in the manifest, rather than failing the page."""

    manifest_strict = False
