"""`flask backup create|restore`: one archive with the database, the uploads and a manifest
(catalog/services/backup.py holds the logic). Output in Indonesian for the operator."""

import click
from flask import current_app
from flask.cli import AppGroup

from catalog.cli import fail

backup_cli = AppGroup("backup", help="Cadangan basis data dan berkas unggahan (backup/restore).")


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB".replace(".", ",")


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {count}" for name, count in counts.items())


@backup_cli.command("create")
@click.option("--ke", "destination", type=click.Path(dir_okay=True, writable=True), default=None,
              help="Tulis arsip ke berkas (atau folder) ini. Bawaan: BACKUP_DIR/katalog-YYYYMMDD-HHMMSS.tar.gz.")
def backup_create(destination):
    """Cadangkan basis data dan semua berkas di UPLOAD_DIR ke satu arsip .tar.gz.

    Aman selagi situs melayani (SQLite: online backup API; PostgreSQL: pg_dump). Indeks
    pencarian tidak ikut: dibangun ulang saat dipulihkan."""
    from catalog.services import backup

    try:
        created = backup.create(destination)
    except backup.BackupError as error:
        fail(str(error))
    manifest = created.manifest
    click.echo(f"Cadangan dibuat: {created.path} ({_megabytes(created.size)}).")
    click.echo(f"Basis data {manifest['database']}, revisi skema {', '.join(manifest['alembic_revisions']) or '-'}.")
    click.echo(f"Baris: {_counts(manifest['counts'])}.")
    click.echo(f"Unggahan: {manifest['uploads']['files']} berkas ({_megabytes(manifest['uploads']['bytes'])}).")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--ya", "yes", is_flag=True, help="Jangan tanya konfirmasi (untuk skrip).")
@click.option("--timpa", "overwrite", is_flag=True,
              help="Timpa basis data tujuan walaupun sudah berisi data (bawaan: hanya ke basis data kosong).")
def backup_restore(path, yes, overwrite):
    """Pulihkan arsip dari `flask backup create` ke basis data dan UPLOAD_DIR yang dikonfigurasi.

    Hentikan situs dulu. Cadangan dari skema lama langsung dinaikkan (`flask db upgrade`
    otomatis); cadangan dari kode yang lebih baru ditolak. Sesudahnya jejak audit diperiksa dan
    indeks pencarian dibangun ulang; keluar dengan kode 1 bila jejak audit tidak utuh."""
    from catalog.extensions import db
    from catalog.services import backup

    def confirm(manifest: dict) -> bool:
        click.echo(f"Arsip {path}: dibuat {manifest['created_at']}, basis data {manifest['database']}, "
                   f"baris {_counts(manifest.get('counts', {}))}.")
        click.echo(f"Tujuan: {db.engine.url.render_as_string(hide_password=True)}, "
                   f"unggahan ke {current_app.config['UPLOAD_DIR']}.")
        if yes:
            return True
        return click.confirm("Pulihkan ke basis data yang dikonfigurasi" + (" (DITIMPA)" if overwrite else "") + "?",
                             default=False)

    try:
        restored = backup.restore(path, overwrite=overwrite, confirm=confirm)
    except backup.BackupError as error:
        fail(str(error))
    if restored.upgraded_from:
        click.echo(f"Skema dinaikkan dari {', '.join(restored.upgraded_from)} ke revisi terbaru (flask db upgrade).")
    click.echo(f"Dipulihkan: {_counts(restored.counts)}; {restored.files} berkas unggahan.")
    for warning in restored.warnings:
        click.echo(f"PERINGATAN: jumlah baris berbeda dari manifest: {warning}")
    click.echo(f"Indeks pencarian dibangun ulang: {restored.indexed} produk.")
    chain = restored.chain
    if not chain.ok:
        click.echo(f"Jejak audit TIDAK UTUH: peristiwa {chain.first_bad_id}: {chain.problem} "
                   f"({chain.checked} diperiksa sebelumnya).")
        raise SystemExit(1)
    click.echo(f"OK: {chain.checked} peristiwa audit, rantai utuh.")
