"""The reference for bench/http.py: a bare Flask app with one "hello" endpoint, served by the same
gunicorn settings in the same run, so the ratio app/hello means the same on any machine."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "hello"
