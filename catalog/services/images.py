"""Product photos: every picture is decoded, stripped of metadata and re-encoded into fixed
renditions (320 and 960 px wide, WebP and JPEG); the original upload is never stored or served."""

import io
from dataclasses import dataclass

from PIL import Image

from catalog import storage

RENDITION_WIDTHS = (320, 960)
FORMATS = {"webp": "WEBP", "jpg": "JPEG"}


@dataclass
class StoredImage:
    key: str
    width: int
    height: int


def rendition_key(key: str, width: int, ext: str) -> str:
    return f"p/{key}-{width}.{ext}"


def store_renditions(image: Image.Image, key: str | None = None) -> StoredImage:
    """Write every rendition of an already-decoded image; returns its key and full size."""
    key = key or storage.new_token()
    image = image.convert("RGB")  # drops alpha and palette; EXIF is not carried over by convert+save
    for width in RENDITION_WIDTHS:
        copy = image.copy()
        if copy.width > width:
            copy.thumbnail((width, width * 4), Image.Resampling.LANCZOS)
        for ext, fmt in FORMATS.items():
            buffer = io.BytesIO()
            copy.save(buffer, fmt, quality=82, **({"method": 4} if fmt == "WEBP" else {"optimize": True}))
            storage.save_bytes(rendition_key(key, width, ext), buffer.getvalue())
    return StoredImage(key=key, width=image.width, height=image.height)
