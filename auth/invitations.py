"""The invitation link: /invite/<token> asks the invitee's name and password and creates the account.

Public (auth/access.py PUBLIC_PREFIXES), CSRF-protected like the sign-in form, counted per address
(auth/address_limits.py "invite-ip"). Every bad link gets one answer: unknown, expired, revoked,
used, or for an address that has an account by now.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from data.db import db_session
from data.errors import Conflict
from data.models import Organization
from data.writes.invitations import (
    INVALID_INVITATION,
    InvalidInvitation,
    accept_invitation,
    open_invitation,
)
from data.writes.transaction import write_transaction
from data.writes.user_rules import UserError

bp = Blueprint("invitations", __name__, template_folder="templates")


class AcceptForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])
    repeated = PasswordField(
        "Password again", validators=[DataRequired(), Length(max=256)]
    )


def invitation_message(message: str, status: int):
    """The invitation page with a message and no form (a bad link, an expired form)."""
    return render_template("invite.html", form=None, message=message), status


def _invalid():
    return invitation_message(INVALID_INVITATION, 404)


def _form_page(form: AcceptForm, invitation, message: str | None, status: int):
    organization = db_session().get(Organization, invitation.organization_id)
    page = render_template(
        "invite.html",
        form=form,
        message=message,
        email=invitation.email,
        organization=organization.name if organization else "",
    )
    return page, status


@bp.route("/invite/", defaults={"token": ""}, methods=["GET", "POST"])
@bp.route("/invite/<path:token>", methods=["GET", "POST"])
def accept(token: str):
    """GET: the form for a valid link; POST: create the account, then sign in."""
    form = AcceptForm()
    problem = None
    if request.method == "POST":
        if not form.validate_on_submit():
            problem = "Enter your name and a password twice."
        else:
            try:
                with write_transaction(commit_anyway=(InvalidInvitation,)) as db:
                    accept_invitation(
                        db,
                        token,
                        name=form.name.data,
                        password=form.password.data,
                        repeated=form.repeated.data,
                        ip_address=request.remote_addr,
                    )
            except (InvalidInvitation, Conflict):  # Conflict: an account made meanwhile
                return _invalid()
            except UserError as exc:
                problem = str(exc)
            else:
                return redirect("/login?joined=1")
    try:
        invitation = open_invitation(db_session(), token)
    except InvalidInvitation:
        return _invalid()
    if request.method == "GET":
        form.name.data = invitation.name
    return _form_page(form, invitation, problem, 400 if problem else 200)
