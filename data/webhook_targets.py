"""Where a webhook may point: the public internet only, so an endpoint cannot make the server
call its own network (cloud metadata at 169.254.169.254, databases, admin ports: server-side
request forgery). Loopback is allowed only when KIKI_WEBHOOK_ALLOW_LOCAL is on (the embedded
demo, and tests with a local receiver).

Checked twice: the address typed (an IP literal) when the endpoint is added, and every address
its name resolves to just before each delivery (a name may change what it resolves to). The
connection itself resolves once more; the window between the two is the residual risk of a
DNS-rebinding attacker, noted in docs/SECURITY.md.
"""

from __future__ import annotations

import ipaddress
import socket

from flask import current_app, has_app_context

LOCAL_NAMES = ("localhost",)


class RefusedTarget(ValueError):
    """The address is not one a webhook may call; the message says why."""


def local_allowed() -> bool:
    """KIKI_WEBHOOK_ALLOW_LOCAL of the current app (off without one)."""
    return bool(
        has_app_context() and current_app.config.get("KIKI_WEBHOOK_ALLOW_LOCAL")
    )


def check_address(address: str, allow_local: bool) -> None:
    """Refuse an IP that is not on the public internet (loopback when ``allow_local``)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.is_loopback and allow_local:
        return
    if not ip.is_global or ip.is_multicast:
        raise RefusedTarget(
            f"{address} is not a public internet address: webhooks only call those."
        )


def check_literal(host: str, allow_local: bool) -> None:
    """At creation: a host that is an IP literal (or "localhost") must be allowed."""
    if host.lower() in LOCAL_NAMES:
        if not allow_local:
            raise RefusedTarget(
                "localhost is not a public address: webhooks only call those."
            )
        return
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return  # a name: checked when it is called
    check_address(host, allow_local)


def check_resolved(host: str, port: int, allow_local: bool) -> None:
    """Before a delivery: every address ``host`` resolves to must be allowed."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise RefusedTarget(f"{host} could not be resolved: {exc}") from None
    for info in infos:
        check_address(info[4][0], allow_local)
