"""Run a bench script inside ``odoo shell`` and read the JSON line it prints."""

import json
import os
import subprocess
import sys


def run_in_shell(database, script):
    """Run ``script`` in ``odoo shell`` on ``database``; return the dict it printed on a
    ``RESULT=`` line, or stop with the end of its output."""
    python = os.environ.get("O2C_PYTHON", sys.executable)
    out = subprocess.run(
        [
            python,
            "-m",
            "odoo",
            "shell",
            "-c",
            os.environ["O2C_ODOO_CONF"],
            "-d",
            database,
            "--no-http",
            "--log-level",
            "warn",
        ],
        input=script,
        capture_output=True,
        text=True,
        check=False,
    )
    for line in out.stdout.splitlines():
        if line.startswith("RESULT="):
            return json.loads(line[len("RESULT=") :])
    raise SystemExit(out.stdout[-2000:] + out.stderr[-4000:])
