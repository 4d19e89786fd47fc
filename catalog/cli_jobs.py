"""`flask jobs …`: background work. With REDIS_URL set, `worker` runs the RQ worker and
`scheduler` enqueues the periodic jobs; without Redis, cron calls `flask jobs run <name>` at the
times in catalog/jobs/schedule.py. `failed` lists what failed after its retries."""

import time

import click
from flask import current_app
from flask.cli import AppGroup

from catalog.jobs.schedule import BY_NAME, SCHEDULE
from catalog.jobs.tasks import QUEUES
from catalog.startup import check_app_or_exit

jobs_cli = AppGroup("jobs", help="Tugas latar belakang: worker RQ, penjadwal, dan tugas rutin untuk cron.")

SCHEDULER_TICK = 20  # seconds between looks at the schedule; every slot is a whole minute


def _need_redis() -> None:
    if not current_app.config.get("REDIS_URL"):
        click.echo("Gagal: REDIS_URL belum diatur. Tanpa Redis, jalankan tugas rutin dengan "
                   "`flask jobs run <nama>` dari cron.", err=True)
        raise SystemExit(1)


@jobs_cli.command("worker")
@click.option("--queue", "-q", "queues", multiple=True, type=click.Choice(QUEUES),
              help="Antrean yang dikerjakan (boleh berulang). Bawaan: semua. Dengan Whoosh, hanya satu "
                   "worker yang boleh mengerjakan antrean search.")
@click.option("--burst", is_flag=True, help="Berhenti setelah antrean kosong.")
def worker(queues, burst):
    """Jalankan worker RQ; setiap tugas berjalan di dalam konteks aplikasi."""
    from rq import SimpleWorker
    from rq.serializers import JSONSerializer

    from catalog.jobs.queue import connection, get_queue, set_worker_app

    _need_redis()
    check_app_or_exit(current_app._get_current_object())  # the same refusals as gunicorn's start
    set_worker_app(current_app._get_current_object())
    conn = connection(for_worker=True)
    # SimpleWorker runs jobs in this process: a forked work horse would share the parent's
    # database connections; the app and its pool are built once here instead.
    rq_worker = SimpleWorker([get_queue(name, conn) for name in queues or QUEUES], connection=conn,
                             serializer=JSONSerializer)
    click.echo(f"Worker mengerjakan antrean: {', '.join(queues or QUEUES)}.")
    rq_worker.work(burst=burst, with_scheduler=True)  # with_scheduler: retries waiting their interval


@jobs_cli.command("scheduler")
@click.option("--once", is_flag=True, help="Antrekan yang jatuh tempo sekarang lalu berhenti.")
def scheduler(once):
    """Antrekan tugas rutin pada waktunya (WIB) di RQ. Aman dijalankan di beberapa server:
    setiap jadwal diklaim sekali di Redis."""
    from catalog.jobs.queue import connection
    from catalog.jobs.schedule import enqueue_due

    _need_redis()
    check_app_or_exit(current_app._get_current_object())
    conn = connection()
    click.echo("Penjadwal berjalan: " + ", ".join(f"{e.name} ({e.cron})" for e in SCHEDULE) + ".")
    try:
        while True:
            for name in enqueue_due(conn):
                click.echo(f"Diantrekan: {name}")
            if once:
                return
            time.sleep(SCHEDULER_TICK)
    except KeyboardInterrupt:
        click.echo("Penjadwal berhenti.")


@jobs_cli.command("run")
@click.argument("name", type=click.Choice(sorted(BY_NAME)))
def run(name):
    """Jalankan satu tugas rutin sekarang juga, di proses ini (untuk cron tanpa Redis).

    Gagal diulang JOB_RETRIES kali, lalu dicatat di /admin/tugas dan keluar dengan kode 1."""
    from catalog.jobs.queue import run_inline

    entry = BY_NAME[name]
    result = run_inline(entry.task, [])
    if not result.ok:
        click.echo(f"Gagal: {name} gagal {result.attempts} kali; tercatat sebagai kegagalan "
                   f"#{result.failure_id} di /admin/tugas.", err=True)
        raise SystemExit(1)
    click.echo(f"{name}: selesai ({entry.what}); hasil: {result.value}.")


@jobs_cli.command("failed")
def failed():
    """Daftar tugas yang gagal setelah semua percobaan dan belum ditangani."""
    from catalog.formatting import JAKARTA
    from catalog.jobs import failures

    rows = failures.open_failures()
    if not rows:
        click.echo("Tidak ada tugas gagal yang terbuka.")
        return
    for row in rows:
        last_line = row.error.strip().splitlines()[-1] if row.error.strip() else ""
        click.echo(f"#{row.id} {row.task} [{failures.summary(row)}] {row.attempts}× gagal, terakhir "
                   f"{row.last_failed_at.astimezone(JAKARTA):%Y-%m-%d %H:%M} WIB: {last_line}")
    click.echo(f"{len(rows)} tugas gagal terbuka. Jalankan ulang atau tandai selesai di /admin/tugas.")
