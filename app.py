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
import auth.security
import data.cache
import data.ops.cli
import exports
import shell.callbacks
import shell.document
import shell.page_container
import web.callback_cache
import web.delivery
import web.health
import web.prometheus
import web.request_log
from config import load_config, resolve_secret_key
from data.db import Database

ROOT = Path(__file__).resolve().parent


def create_app(overrides: dict | None = None) -> dash.Dash:
    """Build the Dash app and its Flask server from the environment plus ``overrides``."""
    config = {**load_config(), **(overrides or {})}
    server = Flask(__name__, instance_path=str(ROOT / "instance"))
    server.config.update(config)
    server.config["SECRET_KEY"] = resolve_secret_key(config)
    auth.crypto.init_app(
        server
    )  # refuses to start without encryption keys (but in demo)
    if hops := server.config.get(
        "KIKI_PROXY_HOPS"
    ):  # client address and scheme from nginx
        server.wsgi_app = ProxyFix(
            server.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )

    web.request_log.init_logging(server)
    Database().init_app(server)
    data.cache.init_app(server)
    auth.init_app(server)  # the request guard runs before CSRF and everything else
    web.prometheus.init_app(server)
    web.health.init_app(server)
    exports.init_app(server)
    api.init_app(server)
    web.delivery.init_app(server)  # gzip settings: before Dash reads them
    web.callback_cache.init_app(server)  # after the guard, CSRF and limits
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
    # After Dash registered flask-compress, so that this hook runs before it.
    web.delivery.init_dash(server)
    web.delivery.preload_chart_scripts(app)
    web.delivery.use_brand_icon(app)
    shell.document.init_dash(app)  # <html lang>, the saved theme
    app.layout = shell.page_container.shell_layout
    shell.callbacks.register_callbacks(app)
    auth.init_dash(app)
    # Claim the callbacks the pages just registered globally now, not at the first request, so
    # several apps in one process (tests, CLI) each get their own complete callback map.
    with server.app_context():
        app._setup_server()
    # The inline scripts Dash writes into its page (its bootstrap, clientside callbacks) are the
    # only ones the CSP lets run, by their hashes; claimed now too, for the same reason.
    auth.security.allow_dash_inline_scripts(server, app)
    return app


def create_server() -> Flask:
    """The WSGI application for gunicorn: `gunicorn "app:create_server()"`."""
    return create_app().server


def main() -> None:
    """Run the embedded default: migrate, load demo data on first start, print how to log in."""
    app = create_app()
    server = app.server
    data.ops.cli.prepare_embedded(server)
    host, port = server.config["HOST"], server.config["PORT"]
    print(
        f"\n  KIKI Analytics is running at http://{host}:{port}/  (Ctrl+C to stop)\n",
        flush=True,
    )
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app.run(host=host, port=port, debug=False)


def __getattr__(name: str):
    """`flask --app app ...` asks the module for `app`: build the server only then."""
    if name == "app":
        return create_server()
    raise AttributeError(name)


if __name__ == "__main__":
    main()
