"""What gunicorn and the `flask` command load: app = create_app()."""

from catalog import create_app

app = create_app()
