"""Start a real Odoo server on a free port for end-to-end tests and benches.

The database must already hold the addons (bin/test installs them). The
server runs in a subprocess with the same configuration file, so the
external API is reached exactly as an integration would reach it.
"""

import os
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def config_path():
    conf = os.environ.get("O2C_ODOO_CONF")
    if not conf:
        raise RuntimeError(
            "O2C_ODOO_CONF is not set: run the end-to-end tests through bin/test, "
            "which prepares the database and the Odoo configuration."
        )
    return conf


class OdooServer:
    """An Odoo HTTP server (threaded, no workers) on 127.0.0.1."""

    def __init__(self, database, conf=None, log_path=None):
        self.database = database
        self.conf = conf or config_path()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path or os.path.join(
            os.path.dirname(self.conf), f"odoo-server-{self.port}.log"
        )
        self.process = None

    def odoo_command(self, *args):
        python = os.environ.get("O2C_PYTHON", sys.executable)
        return [python, "-m", "odoo", *args, "-c", self.conf, "-d", self.database]

    def start(self, timeout=120):
        log = open(self.log_path, "wb")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            self.odoo_command(
                "server",
                "--http-port",
                str(self.port),
                "--db-filter",
                f"^{self.database}$",
                "--max-cron-threads",
                "0",
            ),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Odoo exited early, see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/web/health", timeout=2) as reply:
                    if reply.status == 200:
                        return self
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"Odoo did not answer within {timeout}s, see {self.log_path}")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def shell(self, code):
        """Run Python in ``odoo shell`` on the database; return its stdout."""
        result = subprocess.run(
            self.odoo_command("shell", "--no-http", "--log-level", "warn"),
            input=textwrap.dedent(code),
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        return result.stdout

    def api_key(self, login="admin"):
        """A fresh API key for ``login``, for /json/2 bearer authentication."""
        out = self.shell(
            f"""
            import datetime
            user = env['res.users'].search([('login', '=', {login!r})])
            key = env['res.users.apikeys'].with_user(user)._generate(
                None, 'e2e', datetime.datetime.now() + datetime.timedelta(days=1))
            env.cr.commit()
            print('APIKEY=' + key)
            """
        )
        for line in out.splitlines():
            if line.startswith("APIKEY="):
                return line.split("=", 1)[1]
        raise RuntimeError(f"no API key in odoo shell output: {out!r}")
