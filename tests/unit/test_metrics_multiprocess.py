"""Multi-process mode (gunicorn's workers): each process writes its counts to files in
PROMETHEUS_MULTIPROC_DIR and a scrape in any of them adds them all up. Every case runs in fresh
interpreters, because prometheus_client chooses where values live when it is first imported."""

import os
import subprocess
import sys
import textwrap

import pytest

from config import BASE_DIR
from tests.integration.test_ops_endpoints import TOKEN, sample

# One "worker": builds the app the way wsgi.py does, answers N /healthz requests, and with
# "scrape" prints /metrics. With "early-import", prometheus_client is imported before the
# directory is known (as a library or hook in gunicorn's master could).
WORKER = textwrap.dedent(
    """
    import os, sys
    count, *flags = sys.argv[1:]
    if "early-import" in flags:
        directory = os.environ.pop("PROMETHEUS_MULTIPROC_DIR")
        import prometheus_client  # noqa: F401
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
    from catalog import create_app
    from config import TestingConfig
    config = type("WorkerConfig", (TestingConfig,), {
        "SQLALCHEMY_DATABASE_URI": os.environ["OPS_DATABASE_URL"], "METRICS_TOKEN": os.environ["OPS_TOKEN"],
        "UPLOAD_DIR": os.environ["OPS_TMP"] + "/uploads", "SEARCH_INDEX_DIR": os.environ["OPS_TMP"] + "/index"})
    app = create_app(config)
    if "no-import-at-start" in flags:
        assert "prometheus_client" not in sys.modules, "building the app imported prometheus_client"
    client = app.test_client()
    for _ in range(int(count)):
        assert client.get("/healthz").status_code == 200
    if "scrape" in flags:
        response = client.get("/metrics", headers={"Authorization": "Bearer " + os.environ["OPS_TOKEN"]})
        assert response.status_code == 200, response.status_code
        sys.stdout.write(response.get_data(as_text=True))
    """
)


@pytest.fixture
def worker(database_url, tmp_path):
    directory = tmp_path / "prometheus"
    directory.mkdir()

    def run(count: int, *flags: str, multiprocess: bool = True) -> str:
        env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
        env.update(FLASK_CONFIG="testing", PYTHONPATH=str(BASE_DIR), OPS_DATABASE_URL=database_url,
                   OPS_TOKEN=TOKEN, OPS_TMP=str(tmp_path))
        if multiprocess:
            env["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
        result = subprocess.run([sys.executable, "-c", WORKER, str(count), *flags],  # noqa: S603 (our script)
                                cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    run.directory = directory
    return run


def healthz_count(text: str) -> float | None:
    return sample(text, "http_requests_total", endpoint="ops.healthz", method="GET", status="200")


def test_a_scrape_adds_up_the_counts_of_every_process(worker):
    worker(3)
    worker(2)
    text = worker(0, "scrape")
    assert healthz_count(text) == 5
    assert sample(text, "http_request_duration_seconds_count", endpoint="ops.healthz") == 5
    assert list(worker.directory.glob("*.db"))  # the counts went through files


def test_without_the_directory_a_process_reports_only_its_own_counts(worker):
    worker(3, multiprocess=False)
    text = worker(2, "scrape", multiprocess=False)
    assert healthz_count(text) == 2
    assert not list(worker.directory.glob("*.db"))


def test_building_the_app_does_not_import_prometheus_client(worker):
    """gunicorn's master builds an app for its start-up checks before it sets the directory; had
    that imported the library, every worker forked from it would count in memory only."""
    worker(1, "no-import-at-start")


def test_a_process_that_imported_the_library_too_early_still_writes_files(worker):
    worker(4, "early-import")
    assert healthz_count(worker(0, "scrape")) == 4
