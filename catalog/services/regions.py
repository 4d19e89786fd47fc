"""The region reference table (kota/kabupaten → kecamatan → desa/kelurahan) as drop-down data.

The table is static reference data loaded by a migration, so it is read once per process and
kept as plain frozen records (not ORM objects, which would be tied to one database session).
"""

import threading
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from catalog.extensions import db
from catalog.models.regions import LEVEL_KECAMATAN, LEVEL_KELURAHAN, LEVEL_KOTA, Region
from catalog.services.errors import ValidationFailed


@dataclass(frozen=True)
class RegionRef:
    """A region row as plain data: code, name, level, parent_code (None for a kota)."""

    code: str
    name: str
    level: str
    parent_code: str | None


@dataclass(frozen=True)
class _Table:
    by_code: dict[str, RegionRef]
    children: dict[str | None, tuple[RegionRef, ...]]


_lock = threading.Lock()
# One table per database URL: tests in one process may use several databases.
_tables: dict[str, _Table] = {}

_LEVEL_ORDER = (LEVEL_KOTA, LEVEL_KECAMATAN, LEVEL_KELURAHAN)


def _table() -> _Table:
    url = str(current_app.config.get("SQLALCHEMY_DATABASE_URI"))
    table = _tables.get(url)
    if table is not None:
        return table
    with _lock:
        table = _tables.get(url)
        if table is None:
            rows = db.session.execute(select(Region.code, Region.name, Region.level, Region.parent_code)).all()
            by_code = {code: RegionRef(code, name, level, parent) for code, name, level, parent in rows}
            grouped: dict[str | None, list[RegionRef]] = {}
            for ref in by_code.values():
                # A kota's parent (the province) is not in the table: group kota under None.
                parent = ref.parent_code if ref.parent_code in by_code else None
                grouped.setdefault(parent, []).append(ref)
            children = {k: tuple(sorted(v, key=lambda r: r.name)) for k, v in grouped.items()}
            table = _Table(by_code=by_code, children=children)
            if by_code:  # never cache an empty table (a database not yet migrated)
                _tables[url] = table
    return table


def clear_cache() -> None:
    """Forget the loaded table (tests that change region rows)."""
    with _lock:
        _tables.clear()


def get(code: str | None) -> RegionRef | None:
    return _table().by_code.get(code or "")


def children(code: str | None) -> list[RegionRef]:
    """The kecamatan of a kota, or the kelurahan/desa of a kecamatan, by name; [] for a
    kelurahan or an unknown code. children(None) lists the kota/kabupaten."""
    table = _table()
    if code is not None and code not in table.by_code:
        return []
    return list(table.children.get(code, ()))


def kota_choices() -> list[tuple[str, str]]:
    """(code, name) of every kota/kabupaten, for a select."""
    return [(r.code, r.name) for r in children(None)]


def choices(code: str | None) -> list[tuple[str, str]]:
    """(code, name) of the children of `code`; [] when it is empty or unknown."""
    return [(r.code, r.name) for r in children(code)] if code else []


def is_parent_code(code: str | None) -> bool:
    """Whether `code` is a kota or kecamatan (a region whose children the API may list)."""
    ref = get(code)
    return ref is not None and ref.level in (LEVEL_KOTA, LEVEL_KECAMATAN)


def validate_region(kota: str | None, kecamatan: str | None, kelurahan: str | None = None) -> None:
    """Check that the kota exists, the kecamatan lies in it and the kelurahan in the kecamatan.

    Kota and kecamatan are required; the kelurahan is optional. Raises ValidationFailed naming
    the first field at fault ("kota", "kecamatan" or "kelurahan").
    """
    kota_ref = get(kota)
    if kota_ref is None or kota_ref.level != LEVEL_KOTA:
        raise ValidationFailed(_l("Pilih kota atau kabupaten dari daftar."), field="kota")
    kecamatan_ref = get(kecamatan)
    if not kecamatan:
        raise ValidationFailed(_l("Pilih kecamatan."), field="kecamatan")
    if kecamatan_ref is None or kecamatan_ref.level != LEVEL_KECAMATAN or kecamatan_ref.parent_code != kota_ref.code:
        raise ValidationFailed(
            _l("Kecamatan yang dipilih tidak ada di %(kota)s. Silakan pilih lagi.", kota=kota_ref.name),
            field="kecamatan",
        )
    if not kelurahan:
        return
    kelurahan_ref = get(kelurahan)
    if (kelurahan_ref is None or kelurahan_ref.level != LEVEL_KELURAHAN
            or kelurahan_ref.parent_code != kecamatan_ref.code):
        raise ValidationFailed(
            _l("Kelurahan/desa yang dipilih tidak ada di Kecamatan %(kecamatan)s. Silakan pilih lagi.",
               kecamatan=kecamatan_ref.name),
            field="kelurahan",
        )
