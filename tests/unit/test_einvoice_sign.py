import datetime

import pytest
from einvoice_tests.certs import make_pkcs12
from einvoice_tools import builder, notice, signer
from lxml import etree
from test_einvoice_xml import NOTICE_VALUES, retail_invoice


@pytest.fixture(scope="module")
def certificate():
    return signer.Certificate.from_pkcs12(make_pkcs12(), "secret")


def signed(certificate):
    root = builder.build(retail_invoice())
    signer.sign(root, certificate, datetime.datetime(2026, 11, 26, 10, 30, 0))
    return root


def test_certificate_details(certificate):
    assert certificate.tax_id == "0100109106"
    assert "UID=MST:0100109106" in certificate.subject
    assert certificate.not_before < datetime.datetime.utcnow() < certificate.not_after


def test_wrong_password():
    with pytest.raises(signer.SignError, match="PKCS#12"):
        signer.Certificate.from_pkcs12(make_pkcs12(), "wrong")


def test_signature_round_trip(certificate):
    root = signed(certificate)
    signature = root.find("DSCKS/NBan/ds:Signature", signer.NS)
    uris = [r.get("URI") for r in signature.iterfind(".//ds:Reference", signer.NS)]
    assert uris == ["#DLHDon-golden-1", "#seller-SigningTime"]
    assert signature.findtext(".//SigningTime") == "2026-11-26T10:30:00"
    assert (
        signature.find("ds:SignedInfo/ds:SignatureMethod", signer.NS).get("Algorithm")
        == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    )
    # Serialised and parsed again, as the provider receives it.
    again = etree.fromstring(builder.to_bytes(root))
    assert "MST:0100109106" in signer.verify(again)


def test_one_changed_character_breaks_the_signature(certificate):
    root = etree.fromstring(builder.to_bytes(signed(certificate)))
    name = root.find("DLHDon/NDHDon/NMua/HVTNMHang")
    name.text = name.text.replace("Lan", "Lam")
    with pytest.raises(signer.SignError, match="does not verify"):
        signer.verify(root)


def test_changed_signing_time_breaks_the_signature(certificate):
    root = etree.fromstring(builder.to_bytes(signed(certificate)))
    root.find(".//SigningTime").text = "2026-11-27T10:30:00"
    with pytest.raises(signer.SignError):
        signer.verify(root)


def test_certificate_of_another_seller_is_refused():
    other = signer.Certificate.from_pkcs12(make_pkcs12(tax_id="0312345678"), "secret")
    with pytest.raises(signer.SignError, match="0312345678"):
        signer.sign(builder.build(retail_invoice()), other)


def test_04ss_notice_is_signed_by_the_taxpayer_in_nnt(certificate):
    root = notice.build_notice(NOTICE_VALUES)
    signer.sign(root, certificate, holder="NNT", signature_id="NNT")
    signature = root.find("DSCKS/NNT/ds:Signature", signer.NS)
    uris = [r.get("URI") for r in signature.iterfind(".//ds:Reference", signer.NS)]
    assert uris == ["#TBao-1", "#NNT-SigningTime"]
    assert "MST:0100109106" in signer.verify(root, signature)
    root.find("DLTBao/DSHDon/HDon/TCTBao").text = "1"
    with pytest.raises(signer.SignError, match="does not verify"):
        signer.verify(root, signature)


def test_04ss_notice_of_another_taxpayer_is_not_signed(certificate):
    root = notice.build_notice({**NOTICE_VALUES, "seller": {"Ten": "X", "MST": "0101243150"}})
    with pytest.raises(signer.SignError, match="0101243150"):
        signer.sign(root, certificate, holder="NNT")
