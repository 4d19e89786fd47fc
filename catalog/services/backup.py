"""Backups: one .tar.gz archive holding manifest.json, the database and every uploaded file, and
its restore into an empty database (`flask backup create|restore`, catalog/cli_backup.py).

SQLite is copied with sqlite3's online backup API (one read snapshot; in WAL mode the site keeps
writing meanwhile), PostgreSQL with `pg_dump --format=custom` in the snapshot the manifest's row
counts were read in. The search index is never archived: a restore rebuilds it (the PostgreSQL
backend's search_document rows are left out of the dump for the same reason).

Messages of BackupError are for the operator at a terminal, in Indonesian like catalog/cli.py.
"""

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import current_app

from catalog.extensions import db
from config import BASE_DIR

if TYPE_CHECKING:
    from catalog.services.audit import ChainReport

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
UPLOADS_PREFIX = "uploads/"
COUNTED_TABLES = ("user", "seller", "product", "product_image", "order_group", "seller_order", "order_item",
                  "payment", "ledger_entry", "purchase_order", "audit_event")
# Derived data the restore rebuilds (catalog.search.rebuild); PostgreSQL backend only.
SEARCH_TABLE = "search_document"
PG_TIMEOUT_SECONDS = 6 * 3600


class BackupError(Exception):
    """A refusal or failure, with a one-line message for the operator."""


@dataclass
class Created:
    path: Path
    size: int
    manifest: dict


@dataclass
class Restored:
    manifest: dict
    counts: dict[str, int]
    files: int
    upgraded_from: list[str] | None  # the archive's revisions when `flask db upgrade` ran after it
    chain: "ChainReport"
    indexed: int
    warnings: list[str] = field(default_factory=list)


# --- what is being backed up ------------------------------------------------------------------------

def database_kind() -> str:
    kind = db.engine.dialect.name
    if kind not in DATABASE_MEMBERS:
        raise BackupError(f"jenis basis data {kind} tidak didukung (hanya SQLite dan PostgreSQL).")
    return kind


def default_path(now: datetime) -> Path:
    return Path(current_app.config["BACKUP_DIR"]) / f"katalog-{now:%Y%m%d-%H%M%S}.tar.gz"


def snapshot_facts(connection) -> tuple[list[str], dict[str, int]]:
    """The Alembic revisions and row counts, read on `connection` (inside the dumped snapshot)."""
    from alembic.runtime.migration import MigrationContext

    tables = set(sa.inspect(connection).get_table_names())
    revisions = sorted(MigrationContext.configure(connection).get_current_heads()) if "alembic_version" in tables else []
    counts = {name: connection.scalar(sa.select(sa.func.count()).select_from(sa.table(name)))
              for name in COUNTED_TABLES if name in tables}
    return revisions, counts


def app_version() -> dict:
    """The code that made the archive: pyproject's version, and the git commit when there is one."""
    version = {"version": tomllib.loads((BASE_DIR / "pyproject.toml").read_text())["project"]["version"]}
    git = shutil.which("git")
    if git and (BASE_DIR / ".git").exists():
        try:
            done = subprocess.run([git, "-C", str(BASE_DIR), "rev-parse", "HEAD"],  # noqa: S603
                                  capture_output=True, text=True, timeout=5, check=False)
            if done.returncode == 0:
                version["commit"] = done.stdout.strip()
        except (OSError, subprocess.SubprocessError):
            pass
    return version


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} tidak ditemukan di PATH; pasang klien PostgreSQL (paket postgresql-client) "
                          "dengan versi yang sama dengan server atau lebih baru.")
    return path


def libpq_target() -> tuple[str, dict]:
    """The configured SQLAlchemy URL as a libpq URL for pg_dump/pg_restore; the password goes in
    PGPASSWORD so it never shows in the process list."""
    url = sa.engine.make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _run(command: list[str], env: dict, what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True,  # noqa: S603
                          timeout=PG_TIMEOUT_SECONDS, check=False)
    if done.returncode != 0:
        detail = " ".join((done.stderr or done.stdout).split())[:500]
        raise BackupError(f"{what} gagal (kode {done.returncode}): {detail}")


def _dump_sqlite(work: Path) -> tuple[Path, list[str], dict[str, int]]:
    source_path = db.engine.url.database
    if not source_path or source_path == ":memory:":
        raise BackupError("basis data SQLite di memori tidak bisa dicadangkan; atur DATABASE_URL ke sebuah berkas.")
    copy = work / DATABASE_MEMBERS["sqlite"]
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
    target = sqlite3.connect(copy)
    try:
        # All pages in one step: one read transaction, so the copy is one consistent moment even
        # while the site writes (WAL readers never block the writer).
        source.backup(target)
    except sqlite3.Error as error:
        raise BackupError(f"menyalin basis data SQLite gagal: {error}") from error
    finally:
        target.close()
        source.close()
    engine = sa.create_engine(f"sqlite:///{copy}")
    try:
        with engine.connect() as connection:
            revisions, counts = snapshot_facts(connection)
    finally:
        engine.dispose()
    return copy, revisions, counts


def _dump_postgres(work: Path) -> tuple[Path, list[str], dict[str, int]]:
    pg_dump = require_tool("pg_dump")
    conninfo, env = libpq_target()
    dump = work / DATABASE_MEMBERS["postgresql"]
    with db.engine.connect() as connection:
        # Count in the transaction whose snapshot pg_dump then uses: the manifest describes the dump.
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot = connection.scalar(sa.text("SELECT pg_export_snapshot()"))
            revisions, counts = snapshot_facts(connection)
            _run([pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                  f"--exclude-table-data={SEARCH_TABLE}", f"--file={dump}", f"--dbname={conninfo}"], env, "pg_dump")
    return dump, revisions, counts


def _upload_files(root: Path):
    """Regular files under UPLOAD_DIR, as (path, archive name). Symbolic links are not followed
    and half-written files (storage.save_bytes' *.tmp) and readiness probes are left out."""
    if not root.is_dir():
        return
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if name.endswith(".tmp") or name.startswith(".ready-") or path.is_symlink() or not path.is_file():
                continue
            yield path, UPLOADS_PREFIX + path.relative_to(root).as_posix()


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, mtime: float) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(mtime), 0o600
    tar.addfile(info, io.BytesIO(data))


def create(destination: str | Path | None = None) -> Created:
    """Write an archive of the database and the uploads; atomic (the final name appears only
    complete) and readable by its owner only (it holds password hashes and personal data)."""
    kind = database_kind()
    now = datetime.now(UTC)
    path = Path(destination) if destination else default_path(now)
    if path.is_dir():
        path = path / default_path(now).name
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".katalog-backup-", dir=path.parent) as tmp:
        work = Path(tmp)
        dump, revisions, counts = (_dump_sqlite if kind == "sqlite" else _dump_postgres)(work)
        root = Path(current_app.config["UPLOAD_DIR"])
        partial = work / "archive.tar.gz"
        files = size = 0
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(dump, arcname=DATABASE_MEMBERS[kind], recursive=False)
            for file, name in _upload_files(root):
                try:
                    # Files are replaced whole (storage.save_bytes), never rewritten in place.
                    with open(file, "rb") as source:
                        info = tar.gettarinfo(arcname=name, fileobj=source)
                        tar.addfile(info, source)
                except FileNotFoundError:  # deleted by the site while we walked
                    continue
                files += 1
                size += info.size
            manifest = {
                "format": FORMAT_VERSION,
                "created_at": now.isoformat(timespec="seconds"),
                "database": kind,
                "alembic_revisions": revisions,
                "counts": counts,
                "uploads": {"files": files, "bytes": size},
                "app": app_version(),
            }
            # Last, so that it holds the upload totals; readers look it up by name.
            _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2).encode(), now.timestamp())
        partial.chmod(0o600)
        with open(partial, "rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, path)
    return Created(path=path, size=path.stat().st_size, manifest=manifest)


# --- restore ------------------------------------------------------------------------------------------

def _open(path: Path) -> tuple[tarfile.TarFile, list[tarfile.TarInfo]]:
    if not path.is_file():
        raise BackupError(f"berkas {path} tidak ada.")
    try:
        tar = tarfile.open(path, "r:gz")
        return tar, tar.getmembers()
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"{path} bukan arsip .tar.gz yang utuh ({type(error).__name__}).") from error


def check_members(members: list[tarfile.TarInfo]) -> None:
    """Refuse the whole archive before anything is written if one member could land outside its
    folder: absolute names, `..`, links and device files."""
    for member in members:
        name = member.name
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if not parts or name.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]:
            raise BackupError(f"arsip berisi jalur yang tidak aman: {name!r}; tidak ada yang dipulihkan.")
        if not (member.isfile() or member.isdir()):
            raise BackupError(f"arsip berisi tautan atau berkas khusus: {name!r}; tidak ada yang dipulihkan.")


def read_manifest(tar: tarfile.TarFile, members: list[tarfile.TarInfo]) -> dict:
    found = [m for m in members if m.name == MANIFEST and m.isfile()]
    if not found:
        raise BackupError(f"arsip tidak berisi {MANIFEST}; ini bukan cadangan dari `flask backup create`.")
    try:
        manifest = json.loads(tar.extractfile(found[-1]).read())
    except (ValueError, OSError, tarfile.TarError) as error:
        raise BackupError(f"{MANIFEST} di arsip tidak bisa dibaca ({type(error).__name__}).") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        found_version = manifest.get("format") if isinstance(manifest, dict) else None
        raise BackupError(f"format cadangan {found_version!r} tidak dikenal kode ini (yang dikenal: {FORMAT_VERSION}).")
    if manifest.get("database") not in DATABASE_MEMBERS:
        raise BackupError(f"{MANIFEST} tidak menyebut jenis basis data yang dikenal.")
    return manifest


def check_revisions(manifest: dict) -> bool:
    """True when the archive's schema is older than the code (the restore then upgrades it);
    refuses revisions this code's migrations do not know (a backup made by newer code)."""
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    from catalog.health import MIGRATIONS_DIR, head_revisions

    revisions = manifest.get("alembic_revisions") or []
    if not revisions:
        raise BackupError("cadangan tidak mencatat revisi skema (basis datanya belum di-`flask db upgrade`).")
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    script = ScriptDirectory.from_config(config)
    for revision in revisions:
        try:
            known = script.get_revision(revision)
        except Exception:  # noqa: BLE001  (alembic raises several kinds for an unknown id)
            known = None
        if known is None:
            raise BackupError(f"cadangan dibuat dengan revisi skema {revision} yang tidak dikenal kode ini "
                              "(cadangan dari versi yang lebih baru); pulihkan dengan kode versi itu.")
    return set(revisions) != head_revisions()


def target_is_empty() -> bool:
    """No tables, or no user rows: nothing a restore would destroy."""
    tables = set(sa.inspect(db.engine).get_table_names())
    if "user" not in tables:
        return True
    return not db.session.scalar(sa.select(sa.func.count()).select_from(sa.table("user")))


def _extract_to(tar: tarfile.TarFile, member: tarfile.TarInfo, path: Path) -> None:
    with tar.extractfile(member) as source, open(path, "wb") as target:
        shutil.copyfileobj(source, target, 1024 * 1024)


def _restore_sqlite(dump: Path) -> None:
    target_path = db.engine.url.database
    if not target_path or target_path == ":memory:":
        raise BackupError("basis data tujuan SQLite di memori; atur DATABASE_URL ke sebuah berkas.")
    Path(target_path).parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    target = sqlite3.connect(target_path, timeout=30)
    try:
        if source.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError("salinan basis data di arsip rusak (PRAGMA quick_check gagal).")
        source.backup(target)  # replaces every page of the target: it becomes the archived database
    except sqlite3.DatabaseError as error:
        raise BackupError(f"basis data di arsip tidak bisa dipulihkan: {error}") from error
    finally:
        target.close()
        source.close()


def _restore_postgres(dump: Path) -> None:
    pg_restore = require_tool("pg_restore")
    conninfo, env = libpq_target()
    # One transaction: a failed restore leaves the target as it was.
    _run([pg_restore, "--no-owner", "--no-privileges", "--clean", "--if-exists", "--single-transaction",
          "--exit-on-error", f"--dbname={conninfo}", str(dump)], env, "pg_restore")


def upload_targets(members: list[tarfile.TarInfo]) -> list[tuple[tarfile.TarInfo, Path]]:
    """Where each archived upload goes; refuses one that would resolve outside UPLOAD_DIR (a
    symbolic link to another folder inside it) before anything is written."""
    root = Path(current_app.config["UPLOAD_DIR"]).resolve()
    targets = []
    for member in members:
        if not (member.isfile() and member.name.startswith(UPLOADS_PREFIX)):
            continue
        path = (root / member.name[len(UPLOADS_PREFIX):]).resolve()
        if root not in path.parents:
            raise BackupError(f"berkas {member.name!r} akan ditulis di luar UPLOAD_DIR; tidak ada yang dipulihkan.")
        targets.append((member, path))
    return targets


def _restore_uploads(tar: tarfile.TarFile, targets: list[tuple[tarfile.TarInfo, Path]]) -> int:
    for member, path in targets:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".tmp")
        _extract_to(tar, member, partial)
        os.replace(partial, path)  # like storage.save_bytes: the site never serves half a file
    return len(targets)


def restore(path: str | Path, *, overwrite: bool = False, confirm: Callable[[dict], bool] | None = None) -> Restored:
    """Restore an archive into the configured database and UPLOAD_DIR, then verify the audit
    chain and rebuild the search index. Everything is checked before anything is changed;
    `confirm(manifest)` returning False stops there."""
    from catalog import search
    from catalog.services.audit import verify_chain

    kind = database_kind()
    tar, members = _open(Path(path))
    work_dir = Path(current_app.config["BACKUP_DIR"])  # room for a copy of the database, like create's
    work_dir.mkdir(parents=True, exist_ok=True)
    with tar, tempfile.TemporaryDirectory(prefix=".katalog-restore-", dir=work_dir) as tmp:
        check_members(members)
        manifest = read_manifest(tar, members)
        if manifest["database"] != kind:
            raise BackupError(f"cadangan ini dari basis data {manifest['database']}, tujuan {kind}; "
                              "pulihkan ke jenis basis data yang sama (pindah jenis lewat ekspor data, bukan cadangan).")
        older = check_revisions(manifest)
        database = [m for m in members if m.name == DATABASE_MEMBERS[kind] and m.isfile()]
        if not database:
            raise BackupError(f"arsip tidak berisi {DATABASE_MEMBERS[kind]}.")
        if not overwrite and not target_is_empty():
            raise BackupError("basis data tujuan sudah berisi pengguna; pulihkan ke basis data kosong, atau "
                              "tambahkan --timpa untuk menimpanya.")
        uploads = upload_targets(members)
        if confirm is not None and not confirm(manifest):
            raise BackupError("dibatalkan; tidak ada yang diubah.")
        dump = Path(tmp) / DATABASE_MEMBERS[kind]
        _extract_to(tar, database[-1], dump)
        # No connection of ours may hold the target open while it is replaced.
        db.session.remove()
        db.engine.dispose()
        (_restore_sqlite if kind == "sqlite" else _restore_postgres)(dump)
        db.engine.dispose()
        files = _restore_uploads(tar, uploads)
    upgraded_from = None
    if older:
        from flask_migrate import upgrade

        upgrade()
        upgraded_from = manifest["alembic_revisions"]
    with db.engine.connect() as connection:
        _, counts = snapshot_facts(connection)
    chain = verify_chain()
    indexed = search.rebuild()
    warnings = [f"{name}: {counts.get(name)} baris, manifest {expected}"
                for name, expected in manifest.get("counts", {}).items() if counts.get(name) != expected]
    return Restored(manifest=manifest, counts=counts, files=files, upgraded_from=upgraded_from, chain=chain,
                    indexed=indexed, warnings=warnings)
