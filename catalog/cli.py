"""Command-line tools: flask seed-demo, flask create-admin, flask audit verify, …"""

import click
from flask import Flask
from flask.cli import AppGroup

audit_cli = AppGroup("audit", help="Jejak audit (audit trail).")


@audit_cli.command("verify")
def audit_verify():
    """Recompute the hash chain and name the first tampered row."""
    from catalog.services.audit import verify_chain

    report = verify_chain()
    if report.ok:
        click.echo(f"OK: {report.checked} audit events, chain intact.")
    else:
        click.echo(f"TAMPERED: event {report.first_bad_id}: {report.problem} ({report.checked} checked before it).")
        raise SystemExit(1)


def register(app: Flask) -> None:
    app.cli.add_command(audit_cli)
