"""The Dinas console is for admins only: every /admin address, generated from the URL map, answers
403 to a shopper, a seller and an officer (for GET and POST alike) and sends an anonymous visitor
to the log-in page. A new admin route is covered without touching this file."""

import pytest

from catalog.authz import audience_of
from catalog.extensions import db
from tests.factories import PASSWORD, gen_officer, gen_seller, gen_user


def _admin_urls(app):
    """(method, url) for every admin route, with 1 / "x" filled in for its variables."""
    found = []
    with app.test_request_context():
        adapter = app.url_map.bind("localhost")
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("admin."):
                continue
            values = {name: 1 if type(conv).__name__ == "IntegerConverter" else "x"
                      for name, conv in rule._converters.items()}
            url = adapter.build(rule.endpoint, values)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                found.append((rule.endpoint, method, url))
    return found


def test_every_admin_route_declares_admins_only(app):
    routes = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.")]
    assert len(routes) > 10  # the console's areas are all registered
    offenders = sorted(r.endpoint for r in routes if audience_of(app.view_functions[r.endpoint]) != "roles:admin")
    assert not offenders, f"admin routes without @admin_required: {offenders}"


def _users():
    return {
        "shopper": gen_user(role="shopper"),
        "seller": gen_seller().user,
        "officer": gen_officer(),
    }


@pytest.mark.parametrize("role", ["shopper", "seller", "officer"])
def test_non_admins_get_403_on_every_admin_route(app, role):
    user = _users()[role]
    db.session.commit()
    client = app.test_client()
    assert client.post("/masuk", data={"email": user.email, "password": PASSWORD}).status_code == 302
    failures = []
    for endpoint, method, url in _admin_urls(app):
        status = client.open(url, method=method).status_code
        if status != 403:
            failures.append(f"{method} {url} ({endpoint}) -> {status}")
    assert not failures, "\n".join(failures)


def test_anonymous_visitors_are_sent_to_log_in(app):
    client = app.test_client()
    failures = []
    for endpoint, method, url in _admin_urls(app):
        response = client.open(url, method=method)
        if response.status_code != 302 or "/masuk" not in response.headers["Location"]:
            failures.append(f"{method} {url} ({endpoint}) -> {response.status_code}")
    assert not failures, "\n".join(failures)
