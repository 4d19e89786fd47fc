"""Every form of the site, posted with generated input by the user its route is for.

For each form (form_targets.TARGETS) Hypothesis posts a valid submission with a few inputs
replaced by what users really send: non-Latin scripts, emoji, 10 000 characters, blanks,
numbers as words, negative and 10**30 numbers, decimals for whole numbers, NUL bytes, dates in
the wrong format, a field twice, a field missing, bad files. Two properties must hold:

- the site never fails: no 5xx answer and no exception out of the app;
- a submission the form refuses changes nothing: the whole database (every row of every
  table) is the same after the POST as before it.

"Refused" is what the view's own form instance said: the form class's validate() is watched
while the request runs, so the choices and context the view gives the form count.
The run is derandomized (the same examples in CI every time); FUZZ_EXAMPLES raises the count.
"""

import io
import os
import random
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.security import generate_password_hash
from wtforms import Form

from catalog.extensions import db
from tests.fuzz.dbstate import changed_tables, fingerprint
from tests.fuzz.form_targets import NOT_POSTED, TARGETS
from tests.fuzz.strategies import Upload, slots_of, submissions, sweep

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)


@pytest.fixture(autouse=True)
def quick_password_hashes(monkeypatch):
    from catalog.models import users

    monkeypatch.setattr(users, "generate_password_hash",
                        lambda password, method=None: generate_password_hash(password, method="pbkdf2:sha256:1"))


@contextmanager
def watching(form_class):
    """Collect what validate() answered for the (outermost) call on each `form_class` instance."""
    answers = []
    own = form_class.__dict__.get("validate")
    inner = form_class.validate
    depth = [0]

    def validate(self, *args, **kwargs):
        depth[0] += 1
        try:
            result = inner(self, *args, **kwargs)
        finally:
            depth[0] -= 1
        if depth[0] == 0 and isinstance(self, form_class):
            answers.append(bool(result))
        return result

    form_class.validate = validate
    try:
        yield answers
    finally:
        if own is None:
            del form_class.validate
        else:
            form_class.validate = own


def to_wire(value):
    if isinstance(value, Upload):
        return io.BytesIO(value.content), value.filename
    if isinstance(value, list):
        return [to_wire(v) for v in value]
    return value


def _all_form_classes() -> set[type]:
    import importlib
    import inspect
    import pkgutil

    import catalog.web

    found = set()
    for info in pkgutil.walk_packages(catalog.web.__path__, "catalog.web."):
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, Form) and obj.__module__ == module.__name__:
                found.add(obj)
    return found


def test_every_form_class_in_catalog_is_fuzzed_or_explained():
    covered = {target.form for target in TARGETS} | set(NOT_POSTED)
    missing = sorted(f"{c.__module__}.{c.__name__}" for c in _all_form_classes() - covered)
    assert missing == [], "add these forms to tests/fuzz/form_targets.py (TARGETS, or NOT_POSTED with why)"
    assert len(TARGETS) == len({t.id for t in TARGETS})


def post_once(app, form_class, url, user_id, body):
    # Hypothesis gives every example the same global `random` state; Whoosh names its index
    # segments with random.choice, so without fresh entropy two examples would write segments
    # of the same name and Whoosh would trip over its own files.
    random.seed()
    client = app.test_client()
    if user_id is not None:
        log_in_id(client, user_id)
    wire = {name: to_wire(value) for name, value in body.items()}
    with watching(form_class) as answers:
        try:
            response = client.post(url, data=wire)
        except Exception as error:  # noqa: BLE001 (the property: nothing escapes the app)
            raise AssertionError(f"{type(error).__name__} out of POST {url}: {error!r:.300}") from error
    return response, answers


def log_in_id(client, user_id: str) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.id)
def test_generated_input_never_fails_and_refused_input_changes_nothing(app, target):
    post = target.build(app)
    db.session.commit()
    user_id = post.user.get_id() if post.user is not None else None
    with app.test_request_context():
        slots = slots_of(target.form(formdata=None, meta={"csrf": False}, **target.init))
    db.session.remove()
    seen = {"validated": 0, "accepted": 0}

    def check(body):
        before = fingerprint()
        response, answers = post_once(app, target.form, post.url, user_id, body)
        assert response.status_code < 500, f"{response.status_code} from POST {post.url}"
        seen["validated"] += bool(answers)
        seen["accepted"] += any(answers)
        if not any(answers):
            changed = changed_tables(before, fingerprint())
            assert changed == [], f"a refused submission changed {changed}"

    @FUZZ_SETTINGS
    @given(st.data())
    def run(data):
        check(data.draw(submissions(slots, post.data), label="POST body"))

    run()
    for body in sweep(slots, post.data):
        try:
            check(body)
        except AssertionError as error:
            shown = {k: (v[:40] + "…" if isinstance(v, str) and len(v) > 40 else v) for k, v in body.items()}
            raise AssertionError(f"{error}\nPOST body: {shown}") from None
    assert seen["validated"], f"POST {post.url} never validated {target.id}: wrong URL, user or prerequisites"
    if target.accepts:
        assert seen["accepted"], f"the baseline submission of {target.id} was never accepted"

