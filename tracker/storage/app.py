"""The store of the running app: STORAGE_URL, the upload folder, and the current session's connection."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from tracker.extensions import db
from tracker.storage import BlobStore, store_for


def current_store() -> BlobStore:
    """The configured store; its database writes join the current request's or command's transaction."""
    return store_for(
        str(current_app.config["STORAGE_URL"]),
        Path(current_app.config["UPLOAD_FOLDER"]),
        lambda: db.session.connection(),
    )


def upload_folder() -> Path:
    """Where files stored before issue 23 still lie (`<UPLOAD_FOLDER>/<stored_name>`), read as a fallback."""
    return Path(current_app.config["UPLOAD_FOLDER"])
