"""Pages under load: the app under gunicorn on 127.0.0.1 with the demo catalogue scaled to N
products, hit by wrk, page by page, with a bare Flask "hello" endpoint measured the same way in
the same run as the reference.

    .venv/bin/python bench/http.py                       # 100,000 products, SQLite + Whoosh
    .venv/bin/python bench/http.py --n 10000 --seconds 5 # a quick look
    .venv/bin/python bench/http.py --database postgresql://postgres@127.0.0.1:5432/katalog_http

The catalogue is the demo seeder's, shared with bench/search.py (the same SQLite file and Whoosh
index under bench/results/ when --database is not given). gunicorn runs `wsgi:app` with the
production configuration (a random SECRET_KEY; no Redis, so the cache and rate limits live in
each worker) and --workers/--threads as given (default 2 × 4: one worker per core, threads to
overlap the database waits). wrk (Debian's package `wrk`) keeps --connections connections open
for --seconds per page after a warm-up, and a Lua script reports p50/p95/p99 as JSON. Pages:

- home `/`, a category page `/kategori/<slug>` (rotating over every top-level category),
- search with filters `/cari?q=<word>&kota=…&urut=…` (rotating over 200 queries from title words),
- a product page `/produk/<slug>` (rotating over 2,000 products),
- add to cart: POST /keranjang/tambah as 32 guest sessions (each primed with one add so its
  cookie already names its cart, and its own CSRF token), rotating over 2,000 variants.

Prints a table (requests/s, p50/p95/p99 ms, ratio of each page's requests/s to hello's) and writes
bench/results/http-<n>.json. The load generator shares the machine with the server: on 2 cores
the absolute figures are a floor, the ratio to "hello" is what compares across machines.
"""

import sys
from pathlib import Path

# This file is named http.py, as the issue asks: drop its own folder from the import path before
# anything imports the standard library's http package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.error  # noqa: E402
import urllib.parse  # noqa: E402
import urllib.request  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))

from bench.search import machine, prepare  # noqa: E402

LUA_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULT {"requests": %d, "duration_us": %d, "socket_errors": %d, "status_errors": %d, '
    .. '"p50_us": %d, "p95_us": %d, "p99_us": %d, "mean_us": %f}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean))
end
"""


def lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def lua_get(paths: list[str]) -> str:
    items = ",\n".join(lua_string(p) for p in paths)
    return f"""
local paths = {{ {items} }}
local i = math.random(#paths)
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
""" + LUA_DONE


def lua_post(path: str, posts: list[tuple[str, str]]) -> str:
    items = ",\n".join(f"{{{lua_string(cookie)}, {lua_string(body)}}}" for cookie, body in posts)
    return f"""
local posts = {{ {items} }}
local i = math.random(#posts)
request = function()
  i = i % #posts + 1
  return wrk.format("POST", {lua_string(path)}, {{
    ["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = posts[i][1] }}, posts[i][2])
end
""" + LUA_DONE


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(app_spec: str, env: dict, workers: int, threads: int, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "--workers", str(workers), "--threads", str(threads),
         "--bind", f"127.0.0.1:{port}", "--timeout", "60", "--log-level", "warning", app_spec],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn {app_spec} stopped (exit {process.returncode}); see {log}")
        try:
            with urllib.request.urlopen(url + "/", timeout=5) as response:  # noqa: S310 (our own server)
                if response.status == 200:
                    return process, url
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit(f"gunicorn {app_spec} did not answer within 90 s; see {log}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def wrk(url: str, script: str, seconds: int, connections: int, threads: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
        path = f.name
    try:
        out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s",
                              "--timeout", "10s", "-s", path, url], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(path)
    match = re.search(r"^RESULT (\{.*\})$", out, re.M)
    if not match:
        raise SystemExit(f"wrk printed no result:\n{out}")
    raw = json.loads(match.group(1))
    return {
        "requests_per_s": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
        "p50_ms": raw["p50_us"] / 1000, "p95_ms": raw["p95_us"] / 1000, "p99_ms": raw["p99_us"] / 1000,
        "requests": raw["requests"], "errors": raw["socket_errors"] + raw["status_errors"],
    }


def sample(app, seed: int) -> dict:
    """Paths and variants to rotate over, drawn from the catalogue with a fixed seed."""
    from sqlalchemy import select

    from catalog.extensions import db
    from catalog.models import Category, Product, ProductVariant

    rng = random.Random(seed)
    with app.app_context():
        products = db.session.execute(
            select(Product.slug, Product.title).where(Product.status == "active").order_by(Product.id)).all()
        picked = rng.sample(products, min(2000, len(products)))
        variants = db.session.scalars(
            select(ProductVariant.id).join(Product, ProductVariant.product_id == Product.id)
            .where(Product.status == "active", ProductVariant.active.is_(True), ProductVariant.stock > 100)
            .order_by(ProductVariant.id)).all()
        categories = db.session.scalars(select(Category.slug).where(Category.parent_id.is_(None))).all()
        kotas = ["36.74", "36.71", "36.03"]
        sorts = ["", "termurah", "termahal", "terbaru", "rating"]
        words = [w for _slug, title in picked for w in re.findall(r"[a-z]{4,}", title.lower())]
        searches = []
        for _ in range(200):
            params = {"q": rng.choice(words), "kota": rng.choice(kotas)}
            if sort := rng.choice(sorts):
                params["urut"] = sort
            searches.append("/cari?" + urllib.parse.urlencode(params))
    return {
        "product": [f"/produk/{slug}" for slug, _title in picked],
        "category": [f"/kategori/{slug}" for slug in categories],
        "search": searches,
        "variants": rng.sample(variants, min(2000, len(variants))),
    }


class _Session:
    """A guest's cookies, kept by hand: production cookies are Secure, which a cookie jar would
    never send over the plain http of 127.0.0.1."""

    def __init__(self, url: str):
        self.url, self.cookies = url, {}

    def open(self, path: str, data: bytes | None = None) -> str:
        request = urllib.request.Request(self.url + path, data=data, headers={"Cookie": self.header()})  # noqa: S310
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            response = opener.open(request, timeout=30)  # noqa: S310 (our own server)
        except urllib.error.HTTPError as error:  # the 302 after a POST
            response = error
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.read().decode()

    def header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def cart_sessions(url: str, product_path: str, variants: list[int], count: int) -> list[tuple[str, str]]:
    """(cookie header, form body) per guest session: each session added one unit once already, so
    its cookie names its cart and the timed requests add to an existing cart."""
    posts = []
    for i in range(count):
        guest = _Session(url)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', guest.open(product_path)).group(1)
        body = urllib.parse.urlencode({"csrf_token": token, "variant_id": variants[i % len(variants)], "quantity": 1})
        guest.open("/keranjang/tambah", body.encode())
        if "session" not in guest.cookies:
            raise SystemExit("adding to the cart gave the guest no session cookie")
        for variant in variants[i::count][:60]:
            posts.append((guest.header(),
                          urllib.parse.urlencode({"csrf_token": token, "variant_id": variant, "quantity": 1})))
    return posts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="products in the catalogue")
    parser.add_argument("--database", help="database URL (default: bench/results/search-<n>.db, shared with search.py)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=15, help="measured seconds per page (after a 3 s warm-up)")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")

    RESULTS.mkdir(parents=True, exist_ok=True)
    database = args.database or f"sqlite:///{RESULTS / f'search-{args.n}.db'}"
    index_dir = RESULTS / f"search-index-{args.n}"
    env = {**os.environ, "DATABASE_URL": database, "SEARCH_INDEX_DIR": str(index_dir), "FLASK_CONFIG": "production",
           "SECRET_KEY": secrets.token_hex(32), "PLATFORM_BANK_ACCOUNT": "0012345678901",
           "INSTANCE_DIR": str(RESULTS / "http-instance"), "LOGIN_RATE_LIMIT": "100000 per minute"}
    env.pop("REDIS_URL", None)
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "SEARCH_INDEX_DIR", "INSTANCE_DIR")})
    from catalog import create_app, search

    app = create_app()
    prepare(app, args.n, args.seed)
    with app.app_context():
        if not index_dir.exists() and search.backend().name == "whoosh":
            print("Membangun indeks pencarian …")
            search.rebuild()
    paths = sample(app, args.seed)

    logs = Path(tempfile.mkdtemp(prefix="bench-http-"))
    results: dict[str, dict] = {}
    load = {"seconds": args.seconds, "connections": args.connections, "threads": 2}
    hello, hello_url = start_gunicorn("bench.hello:app", env, args.workers, args.threads, logs / "hello.log")
    try:
        wrk(hello_url, lua_get(["/"]), 3, **{k: v for k, v in load.items() if k != "seconds"})
        results["hello"] = wrk(hello_url, lua_get(["/"]), **load)
    finally:
        stop(hello)
    server, url = start_gunicorn("wsgi:app", env, args.workers, args.threads, logs / "app.log")
    try:
        pages = {"home": lua_get(["/"]), "category": lua_get(paths["category"]), "search": lua_get(paths["search"]),
                 "product": lua_get(paths["product"]),
                 "add_to_cart": lua_post("/keranjang/tambah",
                                         cart_sessions(url, paths["product"][0], paths["variants"], 32))}
        for name, script in pages.items():
            wrk(url, script, 3, **{k: v for k, v in load.items() if k != "seconds"})
            results[name] = wrk(url, script, **load)
            print(f"  {name}: {results[name]['requests_per_s']} req/s", flush=True)
    finally:
        stop(server)

    base = results["hello"]["requests_per_s"]
    print(f"\ngunicorn {args.workers} workers × {args.threads} threads, wrk {args.connections} connections, "
          f"{args.seconds} s per page, {args.n:,} products ({database.split(':')[0]}) — {machine()}")
    print(f"{'page':<12} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} {'÷ hello':>8}")
    for name, r in results.items():
        print(f"{name:<12} {r['requests_per_s']:>8.1f} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} {r['p99_ms']:>8.1f} "
              f"{r['errors']:>7} {r['requests_per_s'] / base:>8.3f}")
    out = RESULTS / f"http-{args.n}.json"
    out.write_text(json.dumps({
        "date": time.strftime("%Y-%m-%d"), "machine": machine(), "products": args.n,
        "database": database.split(":")[0], "workers": args.workers, "threads": args.threads, **load,
        "pages": results, "ratio_to_hello": {k: round(v["requests_per_s"] / base, 4) for k, v in results.items()},
    }, indent=2))
    print(f"Ditulis ke {out.relative_to(ROOT)}")
    print(f"gunicorn logs: {logs}")


if __name__ == "__main__":
    main()
