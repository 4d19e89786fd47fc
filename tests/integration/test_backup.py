"""`flask backup create|restore` (catalog/services/backup.py): an archive of the database and the
uploads restores into a fresh database, upload folder and search index with the orders, an intact
audit chain and a working search; an archive made while the site writes is consistent; every bad
archive or target is refused with a message and exit 1, before anything is changed.

Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL (pg_dump/pg_restore)."""

import io
import json
import os
import tarfile
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from catalog import create_app, search
from catalog.extensions import db
from catalog.health import current_revisions, head_revisions
from catalog.models import AuditEvent, Order, ProductImage, User
from catalog.search import SearchRequest
from catalog.services import audit, backup
from catalog.services.audit import verify_chain
from catalog.services.images import rendition_key, store_renditions
from tests.conftest import _config
from tests.dbsetup import fresh_database, using_postgres
from tests.factories import gen_product, gen_user
from tests.integration.test_shopper_orders import complete, courier_seller, paid

KIND = "postgresql" if using_postgres() else "sqlite"
OTHER_KIND = "sqlite" if using_postgres() else "postgresql"
BACKENDS = ["whoosh", "postgres"] if using_postgres() else ["whoosh"]


@contextmanager
def fresh_app(tmp_path: Path, name: str, **overrides):
    """An app on a new, empty database (no tables) with its own upload folder and search index."""
    (tmp_path / f"{name}-db").mkdir()
    with fresh_database(tmp_path / f"{name}-db") as url:
        app = create_app(_config(url, tmp_path / name, **{"BACKUP_DIR": str(tmp_path / name / "backups"), **overrides}))
        try:
            yield app
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


@pytest.fixture
def target(tmp_path):
    with fresh_app(tmp_path, "target") as app:
        yield app


def invoke(app, *args, **kwargs):
    """Run a command on `app`. Its context is pushed first: a command uses the app whose context
    is current (with_appcontext), and the `app` fixture's would otherwise be it."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args), **kwargs)


def users_in(app) -> int | None:
    """Users in an app's database; None while it has no tables (a refused restore wrote nothing)."""
    with app.app_context():
        from sqlalchemy import inspect

        if "user" not in inspect(db.engine).get_table_names():
            return None
        return db.session.scalar(select(func.count()).select_from(User))


def uploads_in(app) -> list[Path]:
    return [p for p in Path(app.config["UPLOAD_DIR"]).rglob("*") if p.is_file()]


@pytest.fixture
def shop(app):
    """A seller with two products (one with a photo), a shopper's completed order, audit events."""
    seller = courier_seller(business_name="Dapur Bu Sri")
    talas = gen_product(seller=seller, title="Keripik Talas Pedas", price=18_000)
    roa = gen_product(seller=seller, title="Sambal Roa Manado", price=35_000)
    stored = store_renditions(Image.new("RGB", (400, 300), (200, 80, 20)))
    db.session.add(ProductImage(product_id=talas.id, key=stored.key, width=stored.width, height=stored.height))
    group = paid(gen_user(name="Rina Kartika"), (talas, 2), (roa, 1))
    [order] = group.orders
    complete(order)
    db.session.commit()
    photo = Path(app.config["UPLOAD_DIR"]) / rendition_key(stored.key, 320, "webp")
    return {"order": order.number, "total": order.total, "talas": talas.id, "photo": photo,
            "items": sorted((i.title, i.quantity, i.line_total) for i in order.items)}


@pytest.fixture
def archive(app, shop, runner, tmp_path) -> Path:
    path = tmp_path / "cadangan.tar.gz"
    result = runner.invoke(args=["backup", "create", "--ke", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def archive_cache() -> dict:
    return {}


@pytest.fixture
def good_archive(archive_cache, request) -> Path:
    """One archive of `shop` for the tests that only read it (built by the first that asks)."""
    if "path" not in archive_cache:
        archive_cache["path"] = request.getfixturevalue("archive")
    return archive_cache["path"]


def members_of(path: Path) -> dict[str, tarfile.TarInfo]:
    with tarfile.open(path, "r:gz") as tar:
        return {m.name: m for m in tar.getmembers()}


def manifest_of(path: Path) -> dict:
    with tarfile.open(path, "r:gz") as tar:
        return json.loads(tar.extractfile(backup.MANIFEST).read())


def rewritten(source: Path, dest: Path, *, manifest=None, drop=(), extra=()) -> Path:
    """A copy of an archive with the manifest replaced, members dropped or extra TarInfos added."""
    with tarfile.open(source, "r:gz") as tar, tarfile.open(dest, "w:gz") as out:
        for member in tar.getmembers():
            if member.name in drop:
                continue
            if member.name == backup.MANIFEST and manifest is not None:
                data = json.dumps(manifest).encode()
                member.size = len(data)
                out.addfile(member, io.BytesIO(data))
            else:
                out.addfile(member, tar.extractfile(member) if member.isfile() else None)
        for info, data in extra:
            out.addfile(info, io.BytesIO(data) if data is not None else None)
    return dest


# --- create and restore -------------------------------------------------------------------------------

@pytest.mark.parametrize("search_backend", BACKENDS)
def test_a_backup_restores_into_a_fresh_database(app, shop, archive, tmp_path, search_backend):
    members = members_of(archive)
    manifest = manifest_of(archive)
    assert manifest["format"] == backup.FORMAT_VERSION and manifest["database"] == KIND
    assert set(manifest["alembic_revisions"]) == head_revisions()
    assert manifest["counts"]["seller_order"] == 1 and manifest["counts"]["product"] == 2
    assert manifest["counts"]["audit_event"] == db.session.scalar(select(func.count()).select_from(AuditEvent))
    photo_name = "uploads/" + shop["photo"].relative_to(app.config["UPLOAD_DIR"]).as_posix()
    assert photo_name in members and backup.DATABASE_MEMBERS[KIND] in members
    assert manifest["uploads"]["files"] == 4  # 320 and 960 px, WebP and JPEG
    assert not any("search-index" in name for name in members)  # rebuilt, never archived
    assert archive.stat().st_mode & 0o077 == 0  # password hashes: owner only

    with fresh_app(tmp_path, "restored", SEARCH_BACKEND=search_backend) as target:
        result = invoke(target, "backup", "restore", str(archive), "--ya")
        assert result.exit_code == 0, result.output
        assert "rantai utuh" in result.output and "Indeks pencarian dibangun ulang: 2 produk" in result.output
        assert "PERINGATAN" not in result.output
        with target.app_context():
            order = db.session.scalar(select(Order).where(Order.number == shop["order"]))
            assert order is not None and order.total == shop["total"] and order.status == "completed"
            assert sorted((i.title, i.quantity, i.line_total) for i in order.items) == shop["items"]
            assert verify_chain().ok
            assert verify_chain().checked == manifest["counts"]["audit_event"]
            _, counts = backup.snapshot_facts(db.session.connection())
            assert counts == manifest["counts"]
            assert current_revisions() == head_revisions()
            hits = search.search(SearchRequest(text="keripik talas")).hits
            assert [hit.product_id for hit in hits] == [shop["talas"]]
            restored_photo = Path(target.config["UPLOAD_DIR"]) / shop["photo"].relative_to(app.config["UPLOAD_DIR"])
            assert restored_photo.read_bytes() == shop["photo"].read_bytes()


def test_create_writes_to_backup_dir_by_default(make_app, tmp_path):
    backup_dir = tmp_path / "cadangan"
    app = make_app(BACKUP_DIR=str(backup_dir))
    with app.app_context():
        gen_user()
        db.session.commit()
    result = invoke(app, "backup", "create")
    assert result.exit_code == 0, result.output
    [written] = backup_dir.iterdir()
    assert written.name.startswith("katalog-") and written.name.endswith(".tar.gz")
    assert str(written) in result.output and "user 1" in result.output
    assert manifest_of(written)["counts"]["user"] == 1


def test_an_archive_made_while_the_site_writes_is_consistent(app, make_app, target, tmp_path):
    writer_app = make_app()  # its own engine: another connection, as another server process would be
    stop, written = threading.Event(), []

    def write():
        with writer_app.app_context():
            while not stop.is_set():
                # A user and its audit event in one transaction, as fast as the database goes (a
                # password hash would slow the writer down to a few commits a second).
                user = User(email=f"tulis{len(written)}@contoh.id", name="Penulis", password_hash="-")
                db.session.add(user)
                db.session.flush()
                audit.record("user.created", user, after={"email": user.email})
                db.session.commit()
                written.append(user.id)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while len(written) < 20:
            stop.wait(0.01)
        created = backup.create(tmp_path / "live.tar.gz")
        before_end = len(written)
        stop.wait(0.2)
    finally:
        stop.set()
        writer.join()
    assert len(written) > before_end  # the site kept writing while and after the archive was made

    result = invoke(target, "backup", "restore", str(created.path), "--ya")
    assert result.exit_code == 0, result.output
    assert "PERINGATAN" not in result.output  # every counted table matches the manifest's snapshot
    counts = created.manifest["counts"]
    assert counts["user"] == counts["audit_event"] >= 20
    with target.app_context():
        report = verify_chain()
        assert report.ok and report.checked == counts["audit_event"]


def test_an_older_schema_is_upgraded_after_the_restore(tmp_path, target):
    from flask_migrate import upgrade

    with fresh_app(tmp_path, "old") as old:
        with old.app_context():
            upgrade(revision="0009_page_indexes")
        result = invoke(old, "backup", "create", "--ke", str(tmp_path / "lama.tar.gz"))
        assert result.exit_code == 0, result.output
    result = invoke(target, "backup", "restore", str(tmp_path / "lama.tar.gz"), "--ya")
    assert result.exit_code == 0, result.output
    assert "Skema dinaikkan dari 0009_page_indexes" in result.output
    with target.app_context():
        assert current_revisions() == head_revisions()


def test_timpa_overwrites_a_database_that_has_users(archive, target, shop):
    assert invoke(target, "backup", "restore", str(archive), "--ya").exit_code == 0
    with target.app_context():
        gen_user(email="baru@contoh.id")
        db.session.commit()

    refused = invoke(target, "backup", "restore", str(archive), "--ya")
    assert refused.exit_code == 1
    assert "Gagal: basis data tujuan sudah berisi pengguna" in refused.output and "--timpa" in refused.output
    with target.app_context():
        assert db.session.scalar(select(User).where(User.email == "baru@contoh.id")) is not None

    result = invoke(target, "backup", "restore", str(archive), "--ya", "--timpa")
    assert result.exit_code == 0, result.output
    with target.app_context():
        assert db.session.scalar(select(User).where(User.email == "baru@contoh.id")) is None
        assert db.session.scalar(select(Order.total).where(Order.number == shop["order"])) == shop["total"]


def test_restore_asks_first_and_no_changes_nothing(good_archive, target):
    result = invoke(target, "backup", "restore", str(good_archive), input="n\n")
    assert result.exit_code == 1
    assert "Pulihkan ke basis data yang dikonfigurasi?" in result.output
    assert "dibatalkan; tidak ada yang diubah" in result.output
    assert users_in(target) is None
    assert uploads_in(target) == []


def test_create_needs_pg_dump_only_on_postgresql(make_app, tmp_path, monkeypatch):
    app = make_app()
    monkeypatch.setenv("PATH", str(tmp_path / "kosong"))
    result = invoke(app, "backup", "create", "--ke", str(tmp_path / "x.tar.gz"))
    if using_postgres():
        assert result.exit_code == 1
        assert "Gagal: pg_dump tidak ditemukan di PATH" in result.output
        assert not (tmp_path / "x.tar.gz").exists()
    else:
        assert result.exit_code == 0, result.output


# --- refusals -----------------------------------------------------------------------------------------

def symlink(name: str, to: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = tarfile.SYMTYPE, to
    return info


def file_member(name: str, data: bytes) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


BAD_ARCHIVES = {  # case: what the message says
    "missing": "tidak-ada.tar.gz tidak ada.",
    "not_targz": "not_targz.tar.gz bukan arsip .tar.gz yang utuh",
    "no_manifest": "arsip tidak berisi manifest.json",
    "unknown_format": "format cadangan 99 tidak dikenal",
    "other_kind": f"cadangan ini dari basis data {OTHER_KIND}, tujuan {KIND}",
    "newer_code": "revisi skema 0099_dari_masa_depan yang tidak dikenal kode ini",
    "dotdot": "jalur yang tidak aman: 'uploads/../../kabur.txt'",
    "absolute": "jalur yang tidak aman: '/",
    "symlink": "tautan atau berkas khusus: 'uploads/p/tautan'",
}


def bad_archive(case: str, good: Path, tmp_path: Path) -> Path:
    dest = tmp_path / f"{case}.tar.gz"
    manifest = manifest_of(good)
    if case == "missing":
        return tmp_path / "tidak-ada.tar.gz"
    if case == "not_targz":
        dest.write_bytes(b"ini bukan arsip")
        return dest
    if case == "no_manifest":
        return rewritten(good, dest, drop={backup.MANIFEST})
    if case == "unknown_format":
        return rewritten(good, dest, manifest={**manifest, "format": 99})
    if case == "other_kind":
        return rewritten(good, dest, manifest={**manifest, "database": OTHER_KIND})
    if case == "newer_code":
        return rewritten(good, dest, manifest={**manifest, "alembic_revisions": ["0099_dari_masa_depan"]})
    if case == "dotdot":
        return rewritten(good, dest, extra=[file_member("uploads/../../kabur.txt", b"keluar")])
    if case == "absolute":
        return rewritten(good, dest, extra=[file_member(str(tmp_path / "mutlak.txt"), b"keluar")])
    if case == "symlink":
        return rewritten(good, dest, extra=[(symlink("uploads/p/tautan", str(tmp_path)), None),
                                            file_member("uploads/p/tautan/lewat.txt", b"keluar")])
    raise AssertionError(case)


@pytest.mark.parametrize("case", list(BAD_ARCHIVES))
def test_a_bad_archive_is_refused_before_anything_changes(case, good_archive, target, tmp_path):
    path = bad_archive(case, good_archive, tmp_path)
    result = invoke(target, "backup", "restore", str(path), "--ya")
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Gagal: ") and BAD_ARCHIVES[case] in result.output
    assert users_in(target) is None  # the target database was not touched
    assert uploads_in(target) == []
    for outside in ("kabur.txt", "mutlak.txt", "lewat.txt"):
        assert not list(tmp_path.rglob(outside)), outside


def test_a_symlinked_folder_in_upload_dir_cannot_lead_a_restore_outside(good_archive, target, tmp_path):
    outside = tmp_path / "di-luar"
    outside.mkdir()
    uploads = Path(target.config["UPLOAD_DIR"])
    uploads.mkdir(parents=True, exist_ok=True)
    os.symlink(outside, uploads / "p")  # photos live under p/
    result = invoke(target, "backup", "restore", str(good_archive), "--ya")
    assert result.exit_code == 1
    assert "akan ditulis di luar UPLOAD_DIR" in result.output
    assert users_in(target) is None
    assert list(outside.iterdir()) == []
