"""KIKI Analytics: the app factory. `python app.py` runs the embedded demo; gunicorn uses create_server()."""

from __future__ import annotations

import logging
from pathlib import Path

import dash
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

import api
import auth
import auth.crypto
import data.alerts.deliver
import data.cache
import data.invitation_mail
import data.live
import data.mail
import data.media.settings
import data.ops.cli
import data.ops.startup
import exports
import shell.callbacks
import shell.dash_internals
import shell.document
import shell.page_container
import web.callback_cache
import web.delivery
import web.health
import web.live
import web.malformed
import web.media
import web.page_head
import web.pipeline
import web.prometheus
import web.request_log
from config import load_config, resolve_secret_key
from data.db import Database
from data.scheduler import start_in_app

ROOT = Path(__file__).resolve().parent


def create_app(overrides: dict | None = None) -> dash.Dash:
    """Build the Dash app and its Flask server from the environment plus ``overrides``."""
    config = {**load_config(), **(overrides or {})}
    server = Flask(__name__, instance_path=str(ROOT / "instance"))
    server.config.update(config)
    server.config["SECRET_KEY"] = resolve_secret_key(config)
    auth.crypto.init_app(server)  # no encryption keys (but in demo): no start
    if hops := server.config.get("KIKI_PROXY_HOPS"):
        # The client's address and scheme as nginx passed them on.
        server.wsgi_app = ProxyFix(
            server.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )

    web.request_log.init_logging(server)
    web.malformed.init_app(server)  # size limit, 400/413/415 answers, bounded JSON
    Database().init_app(server)
    data.cache.init_app(server)
    data.live.init_app(server)  # live events: Redis pub/sub, or this process
    data.mail.init_app(server)  # KIKI_SMTP_URL; unset: mails are logged
    data.invitation_mail.init_app(server)
    data.alerts.deliver.init_app(server)  # alert e-mails and webhooks (outbox)
    auth.init_app(server)  # login, CSRF, rate limits, the sign-in pages
    web.prometheus.init_app(server)
    web.health.init_app(server)
    exports.init_app(server)
    web.live.init_app(server)  # GET /live/events
    data.media.settings.init_app(server)  # KIKI_MEDIA_DIR, quota, caps
    web.media.init_app(server)  # /media/uploads (chunks), /media/<id> (files)
    api.init_app(server)
    web.delivery.init_app(server)  # gzip settings: before Dash reads them
    web.page_head.init_app(server)
    data.ops.cli.init_app(server)

    app = dash.Dash(
        __name__,
        server=server,
        use_pages=True,
        pages_folder=str(ROOT / "pages"),
        assets_folder=str(ROOT / "assets"),
        title="KIKI Analytics",
        update_title=None,
        serve_locally=True,
        suppress_callback_exceptions=True,
        compress=True,
    )
    web.pipeline.init_app(server)  # every request hook, in the order it runs
    web.page_head.init_dash(app)
    shell.document.init_dash(app)  # <html lang>, the saved theme
    app.layout = shell.page_container.shell_layout
    shell.callbacks.register_callbacks(app)
    auth.init_dash(app)  # page and callback roles, the CSP's script hashes
    shell.dash_internals.claim_callbacks(app)  # the complete callback map, now
    web.callback_cache.init_dash(app)
    web.malformed.init_dash(app)
    return app


def create_server() -> Flask:
    """The WSGI application for gunicorn: `gunicorn "app:create_server()"`."""
    return create_app().server


def main() -> None:
    """Run the embedded default: migrate, load demo data on first start, then print one block
    (URL, database, cache, docs, the logins) after the last log line, and serve."""
    from werkzeug.serving import run_simple

    # The migration's step-by-step INFO lines and the servers' own banners ("Dash is running
    # on", "Serving Flask app") said what the block says, around it.
    for name in ("alembic", "werkzeug", "dash.dash"):
        logging.getLogger(name).setLevel(logging.WARNING)
    app = create_app()
    server = app.server
    logins = data.ops.cli.prepare_embedded(server)
    print(data.ops.startup.startup_block(server.config, logins), flush=True)
    start_in_app(server)  # alert sweep and outbox (KIKI_SCHEDULER, default in-app here)
    # What Dash's run() and Flask's run() end in, without their banners (gunicorn serves the
    # same WSGI app in production).
    run_simple(server.config["HOST"], server.config["PORT"], server, threaded=True)


def __getattr__(name: str):
    """`flask --app app ...` asks the module for `app`: build the server only then."""
    if name == "app":
        return create_server()
    raise AttributeError(name)


if __name__ == "__main__":
    main()
