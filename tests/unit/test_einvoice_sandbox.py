import datetime

import pytest
from einvoice_tools import builder, providers, sandbox, signer
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


def signed_xml(seller, mst=sandbox.DEMO_MST):
    invoice = retail_invoice()
    invoice["seller"] = {**invoice["seller"], "MST": mst}
    root = builder.build(invoice)
    signer.sign(root, seller, datetime.datetime(2026, 11, 27, 9, 0, 0))
    return builder.to_bytes(root)


def test_sandbox_codes_and_signs_as_the_authority(seller, client):
    document = {
        "transaction_uuid": "tx-1",
        "seller_tax_id": sandbox.DEMO_MST,
        "xml": signed_xml(seller),
    }
    issued = client.issue(document)
    assert issued.authority_code == sandbox.authority_code("tx-1")
    assert len(issued.authority_code) == 34
    root = etree.fromstring(issued.signed_xml)
    assert [child.tag for child in root] == ["DLHDon", "DLQRCode", "MCCQT", "DSCKS"]
    assert "OU=DEMO" in signer.verify(root, root.find("DSCKS/CQT/ds:Signature", signer.NS))
    # A retry of the same transaction gets the same code.
    assert client.issue(document).authority_code == issued.authority_code


def test_sandbox_refuses_another_tax_id(seller, client):
    with pytest.raises(providers.ProviderError, match="demo tax id 0999999990 only") as error:
        client.issue({"transaction_uuid": "tx-2", "seller_tax_id": "0100109106", "xml": b"<HDon/>"})
    assert error.value.kind == providers.FINAL


def test_sandbox_rejects_a_tampered_invoice(seller, client):
    xml = signed_xml(seller).replace(b"<TgTTTBSo>1249360<", b"<TgTTTBSo>1<")
    with pytest.raises(providers.ProviderError) as error:
        client.issue({"transaction_uuid": "tx-3", "seller_tax_id": sandbox.DEMO_MST, "xml": xml})
    assert error.value.kind == providers.REJECTED
