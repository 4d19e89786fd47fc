"""Request metrics are labelled by Flask endpoint (a bounded set), never by raw path; the
background queues show as katalog_queue_jobs, and a queue source that fails never fails /metrics."""

import sys
import types

import pytest

from tests.integration.test_ops_endpoints import TOKEN, bearer, sample


@pytest.fixture
def scrape(make_app):
    """(client, scrape()): an app with metrics on, and a function returning /metrics' text."""
    client = make_app(METRICS_TOKEN=TOKEN).test_client()

    def read() -> str:
        response = client.get("/metrics", headers=bearer())
        assert response.status_code == 200
        return response.get_data(as_text=True)

    return client, read


def test_requests_are_counted_per_endpoint_not_per_path(scrape):
    client, read = scrape
    before = sample(read(), "http_requests_total", endpoint="storefront.profile", method="GET", status="404") or 0
    for slug in ("toko-satu", "toko-dua", "toko-tiga"):
        assert client.get(f"/toko/{slug}").status_code == 404
    text = read()
    assert sample(text, "http_requests_total", endpoint="storefront.profile", method="GET", status="404") == before + 3
    assert "toko-satu" not in text and "/toko/" not in text


def test_addresses_no_rule_matches_share_one_label(scrape):
    client, read = scrape
    text = read()
    missing = sample(text, "http_requests_total", endpoint="unmatched", method="GET", status="404") or 0
    refused = sample(text, "http_requests_total", endpoint="unmatched", method="POST", status="405") or 0
    for path in ("/wp-login.php", "/.env", "/tidak/ada/sama/sekali"):
        assert client.get(path).status_code == 404
    assert client.post("/tentang").status_code == 405
    text = read()
    assert sample(text, "http_requests_total", endpoint="unmatched", method="GET", status="404") == missing + 3
    assert sample(text, "http_requests_total", endpoint="unmatched", method="POST", status="405") == refused + 1
    assert "wp-login" not in text and ".env" not in text
    assert sample(text, "http_request_duration_seconds_count", endpoint="unmatched") >= 4


def test_queue_depths_from_the_jobs_package(scrape, monkeypatch):
    fake = types.ModuleType("catalog.jobs")
    fake.queue_depths = lambda: {"default": 3, "mail": 0, "failed": 2}
    monkeypatch.setitem(sys.modules, "catalog.jobs", fake)
    text = scrape[1]()
    assert sample(text, "katalog_queue_jobs", queue="default") == 3
    assert sample(text, "katalog_queue_jobs", queue="mail") == 0
    assert sample(text, "katalog_queue_jobs", queue="failed") == 2
    assert sample(text, "katalog_metrics_source_up", source="queue") == 1


def test_a_failing_queue_source_leaves_the_rest_of_the_scrape(scrape, monkeypatch):
    def broken():
        raise ConnectionError("Redis went away")

    fake = types.ModuleType("catalog.jobs")
    fake.queue_depths = broken
    monkeypatch.setitem(sys.modules, "catalog.jobs", fake)
    text = scrape[1]()
    assert sample(text, "katalog_metrics_source_up", source="queue") == 0
    assert "katalog_queue_jobs" not in text
    assert sample(text, "katalog_metrics_source_up", source="database") == 1
    assert sample(text, "katalog_orders", status="new") == 0


def test_without_a_jobs_package_there_is_no_queue_metric(scrape, monkeypatch):
    monkeypatch.setitem(sys.modules, "catalog.jobs", None)  # import raises ImportError
    text = scrape[1]()
    assert "katalog_queue_jobs" not in text
    assert sample(text, "katalog_metrics_source_up", source="queue") is None


def test_the_real_jobs_package_reports_its_open_failures(scrape):
    """catalog.jobs without Redis (inline mode): no queues, the open failures under "failed"."""
    text = scrape[1]()
    assert sample(text, "katalog_queue_jobs", queue="failed") == 0
    assert sample(text, "katalog_metrics_source_up", source="queue") == 1
