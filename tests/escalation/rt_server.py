"""A real Request Tracker 5 on loopback, configured with SQLite in a temporary folder.

Follows ../shared/notes/request-tracker.md: RT reads `RT_SITE_CONFIG` instead of /etc, the
database is initialised with a bot user, the "External ID" custom field and the rights the sink
needs, and `rt-server` (Starlet) serves REST 2.0 until SIGTERM (never SIGINT: RT's INT handler
runs a recursive chown as root).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
from pathlib import Path

import requests

RT_SERVER = Path("/usr/share/request-tracker5/libexec/rt-server")
RT_SETUP = "rt-setup-database-5"
BOT_USER = "triage-bot"
BOT_PASSWORD = "bot-password-for-tests"
ROOT_PASSWORD = "root-password-for-tests"
CUSTOM_FIELD = "External ID"
START_TIMEOUT = 60.0

_RIGHTS = (
    "SeeQueue CreateTicket ShowTicket ModifyTicket ReplyToTicket CommentOnTicket "
    "ShowTicketComments SeeCustomField ModifyCustomField"
)

_SITE_CONFIG = """\
$RT::VarPath = '{var}';
$RT::MasonDataDir = '{var}/mason_data';
$RT::MasonSessionDir = '{var}/session_data';
Set($DatabaseType, 'SQLite');
Set($DatabaseName, '{db}');
Set($WebDomain, '127.0.0.1');
Set($WebPort, {port});
Set($WebPath, '');
Set($WebBaseURL, 'http://127.0.0.1:{port}');
Set($CanonicalizeRedirectURLs, 0);
Set($RestrictReferrer, 0);
Set($BcryptCost, 4);
Set($MailCommand, 'testfile');
Set($LogToSyslog, undef);
Set($LogToSTDERR, 'warning');
1;
"""

_INITIAL_DATA = """\
@CustomFields = (
    {{
        Name        => '{cf}',
        Type        => 'FreeformSingle',
        LookupType  => 'RT::Queue-RT::Ticket',
        ApplyTo     => ['General'],
        Description => 'social-triage idempotency key',
    }},
);
@Users = (
    {{
        Name         => '{user}',
        Password     => '{password}',
        EmailAddress => 'triage-bot@example.com',
        RealName     => 'social-triage bot',
        Privileged   => 1,
    }},
);
@ACL = map {{ {{ UserId => '{user}', Queue => 'General', Right => $_ }} }} qw({rights});
1;
"""


def rt_installed() -> str | None:
    """None when RT 5 can run here, else why not (the loud skip reason)."""
    missing = [p for p in (str(RT_SERVER),) if not Path(p).exists()]
    if shutil.which(RT_SETUP) is None:
        missing.append(RT_SETUP)
    if not missing:
        return None
    return (
        "Request Tracker 5 is not installed (missing " + ", ".join(missing) + "); install with "
        "`apt-get install -y --no-install-recommends request-tracker5 rt5-db-sqlite "
        "rt5-standalone rt5-clients`"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class RTServer:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.user = BOT_USER
        self.password = BOT_PASSWORD
        self._proc: subprocess.Popen[bytes] | None = None
        self._log = root / "rt-server.log"
        self._env = dict(os.environ)
        self._env.update(
            RT_SITE_CONFIG=str(root / "RT_SiteConfig.pm"),
            RT_SITE_CONFIG_DIR=str(root / "RT_SiteConfig.d"),
            TMPDIR=str(root / "tmp"),
        )

    def configure(self) -> None:
        self._write_site_config()
        (self.root / "root-password").write_text(ROOT_PASSWORD)
        (self.root / "initialdata.pl").write_text(
            _INITIAL_DATA.format(
                cf=CUSTOM_FIELD, user=BOT_USER, password=BOT_PASSWORD, rights=_RIGHTS
            )
        )
        self._run(
            RT_SETUP,
            "--action",
            "init",
            "--skip-create",
            "--root-password-file",
            str(self.root / "root-password"),
        )
        self._run(RT_SETUP, "--action", "insert", "--datafile", str(self.root / "initialdata.pl"))

    def clone(self, root: Path) -> RTServer:
        """A second, independent RT (own folder, port and process) on a copy of this one's
        database: bot user, custom field, rights and any tickets already made. Costs a start
        (~2 s) instead of `rt-setup-database` (~5 s), for tests that stop and restart RT."""
        other = RTServer(root)
        other._write_site_config()
        source = sqlite3.connect(self.root / "rt5.db")
        target = sqlite3.connect(root / "rt5.db")
        try:
            source.backup(target)  # a consistent copy even while this server is running
        finally:
            target.close()
            source.close()
        return other

    def _write_site_config(self) -> None:
        var = self.root / "var"
        for folder in (var, var / "mason_data", var / "session_data", self.root / "tmp"):
            folder.mkdir(parents=True, exist_ok=True)
        (self.root / "RT_SiteConfig.d").mkdir(exist_ok=True)
        (self.root / "RT_SiteConfig.pm").write_text(
            _SITE_CONFIG.format(var=var, db=self.root / "rt5.db", port=self.port)
        )

    def _run(self, *args: str) -> None:
        done = subprocess.run(
            args, env=self._env, capture_output=True, text=True, timeout=300, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:3])} failed: {done.stdout}\n{done.stderr}")

    def start(self) -> None:
        log = self._log.open("ab")
        self._proc = subprocess.Popen(
            [
                str(RT_SERVER),
                "--server",
                "Starlet",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--max-workers",
                "2",
            ],
            env=self._env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # setsid: our SIGTERM reaches the master only
        )
        log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"rt-server exited: {self._log.read_text()[-2000:]}")
            try:
                if requests.get(f"{self.url}/REST/2.0/rt", timeout=5).status_code == 401:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"rt-server did not answer within {START_TIMEOUT}s")

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)

    def api(self, method: str, path: str, **kwargs: object) -> requests.Response:
        """A direct REST 2.0 call as the bot, for tests to inspect and change tickets."""
        return requests.request(
            method,
            f"{self.url}/REST/2.0/{path.lstrip('/')}",
            auth=(self.user, self.password),
            timeout=30,
            **kwargs,  # type: ignore[arg-type]
        )
