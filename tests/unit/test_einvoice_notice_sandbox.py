"""The sandbox answers a 04/SS-HĐĐT notice as the tax authority would: the taxpayer's
signature checked, a 301 signed by the demo authority, accepted or not per invoice with its
reasons, read and verified by the code that reads the T-VAN's 301. No Odoo, no HTTP."""

import dataclasses
import datetime

import pytest
from einvoice_tools import builder, notice, providers, sandbox, signer, tdiep
from lxml import etree
from test_einvoice_xml import retail_invoice


@pytest.fixture(scope="module")
def seller():
    return signer.Certificate.from_pkcs12(
        sandbox.make_pkcs12("Demo seller", sandbox.DEMO_MST, "pw"), "pw"
    )


@pytest.fixture(scope="module")
def client():
    authority = signer.Certificate.from_pkcs12(
        sandbox.make_pkcs12(sandbox.AUTHORITY_NAME, sandbox.AUTHORITY_TAX_ID, "pw"), "pw"
    )
    return sandbox.SandboxClient(authority)


def signed_notice(seller, invoices=None, mst=sandbox.DEMO_MST):
    invoices = invoices or [{"authority_code": "A1" * 17, "symbol": "C26TAA", "number": "7"}]
    root = notice.build_notice(
        {
            "id": "TBao-1",
            "version": "2.0.1",
            "seller": {"Ten": "Công ty Demo", "MST": mst},
            "tax_office": {"MCQT": "10100", "TCQT": "Cục Thuế Thành phố Hà Nội"},
            "date": datetime.date(2026, 11, 27),
            "place": "Hà Nội",
            "invoices": [
                {
                    "template": "1",
                    "date": datetime.date(2026, 11, 20),
                    "nature": "cancel",
                    "reason": "Hủy",
                    **invoice,
                }
                for invoice in invoices
            ],
        }
    )
    signer.sign(root, seller, holder="NNT", signature_id="NNT")
    return builder.to_bytes(root)


def send(client, xml, seed="tx-1:04SS:1"):
    return client.send_notice({"seed": seed, "seller_tax_id": sandbox.DEMO_MST, "xml": xml})


def test_notice_is_accepted_with_a_301_signed_by_the_demo_authority(seller, client):
    mtdiep, answer = send(client, signed_notice(seller))
    assert mtdiep == tdiep.message_id(sandbox.DEMO_MST, "tx-1:04SS:1")
    assert answer.accepted
    assert answer.check.result == "pass"
    assert [(i["symbol"], i["number"], i["accepted"]) for i in answer.invoices] == [
        ("C26TAA", "7", True)
    ]
    root = etree.fromstring(answer.xml)
    assert root.findtext("DLTBao/MSo") == "01/TB-SSĐT"
    assert root.findtext("STBao/So") == answer.number == sandbox.answer_number(mtdiep)
    subject = signer.verify(root, root.find("DSCKS/CQT/ds:Signature", signer.NS))
    assert "DEMO" in subject


def test_a_retry_gets_the_same_answer_number(seller, client):
    xml = signed_notice(seller)
    first = send(client, xml)
    again = send(client, xml)
    assert first[0] == again[0]
    assert first[1].number == again[1].number
    assert send(client, xml, seed="tx-2:04SS:1")[1].number != first[1].number


def test_invoice_without_its_mccqt_is_not_accepted_with_reasons(seller, client):
    xml = signed_notice(
        seller,
        [
            {"authority_code": "A1" * 17, "symbol": "C26TAA", "number": "7"},
            {"authority_code": "", "symbol": "C26TAA", "number": "8"},
            {"authority_code": "", "symbol": "K26TAA", "number": "9"},
        ],
    )
    _mtdiep, answer = send(client, xml)
    assert not answer.accepted
    assert [(i["number"], i["accepted"]) for i in answer.invoices] == [
        ("7", True),
        ("8", False),
        ("9", True),
    ]
    [reason] = answer.invoices[1]["reasons"]
    assert reason.code == "SB01" and "MCCQT missing" in reason.text


def test_notice_with_a_broken_signature_is_refused(seller, client):
    xml = signed_notice(seller).replace(b"<SHDon>7<", b"<SHDon>6<")
    with pytest.raises(providers.ProviderError, match="does not verify") as error:
        send(client, xml)
    assert error.value.kind == providers.REJECTED


def test_notice_signed_by_another_taxpayer_is_refused(client):
    other = signer.Certificate.from_pkcs12(
        sandbox.make_pkcs12("Somebody", "0100109106", "pw"), "pw"
    )
    # Our signer refuses to sign another MST's notice: forget the MST it reads.
    other = dataclasses.replace(other, tax_id="")
    with pytest.raises(providers.ProviderError, match="signed by MST 0100109106") as error:
        send(client, signed_notice(other))
    assert error.value.kind == providers.REJECTED


def test_notice_of_another_tax_id_is_not_served(seller, client):
    with pytest.raises(providers.ProviderError, match="demo tax id") as error:
        client.send_notice({"seed": "x", "seller_tax_id": "0100109106", "xml": b"<TBao/>"})
    assert error.value.kind == providers.FINAL


def test_sandbox_answers_are_read_as_the_t_van_s_signature_checked(seller):
    """The sandbox's 202 and 301 go through the T-VAN's readers: signed by a key that is not
    the demo authority's, neither is taken."""
    impostor = sandbox.SandboxClient(
        signer.Certificate.from_pkcs12(sandbox.make_pkcs12("Somebody else", "", "pw"), "pw")
    )
    invoice = builder.build({**retail_invoice(), "seller": demo_seller()})
    signer.sign(invoice, seller, datetime.datetime(2026, 11, 27, 9, 0, 0))
    document = {
        "transaction_uuid": "tx-9",
        "seller_tax_id": sandbox.DEMO_MST,
        "xml": builder.to_bytes(invoice),
    }
    for send in (lambda: impostor.issue(document), lambda: send_notice(impostor, seller)):
        with pytest.raises(providers.ProviderError, match="not a tax authority") as error:
            send()
        assert error.value.kind == providers.FINAL


def demo_seller():
    return {**retail_invoice()["seller"], "MST": sandbox.DEMO_MST}


def send_notice(client, seller):
    return send(client, signed_notice(seller))
