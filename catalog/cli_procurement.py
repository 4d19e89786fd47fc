"""`flask procurement expire`: the government-buying chores cron runs (stalled requests for
quotation and counter-offers expire after 3 working days)."""

import click
from flask.cli import AppGroup

procurement_cli = AppGroup("procurement", help="Pengadaan pemerintah: tugas rutin (jalankan dari cron).")


@procurement_cli.command("expire")
@click.option("--waktu", "moment", type=click.DateTime(formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]), default=None,
              help="Jalankan seolah-olah sekarang waktu ini, WIB (YYYY-MM-DDTHH:MM). Bawaan: sekarang.")
def procurement_expire(moment):
    """Kedaluwarsakan permintaan penawaran yang 3 hari kerja lewat batas waktu tanpa pemenang dan
    penawaran balik yang 3 hari kerja tidak dijawab (harian atau tiap jam).

    Aman dijalankan berulang kali: yang sudah kedaluwarsa tidak disentuh lagi."""
    from catalog.formatting import JAKARTA
    from catalog.services.procurement.rfq import EXPIRY_WORKING_DAYS, expire_due

    now = moment.replace(tzinfo=JAKARTA) if moment else None
    counts = expire_due(now)
    click.echo(f"Permintaan penawaran kedaluwarsa ({EXPIRY_WORKING_DAYS} hari kerja tanpa pemenang): {counts.rfqs}; "
               f"penawaran balik kedaluwarsa: {counts.counter_offers}.")
