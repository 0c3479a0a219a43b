"""A bulk e-invoice issue survives a worker killed with SIGKILL.

The provider runs in its own process (the addon's test provider, keeping on disk every
XML it issued); the sending job runs in a separate Odoo process (``odoo shell``) against
the committed end-to-end database. The provider holds back its answer for the 5th
invoice it creates, so the worker is killed exactly while an issued invoice's answer is
on its way; then the job runs again, in two workers at once (they meet on the row lock
of the symbol's number counter: the one that loses leaves its document queued) and once
more alone for what was left queued. Every invoice must be created once at the provider,
the numbers stay unique, and each archived XML is byte for byte what the provider holds.
"""

import base64
import concurrent.futures
import datetime
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from einvoice_tests.certs import make_pkcs12
from einvoice_tools import archive
from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
PROVIDER = ROOT / "addons" / "einvoice_vn" / "tests" / "provider_server.py"
SELLER_MST = "0100109106"
INVOICES = 12
HANG_AT = 5
SEND_JOB = """
env['einvoice.vn.document']._cron_send()
env.cr.commit()
print('SEND-DONE')
"""


@pytest.fixture
def provider(tmp_path):
    store = tmp_path / "provider"
    store.mkdir()
    process = subprocess.Popen(
        [
            sys.executable,
            str(PROVIDER),
            "--store",
            str(store),
            "--answer-delay",
            "0.1",
            "--hang-at",
            str(HANG_AT),
            "--hang-seconds",
            "300",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    url = process.stdout.readline().strip()
    assert url.startswith("http://127.0.0.1:"), url
    yield url, store
    process.terminate()
    process.wait(timeout=10)


def creations(store):
    log = store / "creations.log"
    return log.read_text().split() if log.exists() else []


def make_company(rpc, json2, provider_url, tag, store):
    trust = json.loads((store / "authority.json").read_text(encoding="utf-8"))
    vn = rpc.call("res.country", "search", [("code", "=", "VN")])[0]
    company_id = rpc.call(
        "res.company",
        "create",
        {
            "name": f"E2E Hóa đơn {tag}",
            "country_id": vn,
            "vat": SELLER_MST,
            "street": "12 Tràng Tiền",
            "city": "Hà Nội",
        },
    )
    rpc.call("res.users", "write", [rpc.uid], {"company_ids": [(4, company_id)]})
    ctx = {"allowed_company_ids": [company_id]}
    # Over /json/2: try_loading answers None, which XML-RPC cannot carry.
    json2.call(
        "account.chart.template",
        "try_loading",
        ids=[],
        template_code="vn",
        company=company_id,
        context=ctx,
    )
    certificate_id = rpc.call(
        "einvoice.vn.certificate",
        "create",
        {
            "name": f"E2E {tag}",
            "pkcs12": base64.b64encode(make_pkcs12(SELLER_MST)).decode(),
            "password": "secret",
            "company_id": company_id,
        },
        context=ctx,
    )
    rpc.call(
        "res.company",
        "write",
        [company_id],
        {
            "einvoice_vn_provider": "tvan",
            "einvoice_vn_url": provider_url,
            "einvoice_vn_username": "seller",
            "einvoice_vn_password": "secret",
            "einvoice_vn_timeout": 60,
            "einvoice_vn_certificate_id": certificate_id,
            # The T-VAN's code and its tax authority, as the provider process wrote them.
            "einvoice_vn_tvan_code": trust["tvan_code"],
            "einvoice_vn_authority_tax_ids": trust["authority_mst"],
            "einvoice_vn_trusted_ca": trust["ca_pem"],
        },
        context=ctx,
    )
    [journal_id] = rpc.call(
        "account.journal",
        "search",
        [("company_id", "=", company_id), ("type", "=", "sale")],
        limit=1,
        context=ctx,
    )
    symbol_id = rpc.call(
        "einvoice.vn.symbol",
        "create",
        {
            "company_id": company_id,
            "template": "1",
            "name": f"C{datetime.date.today():%y}TAA",
        },
        context=ctx,
    )
    rpc.call(
        "account.journal",
        "write",
        [journal_id],
        {"einvoice_vn_enabled": True, "einvoice_vn_symbol_id": symbol_id},
        context=ctx,
    )
    return company_id, journal_id, ctx


def test_killed_bulk_issue_archives_what_the_provider_holds(server, rpc, json2, provider, tmp_path):
    provider_url, store = provider
    tag = uuid.uuid4().hex[:8]
    company_id, journal_id, ctx = make_company(rpc, json2, provider_url, tag, store)
    buyer_id = rpc.call("res.partner", "create", {"name": f"Khách lẻ {tag}"}, context=ctx)
    move_ids = [
        rpc.call(
            "account.move",
            "create",
            {
                "move_type": "out_invoice",
                "company_id": company_id,
                "journal_id": journal_id,
                "partner_id": buyer_id,
                "invoice_date": datetime.date.today().isoformat(),
                "invoice_line_ids": [
                    (0, 0, {"name": f"Hàng {i}", "quantity": 1, "price_unit": 100000 + i})
                ],
            },
            context=ctx,
        )
        for i in range(INVOICES)
    ]
    rpc.call("account.move", "action_post", move_ids, context=ctx)
    rpc.call("account.move", "action_einvoice_vn_queue", move_ids, context=ctx)

    # First worker: killed while the provider holds back the answer for an issued invoice.
    with open(tmp_path / "worker-1.log", "w") as log:
        worker = subprocess.Popen(
            server.odoo_command("shell", "--no-http", "--log-level", "warn"),
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        worker.stdin.write(SEND_JOB)
        worker.stdin.close()
        deadline = time.monotonic() + 90
        while len(creations(store)) < HANG_AT and time.monotonic() < deadline:
            assert worker.poll() is None, (tmp_path / "worker-1.log").read_text()
            time.sleep(0.1)
        assert len(creations(store)) == HANG_AT, "the worker did not reach the provider"
        os.kill(worker.pid, signal.SIGKILL)
        assert worker.wait(timeout=30) == -signal.SIGKILL

    # The job again, in two new processes at once, then in one.
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        outputs = list(pool.map(lambda _: server.shell(SEND_JOB), range(2)))
    assert all("SEND-DONE" in out for out in outputs), outputs
    assert "SEND-DONE" in server.shell(SEND_JOB)

    docs = rpc.call(
        "einvoice.vn.document",
        "search_read",
        [("move_id", "in", move_ids)],
        ["state", "number", "transaction_uuid", "xml_attachment_id", "issued_attachment_id"],
        context=ctx,
    )
    assert len(docs) == INVOICES
    files = {
        f["id"]: base64.b64decode(f["datas"])
        for f in rpc.call(
            "ir.attachment",
            "read",
            [d["xml_attachment_id"][0] for d in docs]
            + [d["issued_attachment_id"][0] for d in docs if d["issued_attachment_id"]],
            ["datas"],
            context=ctx,
        )
    }
    # The archive holds exactly what the provider (and so the authority) holds.
    for doc in docs:
        held = (store / f"{doc['transaction_uuid']}.xml").read_bytes()
        assert files[doc["xml_attachment_id"][0]] == held, doc["number"]
        # The coded copy (202) adds MCCQT and the authority's signature to the same
        # seller-signed invoice.
        coded = files[doc["issued_attachment_id"][0]]
        assert archive.same_signed_invoice(held, coded), doc["number"]
        assert etree.fromstring(coded).findtext("MCCQT"), doc["number"]
        assert etree.fromstring(held).findtext("DLHDon/TTChung/SHDon") == doc["number"]
    assert {d["state"] for d in docs} == {"accepted"}
    # Each invoice created once at the provider, and nothing else created there.
    assert sorted(creations(store)) == sorted(d["transaction_uuid"] for d in docs)
    numbers = sorted(int(d["number"]) for d in docs)
    assert numbers == list(range(1, INVOICES + 1))
