"""Fixtures for the catalogue-care tests, loaded with
`pytest_plugins = ["tests.catalogue_care_fixtures"]` (never imported: pytest rewrites it)."""

import pytest

from catalog.extensions import db
from tests.catalogue_care_factories import log_in
from tests.factories import gen_user


@pytest.fixture
def admin(app):
    user = gen_user(role="admin", name="Bu Ratna (Dinas)")
    db.session.commit()
    return user


@pytest.fixture
def admin_client(client, admin):
    log_in(client, admin)
    return client
