"""`flask ledger verify`: recompute every seller's running balance from its entries and check the
platform's books (money received = on hold + refunded + balances + fees + paid out − adjustments)."""

import click
from flask.cli import AppGroup

ledger_cli = AppGroup("ledger", help="Saldo penjual: pemeriksaan buku besar.")


@ledger_cli.command("verify")
def ledger_verify():
    """Periksa saldo berjalan setiap penjual dan rekonsiliasi dana platform (keluar dengan kode 1
    bila ada selisih)."""
    from catalog.services import ledger

    problems = ledger.verify()
    for problem in problems[:50]:
        click.echo(f"SALAH: penjual {problem.seller_id}, entri {problem.entry_id}: {problem.problem}")
    books = ledger.reconcile()
    click.echo(
        f"Diterima {books.received} = ditahan {books.on_hold} + dikembalikan {books.refunded} + saldo "
        f"{books.balances} + biaya {books.fees} + dicairkan {books.paid_out} − penyesuaian {books.adjustments}"
        f" (selisih {books.difference})."
    )
    if problems or books.difference:
        raise SystemExit(1)
    click.echo("OK: saldo semua penjual sesuai entrinya dan dana platform seimbang.")
