"""New passwords are checked against the shipped list of common and breached passwords, offline."""

from __future__ import annotations

import socket

import pytest

from auth.common_passwords import is_common_password
from auth.passwords import COMMON_PASSWORD_MESSAGE, generate_password, password_problem

COMMON = [
    "password1234",
    "Password1234",
    "PASSWORD1234!",
    "qwerty123456",
    "iloveyou 123456",
    "!!Sunshine2024",
    "p@ssword12345",
    "football 12345",
    "kiki analytics 2026",
]
FINE = [
    "correct horse battery staple 42",
    "a long enough password",
    "tent clearance in may",
    "7f#Kq9!vL2@xW",
]


@pytest.mark.parametrize("password", COMMON)
def test_common_passwords_are_refused_with_a_clear_message(password):
    assert password_problem(password) == COMMON_PASSWORD_MESSAGE


@pytest.mark.parametrize("password", FINE)
def test_uncommon_passwords_pass(password):
    assert password_problem(password) is None


def test_the_list_is_shipped_and_read_offline(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the password list must not be fetched")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    assert is_common_password("letmein12345")
    assert not is_common_password("orbit lantern quietly 9")


def test_generated_passwords_are_never_refused():
    assert all(password_problem(generate_password()) is None for _ in range(500))
