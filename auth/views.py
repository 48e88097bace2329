"""Login and logout: a plain Flask blueprint with a server-rendered form."""

from __future__ import annotations

import datetime as dt
import time
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, g, redirect, render_template, request, session
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from auth.access import requires_role
from auth.passwords import verify_password
from auth.security import limiter
from auth.session_user import SessionUser
from data.audit import record_event
from data.db import db_session
from data.models import User

bp = Blueprint("auth", __name__, template_folder="templates")

MAX_FAILED_LOGINS = 5
LOCKOUT = dt.timedelta(minutes=15)
GENERIC_FAILURE = "Wrong email or password."


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


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _as_utc(value: dt.datetime | None) -> dt.datetime | None:
    # SQLite returns naive datetimes; they were written as UTC.
    return (
        value.replace(tzinfo=dt.UTC)
        if value is not None and value.tzinfo is None
        else value
    )


def _authenticate(form: LoginForm) -> tuple[User | None, str]:
    """Check the credentials and record the outcome; returns the user (or None) and a message."""
    db = db_session()
    email = form.email.data.strip().lower()
    user = db.scalar(sa.select(User).where(sa.func.lower(User.email) == email))
    password_ok = verify_password(
        user.password_hash if user else None, form.password.data
    )
    ip = request.remote_addr
    if user is None:
        record_event(
            db,
            "login_failed",
            organization_id=None,
            actor_user_id=None,
            ip_address=ip,
            details={"email": email[:254], "reason": "unknown email"},
        )
        db.commit()
        return None, GENERIC_FAILURE
    locked_until = _as_utc(user.locked_until)
    if locked_until and locked_until > _now():
        record_event(
            db,
            "login_refused_locked",
            organization_id=user.organization_id,
            actor_user_id=user.id,
            ip_address=ip,
        )
        db.commit()
        return None, "Too many failed attempts. Try again in 15 minutes."
    if not password_ok or not user.is_active:
        user.failed_logins += 1
        details = {"reason": "inactive" if password_ok else "wrong password"}
        record_event(
            db,
            "login_failed",
            organization_id=user.organization_id,
            actor_user_id=user.id,
            ip_address=ip,
            details=details,
        )
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = _now() + LOCKOUT
            user.failed_logins = 0
            record_event(
                db,
                "account_locked",
                organization_id=user.organization_id,
                actor_user_id=user.id,
                ip_address=ip,
                details={"minutes": LOCKOUT.seconds // 60},
            )
        db.commit()
        return None, GENERIC_FAILURE
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = _now()
    record_event(
        db,
        "login_succeeded",
        organization_id=user.organization_id,
        actor_user_id=user.id,
        ip_address=ip,
    )
    db.commit()
    return user, ""


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
