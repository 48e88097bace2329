"""The local production topology on loopback: `up` and `down` (docs/TOPOLOGY.md).

PostgreSQL primary (initdb) and a streaming replica (pg_basebackup -R), PgBouncer in
transaction pooling in front of each, a private Redis, the app migrated with demo data,
N gunicorn instances (deploy/gunicorn.conf.py) and nginx with the config derived from
deploy/nginx.conf. Everything lives under one directory (default instance/cluster) on
private ports; the machine's own PostgreSQL and Redis are never touched.

Standard library only: it runs before anything else is up. `up` is idempotent (what runs
is left running, what is missing is started); `down` stops whatever this directory started
(also after a failed `up`) and keeps the data unless --purge.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path(os.environ.get("KIKI_PG_BIN", "/usr/lib/postgresql/15/bin"))
STATE_FILE = "cluster.json"
DB_NAME = DB_USER = "kiki"
PG_SUPERUSER = "postgres"


@dataclass
class Ports:
    primary: int = 55432
    replica: int = 55433
    bouncer_primary: int = 56432
    bouncer_replica: int = 56433
    redis: int = 56379
    app_first: int = 58001
    nginx: int = 58080


@dataclass
class Settings:
    dir: Path
    instances: int = 2
    workers: int = 1
    threads: int = 4
    ports: Ports = field(default_factory=Ports)

    @property
    def app_ports(self) -> list[int]:
        return [self.ports.app_first + n for n in range(self.instances)]

    def path(self, *parts: str) -> Path:
        return self.dir.joinpath(*parts)

    def direct_url(self, port: int) -> str:
        return f"postgresql+psycopg://{DB_USER}@127.0.0.1:{port}/{DB_NAME}"

    def state(self) -> dict:
        p = self.ports
        return {
            "dir": str(self.dir),
            "instances": self.instances,
            "ports": asdict(p),
            "nginx_url": f"http://127.0.0.1:{p.nginx}",
            "app_urls": [f"http://127.0.0.1:{port}" for port in self.app_ports],
            "primary_url": self.direct_url(p.primary),
            "replica_url": self.direct_url(p.replica),
            "pgbouncer_primary_url": self.direct_url(p.bouncer_primary),
            "pgbouncer_replica_url": self.direct_url(p.bouncer_replica),
            "redis_url": f"redis://127.0.0.1:{p.redis}/0",
            "logins": str(self.path("logins.json")),
            "pids": {
                name: str(self.path("run", f"{name}.pid")) for name in self.pid_names()
            },
        }

    def pid_names(self) -> list[str]:
        names = [f"app-{n}" for n in range(1, self.instances + 1)]
        return names + [
            "worker",
            "nginx",
            "pgbouncer-primary",
            "pgbouncer-replica",
            "redis",
        ]


def say(message: str) -> None:
    print(f"[cluster] {message}", flush=True)


class ClusterError(RuntimeError):
    pass


# ---------------------------------------------------------------- running as another user


def service_user() -> str | None:
    """PostgreSQL and PgBouncer refuse to run as root: as root they run as `postgres`."""
    return PG_SUPERUSER if os.geteuid() == 0 else None


def as_service(command: list[str]) -> list[str]:
    user = service_user()
    return ["runuser", "-u", user, "--", *command] if user else command


def run(
    command: list[str], *, check: bool = True, **kwargs
) -> subprocess.CompletedProcess:
    result = subprocess.run(
        command, check=False, capture_output=True, text=True, **kwargs
    )
    if check and result.returncode != 0:
        raise ClusterError(
            f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
        )
    return result


def give_to_service_user(path: Path) -> None:
    """The service user owns its directories and can reach them through every parent."""
    user = service_user()
    if not user:
        return
    entry = pwd.getpwnam(user)
    for current, _dirs, files in os.walk(path):
        os.chown(current, entry.pw_uid, entry.pw_gid)
        for name in files:
            os.chown(os.path.join(current, name), entry.pw_uid, entry.pw_gid)
    for parent in path.parents:
        mode = parent.stat().st_mode
        if not mode & 0o001:
            # Traverse only (no listing): a 0700 instance/ would lock the service user out.
            os.chmod(parent, mode | 0o001)
            say(f"allowed others to traverse {parent} (o+x) for the {user} user")
        if parent == Path("/"):
            break


# ---------------------------------------------------------------- processes and ports


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (a child of this process not yet reaped) is not alive.
    try:
        status = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return status != "Z"


def read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def ours(pid: int | None, marker: str) -> bool:
    """A live process that this directory started (its command line names the marker)."""
    return bool(pid) and pid_alive(pid) and marker in cmdline(pid)


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def require_free(port: int, what: str) -> None:
    """A component about to start needs its port: another process on it is a clear failure."""
    if port_open(port):
        raise ClusterError(
            f"port {port} (for {what}) is taken by another process: stop it or choose another "
            "port (--help lists the --port-* options)"
        )


def wait_for(what: str, check, timeout: float = 60.0, interval: float = 0.25) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(interval)
    raise ClusterError(f"timed out after {timeout:.0f} s waiting for {what}")


def stop_pid(pid: int, *, group: bool = False, timeout: float = 20.0) -> None:
    """SIGTERM (the process group for gunicorn), then SIGKILL what is left."""
    send = os.killpg if group else os.kill
    try:
        send(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and pid_alive(pid):
        time.sleep(0.2)
    if pid_alive(pid):
        try:
            send(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    if group:  # workers that outlived their master
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


# ---------------------------------------------------------------- PostgreSQL


def pg(tool: str) -> str:
    return str(PG_BIN / tool)


def pg_running(data: Path) -> bool:
    if not (data / "PG_VERSION").exists():
        return False
    return (
        run(
            as_service([pg("pg_ctl"), "-D", str(data), "status"]), check=False
        ).returncode
        == 0
    )


def pg_start(s: Settings, name: str, data: Path, port: int) -> None:
    if pg_running(data):
        say(f"{name}: already running on {port}")
        return
    require_free(port, name)
    log = s.path("logs", f"{name}.log")
    run(
        as_service(
            [pg("pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60", "start"]
        )
    )
    wait_for(f"{name} on {port}", lambda: port_open(port))
    say(f"{name}: started on {port}")


def psql(s: Settings, port: int, sql: str, database: str = "postgres") -> str:
    command = [
        pg("psql"), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
        "-h", "127.0.0.1", "-p", str(port), "-U", PG_SUPERUSER, "-d", database, "-c", sql,
    ]  # fmt: skip
    return run(command).stdout.strip()


def postgres_conf(s: Settings, port: int) -> str:
    return "\n".join(
        [
            "",
            "# deploy/local-cluster (docs/TOPOLOGY.md): private, small, loopback only",
            "listen_addresses = '127.0.0.1'",
            f"port = {port}",
            f"unix_socket_directories = '{s.path('run')}'",
            "max_connections = 60",
            "shared_buffers = 64MB",
            "wal_level = replica",
            "max_wal_senders = 4",
            "wal_keep_size = 128MB",
            "hot_standby = on",
            "hot_standby_feedback = on",
            "track_io_timing = off",
            "log_line_prefix = '%m [%p] %q%u@%d '",
            "",
        ]
    )


def init_primary(s: Settings) -> None:
    data = s.path("pg", "primary")
    if not (data / "PG_VERSION").exists():
        if data.exists():  # a failed initdb: start again
            shutil.rmtree(data)
        data.parent.mkdir(parents=True, exist_ok=True)
        give_to_service_user(s.path("pg"))
        run(
            as_service(
                [
                    pg("initdb"), "-D", str(data), "-U", PG_SUPERUSER, "--auth=trust",
                    "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions",
                ]
            )
        )  # fmt: skip
        with open(data / "postgresql.conf", "a") as conf:
            conf.write(postgres_conf(s, s.ports.primary))
        (data / "pg_hba.conf").write_text(
            "# loopback only, trust: a private test cluster (docs/TOPOLOGY.md)\n"
            "local all all trust\n"
            "host all all 127.0.0.1/32 trust\n"
            "host replication all 127.0.0.1/32 trust\n"
        )
        give_to_service_user(data)
        say("primary: initdb done")
    pg_start(s, "primary", data, s.ports.primary)
    if (
        psql(s, s.ports.primary, f"SELECT 1 FROM pg_roles WHERE rolname = '{DB_USER}'")
        != "1"
    ):
        psql(s, s.ports.primary, f"CREATE ROLE {DB_USER} LOGIN")
    if (
        psql(
            s, s.ports.primary, f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'"
        )
        != "1"
    ):
        psql(s, s.ports.primary, f"CREATE DATABASE {DB_NAME} OWNER {DB_USER}")
    # Connections through PgBouncer carry no startup options (data/db.py, DB_TRANSACTION_POOLER):
    # what the app would send as options is the role's setting instead.
    psql(s, s.ports.primary, f"ALTER ROLE {DB_USER} SET jit = off")
    psql(s, s.ports.primary, f"ALTER ROLE {DB_USER} SET statement_timeout = '30s'")


def init_replica(s: Settings) -> None:
    data = s.path("pg", "replica")
    if not (data / "PG_VERSION").exists():
        if data.exists():
            shutil.rmtree(data)
        run(
            as_service(
                [
                    pg("pg_basebackup"), "-h", "127.0.0.1", "-p", str(s.ports.primary),
                    "-U", PG_SUPERUSER, "-D", str(data), "-R", "-X", "stream",
                    "-c", "fast", "--no-sync",
                ]
            )
        )  # fmt: skip
        with open(data / "postgresql.conf", "a") as conf:
            conf.write(f"\n# the streaming replica\nport = {s.ports.replica}\n")
        give_to_service_user(data)
        say("replica: pg_basebackup -R done")
    pg_start(s, "replica", data, s.ports.replica)
    streaming = "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'"
    wait_for(
        "the replica to stream from the primary",
        lambda: psql(s, s.ports.primary, streaming) != "0",
    )


# ---------------------------------------------------------------- PgBouncer and Redis


def start_pgbouncer(
    s: Settings, name: str, listen: int, backend: int, query_wait_timeout: int
) -> None:
    pid_file = s.path("run", f"{name}.pid")
    conf = s.path("pgbouncer", f"{name}.ini")
    if ours(read_pid(pid_file), str(conf)):
        say(f"{name}: already running on {listen}")
        return
    require_free(listen, name)
    conf.parent.mkdir(parents=True, exist_ok=True)
    users = s.path("pgbouncer", "userlist.txt")
    users.write_text(f'"{DB_USER}" ""\n"{PG_SUPERUSER}" ""\n')
    conf.write_text(
        f"""; deploy/local-cluster: transaction pooling in front of PostgreSQL on {backend}
[databases]
{DB_NAME} = host=127.0.0.1 port={backend} dbname={DB_NAME}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen}
unix_socket_dir =
auth_type = trust
auth_file = {users}
admin_users = {PG_SUPERUSER}
pool_mode = transaction
max_client_conn = 400
default_pool_size = 12
reserve_pool_size = 2
server_connect_timeout = 3
server_login_retry = 1
query_wait_timeout = {query_wait_timeout}
server_reset_query =
logfile = {s.path("logs", name + ".log")}
pidfile = {pid_file}
"""
    )
    give_to_service_user(s.path("pgbouncer"))
    run(as_service(["pgbouncer", "-d", str(conf)]))
    wait_for(f"{name} on {listen}", lambda: port_open(listen))
    say(f"{name}: started on {listen} (transaction pooling -> {backend})")


def start_redis(s: Settings) -> None:
    pid_file = s.path("run", "redis.pid")
    if ours(read_pid(pid_file), f":{s.ports.redis}"):
        say(f"redis: already running on {s.ports.redis}")
        return
    require_free(s.ports.redis, "redis")
    s.path("redis").mkdir(exist_ok=True)
    run(
        [
            "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1",
            "--port", str(s.ports.redis), "--save", "", "--appendonly", "no",
            "--dir", str(s.path("redis")), "--pidfile", str(pid_file),
            "--logfile", str(s.path("logs", "redis.log")),
        ]
    )  # fmt: skip
    wait_for(f"redis on {s.ports.redis}", lambda: port_open(s.ports.redis))
    say(f"redis: started on {s.ports.redis}")


# ---------------------------------------------------------------- the app


def python() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def secrets_for(s: Settings) -> dict:
    """SECRET_KEY and KIKI_ENCRYPTION_KEYS, made once and shared by every instance."""
    path = s.path("secrets.json")
    if not path.exists():
        fernet = base64.urlsafe_b64encode(os.urandom(32)).decode()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(
                {
                    "SECRET_KEY": secrets.token_urlsafe(48),
                    "KIKI_ENCRYPTION_KEYS": fernet,
                },
                out,
            )
    return json.loads(path.read_text())


def app_env(s: Settings, *, database_url: str | None = None) -> dict:
    p = s.ports
    env = {
        key: value for key, value in os.environ.items() if not key.startswith("KIKI_")
    }
    env.update(secrets_for(s))
    env.update(
        {
            "KIKI_DEMO": "0",
            "DATABASE_URL": database_url or s.direct_url(p.bouncer_primary),
            "DATABASE_REPLICA_URLS": s.direct_url(p.bouncer_replica),
            "DB_TRANSACTION_POOLER": "1",
            "REDIS_URL": f"redis://127.0.0.1:{p.redis}/0",
            "SESSION_COOKIE_SECURE": "0",  # plain http on loopback
            "KIKI_PROXY_HOPS": "1",  # nginx
            "KIKI_PUBLIC_URL": f"http://127.0.0.1:{p.nginx}",
            "KIKI_SCHEDULER": "off",
            "DB_POOL_SIZE": "3",
            "DB_MAX_OVERFLOW": "2",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if database_url:  # a one-off command on the primary itself: no pooler
        env.pop("DB_TRANSACTION_POOLER")
        env.pop("DATABASE_REPLICA_URLS")
    return env


def migrate_and_seed(s: Settings) -> None:
    """Migrations and the demo data go straight to the primary (DDL, a one-off load)."""
    env = app_env(s, database_url=s.direct_url(s.ports.primary))
    script = (
        "import os; from data.ops.migrate import upgrade_to_head; "
        "upgrade_to_head(os.environ['DATABASE_URL'])"
    )
    run([python(), "-c", script], cwd=ROOT, env=env)
    say("app: migrated to head on the primary")
    logins = s.path("logins.json")
    if logins.exists():
        return
    out = run(
        [python(), "-m", "flask", "--app", "app", "seed-demo", "--campaigns", "30", "--days", "120"],
        cwd=ROOT, env=env,
    ).stdout  # fmt: skip
    users = [
        {"org": m[1], "role": m[2], "email": m[3], "password": m[4]}
        for m in re.finditer(
            r"^\s+(\S+)\s+(\S+)\s+(\S+@\S+)\s+(\S+)\s*$", out, re.MULTILINE
        )
    ]
    if not users:
        raise ClusterError(f"seed-demo printed no logins:\n{out}")
    fd = os.open(logins, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as file:
        json.dump(users, file, indent=1)
    say(f"app: demo data loaded ({len(users)} logins in {logins})")


def start_app(s: Settings, number: int, port: int) -> None:
    name = f"app-{number}"
    pid_file = s.path("run", f"{name}.pid")
    if ours(read_pid(pid_file), "gunicorn"):
        say(f"{name}: already running on {port}")
        return
    require_free(port, name)
    prom = s.path("prometheus", name)
    prom.mkdir(parents=True, exist_ok=True)
    env = app_env(s)
    env.update(
        {
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": str(s.workers),
            "GUNICORN_THREADS": str(s.threads),
            "PROMETHEUS_MULTIPROC_DIR": str(prom),
            "KIKI_INSTANCE": name,
        }
    )
    log = open(s.path("logs", f"{name}.log"), "ab")  # noqa: SIM115 - the child keeps it
    process = subprocess.Popen(
        [
            python(), "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
            "--pid", str(pid_file), "--name", f"kiki-{name}", "app:create_server()",
        ],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: down and the tests stop it whole
    )  # fmt: skip
    log.close()
    wait_for(f"{name} on {port}", lambda: port_open(port) or process.poll() is not None)
    if process.poll() is not None:
        raise ClusterError(f"{name} exited ({process.returncode}): see {log.name}")
    say(f"{name}: gunicorn started on {port} (pid {process.pid})")


def start_worker(s: Settings) -> None:
    """The scheduler (`flask --app app worker`, as deploy/kiki-worker.service runs it): due
    alert rules, the outbox and periodic jobs, leased through PgBouncer like any request."""
    pid_file = s.path("run", "worker.pid")
    if ours(read_pid(pid_file), "worker"):
        say("worker: already running")
        return
    log = open(s.path("logs", "worker.log"), "ab")  # noqa: SIM115 - the child keeps it
    process = subprocess.Popen(
        [python(), "-m", "flask", "--app", "app", "worker"],
        cwd=ROOT, env=app_env(s), stdout=log, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    log.close()
    pid_file.write_text(f"{process.pid}\n")
    time.sleep(1)
    if process.poll() is not None:
        raise ClusterError(f"the worker exited ({process.returncode}): see {log.name}")
    say(f"worker: started (pid {process.pid})")


# ---------------------------------------------------------------- nginx


def nginx_site(s: Settings) -> str:
    """deploy/nginx.conf with this cluster's upstreams and a plain-http loopback listener:
    the redirect server and the TLS lines go, everything else (locations, headers, timeouts,
    buffering) is the production file's own."""
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    servers = "".join(
        f"    server 127.0.0.1:{port} max_fails=3 fail_timeout=10s;\n"
        for port in s.app_ports
    )
    # Each upstream's server lines become the local instances (the stream upstream too: here
    # the app instances serve /live/events themselves, no separate stream-only gunicorn).
    text, count = re.subn(r"(?:    server \S+:\d+ [^\n]*;\n)+", servers, text)
    if count != 2:
        raise ClusterError(
            f"deploy/nginx.conf: expected 2 upstream blocks, found {count}"
        )
    # The port-80 block only redirects to https.
    text, count = re.subn(
        r"server \{\n    listen 80;.*?\n\}\n", "", text, flags=re.DOTALL
    )
    if count != 1:
        raise ClusterError(
            "deploy/nginx.conf: the port-80 redirect block was not found"
        )
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(("listen [::]:443", "http2 ", "ssl_")):
            continue
        if stripped.startswith("listen 443"):
            line = f"    listen 127.0.0.1:{s.ports.nginx};"
        elif stripped.startswith("server_name"):
            line = "    server_name 127.0.0.1;"
            lines.append(line)
            # Which instance answered (the topology tests read it); local cluster only.
            line = "    add_header X-Kiki-Upstream $upstream_addr always;"
        lines.append(line)
    site = "\n".join(lines) + "\n"
    if "443" in site or "ssl" in site.replace("ssl_", ""):
        raise ClusterError("deploy/nginx.conf: TLS lines left after templating")
    return site


def nginx_conf(s: Settings) -> str:
    base = s.path("nginx")
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
    return f"""# Generated by deploy/local-cluster from deploy/nginx.conf: do not edit.
{user}worker_processes 1;
pid {s.path("run", "nginx.pid")};
error_log {s.path("logs", "nginx-error.log")} warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    log_format upstream '$remote_addr "$request" $status $body_bytes_sent '
                        'upstream=$upstream_addr rt=$request_time rid=$request_id';
    access_log {s.path("logs", "nginx-access.log")} upstream;
    client_body_temp_path {base}/client_body;
    proxy_temp_path {base}/proxy;
    fastcgi_temp_path {base}/fastcgi;
    uwsgi_temp_path {base}/uwsgi;
    scgi_temp_path {base}/scgi;
    include {base}/kiki.conf;
}}
"""


def start_nginx(s: Settings) -> None:
    base = s.path("nginx")
    base.mkdir(exist_ok=True)
    (base / "kiki.conf").write_text(nginx_site(s))
    (base / "nginx.conf").write_text(nginx_conf(s))
    command = [
        "nginx",
        "-p",
        str(base),
        "-c",
        str(base / "nginx.conf"),
        "-e",
        str(s.path("logs", "nginx-error.log")),
    ]
    run([*command, "-t"])
    if ours(read_pid(s.path("run", "nginx.pid")), "nginx"):
        run([*command, "-s", "reload"])
        say(f"nginx: reloaded on {s.ports.nginx}")
        return
    require_free(s.ports.nginx, "nginx")
    run(command)
    wait_for(f"nginx on {s.ports.nginx}", lambda: port_open(s.ports.nginx))
    say(f"nginx: started on {s.ports.nginx}")


# ---------------------------------------------------------------- readiness


def ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/readyz", timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def wait_ready(s: Settings, timeout: float = 120.0) -> None:
    state = s.state()
    for url in [*state["app_urls"], state["nginx_url"]]:
        wait_for(
            f"{url}/readyz", lambda url=url: ready(url), timeout=timeout, interval=0.5
        )
        say(f"ready: {url}/readyz")


# ---------------------------------------------------------------- up and down


def up(s: Settings) -> dict:
    started = time.monotonic()
    for sub in ("run", "logs"):
        s.path(sub).mkdir(parents=True, exist_ok=True)
    os.chmod(s.dir, 0o701 if service_user() else 0o700)  # traverse only, for postgres
    give_to_service_user(s.path("run"))
    give_to_service_user(s.path("logs"))
    init_primary(s)
    init_replica(s)
    # How long a query may wait for a server connection: on the replica's pooler a few seconds
    # (a replica that cannot serve within them is treated as down and reads go to the primary,
    # data/db.py), on the primary's the app's own statement timeout's order of magnitude.
    start_pgbouncer(
        s, "pgbouncer-primary", s.ports.bouncer_primary, s.ports.primary, 30
    )
    start_pgbouncer(s, "pgbouncer-replica", s.ports.bouncer_replica, s.ports.replica, 3)
    start_redis(s)
    migrate_and_seed(s)
    for number, port in enumerate(s.app_ports, start=1):
        start_app(s, number, port)
    start_worker(s)
    start_nginx(s)
    wait_ready(s)
    state = s.state()
    state["up_seconds"] = round(time.monotonic() - started, 1)
    s.path(STATE_FILE).write_text(json.dumps(state, indent=1))
    print(
        f"\nKIKI local cluster up in {state['up_seconds']} s ({s.dir})\n"
        f"  nginx        {state['nginx_url']}\n"
        + "".join(
            f"  app-{n}        {url}\n" for n, url in enumerate(state["app_urls"], 1)
        )
        + f"  primary      {state['primary_url']}  (PgBouncer {state['pgbouncer_primary_url']})\n"
        f"  replica      {state['replica_url']}  (PgBouncer {state['pgbouncer_replica_url']})\n"
        f"  redis        {state['redis_url']}\n"
        f"  worker       the scheduler, logs/worker.log\n"
        f"  logins       {state['logins']}\n"
        f"  logs         {s.path('logs')}\n",
        flush=True,
    )
    return state


def down(s: Settings, *, purge: bool = False) -> None:
    run_dir = s.path("run")
    nginx_pid = read_pid(run_dir / "nginx.pid")
    if ours(nginx_pid, str(s.path("nginx"))):
        stop_pid(nginx_pid)
        say("nginx: stopped")
    for pid_file in sorted(run_dir.glob("app-*.pid")) if run_dir.exists() else []:
        pid = read_pid(pid_file)
        if ours(pid, "gunicorn"):
            stop_pid(pid, group=True)
            say(f"{pid_file.stem}: stopped")
        pid_file.unlink(missing_ok=True)
    pid = read_pid(run_dir / "worker.pid")
    if ours(pid, "worker"):
        stop_pid(pid, group=True)
        say("worker: stopped")
    (run_dir / "worker.pid").unlink(missing_ok=True)
    for name in ("pgbouncer-primary", "pgbouncer-replica"):
        pid = read_pid(run_dir / f"{name}.pid")
        if ours(pid, str(s.path("pgbouncer"))):
            stop_pid(pid)
            say(f"{name}: stopped")
    pid = read_pid(run_dir / "redis.pid")
    if ours(pid, "redis-server") and f":{s.ports.redis}" in cmdline(pid):
        stop_pid(pid)
        say("redis: stopped")
    for name in ("replica", "primary"):
        data = s.path("pg", name)
        if pg_running(data):
            run(as_service([pg("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]))
            say(f"{name}: stopped")
    s.path(STATE_FILE).unlink(missing_ok=True)
    if purge and s.dir.exists():
        shutil.rmtree(s.dir)
        say(f"removed {s.dir}")


def settings_from(args: argparse.Namespace) -> Settings:
    directory = Path(args.dir).resolve()
    ports = Ports(**{name: getattr(args, name) for name in Ports.__dataclass_fields__})
    return Settings(directory, args.instances, args.workers, args.threads, ports)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["up", "down"])
    env = os.environ.get
    parser.add_argument(
        "--dir", default=env("KIKI_CLUSTER_DIR", str(ROOT / "instance" / "cluster"))
    )
    parser.add_argument(
        "--instances", type=int, default=int(env("KIKI_CLUSTER_INSTANCES", "2"))
    )
    parser.add_argument(
        "--workers", type=int, default=int(env("KIKI_CLUSTER_WORKERS", "1"))
    )
    parser.add_argument(
        "--threads", type=int, default=int(env("KIKI_CLUSTER_THREADS", "4"))
    )
    for name, default in asdict(Ports()).items():
        variable = f"KIKI_CLUSTER_PORT_{name.upper()}"
        parser.add_argument(f"--port-{name.replace('_', '-')}", dest=name, type=int,
                            default=int(env(variable, str(default))), help=f"(${variable})")  # fmt: skip
    parser.add_argument(
        "--purge", action="store_true", help="down: also delete the directory"
    )
    args = parser.parse_args(argv)
    s = settings_from(args)
    try:
        if args.command == "up":
            s.dir.mkdir(parents=True, exist_ok=True)
            up(s)
        else:
            down(s, purge=args.purge)
    except ClusterError as exc:
        print(f"[cluster] FAILED: {exc}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
