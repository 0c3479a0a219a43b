"""No unverifiable answer: the T-VAN client accepts a 202 or a 301 only when the tax
authority's signature is proven (signer identified as the authority and issued by a trusted
CA); a client that does not know who the authority is sends nothing and takes no answer.
Against the tests' own T-VAN on 127.0.0.1."""

import datetime
import uuid

import pytest
from einvoice_tests import provider_server
from einvoice_tests import supplier_invoices as factory
from einvoice_tools import notice, providers, signer, tdiep

SELLER = "0100109106"


@pytest.fixture
def tvan():
    with provider_server.ProviderServer() as server:
        yield server


def client(server, authority_tax_ids=True, trusted_issuers=True):
    return providers.TvanClient(
        server.url,
        "seller",
        "secret",
        timeout=1.0,
        sender=SELLER,
        receiver=provider_server.TVAN_CODE,
        authority_tax_ids=[provider_server.AUTHORITY_MST] if authority_tax_ids else None,
        trusted_issuers=[provider_server.ca_pem().encode()] if trusted_issuers else None,
    )


def invoice():
    return {
        "transaction_uuid": str(uuid.uuid4()),
        "seller_tax_id": SELLER,
        "symbol": "C26TAA",
        "xml": factory.make_invoice(seller_tax_id=SELLER, symbol="C26TAA"),
    }


def signed_notice():
    root = notice.build_notice(
        {
            "id": "TBao-1",
            "version": "2.0.1",
            "seller": {"Ten": "Công ty TNHH Phân phối Sao Mai", "MST": SELLER},
            "tax_office": {"MCQT": "10100", "TCQT": "Cục Thuế Thành phố Hà Nội"},
            "date": datetime.date(2026, 11, 27),
            "place": "Hà Nội",
            "invoices": [
                {
                    "authority_code": "A" * 34,
                    "template": "1",
                    "symbol": "C26TAA",
                    "number": "7",
                    "date": datetime.date(2026, 11, 20),
                    "nature": "cancel",
                    "reason": "Hủy",
                }
            ],
        }
    )
    signer.sign(root, factory.default_cert(SELLER), holder="NNT", signature_id="NNT")
    return tdiep.to_bytes(root)


@pytest.mark.parametrize(
    "setting", [{"authority_tax_ids": False}, {"trusted_issuers": False}], ids=["mst", "ca"]
)
def test_unconfigured_client_sends_neither_invoice_nor_notice(tvan, setting):
    unconfigured = client(tvan, **setting)
    for send in (
        lambda: unconfigured.issue(invoice()),
        lambda: unconfigured.send_notice(
            {"seed": "n-1", "seller_tax_id": SELLER, "xml": signed_notice()}
        ),
    ):
        with pytest.raises(providers.ProviderError, match="nothing is sent") as exc:
            send()
        assert exc.value.kind == providers.FINAL
    assert tvan.state.requests == []


@pytest.mark.parametrize(
    "setting", [{"authority_tax_ids": False}, {"trusted_issuers": False}], ids=["mst", "ca"]
)
def test_202_that_cannot_be_verified_is_refused(tvan, setting):
    doc = invoice()
    client(tvan).issue(doc)  # coded and held by the T-VAN
    mtdiep = tdiep.message_id(SELLER, doc["transaction_uuid"])
    with pytest.raises(providers.ProviderError, match="cannot be verified") as exc:
        client(tvan, **setting).invoice_outcome(mtdiep)
    assert exc.value.kind == providers.FINAL


@pytest.mark.parametrize(
    "setting", [{"authority_tax_ids": False}, {"trusted_issuers": False}], ids=["mst", "ca"]
)
def test_301_that_cannot_be_verified_is_refused(tvan, setting):
    xml = signed_notice()
    mtdiep, answer = client(tvan).send_notice({"seed": "n-2", "seller_tax_id": SELLER, "xml": xml})
    assert answer.accepted
    with pytest.raises(providers.ProviderError, match="cannot be verified") as exc:
        client(tvan, **setting).notice_outcome(mtdiep, SELLER, xml)
    assert exc.value.kind == providers.FINAL
