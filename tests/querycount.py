"""Counting SQL statements per request, so pages stay bounded (no query per row)."""

from contextlib import contextmanager

from sqlalchemy import event

from catalog.extensions import db


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def __repr__(self) -> str:
        return f"<{self.count} queries>\n" + "\n".join(self.statements)


@contextmanager
def count_queries(app):
    """with count_queries(app) as q: client.get(...); assert q.count <= 6"""
    counter = QueryCounter()
    with app.app_context():
        engine = db.engine

    def before(_conn, _cursor, statement, _params, _context, _executemany):
        if not statement.lstrip().upper().startswith(("PRAGMA", "SAVEPOINT", "RELEASE")):
            counter.statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", before)
