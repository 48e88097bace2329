"""Login and logout: a plain Flask blueprint with a server-rendered form."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Blueprint, g, redirect, render_template, request, session
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from auth.access import requires_role
from auth.credentials import GENERIC_FAILURE, check_credentials
from auth.security import limiter
from auth.session_user import SessionUser
from data.audit import record_event
from data.db import db_session
from data.models import User

bp = Blueprint("auth", __name__, template_folder="templates")


class LoginForm(FlaskForm):
    email = StringField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])


def safe_next(target: str | None) -> str:
    """Only a relative path on this site; anything else goes to the overview."""
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
    ):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


def _login_email_key() -> str:
    return "login-email:" + (request.form.get("email") or "").strip().lower()[:254]


def _authenticate(form: LoginForm) -> tuple[User | None, str]:
    """Check the credentials and record the outcome; returns the user (or None) and a message."""
    return check_credentials(
        db_session(), form.email.data, form.password.data, request.remote_addr
    )


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    "10 per minute",
    methods=["POST"],
    key_func=lambda: f"login-ip:{request.remote_addr}",
)
@limiter.limit("20 per hour", methods=["POST"], key_func=_login_email_key)
def login():
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url)
    form = LoginForm()
    message, kind, status = None, "danger", 200
    if request.method == "POST":
        if form.validate_on_submit():
            user, message = _authenticate(form)
            if user is not None:
                session.clear()  # a fresh session on sign-in: no fixation
                g.pop("csrf_token", None)
                login_user(SessionUser.from_row(user))
                session.permanent = True
                session["login_at"] = time.time()
                return redirect(next_url)
        else:
            message = (
                "Enter your email and password."
                if not form.errors.get("csrf_token")
                else ("The form expired. Please try again.")
            )
        status = 401 if message == GENERIC_FAILURE else 400
    elif request.args.get("signed_out"):
        message, kind = "You are signed out.", "info"
    return render_template(
        "login.html", form=form, message=message, message_kind=kind, next_url=next_url
    ), status


@bp.route("/logout", methods=["GET", "POST"])
@requires_role("viewer")
def logout():
    """End this session and every other session of the user (the epoch moves on)."""
    if current_user.is_authenticated:
        db = db_session()
        user = db.get(User, current_user.id)
        if user is not None:
            user.session_epoch += 1
            record_event(
                db,
                "logout",
                organization_id=user.organization_id,
                actor_user_id=user.id,
                ip_address=request.remote_addr,
            )
            db.commit()
    logout_user()
    session.clear()
    return redirect("/login?signed_out=1")
