"""The test T-VAN in its own process, as the crash test runs it: every invoice received is
on disk before the answer leaves, and a held-back receipt still leaves the invoice coded."""

import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests
from einvoice_tests import supplier_invoices as factory
from einvoice_tools import tdiep
from lxml import etree

PROVIDER = (
    Path(__file__).resolve().parents[2] / "addons" / "einvoice_vn" / "tests" / "provider_server.py"
)
SELLER = "0100109106"


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
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/xml"}
    invoices = {str(uuid.uuid4()): factory.make_invoice(number=str(n)) for n in (1, 2)}

    def post(transaction, xml, timeout=5):
        message = tdiep.build(
            "200",
            SELLER,
            "V0106026495",
            etree.fromstring(xml),
            mtdiep=tdiep.message_id(SELLER, transaction),
            tax_id=SELLER,
        )
        return requests.post(
            f"{url}/tdiep", data=tdiep.to_bytes(message), headers=headers, timeout=timeout
        )

    first, second = invoices
    assert tdiep.read_receipt(tdiep.parse(post(first, invoices[first]).content)).ok
    # The second answer is held back: the client gives up, the invoice is coded all the same.
    with pytest.raises(requests.Timeout):
        post(second, invoices[second], timeout=0.5)
    found = requests.get(
        f"{url}/tdiep",
        params={"ref": tdiep.message_id(SELLER, second)},
        headers=headers,
        timeout=5,
    )
    types = [message.type for message in tdiep.parse_list(found.content)]
    assert types == ["999", "202"]
    assert (store / f"{first}.xml").read_bytes() == invoices[first]
    assert (store / f"{second}.xml").read_bytes() == invoices[second]
    assert (store / "creations.log").read_text().split() == [first, second]
