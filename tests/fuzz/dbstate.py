"""A fingerprint of the whole database, to prove a refused form changed nothing."""

import hashlib

from catalog.extensions import db


def fingerprint() -> dict[str, str]:
    """Every table's rows (sorted, so the order the database returns them in does not matter),
    hashed per table: comparing two fingerprints names the tables that changed."""
    result = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            rows = sorted(repr(tuple(row)) for row in conn.execute(table.select()))
            result[table.name] = f"{len(rows)}:{hashlib.sha256(chr(30).join(rows).encode()).hexdigest()}"
    return result


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
