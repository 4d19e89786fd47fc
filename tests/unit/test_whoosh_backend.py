"""The Whoosh backend on its own: a missing or broken index, several processes writing, and a
rebuild swapping the directory under a running search. Two WhooshBackend objects on one
directory stand for two gunicorn workers: Whoosh's write lock is a file lock, which two objects
in one process contend for exactly like two processes."""

import gc
import threading

import pytest
from whoosh import index as whoosh_index
from whoosh.writing import AsyncWriter

from catalog.search import SearchRequest, SearchUnavailable
from catalog.search.documents import SearchDocument
from catalog.search.whoosh_backend import INDEX_NAME, WhooshBackend


def doc(pid: int, title: str, **fields) -> SearchDocument:
    values = dict(
        id=pid, title=title, body="", seller_name="Usaha Contoh", seller_id=1, category_id=2, parent_category_id=1,
        kota_code="36.74", kecamatan_code="36.74.06", scale="mikro", is_koperasi=False, certificates=frozenset(),
        price=10_000, price_max=10_000, in_stock=True, tkdn_pct=0, rating=0.0, created=1_700_000_000 + pid,
    )
    values.update(fields)
    return SearchDocument(**values)


def found(backend: WhooshBackend, text: str) -> set[int]:
    return {hit.product_id for hit in backend.search(SearchRequest(text=text)).hits}


@pytest.fixture
def directory(tmp_path):
    return tmp_path / "search-index"


@pytest.fixture
def built(directory):
    """An index with two products, as a worker left it."""
    backend = WhooshBackend(str(directory))
    backend.rebuild([[doc(1, "Keripik Singkong Balado"), doc(2, "Kain Batik Tulis")]], 2)
    return backend


def test_a_missing_index_raises_search_unavailable(directory):
    backend = WhooshBackend(str(directory))
    with pytest.raises(SearchUnavailable):
        backend.search(SearchRequest(text="keripik"))
    with pytest.raises(SearchUnavailable):
        backend.suggest("keripik")
    with pytest.raises(SearchUnavailable):
        backend.document_count()


def test_an_index_whose_documents_were_all_removed_still_searches(directory):
    backend = WhooshBackend(str(directory))
    backend.index([], [41])  # the first write ever removes a product: an empty index is created

    result = backend.search(SearchRequest(text="keripik"))
    assert result.total == 0 and result.hits == []
    assert backend.document_count() == 0


def _scramble(directory, *, keep_toc: bool) -> None:
    files = [f for f in directory.iterdir() if f.is_file() and not f.name.endswith("_WRITELOCK")]
    assert files
    for path in files:
        if keep_toc and path.name.endswith(".toc"):
            continue
        path.write_bytes(b"\x00garbage\xff" * 97)


# Whoosh leaves the file it failed to parse for the garbage collector to close: a
# ResourceWarning from inside Whoosh, on purpose here.
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("keep_toc", [False, True], ids=["everything", "segments-only"])
def test_a_corrupted_index_raises_search_unavailable_and_a_rebuild_repairs_it(directory, built, keep_toc):
    assert found(built, "keripik") == {1}
    _scramble(directory, keep_toc=keep_toc)

    for backend in (built, WhooshBackend(str(directory))):  # this worker, and a freshly started one
        backend.reset()
        with pytest.raises(SearchUnavailable):
            backend.search(SearchRequest(text="batik"))
        with pytest.raises(SearchUnavailable):
            backend.suggest("batik")

    built.rebuild([[doc(1, "Keripik Singkong Balado"), doc(2, "Kain Batik Tulis")]], 2)
    assert found(built, "batik") == {2}
    assert found(WhooshBackend(str(directory)), "batik") == {2}
    gc.collect()  # Whoosh's leaked files are closed within this test, under its warning filter


def test_two_workers_writing_one_after_the_other_both_land(directory, built):
    other = WhooshBackend(str(directory))
    built.index([doc(3, "Kopi Robusta Bubuk")], [])
    other.index([doc(4, "Kopi Arabika Sangrai")], [2])

    for backend in (built, other, WhooshBackend(str(directory))):
        assert found(backend, "kopi") == {3, 4}
        assert found(backend, "batik") == set()
        assert backend.document_count() == 3


def test_a_write_while_another_worker_holds_the_lock_lands_when_the_lock_frees(directory, built):
    held = whoosh_index.open_dir(str(directory), indexname=INDEX_NAME).writer()  # another worker mid-write
    try:
        WhooshBackend(str(directory)).index([doc(5, "Dodol Betawi Ketan")], [])  # must not fail or wait
        assert found(built, "dodol") == set()
    finally:
        held.cancel()
    for thread in threading.enumerate():
        if isinstance(thread, AsyncWriter):
            thread.join(timeout=30)
            assert not thread.is_alive()

    assert found(built, "dodol") == {5}
    assert found(built, "keripik") == {1}


def test_a_search_running_while_a_rebuild_swaps_the_directory_finishes(directory, built):
    from catalog.search import analysis

    request = SearchRequest(text="keripik")
    in_flight = built._acquire()  # a request of this worker is searching…
    try:
        # …while another worker rebuilds and swaps the directory, and this worker rebuilds too.
        WhooshBackend(str(directory)).rebuild([[doc(7, "Keripik Pisang Cokelat")]], 1)
        old = built._search(in_flight, request, analysis.query_terms(request.text))
        assert {h.product_id for h in old.hits} == {1}
    finally:
        built._release(in_flight)

    assert found(built, "keripik") == {7}  # the next search sees the new index

    def batches():
        yield [doc(8, "Keripik Talas Original")]
        assert found(built, "keripik") == {7}  # searching during the rebuild reads the old index
        yield [doc(9, "Keripik Kaca Pedas")]

    assert built.rebuild(batches(), 2) == 2
    assert found(built, "keripik") == {8, 9}
