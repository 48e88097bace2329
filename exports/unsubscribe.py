"""The unsubscribe link of a report e-mail: /unsubscribe/<token> shows a button, its POST removes
that one recipient from that one subscription.

Public (auth/access.py PUBLIC_PREFIXES: the recipient may not be signed in), CSRF-protected like
the sign-in form, refusals counted per address (auth/address_limits.py "unsubscribe-ip"). A GET
never changes anything (mail scanners open links); a tampered token is refused with one answer.
"""

from __future__ import annotations

from flask import Blueprint, Flask, render_template, request
from flask_wtf import FlaskForm

from data.db import db_session
from data.models import ReportSubscription
from data.reports.unsubscribe import read_token
from data.writes.report_subscriptions import unsubscribe
from data.writes.transaction import write_transaction

bp = Blueprint("report_unsubscribe", __name__, template_folder="templates")
INVALID = "This unsubscribe link is not valid. Open the link from the e-mail as it is."


class UnsubscribeForm(FlaskForm):
    """Only the CSRF token: the button is the whole form."""


def _page(message: str, status: int, *, form=None, name: str = ""):
    page = render_template("unsubscribe.html", form=form, message=message, name=name)
    return page, status


@bp.route("/unsubscribe/", defaults={"token": ""}, methods=["GET", "POST"])
@bp.route("/unsubscribe/<path:token>", methods=["GET", "POST"])
def unsubscribe_page(token: str):
    """GET: what the link would do and a button; POST: do it."""
    found = read_token(token)
    if found is None:
        return _page(INVALID, 404)
    subscription_id, user_id = found
    subscription = db_session().get(ReportSubscription, subscription_id)
    if subscription is None:
        return _page("This report no longer exists: you will not receive it.", 200)
    form = UnsubscribeForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return _page("The form expired: press the button again.", 400, form=form,
                         name=subscription.name)  # fmt: skip
        with write_transaction() as db:
            unsubscribe(db, subscription_id, user_id, ip_address=request.remote_addr)
        return _page(f"Done: you will no longer receive “{subscription.name}”.", 200)
    return _page("", 200, form=form, name=subscription.name)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
