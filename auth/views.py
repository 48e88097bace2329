"""Login and logout: a plain Flask blueprint with a server-rendered form."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Blueprint, g, jsonify, redirect, render_template, request, session
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from auth import account_lock
from auth.access import requires_role
from auth.guard import wants_json
from auth.invitations import invitation_message
from auth.limits import (
    retry_after_seconds,
    wait_message,
)
from auth.session_user import SessionUser
from auth.sign_in import GENERIC_FAILURE, LOCKED_MESSAGE, LOCKOUT
from data.db import db_session
from data.models import User
from data.writes.transaction import write_transaction
from data.writes.users import sign_out_everywhere

bp = Blueprint("auth", __name__, template_folder="templates")

TOO_MANY_ATTEMPTS = "Too many failed sign-in attempts."


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
        # Browsers drop tabs and newlines, so "/\t/evil.example" would become "//evil..."
        or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in target)
    ):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


def _authenticate(form: LoginForm) -> tuple[User | None, str]:
    """Check the credentials and record the outcome; returns the user (or None) and a message."""
    return account_lock.sign_in(
        db_session(), form.email.data, form.password.data, request.remote_addr
    )


def _login_page(form: LoginForm, message, status: int, kind: str = "danger"):
    next_url = safe_next(request.args.get("next"))
    page = render_template(
        "login.html", form=form, message=message, message_kind=kind, next_url=next_url
    )
    return page, status


@bp.route("/login", methods=["GET", "POST"])
# Per address: auth/address_limits.py, before CSRF and the origin check can refuse uncounted.
# Per account: auth/account_lock.py, the one counter and lock every door shares (a lock is a
# database row an admin's reset lifts; a limiter window here would outlive it).
def login():
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url)
    form = LoginForm()
    if request.method == "GET":
        if request.args.get("signed_out"):
            return _login_page(form, "You are signed out.", 200, "info")
        if request.args.get("joined"):
            message = "Your account is ready: sign in with your email and password."
            return _login_page(form, message, 200, "success")
        return _login_page(form, None, 200)
    if not form.validate_on_submit():
        return _login_page(form, "Enter your email and password.", 400)
    user, message = _authenticate(form)
    if user is None and message == LOCKED_MESSAGE:
        # The same answer as the per-account rate limit, so a locked account looks like any other.
        seconds = int(LOCKOUT.total_seconds())
        message = f"{TOO_MANY_ATTEMPTS} {wait_message(seconds)}"
        page, _ = _login_page(form, message, 429)
        return page, 429, {"Retry-After": str(seconds)}
    if user is None:
        return _login_page(form, message, 401 if message == GENERIC_FAILURE else 400)
    session.clear()  # a fresh session on sign-in: no fixation
    g.pop("csrf_token", None)
    login_user(SessionUser.from_row(user))
    session.permanent = True
    session["login_at"] = session["seen_at"] = time.time()
    return redirect(next_url)


@bp.app_errorhandler(429)
def too_many_requests(_error):
    """A rate limit was hit: the login form again with a message, or JSON; both say when to retry."""
    seconds = retry_after_seconds()
    headers = {"Retry-After": str(seconds)}
    if request.path == "/login" and not wants_json():
        page, _ = _login_page(
            LoginForm(), f"{TOO_MANY_ATTEMPTS} {wait_message(seconds)}", 429
        )
        return page, 429, headers
    message = f"Too many requests. {wait_message(seconds)}"
    body = {
        "error": {
            "code": "rate_limited",
            "message": message,
            "details": {"retry_after": seconds},
        }
    }
    return jsonify(body), 429, headers


@bp.app_errorhandler(CSRFError)
def csrf_failed(error: CSRFError):
    """A missing or stale CSRF token: the form again (signed-out visitors), or JSON for XHR."""
    message = "The form expired. Please try again."
    if request.path == "/login" and not wants_json():
        return _login_page(LoginForm(), message, 400)
    if request.path == "/logout" and not wants_json():
        return _logout_page(message, 400)
    if request.path.startswith("/invite/") and not wants_json():
        return invitation_message(
            f"{message} Open the link from the e-mail again.", 400
        )
    if wants_json():
        body = {
            "error": {
                "code": "csrf_failed",
                "message": message,
                "details": {"reason": error.description},
            }
        }
        return jsonify(body), 400
    return message, 400


def _logout_page(message: str | None = None, status: int = 200):
    return render_template("logout.html", message=message), status


@bp.route("/logout", methods=["GET", "POST"])
@requires_role("viewer")
def logout():
    """GET asks (a link or an <img> on another site must not sign anyone out); POST, with the
    form's CSRF token (checked before this runs), ends this session and every other session of
    the user (the epoch moves on)."""
    if request.method == "GET":
        return _logout_page()
    if current_user.is_authenticated:
        with write_transaction() as db:
            sign_out_everywhere(db, current_user.id, request.remote_addr)
    logout_user()
    session.clear()
    return redirect("/login?signed_out=1")
