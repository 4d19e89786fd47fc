"""Admin: background jobs that failed after their retries (/admin/tugas) — run one again
(it closes itself once it succeeds) or close it with a reason. Both are audited."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from redis.exceptions import RedisError

from catalog.authz import admin_required
from catalog.extensions import db
from catalog.jobs import enqueue, failures, queue_depths
from catalog.jobs.queue import InlineResult, uses_rq
from catalog.jobs.schedule import SCHEDULE
from catalog.jobs.tasks import TASKS
from catalog.models.jobs import JobFailure
from catalog.web.admin import bp
from catalog.web.admin.forms_jobs import RerunForm, ResolveForm


@bp.get("/tugas")
@admin_required
def jobs():
    """Open failures, the latest first (task, what it was given, attempts, when, the error),
    each with "Jalankan ulang" and "Tandai selesai"; the schedule and the queues below. Admins
    only (403 for other roles)."""
    return render_template("admin/jobs.html", failures=failures.open_failures(), summary=failures.summary,
                           rerun_form=RerunForm(), resolve_form=ResolveForm(), schedule=SCHEDULE,
                           depths=queue_depths(), queued=uses_rq())


def _open_failure(form) -> JobFailure | None:
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(str(message), "error")
        return None
    failure = db.session.get(JobFailure, form.failure_id.data) if form.failure_id.data else None
    if failure is None or not failure.is_open:
        flash(_("Kegagalan ini tidak ada atau sudah ditangani."), "error")
        return None
    return failure


@bp.post("/tugas/ulang")
@admin_required
def job_rerun():
    """Run the failed job again with its arguments: at once without Redis (the page says how it
    went), else on the queue (the row closes when a worker succeeds). Admins only."""
    failure = _open_failure(RerunForm())
    if failure is None:
        return redirect(url_for("admin.jobs"))
    if failure.task not in TASKS:  # a task renamed or removed since it failed
        flash(_("Tugas %(task)s tidak ada lagi; tandai selesai dengan alasannya.", task=failure.task), "error")
        return redirect(url_for("admin.jobs"))
    failures.note_rerun(failure, current_user.id)
    task, failure_id = failure.task, failure.id
    try:
        outcome = enqueue(task, *failure.args, failure_id=failure_id, rerun_by=current_user.id)
    except RedisError:
        flash(_("Redis tidak menjawab; tugas belum diantrekan. Coba lagi sebentar lagi."), "error")
        return redirect(url_for("admin.jobs"))
    if isinstance(outcome, InlineResult):
        if outcome.ok:
            flash(_("Tugas %(task)s berhasil dijalankan ulang dan ditandai selesai.", task=task), "success")
        else:
            flash(_("Tugas %(task)s gagal lagi setelah %(n)s percobaan.", task=task, n=outcome.attempts), "error")
    else:
        flash(_("Tugas %(task)s diantrekan; tanda selesai muncul setelah worker berhasil menjalankannya.",
                task=task), "success")
    return redirect(url_for("admin.jobs"))


@bp.post("/tugas/selesai")
@admin_required
def job_resolve():
    """Close the failure without running it, with the admin's reason (audited). Admins only."""
    form = ResolveForm()
    failure = _open_failure(form)
    if failure is not None:
        failures.resolve(failure, current_user.id, form.reason.data.strip())
        flash(_("Kegagalan tugas %(task)s ditandai selesai.", task=failure.task), "success")
    return redirect(url_for("admin.jobs"))
