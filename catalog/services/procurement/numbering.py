"""Document numbers per agency and fiscal year: PR/<code>/<year>/0001, SP/…, INV/….

The counter row is advanced with one UPDATE … RETURNING (a row lock on PostgreSQL, the write
lock on SQLite), so two officers issuing at the same moment never share a number; the first
number of a year inserts the row, and a racing insert falls back to the update."""

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError

from catalog.extensions import db
from catalog.models import Agency, DocumentCounter

KIND_REQUEST = "PR"
KIND_ORDER = "SP"
KIND_INVOICE = "INV"


def _advance(agency_id: int, year: int, kind: str) -> int | None:
    return db.session.execute(
        update(DocumentCounter)
        .where(DocumentCounter.agency_id == agency_id, DocumentCounter.fiscal_year == year,
               DocumentCounter.kind == kind)
        .values(last=DocumentCounter.last + 1)
        .returning(DocumentCounter.last)
    ).scalar_one_or_none()


def next_sequence(agency: Agency, year: int, kind: str) -> int:
    value = _advance(agency.id, year, kind)
    if value is not None:
        return value
    try:
        with db.session.begin_nested():
            db.session.execute(insert(DocumentCounter).values(agency_id=agency.id, fiscal_year=year, kind=kind,
                                                              last=1))
        return 1
    except IntegrityError:  # another transaction inserted the year's first number meanwhile
        return _advance(agency.id, year, kind)


def format_number(kind: str, agency: Agency, year: int, sequence: int) -> str:
    return f"{kind}/{agency.code}/{year}/{sequence:04d}"


def next_number(agency: Agency, year: int, kind: str) -> tuple[int, str]:
    sequence = next_sequence(agency, year, kind)
    return sequence, format_number(kind, agency, year, sequence)
