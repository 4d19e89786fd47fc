"""The Whoosh backend: an index under instance/ for the embedded default (one machine).

Why it is built the way it is (measured with bench/search.py, figures in the README):
- Text is analysed in Python (analysis.py) and handed to Whoosh as space-separated terms, so
  both backends match the same words. Exact words and stems are separate fields; the title
  weighs more than the body: a title match ranks above a description match, exact above stem.
- Whoosh's own facet and filter machinery costs hundreds of milliseconds on 100k documents.
  Instead each index segment's filter values (category, region, scale, certificates, price, …)
  are read once from Whoosh columns into numpy arrays and cached by segment id; a search takes
  the matching document numbers from Whoosh, and filters, counts facets and sorts by price or
  date with numpy. Only relevance ranking asks Whoosh to score, with the allowed documents as
  its filter.
- One long-lived searcher per process, refreshed when the index changed (a stat of the table of
  contents), never opened per request.
- Writes after each commit go through an AsyncWriter: when another process holds the write
  lock, the change is written by a background thread as soon as the lock frees instead of
  failing the request. `rebuild` builds a new index beside the old one and swaps directories,
  so searches keep working during a rebuild.
"""

import gc
import logging
import math
import os
import shutil
import threading
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, ID, TEXT, Schema
from whoosh.writing import AsyncWriter

from catalog.models.sellers import CERTIFICATE_KINDS, SCALES
from catalog.search import (
    FACET_CATEGORY,
    FACET_CERTIFICATE,
    FACET_FLAGS,
    FACET_KECAMATAN,
    FACET_KOTA,
    FACET_PARENT,
    FACET_SCALE,
    SCALE_KOPERASI,
    SORT_CHEAPEST,
    SORT_DEAREST,
    SORT_NEAR,
    SORT_NEWEST,
    SORT_RATING,
    TKDN_THRESHOLD,
    SearchHit,
    SearchRequest,
    SearchResult,
    SearchUnavailable,
    SuggestHits,
    analysis,
)
from catalog.search.documents import SearchDocument

log = logging.getLogger(__name__)

INDEX_NAME = "produk"
# Boosts: exact title > stemmed title > seller name > exact body > stemmed body > fuzzy.
BOOSTS = {"title": 8.0, "title_stem": 4.0, "seller": 2.0, "body": 1.0, "body_stem": 0.5}
FUZZY_BOOST = 0.3
MAX_EXPANSIONS = 8  # fuzzy and prefix expansion stay bounded
FEW_RESULTS = 3
POSTINGS_CACHE = 20_000  # term lookups kept per searcher
_EMPTY = np.zeros(0, dtype=np.int64)  # fewer hits than this: try typo tolerance and offer "Mungkin maksud Anda"
WRITER_LIMIT_MB = 256
# Index in parallel processes (one per core, at most 4); each keeps its own segment, which is
# cheaper than merging them at the end and costs searches nothing measurable.
WRITER_PROCS = max(1, min(os.cpu_count() or 1, 4))
COLUMNS = ("pid", "cat", "parent", "kota", "kec", "scale", "coop", "certs", "price", "stock", "tkdn", "rating",
           "created")
SCALE_CODES = {name: i + 1 for i, name in enumerate(SCALES)}
CERT_BITS = {kind: 1 << i for i, kind in enumerate(CERTIFICATE_KINDS)}

_words = SpaceSeparatedTokenizer()


def schema() -> Schema:
    # Filter and sort values are column-only fields: never searched as terms, so they add no
    # postings (numeric terms made indexing 5× slower) and are read per segment into numpy.
    def number() -> COLUMN:
        return COLUMN(NumericColumn("q"))  # 64-bit unsigned

    return Schema(
        id=ID(unique=True, stored=False),
        title=TEXT(analyzer=_words, phrase=True),
        title_stem=TEXT(analyzer=_words, phrase=False),
        body=TEXT(analyzer=_words, phrase=False),
        body_stem=TEXT(analyzer=_words, phrase=False),
        seller=TEXT(analyzer=_words, phrase=False),
        **{name: number() for name in COLUMNS},
    )


def region_number(code: str) -> int:
    """"36.74.06" → 367406 (0 when unknown): regions fit in an integer column."""
    digits = code.replace(".", "")
    return int(digits) if digits.isdigit() else 0


def region_code(number: int, parts: int) -> str:
    text = str(number)
    pieces = [text[0:2], text[2:4], text[4:6]][:parts]
    return ".".join(pieces)


def to_fields(doc: SearchDocument) -> dict:
    title = analysis.document_terms(doc.title)
    body = analysis.document_terms(doc.body)
    return {
        "id": str(doc.id),
        "title": " ".join(title),
        # Stems only where they differ from the word: the query also looks for its stem among
        # the exact words, so "rajin" still finds "rajin" (and half the postings are saved).
        "title_stem": " ".join(analysis.changed_stems(title)),
        "body": " ".join(body),
        "body_stem": " ".join(analysis.changed_stems(body)),
        "seller": " ".join(analysis.document_terms(doc.seller_name)),
        "pid": doc.id,
        "cat": doc.category_id,
        "parent": doc.parent_category_id,
        "kota": region_number(doc.kota_code),
        "kec": region_number(doc.kecamatan_code),
        "scale": SCALE_CODES.get(doc.scale, 0),
        "coop": int(doc.is_koperasi),
        "certs": sum(CERT_BITS[k] for k in doc.certificates if k in CERT_BITS),
        "price": doc.price,
        "stock": int(doc.in_stock),
        "tkdn": doc.tkdn_pct,
        "rating": int(round(doc.rating * 100)),
        "created": doc.created,
    }


@dataclass
class _Segment:
    """The filter values of one index segment as numpy arrays (positions = document numbers)."""

    arrays: dict[str, np.ndarray]


@dataclass
class _View:
    """One searcher with the arrays of all its segments laid end to end, and the document
    numbers of each term looked up so far (a term's postings are read from Whoosh once per
    searcher; a query then combines numpy arrays)."""

    searcher: object
    leaves: list  # (segment reader, offset of its first document)
    arrays: dict[str, np.ndarray]
    live: np.ndarray  # False for deleted documents
    postings: dict = field(default_factory=dict)
    users: int = 0
    retired: bool = False
    directory: tuple | None = None  # the index directory's (device, inode) when opened

    @property
    def size(self) -> int:
        return len(self.live)


class WhooshBackend:
    name = "whoosh"

    def __init__(self, directory: str):
        self.directory = Path(directory)
        self._lock = threading.RLock()
        self._view: _View | None = None
        self._segments: dict[str, _Segment] = {}

    # --- opening ----------------------------------------------------------------------------

    def _open_index(self, create: bool = False):
        if whoosh_index.exists_in(str(self.directory), indexname=INDEX_NAME):
            return whoosh_index.open_dir(str(self.directory), indexname=INDEX_NAME)
        if not create:
            raise SearchUnavailable("the search index does not exist yet")
        self.directory.mkdir(parents=True, exist_ok=True)
        return whoosh_index.create_in(str(self.directory), schema(), indexname=INDEX_NAME)

    def _segment_arrays(self, reader) -> _Segment:
        key = reader.segment().segment_id()
        cached = self._segments.get(key)
        if cached is not None:
            return cached
        count = reader.doc_count_all()
        arrays = {}
        for name in COLUMNS:
            column = reader.column_reader(name)
            arrays[name] = np.fromiter((column[i] for i in range(count)), dtype=np.int64, count=count)
        segment = _Segment(arrays)
        self._segments[key] = segment
        return segment

    def _build_view(self, searcher) -> _View:
        parts: dict[str, list[np.ndarray]] = {name: [] for name in COLUMNS}
        live_parts = []
        # An index whose documents were all removed has an empty reader without a segment:
        # it has nothing to contribute (helper fix: it raised AttributeError → SearchUnavailable).
        leaves = [(sub.reader(), offset) for sub, offset in searcher.leaf_searchers()
                  if sub.reader().segment() is not None]
        seen = set()
        for reader, _offset in leaves:
            seen.add(reader.segment().segment_id())
            segment = self._segment_arrays(reader)
            for name in COLUMNS:
                parts[name].append(segment.arrays[name])
            live = np.ones(reader.doc_count_all(), dtype=bool)
            deleted = reader.deleted_docs_set if reader.has_deletions() else ()
            if deleted:
                live[np.fromiter(deleted, dtype=np.int64)] = False
            live_parts.append(live)
        for key in set(self._segments) - seen:  # merged away
            del self._segments[key]
        arrays = {name: (np.concatenate(parts[name]) if parts[name] else np.zeros(0, dtype=np.int64))
                  for name in COLUMNS}
        live = np.concatenate(live_parts) if live_parts else np.zeros(0, dtype=bool)
        return _View(searcher, leaves, arrays, live)

    def _directory_id(self) -> tuple | None:
        try:
            stat = os.stat(self.directory)
        except OSError:
            return None
        return stat.st_dev, stat.st_ino

    def _acquire(self) -> _View:
        with self._lock:
            view = self._view
            directory = self._directory_id()
            if view is not None:
                try:
                    # A rebuild by another process swaps in a new directory whose generation
                    # may equal the old one's, so up_to_date() alone would keep the old index
                    # forever (helper fix): the directory's inode tells a swap apart.
                    fresh = view.directory == directory and view.searcher.up_to_date()
                except Exception:  # the directory was swapped by a rebuild
                    fresh = False
                if not fresh:
                    self._retire(view)
                    view = None
            if view is None:
                try:
                    ix = self._open_index()
                    view = self._build_view(ix.searcher())
                except SearchUnavailable:
                    raise
                except Exception as exc:  # a broken or half-written index
                    log.exception("search index unreadable")
                    # Whoosh leaves the files of an unreadable segment open: close them now
                    # rather than when the garbage collector happens to find them.
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", ResourceWarning)
                        gc.collect()
                    raise SearchUnavailable(str(exc)) from exc
                view.directory = directory
                self._view = view
            view.users += 1
            return view

    def _release(self, view: _View) -> None:
        with self._lock:
            view.users -= 1
            if view.retired and view.users == 0:
                view.searcher.close()

    def _retire(self, view: _View) -> None:
        view.retired = True
        self._view = None
        if view.users == 0:
            view.searcher.close()

    def reset(self) -> None:
        """Forget the open searcher and cached arrays (after a rebuild or in tests)."""
        with self._lock:
            if self._view is not None:
                self._retire(self._view)
            self._segments.clear()

    # --- writing ----------------------------------------------------------------------------

    def index(self, documents: Iterable[SearchDocument], removed: Iterable[int]) -> None:
        documents, removed = list(documents), list(removed)
        if not documents and not removed:
            return
        ix = self._open_index(create=True)
        writer = AsyncWriter(ix, writerargs={"limitmb": 64})
        for pid in removed:
            writer.delete_by_term("id", str(pid))
        for doc in documents:
            writer.update_document(**to_fields(doc))
        writer.commit()

    def rebuild(self, batches: Iterable[list[SearchDocument]], total: int,
                progress: Callable[[int], None] | None = None) -> int:
        """Build a complete new index beside the current one, then swap it in."""
        fresh = self.directory.with_name(self.directory.name + ".baru")
        shutil.rmtree(fresh, ignore_errors=True)
        fresh.mkdir(parents=True)
        ix = whoosh_index.create_in(str(fresh), schema(), indexname=INDEX_NAME)
        writer = ix.writer(procs=WRITER_PROCS, limitmb=WRITER_LIMIT_MB, multisegment=WRITER_PROCS > 1)
        count = 0
        try:
            for batch in batches:
                for doc in batch:
                    writer.add_document(**to_fields(doc))
                count += len(batch)
                if progress:
                    progress(count)
            writer.commit()
        except BaseException:
            writer.cancel()
            shutil.rmtree(fresh, ignore_errors=True)
            raise
        old = self.directory.with_name(self.directory.name + ".lama")
        shutil.rmtree(old, ignore_errors=True)
        if self.directory.exists():
            os.replace(self.directory, old)
        os.replace(fresh, self.directory)
        shutil.rmtree(old, ignore_errors=True)
        self.reset()
        return count

    def tidy(self) -> None:
        """Nothing to reclaim: rebuild() already swapped the old index directory away."""

    def document_count(self) -> int:
        view = self._acquire()
        try:
            return int(view.live.sum())
        finally:
            self._release(view)

    # --- searching --------------------------------------------------------------------------

    def _postings(self, view: _View, field_name: str, term: str) -> np.ndarray:
        """Document numbers containing `term` in `field_name` (deleted ones excluded), cached
        on the view until the index changes."""
        key = (field_name, term)
        found = view.postings.get(key)
        if found is None:
            parts = []
            for reader, offset in view.leaves:
                if reader.doc_frequency(field_name, term):
                    ids = np.fromiter(reader.postings(field_name, term).all_ids(), dtype=np.int64)
                    parts.append(ids + offset if offset else ids)
            found = np.concatenate(parts) if parts else _EMPTY
            if len(view.postings) >= POSTINGS_CACHE:
                view.postings.clear()
            view.postings[key] = found
        return found

    def _term_scores(self, view: _View, term: str, *, fuzzy: bool, prefix: bool) -> np.ndarray:
        """Per document, the best weight with which `term` matches it (0: it does not): the
        field's boost × the word's rarity (idf); stems, corrected typos and completed prefixes
        weigh less than the exact word."""
        n = max(view.size, 1)
        scores = np.zeros(view.size, dtype=np.float32)

        def add(field_name: str, word: str, boost: float) -> None:
            ids = self._postings(view, field_name, word)
            if len(ids):
                weight = boost * (1.0 + math.log(n / (1 + len(ids))))
                _raise(scores, ids, weight)

        for field_name in ("title", "body", "seller"):
            add(field_name, term, BOOSTS[field_name])
        stem = analysis.stem(term)
        if stem != term:
            for field_name, exact in (("title_stem", "title"), ("body_stem", "body")):
                add(field_name, stem, BOOSTS[field_name])
                add(exact, stem, BOOSTS[field_name])
        if (prefix or fuzzy) and not scores.any():
            # Only a word the index does not know is completed or corrected: two known words
            # that never meet give few results honestly, without the cost of expansion.
            for word in self._expansions(view, term, prefix=prefix, fuzzy=fuzzy):
                add("title", word, BOOSTS["title"] * FUZZY_BOOST)
                add("body", word, BOOSTS["body"] * FUZZY_BOOST)
        return scores

    def _expansions(self, view: _View, term: str, *, prefix: bool, fuzzy: bool) -> list[str]:
        """Words of the index that `term` may have meant: completions of an unfinished word
        and words one or two typos away, most frequent first, at most MAX_EXPANSIONS each
        (cached on the view like postings)."""
        key = ("~", term, prefix, fuzzy)
        found = view.postings.get(key)
        if found is not None:
            return found
        reader = view.searcher.reader()
        extra: list[str] = []
        if prefix and len(term) >= 2:
            extra += _most_frequent(reader, "title", reader.expand_prefix("title", term), MAX_EXPANSIONS)
        if fuzzy and len(term) >= 4:
            extra += _close_terms(reader, term, MAX_EXPANSIONS)
        found = [word for word in dict.fromkeys(extra) if word != term]
        view.postings[key] = found
        return found

    def _corrected(self, view: _View, terms: tuple[str, ...]) -> tuple[str, ...]:
        """Each term the index does not know replaced by its most frequent close word."""
        reader = view.searcher.reader()
        out = []
        for term in terms:
            known = reader.doc_frequency("title", term) or reader.doc_frequency("body", term)
            close = [] if known or len(term) < 4 else self._expansions(view, term, prefix=False, fuzzy=True)
            out.append(close[0] if close else term)
        return tuple(out)

    def _text_scores(self, view: _View, terms: tuple[str, ...], *, fuzzy: bool, prefix_last: bool) -> np.ndarray:
        """Relevance per document: the sum of each term's best weight, 0 where any term is
        missing (every word typed must match somewhere)."""
        total = None
        for i, term in enumerate(terms):
            scores = self._term_scores(view, term, fuzzy=fuzzy, prefix=prefix_last and i == len(terms) - 1)
            if total is None:
                total = scores
            else:
                total = np.where((scores > 0) & (total > 0), total + scores, 0).astype(np.float32)
        return total * view.live

    def _masks(self, view: _View, request: SearchRequest) -> dict[str, np.ndarray]:
        """One boolean mask per filter group, so each facet can be counted with every filter
        but its own (choosing "kecil" still shows how many "mikro" there are)."""
        a = view.arrays
        masks: dict[str, np.ndarray] = {}
        if request.category_ids:
            masks[FACET_CATEGORY] = np.isin(a["cat"], np.fromiter(request.category_ids, dtype=np.int64))
        if request.kecamatan:
            masks[FACET_KECAMATAN] = a["kec"] == region_number(request.kecamatan)
        if request.kota:
            masks[FACET_KOTA] = a["kota"] == region_number(request.kota)
        umkk = (a["coop"] == 1) | np.isin(a["scale"], [SCALE_CODES["mikro"], SCALE_CODES["kecil"]])
        if request.scales or request.umkk:
            scale_mask = np.zeros(view.size, dtype=bool)
            for scale in request.scales:
                if scale == SCALE_KOPERASI:
                    scale_mask |= a["coop"] == 1
                elif scale in SCALE_CODES:
                    scale_mask |= a["scale"] == SCALE_CODES[scale]
            if request.umkk:
                scale_mask = (scale_mask & umkk) if request.scales else umkk
            masks[FACET_SCALE] = scale_mask
        if request.certificates:
            bits = sum(CERT_BITS[c] for c in request.certificates if c in CERT_BITS)
            masks[FACET_CERTIFICATE] = (a["certs"] & bits) == bits
            if any(c not in CERT_BITS for c in request.certificates):
                # Every certificate named must be present: one nobody can have matches nothing
                # (helper fix: an unknown name was ignored and matched everything).
                masks[FACET_CERTIFICATE] = np.zeros(view.size, dtype=bool)
        if request.price_min is not None or request.price_max is not None:
            price = np.ones(view.size, dtype=bool)
            if request.price_min is not None:
                price &= a["price"] >= request.price_min
            if request.price_max is not None:
                price &= a["price"] <= request.price_max
            masks["harga"] = price
        if request.tkdn:
            masks["tkdn"] = a["tkdn"] >= TKDN_THRESHOLD
        if request.in_stock:
            masks["stok"] = a["stock"] == 1
        return masks

    def search(self, request: SearchRequest) -> SearchResult:
        parsed = analysis.query_terms(request.text)
        view = self._acquire()
        try:
            return self._search(view, request, parsed)
        finally:
            self._release(view)

    def _search(self, view: _View, request: SearchRequest, parsed: analysis.QueryTerms) -> SearchResult:
        terms = parsed.terms
        suggestion = None
        scores = None
        if terms:
            scores = self._text_scores(view, terms, fuzzy=False, prefix_last=False)
            matched = scores > 0
            if matched.sum() < FEW_RESULTS:
                # Few hits: allow typos and an unfinished last word, and offer the correction.
                corrected = self._corrected(view, terms)
                if corrected != terms:
                    suggestion = " ".join(t.replace("_", " ") for t in corrected)
                scores = self._text_scores(view, terms, fuzzy=True, prefix_last=True)
                matched = scores > 0
        else:
            matched = view.live.copy()

        masks = self._masks(view, request)
        allowed = matched.copy()
        for mask in masks.values():
            allowed &= mask
        total = int(allowed.sum())
        facets = self._facets(view, matched, masks)

        per_page = request.per_page
        last_page = max((total + per_page - 1) // per_page, 1)
        page = min(max(request.page, 1), last_page)
        hits = self._page(view, scores, allowed, request, (page - 1) * per_page, per_page) if total else []
        return SearchResult(hits=hits, total=total, page=page, per_page=per_page, facets=facets, terms=terms,
                            suggestion=suggestion, only_stop_words=parsed.only_stop_words)

    def _facets(self, view: _View, matched: np.ndarray, masks: dict[str, np.ndarray]) -> dict[str, dict]:
        a = view.arrays

        def base(skip: str) -> np.ndarray:
            m = matched
            for name, mask in masks.items():
                if name != skip:
                    m = m & mask
            return m

        def counts(values: np.ndarray) -> dict[int, int]:
            if not len(values):
                return {}
            uniq, n = np.unique(values, return_counts=True)
            return {int(u): int(c) for u, c in zip(uniq, n, strict=True) if u}

        in_cat = base(FACET_CATEGORY)
        facets = {FACET_CATEGORY: counts(a["cat"][in_cat]), FACET_PARENT: counts(a["parent"][in_cat])}
        # A chosen kecamatan lies in one kota: counting kota with it applied would show the
        # other two kota as empty, so the kota facet leaves both region filters out.
        in_kota = matched
        for name, mask in masks.items():
            if name not in (FACET_KOTA, FACET_KECAMATAN):
                in_kota = in_kota & mask
        facets[FACET_KOTA] = {region_code(k, 2): c for k, c in counts(a["kota"][in_kota]).items()}
        in_kec = base(FACET_KECAMATAN)
        facets[FACET_KECAMATAN] = {region_code(k, 3): c for k, c in counts(a["kec"][in_kec]).items()}
        in_scale = base(FACET_SCALE)
        by_code = {code: name for name, code in SCALE_CODES.items()}
        facets[FACET_SCALE] = {by_code[k]: c for k, c in counts(a["scale"][in_scale]).items() if k in by_code}
        facets[FACET_SCALE][SCALE_KOPERASI] = int((a["coop"][in_scale] == 1).sum())
        certs = a["certs"][base(FACET_CERTIFICATE)]
        facets[FACET_CERTIFICATE] = {kind: int(((certs & bit) != 0).sum()) for kind, bit in CERT_BITS.items()}
        umkk = (a["coop"] == 1) | np.isin(a["scale"], [SCALE_CODES["mikro"], SCALE_CODES["kecil"]])
        facets[FACET_FLAGS] = {
            "umkk": int((in_scale & umkk).sum()),
            "tkdn": int((base("tkdn") & (a["tkdn"] >= TKDN_THRESHOLD)).sum()),
            "stok": int((base("stok") & (a["stock"] == 1)).sum()),
        }
        return facets

    def _page(self, view: _View, scores, allowed: np.ndarray, request: SearchRequest, start: int,
              count: int) -> list[SearchHit]:
        """One page of hits: in-stock products first, then by the chosen order (relevance,
        price, rating, newest or nearest), newest breaking ties so pages never overlap."""
        a = view.arrays
        sort = request.sort
        docs = np.flatnonzero(allowed)
        stock = -a["stock"][docs]
        created = -a["created"][docs]
        if sort == SORT_NEAR and request.near_kota:
            # 0 in the office's kecamatan, 1 elsewhere in its kota, 2 beyond.
            distance = np.where(a["kec"][docs] == region_number(request.near_kecamatan or ""), 0,
                                np.where(a["kota"][docs] == region_number(request.near_kota), 1, 2))
            relevance = -scores[docs] if scores is not None else np.zeros(len(docs))
            keys = (created, relevance, distance, stock)
        elif sort == SORT_CHEAPEST:
            keys = (created, a["price"][docs], stock)
        elif sort == SORT_DEAREST:
            keys = (created, -a["price"][docs], stock)
        elif sort == SORT_RATING:
            keys = (created, -a["rating"][docs], stock)
        elif sort == SORT_NEWEST or scores is None:
            keys = (created, stock)
        else:
            keys = (created, -scores[docs], stock)
        order = np.lexsort(keys)[start : start + count]
        return [SearchHit(int(a["pid"][d]), float(scores[d]) if scores is not None else 0.0) for d in docs[order]]

    # --- suggestions ------------------------------------------------------------------------

    def suggest(self, text: str, limit: int = 40) -> SuggestHits:
        """The products that the words typed so far could mean (typos allowed, the last word
        may be unfinished) and the query with typos corrected."""
        parsed = analysis.query_terms(text)
        if not parsed.terms:
            return SuggestHits((), [])
        view = self._acquire()
        try:
            scores = self._text_scores(view, parsed.terms, fuzzy=True, prefix_last=True)
            docs = np.flatnonzero(scores > 0)
            best = docs[np.argsort(-scores[docs], kind="stable")[:limit]]
            return SuggestHits(self._corrected(view, parsed.terms),
                               [int(view.arrays["pid"][d]) for d in best])
        finally:
            self._release(view)


def _raise(scores: np.ndarray, ids: np.ndarray, weight: float) -> None:
    """scores[ids] = max(scores[ids], weight); ids are unique within one posting list."""
    scores[ids] = np.maximum(scores[ids], weight)


def _most_frequent(reader, field: str, words: Iterable, limit: int) -> list[str]:
    found = []
    for i, word in enumerate(words):
        if i >= 200:  # a very short prefix: look at the first 200 terms only
            break
        word = word.decode() if isinstance(word, bytes) else word
        found.append((reader.doc_frequency(field, word), word))
    found.sort(reverse=True)
    return [word for _freq, word in found[:limit]]


def _close_terms(reader, term: str, limit: int) -> list[str]:
    """Words of the index within one typo (two for long words) of `term`, most frequent first."""
    maxdist = 2 if len(term) >= 7 else 1
    words = set()
    for field_name in ("title", "body"):
        for word in reader.terms_within(field_name, term, maxdist, prefix=1):
            words.add(word)
    return _most_frequent(reader, "title", words, limit) if words else []


