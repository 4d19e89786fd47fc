"""Logs an operator can follow: with LOG_FORMAT=json every line is one JSON object with the
request id the proxy sent (X-Request-ID), which the response and the audit events of that request
carry too; text mode keeps a developer's terminal readable (the emails printed instead of sent)."""

import json
import logging
import os
import subprocess
import sys

import pytest
from sqlalchemy import select

from catalog import create_app
from catalog.extensions import db
from catalog.models import AuditEvent
from catalog.services.mail import send_email
from config import BASE_DIR, TestingConfig
from tests.admin_accounts_factories import log_in

REQUEST_ID = "req-7f3c9a2e-ops-test"


def json_lines(captured: str) -> list[dict]:
    """Every stderr line parsed as JSON (a line that is not JSON fails the test)."""
    return [json.loads(line) for line in captured.splitlines() if line.strip()]


def test_an_audit_event_and_the_json_log_line_carry_the_requests_id(make_app, admin, capsys):
    app = make_app(LOG_FORMAT="json", LOG_REQUESTS=True)
    client = app.test_client()
    log_in(client, admin)
    capsys.readouterr()
    response = client.post("/admin/kategori/baru", data={"name": "Jamu Gendong", "icon": "makanan"},
                           headers={"X-Request-ID": REQUEST_ID})
    assert response.status_code == 302
    assert response.headers["X-Request-ID"] == REQUEST_ID

    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "category.created"))
    assert event.request_id == REQUEST_ID

    lines = json_lines(capsys.readouterr().err)
    requests = [line for line in lines if line["logger"] == "catalog.request"]
    assert len(requests) == 1
    line = requests[0]
    assert line["message"] == "request"
    assert line["request_id"] == REQUEST_ID == event.request_id
    assert (line["method"], line["path"], line["status"]) == ("POST", "/admin/kategori/baru", 302)
    assert line["user_id"] == admin.id
    assert line["level"] == "INFO"
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["ts"].endswith("Z") and line["ts"][:4].isdigit()


def test_a_request_without_an_id_gets_one_that_the_response_and_log_share(make_app, capsys):
    app = make_app(LOG_FORMAT="json", LOG_REQUESTS=True)
    capsys.readouterr()
    response = app.test_client().get("/tentang")
    generated = response.headers["X-Request-ID"]
    assert len(generated) == 32
    [line] = [line for line in json_lines(capsys.readouterr().err) if line["logger"] == "catalog.request"]
    assert line["request_id"] == generated
    assert "user_id" not in line  # nobody logged in


def test_an_exception_logged_in_a_request_keeps_its_traceback_in_the_json_line(make_app, capsys):
    app = make_app(LOG_FORMAT="json")
    with app.test_request_context("/pesanan/9", headers={"X-Request-ID": REQUEST_ID}):
        app.preprocess_request()  # the app's before_request hooks: the request id
        capsys.readouterr()
        try:
            1 / 0  # noqa: B018
        except ZeroDivisionError:
            logging.getLogger("catalog.orders").exception("could not load order %s", 9)
    [line] = json_lines(capsys.readouterr().err)
    assert line["message"] == "could not load order 9"
    assert line["level"] == "ERROR" and line["logger"] == "catalog.orders"
    assert line["request_id"] == REQUEST_ID and line["path"] == "/pesanan/9" and line["method"] == "GET"
    assert "ZeroDivisionError: division by zero" in line["exc_info"]


def test_no_request_line_unless_log_requests_is_on(make_app, capsys):
    app = make_app(LOG_FORMAT="json", LOG_REQUESTS=False)
    capsys.readouterr()
    assert app.test_client().get("/tentang").status_code == 200
    assert not [line for line in json_lines(capsys.readouterr().err) if line["logger"] == "catalog.request"]


def test_text_mode_prints_an_unsent_email_readably_with_the_request_id(make_app, capsys):
    """Without MAIL_SERVER developers copy the reset link from the log: one readable block,
    the link intact (not JSON-escaped, not quoted-printable)."""
    app = make_app(LOG_FORMAT="text", LOG_LEVEL="WARNING")  # mail's own INFO level still shows
    link = "https://katalogumkm.id/atur-ulang-kata-sandi/abc.DEF-123_x"
    with app.test_request_context("/lupa-kata-sandi", headers={"X-Request-ID": REQUEST_ID}):
        app.preprocess_request()
        capsys.readouterr()
        send_email("ani@contoh.id", "Atur ulang kata sandi", f"Buka tautan ini:\n{link}\n")
    err = capsys.readouterr().err
    first = err.splitlines()[0]
    assert " INFO catalog.mail [" + REQUEST_ID + "] Email not sent" in first
    assert f"\n{link}\n" in err
    assert "To: ani@contoh.id" in err
    assert err.count("Email not sent") == 1  # not a second time through Flask's own handler


def test_text_mode_outside_a_request_has_a_placeholder_id(make_app, capsys):
    make_app(LOG_FORMAT="text")
    capsys.readouterr()
    logging.getLogger("catalog.jobs").warning("queue slow")
    assert " WARNING catalog.jobs [-] queue slow" in capsys.readouterr().err


def test_an_unknown_log_format_or_level_refuses_to_start(tmp_path):
    for setting in ({"LOG_FORMAT": "xml"}, {"LOG_LEVEL": "LOUD"}):
        config = type("BadLogs", (TestingConfig,), {"UPLOAD_DIR": str(tmp_path / "u"), **setting})
        with pytest.raises(RuntimeError, match=next(iter(setting))):
            create_app(config)


def test_production_logs_json_and_every_request_by_default():
    """The defaults, read from an environment without the LOG_* variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOG_")}
    script = ("from config import DevelopmentConfig as D, ProductionConfig as P; "
              "print(P.LOG_FORMAT, P.LOG_REQUESTS, D.LOG_FORMAT, D.LOG_REQUESTS, P.LOG_LEVEL)")
    result = subprocess.run([sys.executable, "-c", script], cwd=BASE_DIR, env=env,  # noqa: S603 (our interpreter)
                            capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.split() == ["json", "True", "text", "False", "INFO"]

