"""The test provider in its own process, as the crash test runs it: every issued XML is on
disk before the answer leaves, and a held-back answer still leaves the invoice issued."""

import base64
import subprocess
import sys
from pathlib import Path

import pytest
import requests

PROVIDER = (
    Path(__file__).resolve().parents[2] / "addons" / "einvoice_vn" / "tests" / "provider_server.py"
)


@pytest.fixture
def provider(tmp_path):
    process = subprocess.Popen(
        [sys.executable, str(PROVIDER), "--store", str(tmp_path), "--hang-at", "2"],
        stdout=subprocess.PIPE,
        text=True,
    )
    url = process.stdout.readline().strip()
    yield url, tmp_path
    process.terminate()
    process.wait(timeout=10)


def test_provider_process_keeps_what_it_issued(provider):
    url, store = provider
    token = requests.post(
        f"{url}/auth", json={"username": "seller", "password": "secret"}, timeout=5
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}

    def create(uuid, xml, timeout=5):
        return requests.post(
            f"{url}/invoices",
            json={
                "transaction_uuid": uuid,
                "seller_tax_id": "0100109106",
                "xml": base64.b64encode(xml).decode(),
            },
            headers=headers,
            timeout=timeout,
        )

    assert create("uuid-1", b"<HDon>1</HDon>").json()["status"] == "accepted"
    # The second answer is held back: the client gives up, the invoice is issued all the same.
    with pytest.raises(requests.Timeout):
        create("uuid-2", b"<HDon>2</HDon>", timeout=0.5)
    found = requests.get(f"{url}/invoices/uuid-2", headers=headers, timeout=5).json()
    assert base64.b64decode(found["xml"]) == b"<HDon>2</HDon>"
    assert (store / "uuid-1.xml").read_bytes() == b"<HDon>1</HDon>"
    assert (store / "uuid-2.xml").read_bytes() == b"<HDon>2</HDon>"
    assert (store / "creations.log").read_text().split() == ["uuid-1", "uuid-2"]
