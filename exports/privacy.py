"""The personal-data export of one member as a ZIP download (admins, own organization, audited)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from flask import Blueprint, Flask, g, request, send_file

from auth.access import requires_role
from auth.limits import EXPORT_LIMIT
from auth.security import limiter
from data.privacy.members import export_member
from data.privacy.subject import PrivacyError
from data.writes.transaction import write_transaction
from exports.responses import export_error

bp = Blueprint("privacy_exports", __name__, url_prefix="/export")


@bp.get("/personal-data.zip")
@requires_role("admin")
@limiter.limit(EXPORT_LIMIT)
def personal_data_zip():
    """Everything held about the member ``?user=<id>``: JSON, CSV and manifest.json."""
    g.scope.require("admin")
    user = request.args.get("user", "")
    if not (user.isascii() and user.isdigit()) or len(user) > 18:
        return export_error(
            400, "bad_parameter", "user: a user id", back="/settings/privacy"
        )
    workdir = Path(tempfile.mkdtemp(prefix="kiki-gdpr-"))
    try:
        out = workdir / "export.zip"
        try:
            with write_transaction() as db:
                export_member(
                    db, g.scope, int(user), out,
                    ip_address=request.remote_addr,
                )  # fmt: skip
        except PrivacyError as exc:
            # The same answer for another organization's user as for nobody.
            return export_error(404, "not_found", str(exc), back="/settings/privacy")
        handle = out.open("rb")  # stays readable after the directory is removed (POSIX)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return send_file(
        handle,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"kiki-personal-data-user-{int(user)}.zip",
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
