"""Search index updates through the queue: only with Redis and the Whoosh backend, where one
worker consuming the "search" queue is the one writer of the index across app servers. Otherwise
(the embedded default, or PostgreSQL search, which every server can write) the after-commit
hook indexes in process at once, so a saved product is searchable within a second."""

from flask import current_app


def queued_for_index(products: set[int], sellers: set[int]) -> bool:
    """Enqueue the index update and say so; False when the hook should index in process (no
    queue for this setup, or Redis is unreachable)."""
    config = current_app.config
    if not config.get("REDIS_URL") or config.get("SEARCH_BACKEND") != "whoosh":
        return False
    from catalog.jobs.queue import enqueue_or_false

    return enqueue_or_false("search.index", sorted(products), sorted(sellers))
