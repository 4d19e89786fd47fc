"""Command-line tools: flask seed-demo, flask create-admin, flask catalog load-categories,
flask audit verify, flask sellers check-certificates, flask orders expire|complete; flask
procurement expire lives in cli_procurement.py.

Help and output are for the operator at a terminal, in Indonesian like the site. Messages that
come from services are lazy translations: they are rendered in the default locale (there is no
request to choose one).
"""

import sys
import time

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from flask_babel import force_locale

audit_cli = AppGroup("audit", help="Jejak audit (audit trail).")
catalog_cli = AppGroup("catalog", help="Data acuan katalog (kategori).")
sellers_cli = AppGroup("sellers", help="Penjual: pemeriksaan rutin (jalankan dari cron).")
search_cli = AppGroup("search", help="Indeks pencarian produk (search index).")
orders_cli = AppGroup("orders", help="Pesanan: tugas rutin (jalankan dari cron).")

ADMIN_PASSWORD_MIN = 10


def fail(message: str) -> None:
    """Print the reason on stderr and stop with exit code 1."""
    click.echo(f"Gagal: {message}", err=True)
    raise SystemExit(1)


@audit_cli.command("verify")
def audit_verify():
    """Recompute the hash chain and name the first tampered row."""
    from catalog.services.audit import verify_chain

    report = verify_chain()
    if report.ok:
        click.echo(f"OK: {report.checked} audit events, chain intact.")
    else:
        click.echo(f"TAMPERED: event {report.first_bad_id}: {report.problem} ({report.checked} checked before it).")
        raise SystemExit(1)


@catalog_cli.command("load-categories")
def load_categories():
    """Buat kategori bawaan yang belum ada (aman dijalankan ulang)."""
    from sqlalchemy import func, select

    from catalog.extensions import db
    from catalog.models import Category
    from catalog.services.categories import ensure_default_categories

    created = ensure_default_categories()
    total = db.session.scalar(select(func.count()).select_from(Category))
    click.echo(f"Kategori bawaan dimuat: {created} baru, {total} kategori sekarang.")


@sellers_cli.command("check-certificates")
@click.option("--tanggal", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Periksa seolah-olah hari ini tanggal ini (YYYY-MM-DD). Bawaan: hari ini, waktu Jakarta.")
def check_certificates(day):
    """Kirim pengingat 30 hari sebelum sertifikat berakhir dan tandai yang sudah berakhir.

    Aman dijalankan berulang kali: setiap pemberitahuan hanya dikirim sekali."""
    from catalog.services.certificates import WARN_DAYS, check_certificates, jakarta_today

    today = day.date() if day else jakarta_today()
    report = check_certificates(today)
    click.echo(f"Pemeriksaan sertifikat per {today.isoformat()}: "
               f"{report.warned} pengingat (berakhir dalam {WARN_DAYS} hari), "
               f"{report.expired} ditandai sudah berakhir.")


@orders_cli.command("expire")
def orders_expire():
    """Batalkan checkout yang belum dibayar setelah batas waktunya; stok kembali (tiap beberapa menit).

    Aman dijalankan berulang kali dan bersamaan: setiap pembayaran dikunci sebelum dibatalkan."""
    from catalog.services.payments import expire_due

    count = _in_batches(expire_due)
    click.echo(f"Pembayaran lewat batas waktu: {count} checkout dibatalkan, stoknya dikembalikan.")


@orders_cli.command("complete")
def orders_complete():
    """Selesaikan pesanan terkirim yang tidak dikonfirmasi pembeli dalam AUTO_COMPLETE_DAYS hari (harian)."""
    from catalog.services.orders import complete_due

    count = _in_batches(complete_due)
    days = current_app.config["AUTO_COMPLETE_DAYS"]
    click.echo(f"Pesanan selesai otomatis ({days} hari setelah dikirim): {count}.")


ORDER_BATCH = 200
ORDER_BATCHES_MAX = 500  # 100.000 rows a run; the next run takes the rest


def _in_batches(job) -> int:
    """Run a cron job's batch function until a batch comes back short."""
    total = 0
    for _round in range(ORDER_BATCHES_MAX):
        done = job(batch=ORDER_BATCH)
        total += done
        if done < ORDER_BATCH:
            break
    return total


@search_cli.command("reindex")
def search_reindex():
    """Bangun ulang indeks pencarian dari basis data (rebuild the search index)."""
    import time

    from catalog import search
    from catalog.search.documents import count_visible

    total = count_visible()
    started = time.perf_counter()
    backend = search.backend()
    click.echo(f"Membangun ulang indeks pencarian ({backend.name}) untuk {total:,} produk…".replace(",", "."))
    with click.progressbar(length=total, label="Produk", show_pos=True) as bar:
        done = 0

        def progress(count: int) -> None:
            nonlocal done
            bar.update(count - done)
            done = count

        count = search.rebuild(progress)
    elapsed = time.perf_counter() - started
    rate = count / elapsed if elapsed else count
    click.echo(f"Selesai: {count:,} produk dalam {elapsed:.1f} detik ({rate:,.0f} produk/detik).".replace(",", "."))


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True,
              help="Lewati tanpa mengubah apa pun bila basis data sudah punya pengguna (dipakai `make run`).")
@click.option("--products", type=click.IntRange(min=1), default=None,
              help="Jumlah produk (bawaan 800). Pada basis data berisi, tambahkan sebanyak ini untuk benchmark.")
@click.option("--seed", type=int, default=42, show_default=True, help="Benih acak: benih sama, data sama.")
@click.option("--sellers", type=click.IntRange(min=1), default=None, hidden=True,
              help="Jumlah penjual terverifikasi (untuk tes yang butuh data kecil).")
@with_appcontext
def seed_demo(if_empty: bool, products: int | None, seed: int, sellers: int | None):
    """Muat data demo Tangerang Raya (benih sama, data sama) lalu tampilkan akun demo."""
    from catalog import search
    from catalog.demo import builder
    from catalog.search import hooks as search_hooks

    started = time.perf_counter()
    if builder.database_has_users():
        if if_empty:
            click.echo("Data sudah ada, seed-demo dilewati")
            if _demo_accounts_present():
                print_demo_accounts()
            return
        if products is None:
            fail("basis data sudah berisi pengguna. Jalankan seed-demo pada basis data kosong, "
                 "pakai --if-empty untuk melewatinya, atau --products N untuk menambah produk.")
        with search_hooks.paused():
            report = builder.add_products(seed=seed, products=products, sellers=sellers, log=click.echo)
        full = False
    else:
        with search_hooks.paused():
            report = builder.seed_demo(seed=seed, products=products or builder.DEFAULT_PRODUCTS, sellers=sellers,
                                       log=click.echo)
        full = True
    # The index is rebuilt once at the end rather than product by product while loading.
    search.rebuild()
    elapsed = time.perf_counter() - started

    click.echo("")
    seconds = f"{elapsed:.1f}".replace(".", ",")
    click.echo(f"Data demo dimuat dalam {seconds} detik:")
    if report.categories_created:
        click.echo(f"  {report.categories_created} kategori baru")
    click.echo(f"  {report.sellers_verified} penjual terverifikasi di {report.kecamatan_covered} kecamatan"
               + (f", {report.sellers_pending} menunggu verifikasi" if report.sellers_pending else ""))
    click.echo(f"  {report.products_active} produk aktif"
               + (f" dan {report.products_draft} draf" if report.products_draft else "")
               + f", {report.pictures} foto ({report.pictures_drawn} baru dibuat)")
    if report.agencies:
        click.echo(f"  {report.agencies} instansi dengan pagu {report.fiscal_year - 1} dan {report.fiscal_year}")
    if full:
        print_demo_accounts()


def _demo_accounts_present() -> bool:
    """Only a demo database gets the demo accounts printed again (never a real one)."""
    from sqlalchemy import select

    from catalog.demo.accounts import DEMO_ACCOUNTS
    from catalog.extensions import db
    from catalog.models import User

    return db.session.scalar(select(User.id).where(User.email == DEMO_ACCOUNTS[0].email)) is not None


def print_demo_accounts() -> None:
    from catalog.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, SELLER_EMAIL_DOMAIN

    click.echo("")
    click.echo(f"Akun demo (kata sandi semua akun: {DEMO_PASSWORD}):")
    width = max(len(a.email) for a in DEMO_ACCOUNTS)
    for account in DEMO_ACCOUNTS:
        click.echo(f"  {account.email.ljust(width)}  {account.what}")
    click.echo(f"Penjual lain masuk dengan <nama-pemilik>@{SELLER_EMAIL_DOMAIN} dan kata sandi yang sama.")


@click.command("create-admin")
@click.option("--email", required=True, help="Email admin baru.")
@click.option("--name", required=True, help="Nama yang tampil, misalnya \"Admin Dinas Koperasi dan UMKM\".")
@click.option("--password-stdin", is_flag=True, help="Baca kata sandi dari baris pertama stdin (untuk skrip).")
@with_appcontext
def create_admin(email: str, name: str, password_stdin: bool):
    """Buat akun admin konsol Dinas (kata sandi ditanya dua kali, tidak tampil)."""
    from catalog.extensions import db
    from catalog.models import User
    from catalog.models.users import ROLE_ADMIN
    from catalog.services import accounts, audit
    from catalog.services.errors import ValidationFailed

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Kata sandi", hide_input=True, confirmation_prompt="Ulangi kata sandi")

    # Service messages are lazy translations; render them in the site's default language.
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        try:
            email = accounts.normalise_email(email)
            name = accounts.clean_name(name)
            if len(password) < ADMIN_PASSWORD_MIN:
                raise ValidationFailed(f"Kata sandi admin minimal {ADMIN_PASSWORD_MIN} karakter.", field="password")
            accounts.check_new_password(password, email)
        except ValidationFailed as error:
            fail(str(error.message))
        if accounts.email_taken(email):
            fail(f"email {email} sudah terdaftar. Pakai email lain atau ubah peran akun itu dari konsol admin.")

    user = User(email=email, name=name, role=ROLE_ADMIN, locale="id", active=True)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record("user.admin_created", user, after={"email": email, "role": ROLE_ADMIN},
                 reason="flask create-admin")
    db.session.commit()
    click.echo(f"Admin {email} dibuat. Silakan masuk di /masuk.")


def register(app: Flask) -> None:
    app.cli.add_command(audit_cli)
    app.cli.add_command(catalog_cli)
    app.cli.add_command(sellers_cli)
    app.cli.add_command(search_cli)
    app.cli.add_command(orders_cli)
    from catalog.cli_backup import backup_cli
    from catalog.cli_jobs import jobs_cli
    from catalog.cli_ledger import ledger_cli
    from catalog.cli_procurement import procurement_cli

    app.cli.add_command(procurement_cli)
    app.cli.add_command(ledger_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(seed_demo)
    app.cli.add_command(create_admin)
