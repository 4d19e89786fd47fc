"""Background jobs on RQ (REDIS_URL set, Redis database 1 of the local server): enqueue goes to
Redis and nothing runs until a worker takes it; a worker (rq's SimpleWorker in burst mode, in
this process) runs it in the app context; a failing job is retried, then recorded as one
JobFailure; emails and Whoosh index updates go through their queues. Without Redis under
CI=true these tests fail instead of skipping."""

import os

import pytest
from redis import Redis
from redis.exceptions import RedisError
from rq import SimpleWorker
from rq.job import JobStatus
from rq.serializers import JSONSerializer
from sqlalchemy import select

from catalog import search
from catalog.extensions import db
from catalog.jobs import enqueue, queue, queue_depths, schedule
from catalog.jobs.tasks import QUEUES
from catalog.models import JobFailure
from catalog.services import mail
from tests.admin_accounts_factories import log_in
from tests.factories import gen_product, gen_user
from tests.jobs_factories import FLAKY, Flaky, due_work

REDIS_URL = os.environ.get("JOBS_TEST_REDIS_URL", "redis://127.0.0.1:6379/1")  # the jobs tests' own database


@pytest.fixture
def app(make_app):
    """The embedded default even where the environment sets REDIS_URL."""
    app = make_app(REDIS_URL="")
    with app.app_context():
        yield app


@pytest.fixture
def redis_db():
    conn = Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        conn.ping()
    except RedisError as error:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis at {REDIS_URL} is needed under CI: {error}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    conn.flushdb()  # database 1 belongs to these tests
    yield conn
    conn.flushdb()


@pytest.fixture
def rq_app(make_app, redis_db, monkeypatch):
    monkeypatch.setattr(queue, "RETRY_INTERVALS", [0, 0, 0])  # retries go straight back on the queue
    app = make_app(REDIS_URL=REDIS_URL)
    with app.app_context():
        yield app


def work(*names: str) -> SimpleWorker:
    """Run every queued job (of `names`, default all queues) in this process, then return."""
    conn = queue.connection(for_worker=True)
    worker = SimpleWorker([queue.get_queue(name, conn) for name in names or QUEUES], connection=conn,
                          serializer=JSONSerializer)
    worker.work(burst=True)
    db.session.expire_all()
    return worker


def failures() -> list[JobFailure]:
    db.session.expire_all()
    return list(db.session.scalars(select(JobFailure).order_by(JobFailure.id)))


def test_enqueue_goes_to_redis_and_a_worker_runs_it_in_the_app_context(rq_app, redis_db):
    work_due = due_work(rq_app)
    job = enqueue("orders.expire")
    depths = queue_depths()
    assert job.origin == "default" and depths["default"] == 1 and depths["failed"] == 0
    assert depths["mail"] > 0 and depths["search"] > 0  # the setup's notifications and saved products
    db.session.expire_all()
    assert work_due.expired_checkout.payment.status == "pending"  # nothing ran in the request

    work("default")
    assert work_due.expired_checkout.payment.status == "expired"
    job.refresh()
    assert job.get_status() == JobStatus.FINISHED and job.return_value() == 1
    assert queue_depths()["default"] == 0


def test_a_failing_job_is_retried_then_recorded_once(rq_app, monkeypatch):
    flaky = Flaky(monkeypatch)
    job = enqueue(FLAKY, "INV/7")
    work()
    assert len(flaky.calls) == rq_app.config["JOB_RETRIES"] + 1 == 4
    job.refresh()
    assert job.get_status() == JobStatus.FAILED
    [failure] = failures()
    assert (failure.task, failure.args, failure.attempts) == (FLAKY, ["INV/7"], 4)
    assert "gateway timed out" in failure.error
    assert queue_depths()["failed"] == 1


def test_running_a_failure_again_from_the_console_queues_it_and_the_worker_closes_it(rq_app, monkeypatch):
    flaky = Flaky(monkeypatch)
    enqueue(FLAKY, "INV/7")
    work()
    [failure] = failures()
    admin = gen_user(role="admin")
    db.session.commit()
    client = rq_app.test_client()
    log_in(client, admin)
    response = client.post("/admin/tugas/ulang", data={"failure_id": failure.id}, follow_redirects=True)
    assert "diantrekan" in response.get_data(as_text=True)
    assert failures()[0].resolved_at is None and queue_depths()["default"] == 1

    flaky.failing = False
    work()
    [done] = failures()
    assert done.resolved_at is not None and done.resolved_by_id == admin.id


def test_emails_go_through_the_mail_queue_once_with_redis(rq_app, monkeypatch):
    sent = []
    monkeypatch.setattr(mail, "deliver", lambda to, subject, body: sent.append((to, subject)) or True)
    assert mail.send_email("ani@contoh.id", "Pesanan dikirim", "Nomor resi JNE0012345") is True
    assert mail.send_email("ani@contoh.id", "Pesanan dikirim", "Nomor resi JNE0012345") is True  # a double click
    assert rq_app.extensions["mail_outbox"][-1]["to"] == "ani@contoh.id"  # tests still see every message
    assert sent == [] and queue_depths()["mail"] == 1
    work("mail")
    assert sent == [("ani@contoh.id", "Pesanan dikirim")]


def test_a_refused_email_is_retried_then_listed_without_its_body(rq_app, monkeypatch):
    attempts = []
    monkeypatch.setattr(mail, "deliver", lambda to, subject, body: attempts.append(to) and False)
    mail.send_email("ani@contoh.id", "Atur ulang kata sandi", "https://contoh.id/reset/rahasia-token")
    work("mail")
    assert len(attempts) == 4
    [failure] = failures()
    assert failure.task == "mail.send"
    admin = gen_user(role="admin")
    db.session.commit()
    client = rq_app.test_client()
    log_in(client, admin)
    page = client.get("/admin/tugas").get_data(as_text=True)
    assert "ani@contoh.id" in page and "Atur ulang kata sandi" in page and "rahasia-token" not in page


def test_emails_are_sent_inline_without_redis(app, redis_db, monkeypatch):
    sent = []
    monkeypatch.setattr(mail, "deliver", lambda to, subject, body: sent.append(to) or True)
    assert mail.send_email("ani@contoh.id", "Pesanan dikirim", "Nomor resi") is True
    assert sent == ["ani@contoh.id"] and redis_db.dbsize() == 0


def test_whoosh_index_updates_wait_for_the_search_worker_with_redis(make_app, redis_db, monkeypatch):
    app = make_app(REDIS_URL=REDIS_URL, SEARCH_BACKEND="whoosh")
    with app.app_context():
        search.rebuild()  # an empty index, as after `flask search reindex`
        product = gen_product(title="Rengginang Udang Pedas")
        db.session.commit()
        found = lambda: [hit.product_id for hit in search.search(search.SearchRequest(text="rengginang")).hits]  # noqa: E731
        assert found() == [] and queue_depths()["search"] >= 1
        work("search")
        assert found() == [product.id]


def test_without_redis_a_saved_product_is_searchable_at_once(app, redis_db):
    product = gen_product(title="Rengginang Udang Pedas")
    db.session.commit()
    assert [hit.product_id for hit in search.search(search.SearchRequest(text="rengginang")).hits] == [product.id]
    assert redis_db.dbsize() == 0


def test_the_scheduler_enqueues_each_slot_once_whatever_the_number_of_schedulers(rq_app, redis_db):
    first = schedule.enqueue_due(redis_db)
    assert first == [entry.name for entry in schedule.SCHEDULE]
    other = Redis.from_url(REDIS_URL)  # a second scheduler on another server
    assert schedule.enqueue_due(other) == []
    assert queue_depths()["default"] == len(schedule.SCHEDULE)


def test_flask_jobs_worker_and_scheduler_commands(rq_app, monkeypatch):
    work_due = due_work(rq_app)
    runner = rq_app.test_cli_runner()
    monkeypatch.setattr(queue, "_worker_app", None)  # the worker command sets it for its process
    scheduled = runner.invoke(args=["jobs", "scheduler", "--once"])
    assert scheduled.exit_code == 0 and "Diantrekan: orders-expire" in scheduled.output
    worked = runner.invoke(args=["jobs", "worker", "--burst"])
    assert worked.exit_code == 0, worked.output
    db.session.expire_all()
    assert work_due.expired_checkout.payment.status == "expired"
    assert failures() == []


def test_the_worker_command_needs_redis(app):
    result = app.test_cli_runner().invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code == 1 and "REDIS_URL" in result.output
