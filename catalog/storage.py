"""Where uploaded and generated files live: one interface over UPLOAD_DIR (a shared volume in
production) so it can later point at an S3-compatible store without touching callers. Views hand a
stored object to the browser through send(), never through a path of their own: with an object
store send() would answer with a redirect to a signed URL instead.

Keys are relative paths like "p/3f2a…-320.webp"; they never come from user input unchecked.
"""

import os
import re
import secrets
from pathlib import Path

from flask import Response, current_app, send_file

KEY_PATTERN = re.compile(r"^[a-z]+/[A-Za-z0-9_-]+(?:\.[a-z0-9]{2,5})?$")


def new_token() -> str:
    """A random, unguessable name for a stored object."""
    return secrets.token_urlsafe(12).replace("-", "a").replace("_", "b")


def is_valid_key(key: str) -> bool:
    return bool(KEY_PATTERN.fullmatch(key or ""))


def _root() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]).resolve()


def path_for(key: str) -> Path:
    if not is_valid_key(key):
        raise ValueError(f"invalid storage key {key!r}")
    path = (_root() / key).resolve()
    if _root() not in path.parents:
        raise ValueError("storage key escapes the upload folder")
    return path


def save_bytes(key: str, data: bytes) -> None:
    path = path_for(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)  # atomic: a reader never sees half a file


def exists(key: str) -> bool:
    return is_valid_key(key) and path_for(key).is_file()


def delete(key: str) -> None:
    if exists(key):
        path_for(key).unlink()


def suffix(key: str) -> str:
    """The key's extension with its dot (".pdf"), or ""."""
    name = key.rpartition("/")[2]
    return name[name.rfind("."):].lower() if "." in name else ""


def read_bytes(key: str) -> bytes:
    return path_for(key).read_bytes()


def send(key: str, *, mimetype: str | None = None, as_attachment: bool = False, download_name: str | None = None,
         max_age: int = 0) -> Response:
    """A response carrying the stored object, with conditional requests (ETag, Range) answered."""
    return send_file(path_for(key), mimetype=mimetype, as_attachment=as_attachment, download_name=download_name,
                     conditional=True, max_age=max_age)
