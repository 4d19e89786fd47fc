"""Search speed: indexing and a fixed 300-query mix against the configured backend, with raw
SQLite FTS5 on the same products measured in the same run as the reference.

    .venv/bin/python bench/search.py --n 100000                      # Whoosh, SQLite database
    .venv/bin/python bench/search.py --backend postgres --n 100000 \\
        --database postgresql://postgres@127.0.0.1:5432/katalog_bench

The catalogue is the demo seeder's (`flask seed-demo --products N`, deterministic): when the
database has fewer products than --n it is (re)built first. A SQLite database defaults to
bench/results/search-<n>.db; the Whoosh index goes to bench/results/search-index-<n>.

A "full result page" is what /cari asks the backend for: the top 20 by the chosen order, the
exact total and the facet counts (categories, regions, scales, certificates, flags). The FTS5
reference does the top 20 by bm25, the exact total and the category counts, each one SQL
statement. The mix (300 queries, drawn with a fixed seed from the catalogue's own title words):
one word, two words, phrase (two adjacent title words), prefix (an unfinished word), typo (one
letter dropped or swapped), filtered (a word with a category, kota, scale or price filter) and
sorted (a word with price, date or rating order). The mix runs twice: the first pass starts
from a fresh searcher (cold), the figures come from the second (warm) and the cold p95 is
printed beside them.

Prints a table and writes bench/results/search-<backend>-<n>.json.
"""

import sys
from pathlib import Path

# bench/http.py would shadow the standard library's http package: drop this folder from the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import sqlite3  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))

QUERY_TYPES = ("satu kata", "dua kata", "frasa", "awalan", "salah ketik", "filter", "urutan")
MIX = {"satu kata": 60, "dua kata": 60, "frasa": 30, "awalan": 30, "salah ketik": 30, "filter": 60, "urutan": 30}


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * pct / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {model or platform.processor()}, Python {platform.python_version()}"


def prepare(app, n: int, seed: int) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from catalog.demo.builder import seed_demo
    from catalog.extensions import db
    from catalog.models import Product

    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        have = db.session.scalar(select(func.count(Product.id))) or 0
        if have >= n:
            print(f"Basis data sudah berisi {have} produk.")
            return
        if have:
            raise SystemExit(f"The database holds {have} products, fewer than --n {n}: use an empty database.")
        started = time.perf_counter()
        seed_demo(seed=seed, products=n, log=lambda _m: None)
        print(f"Katalog demo {n} produk dibuat dalam {time.perf_counter() - started:.1f} s.")


def build_queries(app, seed: int) -> list[dict]:
    """300 queries drawn from the catalogue's own words, the same for the same data and seed."""
    from sqlalchemy import select

    from catalog.extensions import db
    from catalog.models import Category, Product, Seller
    from catalog.search import analysis

    rng = random.Random(seed)
    with app.app_context():
        titles = list(db.session.scalars(select(Product.title).order_by(Product.id).limit(20000)))
        leaves = list(db.session.scalars(select(Category.id).where(Category.parent_id.is_not(None))))
        kotas = sorted({k for k in db.session.scalars(select(Seller.kota_code)) if k})
    words = Counter(w for t in titles for w in analysis.document_terms(t) if w.isalpha() and len(w) >= 4)
    common = [w for w, _n in words.most_common(300)]
    pairs = []
    for title in titles[:5000]:
        tokens = [w for w in re.findall(r"[^\W\d_]+", title.casefold()) if len(w) >= 3]
        pairs += [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]

    def typo(word: str) -> str:
        i = rng.randrange(1, len(word) - 1)
        if rng.random() < 0.5:
            return word[:i] + word[i + 1 :]
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]

    queries = []
    for kind in QUERY_TYPES:
        for _ in range(MIX[kind]):
            word = rng.choice(common)
            query = {"type": kind, "text": word}
            if kind == "dua kata":
                query["text"] = f"{word} {rng.choice(common)}"
            elif kind == "frasa":
                query["text"] = rng.choice(pairs)
            elif kind == "awalan":
                query["text"] = word[: max(3, len(word) // 2)]
            elif kind == "salah ketik":
                query["text"] = typo(word)
            elif kind == "filter":
                choice = rng.randrange(4)
                if choice == 0:
                    query["category"] = rng.choice(leaves)
                elif choice == 1:
                    query["kota"] = rng.choice(kotas)
                elif choice == 2:
                    query["umkk"] = True
                else:
                    query["price_max"] = rng.choice((20_000, 50_000, 150_000))
            elif kind == "urutan":
                query["sort"] = rng.choice(("termurah", "termahal", "terbaru", "rating"))
            queries.append(query)
    return queries


def run_backend(app, queries: list[dict]) -> tuple[list[float], list[float]]:
    from catalog import search
    from catalog.search import SearchRequest

    def request(q: dict) -> SearchRequest:
        return SearchRequest(
            text=q["text"], category_ids=frozenset([q["category"]]) if "category" in q else frozenset(),
            kota=q.get("kota"), umkk=q.get("umkk", False), price_max=q.get("price_max"),
            sort=q.get("sort", "relevan"), per_page=20,
        )

    passes = []
    with app.app_context():
        backend = search.backend()
        if hasattr(backend, "reset"):
            backend.reset()
        for _ in range(2):
            times = []
            for q in queries:
                started = time.perf_counter()
                search.search(request(q))
                times.append((time.perf_counter() - started) * 1000)
            passes.append(times)
    return passes[0], passes[1]


def build_fts5(app, path: Path) -> float:
    """The reference: the same products in an FTS5 table (title, body) plus their facet columns."""
    from catalog.search.documents import all_documents

    con = sqlite3.connect(path)
    con.execute("CREATE VIRTUAL TABLE doc USING fts5(title, body, tokenize='unicode61')")
    con.execute("CREATE TABLE facet (id INTEGER PRIMARY KEY, category INT, kota TEXT, scale TEXT, koperasi INT, "
                "price INT, stock INT, created INT, rating REAL)")
    started = time.perf_counter()
    with app.app_context():
        for batch in all_documents():
            con.executemany("INSERT INTO doc(rowid, title, body) VALUES (?, ?, ?)",
                            [(d.id, d.title, f"{d.body} {d.seller_name}") for d in batch])
            con.executemany("INSERT INTO facet VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            [(d.id, d.category_id, d.kota_code, d.scale, int(d.is_koperasi), d.price, int(d.in_stock),
                              d.created, d.rating) for d in batch])
    con.execute("CREATE INDEX facet_category ON facet(category)")
    con.commit()
    con.close()
    return time.perf_counter() - started


def run_fts5(path: Path, queries: list[dict]) -> list[float]:
    con = sqlite3.connect(path)
    orders = {"termurah": "f.price ASC", "termahal": "f.price DESC", "terbaru": "f.created DESC",
              "rating": "f.rating DESC"}
    times = []
    for _ in range(2):
        times = []
        for q in queries:
            words = re.findall(r"[^\W_]+", q["text"].casefold())
            if not words:
                times.append(0.0)
                continue
            if q["type"] == "frasa":
                match = '"' + " ".join(words) + '"'
            elif q["type"] == "awalan":
                match = " ".join(f'"{w}"' for w in words[:-1]) + f' "{words[-1]}"*'
            else:
                match = " ".join(f'"{w}"' for w in words)
            where, params = ["doc MATCH ?"], [match]
            if "category" in q:
                where.append("f.category = ?")
                params.append(q["category"])
            if "kota" in q:
                where.append("f.kota = ?")
                params.append(q["kota"])
            if q.get("umkk"):
                where.append("(f.koperasi = 1 OR f.scale IN ('mikro', 'kecil'))")
            if "price_max" in q:
                where.append("f.price <= ?")
                params.append(q["price_max"])
            clause = " AND ".join(where)
            order = orders.get(q.get("sort", ""), "rank")
            started = time.perf_counter()
            con.execute(f"SELECT doc.rowid FROM doc JOIN facet f ON f.id = doc.rowid WHERE {clause} "  # noqa: S608
                        f"ORDER BY f.stock DESC, {order} LIMIT 20", params).fetchall()
            con.execute(f"SELECT count(*) FROM doc JOIN facet f ON f.id = doc.rowid WHERE {clause}", params).fetchall()  # noqa: S608
            con.execute(f"SELECT f.category, count(*) FROM doc JOIN facet f ON f.id = doc.rowid WHERE {clause} "  # noqa: S608
                        "GROUP BY f.category", params).fetchall()
            times.append((time.perf_counter() - started) * 1000)
    con.close()
    return times


def summary(times: list[float], queries: list[dict]) -> dict:
    out = {}
    for kind in (*QUERY_TYPES, "semua"):
        chosen = [t for t, q in zip(times, queries, strict=True) if kind == "semua" or q["type"] == kind]
        out[kind] = {"p50": round(percentile(chosen, 50), 2), "p95": round(percentile(chosen, 95), 2),
                     "p99": round(percentile(chosen, 99), 2), "n": len(chosen)}
    return out


def directory_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("whoosh", "postgres"), default="whoosh")
    parser.add_argument("--n", type=int, default=100_000, help="products in the catalogue")
    parser.add_argument("--database", help="database URL (default: a SQLite file in bench/results)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--skip-index", action="store_true", help="reuse the index a previous run built")
    args = parser.parse_args()

    RESULTS.mkdir(parents=True, exist_ok=True)
    url = args.database or f"sqlite:///{RESULTS / f'search-{args.n}.db'}"
    index_dir = RESULTS / f"search-index-{args.n}"
    os.environ["DATABASE_URL"] = url
    os.environ["SEARCH_BACKEND"] = args.backend
    os.environ["SEARCH_INDEX_DIR"] = str(index_dir)
    from catalog import create_app

    app = create_app()
    prepare(app, args.n, args.seed)

    from catalog import search
    from catalog.search.documents import count_visible

    index_seconds = None
    with app.app_context():
        visible = count_visible()
        if not args.skip_index:
            started = time.perf_counter()
            search.rebuild()
            index_seconds = time.perf_counter() - started
            print(f"Indeks {args.backend}: {visible} produk dalam {index_seconds:.1f} s "
                  f"({visible / index_seconds:,.0f} dok/s)")
    index_bytes = directory_size(index_dir) if args.backend == "whoosh" and index_dir.exists() else None

    queries = build_queries(app, args.seed)
    cold, warm = run_backend(app, queries)
    workdir = Path(tempfile.mkdtemp(prefix="fts5-"))
    try:
        fts5_index = build_fts5(app, workdir / "fts5.db")
        fts5 = run_fts5(workdir / "fts5.db", queries)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    ours, reference = summary(warm, queries), summary(fts5, queries)
    print(f"\n{args.backend} vs SQLite FTS5, {visible} produk, {len(queries)} kueri — {machine()}")
    print(f"{'jenis':<12} {'p50':>8} {'p95':>8} {'p99':>8}   {'FTS5 p50':>9} {'p95':>8} {'p99':>8}")
    for kind in (*QUERY_TYPES, "semua"):
        a, b = ours[kind], reference[kind]
        print(f"{kind:<12} {a['p50']:>8.1f} {a['p95']:>8.1f} {a['p99']:>8.1f}   {b['p50']:>9.1f} {b['p95']:>8.1f} "
              f"{b['p99']:>8.1f}")
    ratio = ours["semua"]["p95"] / reference["semua"]["p95"] if reference["semua"]["p95"] else None
    cold_p95 = percentile(cold, 95)
    print(f"p95 {args.backend} / p95 FTS5 = {ratio:.2f}×; cold first pass p95 {cold_p95:.1f} ms; "
          f"FTS5 index {visible / fts5_index:,.0f} dok/s")
    result = {
        "date": time.strftime("%Y-%m-%d"), "machine": machine(), "backend": args.backend, "products": visible,
        "database": url.split("://")[0], "index_seconds": index_seconds,
        "index_docs_per_s": round(visible / index_seconds) if index_seconds else None, "index_bytes": index_bytes,
        "warm": ours, "cold_p95": round(cold_p95, 2), "fts5": reference, "p95_ratio_to_fts5": ratio,
        "fts5_index_docs_per_s": round(visible / fts5_index),
    }
    out = RESULTS / f"search-{args.backend}-{args.n}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"Ditulis ke {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
