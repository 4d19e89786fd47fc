"""Lazy messages with user text inside are escaped when a template shows them."""

from flask import render_template_string
from flask_babel import lazy_gettext as _l


def test_a_lazy_message_with_user_text_is_escaped_in_templates(app):
    message = _l("%(product)s: %(problem)s", product="<img src=x onerror=alert(1)>", problem="Stok habis.")
    with app.test_request_context():
        html = render_template_string("<p>{{ message }}</p>", message=message)
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;: Stok habis." in html
