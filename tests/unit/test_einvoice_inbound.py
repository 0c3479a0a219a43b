"""Supplier e-invoices in: reading, signatures, certificates, the tax authority and tax ids,
without Odoo (hostile files, amounts and words: test_einvoice_inbound_files.py)."""

import ast
import dataclasses
import datetime
import random
import re
from decimal import Decimal
from pathlib import Path

import polib
import pytest
import xmlsec
from cryptography.hazmat.primitives import serialization
from einvoice_tests import supplier_invoices as factory
from einvoice_tools import inbound, signer
from einvoice_tools.amount_words import amount_in_words
from lxml import etree

OURS = [factory.BUYER_MST]
NOW = datetime.datetime(2026, 11, 27, tzinfo=datetime.timezone.utc)


def trust():
    """The settings of a database that verifies e-invoices: the factory's CA is trusted and
    the tax authority's MST known (without them certificate and authority are warnings)."""
    return {
        "trusted_issuers": [factory.default_ca().certificate],
        "authority_tax_ids": [factory.AUTHORITY_MST],
    }


def checks_of(data, buyer_tax_ids=OURS, trusted=True):
    invoice = inbound.read(data)
    settings = trust() if trusted else {}
    return {
        check.code: check for check in inbound.verify(invoice, buyer_tax_ids, now=NOW, **settings)
    }


def results(checks):
    return {code: check.result for code, check in checks.items()}


ALL_PASS = {
    "seller_signature": "pass",
    "certificate": "pass",
    "authority": "not_checked",
    "buyer_tax_id": "pass",
    "seller_tax_id": "pass",
    "amounts": "pass",
    "words": "pass",
}


@pytest.fixture(scope="module")
def signed():
    return factory.make_invoice()


# -- signatures and certificates -------------------------------------------------------------


@pytest.mark.parametrize(("digest", "algorithm"), [("sha256", "RSA-SHA256"), ("sha1", "RSA-SHA1")])
def test_sha1_and_sha256_signatures_pass(digest, algorithm):
    checks = checks_of(factory.make_invoice(digest=digest))
    assert results(checks) == ALL_PASS
    assert checks["seller_signature"].params["algorithm"] == algorithm
    assert checks["authority"].key == "authority.without_code"


def test_verify_gives_every_check_in_order_even_without_signature():
    checks = inbound.verify(inbound.read(factory.make_invoice(sign=False)), OURS, now=NOW)
    assert [check.code for check in checks] == list(inbound.CHECK_CODES)
    assert checks[0].result == "fail"
    assert checks[0].message == "The invoice has no seller signature in DSCKS/NBan."
    assert checks[1].result == "fail"


def test_changed_amount_fails(signed):
    checks = checks_of(factory.changed_amount(signed))
    assert checks["seller_signature"].result == "fail"
    assert checks["seller_signature"].key == "signature.invalid"
    assert "does not verify" in checks["seller_signature"].message
    assert checks["amounts"].result == "fail"
    assert "TgTTTBSo 99000000 ≠ 1304360" in checks["amounts"].message


def test_wrapped_signature_fails_although_xmlsec_alone_accepts_it(signed):
    data = factory.wrapped_signature(signed)
    # The attack is real: the signature still verifies cryptographically...
    assert "MST:0100109106" in signer.verify(etree.fromstring(data))
    invoice = inbound.read(data)
    # ...over the moved original, while we would read the forged bank account.
    assert invoice.data.findtext("NDHDon/NBan/STKNHang") == factory.FORGED_ACCOUNT
    checks = {c.code: c for c in inbound.verify(invoice, OURS, now=NOW)}
    check = checks["seller_signature"]
    assert check.result == "fail"
    assert check.key == "signature.foreign_reference"
    assert check.params["path"] == "HDon/Object/DLHDon"
    assert "not to HDon/DLHDon or Signature/Object (SigningTime)" in check.message
    assert "signature wrapping" in check.message
    # Only the signature can tell: the forged copy adds up.
    assert checks["amounts"].result == "pass"


def test_signature_moved_with_its_data_elsewhere_fails(signed):
    data = factory.moved_signature(signed)
    assert "MST:0100109106" in signer.verify(etree.fromstring(data))
    check = checks_of(data)["seller_signature"]
    assert check.result == "fail"
    assert check.params["path"] == "HDon/DSCKS/Khac/DLHDon"


def test_copied_dlhdon_with_the_same_id_fails(signed):
    check = checks_of(factory.copied_dlhdon(signed))["seller_signature"]
    assert check.result == "fail"
    assert check.key == "signature.duplicate_id"
    assert check.message == (
        "The Id value DLHDon-0100109106-K26TAA-42 is used by 2 elements: references to it "
        "are ambiguous (signature wrapping)."
    )


def test_reference_to_another_element_of_the_invoice_fails():
    def extra_reference(root):
        root.find("DLHDon/TTChung").set("Id", "general")

    data = factory.make_invoice(before_signing=extra_reference, sign=False)
    root = etree.fromstring(data)
    signer.sign(
        root,
        factory.default_cert(),
        factory.DEFAULT_SIGNING_TIME,
        extra_references=[root.find("DLHDon/TTChung")],
    )
    check = checks_of(etree.tostring(root))["seller_signature"]
    assert check.result == "fail"
    assert check.params == {
        "uri": "#general",
        "path": "HDon/DLHDon/TTChung",
        "expected": "HDon/DLHDon or Signature/Object (SigningTime)",
    }


def test_corrupted_certificate_fails(signed):
    checks = checks_of(factory.corrupted_certificate(signed))
    assert checks["certificate"].result == "fail"
    assert checks["certificate"].key == "certificate.corrupted"
    assert checks["certificate"].message.startswith("The seller's certificate cannot be read")
    assert checks["seller_signature"].result == "fail"


def test_expired_certificate_fails():
    checks = checks_of(factory.make_invoice(certificate=factory.expired_certificate()))
    assert checks["seller_signature"].result == "pass"
    check = checks["certificate"]
    assert check.result == "fail"
    assert check.message.endswith(
        "was not valid at SigningTime 2026-11-20T09:30:00: it is valid from "
        "2023-01-01 00:00:00 UTC to 2025-01-01 00:00:00 UTC."
    )


def test_certificate_of_another_seller_fails():
    other = factory.make_cert(factory.default_ca(), "3012345678")
    # signer.sign refuses such a certificate for our own invoices; a forger would not.
    data = factory.make_invoice(certificate=dataclasses.replace(other, tax_id=""))
    check = checks_of(data)["certificate"]
    assert check.result == "fail"
    assert check.message == (
        "The certificate belongs to MST 3012345678, the seller on the invoice is MST 0100109106."
    )


def test_certificate_without_uid_fails():
    cert = factory.make_cert(factory.default_ca(), uid="")
    check = checks_of(factory.make_invoice(certificate=cert))["certificate"]
    assert check.result == "fail"
    assert check.key == "certificate.no_uid"


def test_household_seller_with_citizen_id():
    citizen_id = "001089012345"
    cert = factory.make_cert(factory.default_ca(), citizen_id, uid="CCCD")
    checks = checks_of(factory.make_invoice(seller_tax_id=citizen_id, certificate=cert))
    assert checks["certificate"].result == "pass"
    assert checks["certificate"].params["id_kind"] == "CCCD"
    assert checks["seller_tax_id"].result == "pass"
    assert checks["seller_tax_id"].key == "seller_tax_id.citizen_id"


def test_branch_seller_certificate_matches_branch_mst():
    branch = "0100109106-001"
    cert = factory.make_cert(factory.default_ca(), branch)
    checks = checks_of(factory.make_invoice(seller_tax_id=branch, certificate=cert))
    assert checks["certificate"].result == "pass"
    assert checks["certificate"].params["cert_id"] == branch
    assert checks["seller_tax_id"].result == "pass"


def test_signing_time_after_now_fails():
    data = factory.make_invoice(signing_time=datetime.datetime(2027, 6, 1, 8, 0, 0))
    check = checks_of(data)["certificate"]
    assert check.result == "fail"
    assert check.key == "certificate.signed_in_future"


# -- tax ids ---------------------------------------------------------------------------------


def test_wrong_buyer_mst_fails(signed):
    check = checks_of(signed, buyer_tax_ids=["3012345678"])["buyer_tax_id"]
    assert check.result == "fail"
    assert check.message == "The buyer MST 0101243150 is not ours (3012345678)."


def test_buyer_branch_of_our_mst_is_a_warning():
    data = factory.make_invoice(buyer_tax_id="0101243150-002")
    check = checks_of(data)["buyer_tax_id"]
    assert check.result == "warning"
    assert check.key == "buyer_tax_id.branch"


def test_buyer_mst_compared_compacted():
    assert checks_of(factory.make_invoice(), ["VN 0101-243150"])["buyer_tax_id"].result == "pass"


def test_invoice_without_buyer_mst_fails():
    check = checks_of(factory.make_invoice(buyer_tax_id=""))["buyer_tax_id"]
    assert check.result == "fail"
    assert check.key == "buyer_tax_id.missing"


def test_seller_mst_with_a_wrong_check_digit_fails():
    bad = "0100109107"
    cert = factory.make_cert(factory.default_ca(), bad)
    check = checks_of(factory.make_invoice(seller_tax_id=bad, certificate=cert))["seller_tax_id"]
    assert check.result == "fail"
    assert check.message == "The seller MST 0100109107 is not a valid tax id (check digit or form)."


# -- forms of invoice ------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["2.0.0", "2.0.1", "2.1.0"])
def test_versions(version):
    data = factory.make_invoice(version=version)
    invoice = inbound.read(data)
    assert invoice.version == version
    assert results(checks_of(data)) == ALL_PASS


def test_read_values(signed):
    invoice = inbound.read(signed)
    assert (invoice.template, invoice.symbol, invoice.number) == ("1", "K26TAA", "42")
    assert invoice.date == datetime.date(2026, 11, 20)
    assert invoice.currency == "VND"
    assert (invoice.seller_tax_id, invoice.buyer_tax_id) == ("0100109106", "0101243150")
    assert invoice.seller_name == "Công ty TNHH Phân phối Sao Mai"
    assert [line.code for line in invoice.lines] == ["NM500", "CF250"]
    line = invoice.lines[1]
    assert (line.quantity, line.unit_price, line.discount_amount, line.amount) == (
        Decimal(3),
        Decimal(120000),
        Decimal(18000),
        Decimal(342000),
    )
    assert line.tax_rate == "8%"
    assert invoice.rate_totals == {
        "8%": (Decimal(342000), Decimal(27360)),
        "10%": (Decimal(850000), Decimal(85000)),
    }
    assert (invoice.total_untaxed, invoice.total_tax, invoice.total) == (
        Decimal(1192000),
        Decimal(112360),
        Decimal(1304360),
    )
    assert invoice.authority_code == ""
    assert invoice.key == ("0100109106", "1", "K26TAA", "42")
    assert invoice.related == {}


def test_read_adjustment_and_bank_details():
    data = factory.make_invoice(
        seller={"STKNHang": "0011004455667", "TNHang": "Vietcombank"},
        buyer={"MKHang": "KH-0042"},
        related={
            "TCHDon": "2",
            "LHDCLQuan": "1",
            "KHMSHDCLQuan": "1",
            "KHHDCLQuan": "K26TAA",
            "SHDCLQuan": "41",
            "NLHDCLQuan": datetime.date(2026, 11, 2),
        },
    )
    invoice = inbound.read(data)
    assert (invoice.seller_bank_account, invoice.seller_bank_name, invoice.buyer_code) == (
        "0011004455667",
        "Vietcombank",
        "KH-0042",
    )
    assert invoice.related["TCHDon"] == "2"
    assert invoice.related["SHDCLQuan"] == "41"
    assert invoice.related["NLHDCLQuan"] == "2026-11-02"


def test_duplicate_key_ignores_leading_zeros_and_dash():
    one = inbound.read(factory.make_invoice(number="42"))
    two = inbound.read(factory.make_invoice(number="00000042"))
    assert one.key == two.key


def _shuffle(root):
    rng = random.Random(8)
    for node in root.iter():
        kids = list(node)
        if len(kids) > 1:
            rng.shuffle(kids)
            node[:] = kids


def test_fields_in_shuffled_order():
    data = factory.make_invoice(before_signing=_shuffle)
    invoice = inbound.read(data)
    assert [child.tag for child in invoice.data.find("TTChung")][:3] != [
        "PBan",
        "THDon",
        "KHMSHDon",
    ]
    assert invoice.key == ("0100109106", "1", "K26TAA", "42")
    assert invoice.total == Decimal(1304360)
    assert results(checks_of(data)) == ALL_PASS


def test_elements_in_a_namespace_are_read():
    def namespaced(root):
        for node in root.iter():
            node.tag = "{urn:example:hdon}" + node.tag

    invoice = inbound.read(factory.make_invoice(sign=False, before_signing=namespaced))
    assert invoice.key == ("0100109106", "1", "K26TAA", "42")
    assert invoice.rate_totals["10%"] == (Decimal(850000), Decimal(85000))


def test_missing_mandatory_field_names_the_element():
    def drop_number(root):
        general = root.find("DLHDon/TTChung")
        general.remove(general.find("SHDon"))

    with pytest.raises(inbound.InboundError, match="HDon/DLHDon/TTChung/SHDon is missing"):
        inbound.read(factory.make_invoice(before_signing=drop_number, sign=False))


def test_bad_number_names_the_element():
    def bad_total(root):
        root.find("DLHDon/NDHDon/TToan/TgTTTBSo").text = "1.304.360"

    with pytest.raises(inbound.InboundError, match=r"TToan/TgTTTBSo '1\.304\.360' is not a number"):
        inbound.read(factory.make_invoice(before_signing=bad_total, sign=False))


def test_two_dlhdon_are_refused(signed):
    root = etree.fromstring(signed)
    root.insert(0, etree.fromstring(etree.tostring(root.find("DLHDon"))))
    with pytest.raises(inbound.InboundError, match="exactly one DLHDon child, found 2"):
        inbound.read(etree.tostring(root))


def test_tdiep_202_with_authority_signature_is_accepted():
    hdon = factory.make_invoice(with_code=True)
    data = factory.make_tdiep(hdon, "202", authority=factory.authority_cert())
    invoice = inbound.read(data)
    assert invoice.message_type == "202"
    assert invoice.sender == "TCT"
    assert len(invoice.authority_code) == 34
    checks = {c.code: c for c in inbound.verify(invoice, OURS, now=NOW, **trust())}
    assert results(checks) == {**ALL_PASS, "authority": "pass"}
    assert checks["authority"].key == "authority.ok"


def test_authority_signature_by_another_certificate_fails():
    forger = factory.make_cert(factory.default_ca(), "0312345678", common_name="TỔNG CỤC THUẾ")
    hdon = factory.make_invoice(with_code=True)
    data = factory.make_tdiep(hdon, "202", authority=forger)
    invoice = inbound.read(data)
    accepted = [factory.AUTHORITY_MST]
    checks = {c.code: c for c in inbound.verify(invoice, OURS, NOW, **trust())}
    check = checks["authority"]
    assert (check.result, check.key) == ("fail", "authority.not_authority")
    assert check.message.endswith(
        f"is not a tax authority certificate (accepted MST or names: {factory.AUTHORITY_MST})."
    )
    genuine = factory.make_tdiep(hdon, "202", authority=factory.authority_cert())
    checks = inbound.verify(inbound.read(genuine), OURS, NOW, **trust())
    assert checks[2].result == "pass"
    # Its MST is known but nobody checked who issued it: not proven.
    unchecked = inbound.verify(inbound.read(genuine), OURS, NOW, authority_tax_ids=accepted)
    assert (unchecked[2].result, unchecked[2].key) == ("warning", "authority.issuer_not_checked")


@pytest.mark.parametrize("party", ["seller", "buyer"])
def test_authority_signature_by_the_seller_or_the_buyer_fails(party):
    """Whatever is configured, the seller (or buyer) signing as the authority is a forgery."""
    tax_id = factory.SELLER_MST if party == "seller" else factory.BUYER_MST
    forger = factory.make_cert(factory.default_ca(), tax_id, common_name="TỔNG CỤC THUẾ")
    data = factory.make_invoice(authority=forger)
    for trusted in (True, False):
        check = checks_of(data, trusted=trusted)["authority"]
        assert (check.result, check.key) == ("fail", f"authority.signed_by_{party}")
        assert f"whose MST {tax_id} is the {party}'s" in check.message


def test_forgery_by_an_own_ca_is_not_verified_with_default_settings():
    """An attacker's CA signing as the seller and as "TỔNG CỤC THUẾ" (the authority's own
    MST): without trust settings nothing can pass, and each check says what it missed."""
    evil = factory.make_ca("Evil CA")
    data = factory.make_invoice(
        certificate=factory.make_cert(evil, factory.SELLER_MST),
        authority=factory.make_cert(evil, factory.AUTHORITY_MST, common_name="TỔNG CỤC THUẾ"),
    )
    checks = checks_of(data, trusted=False)
    assert checks["seller_signature"].result == "pass"
    assert (checks["certificate"].result, checks["certificate"].key) == (
        "warning",
        "certificate.ok_issuer_not_checked",
    )
    assert (checks["authority"].result, checks["authority"].key) == (
        "warning",
        "authority.not_identified",
    )
    assert "CN=Evil CA" in checks["authority"].message
    trusted = checks_of(data)
    assert trusted["certificate"].result == "fail"
    assert (trusted["authority"].result, trusted["authority"].key) == (
        "fail",
        "authority.untrusted_issuer",
    )


def test_authority_recognised_by_the_name_of_its_certificate():
    hdon = factory.make_invoice(with_code=True)
    data = factory.make_tdiep(hdon, "202", authority=factory.authority_cert())
    invoice = inbound.read(data)
    issuers = trust()["trusted_issuers"]
    named = inbound.verify(
        invoice, OURS, NOW, authority_names=["Tổng cục thuế"], trusted_issuers=issuers
    )
    assert named[2].result == "pass"
    other = inbound.verify(
        invoice, OURS, NOW, authority_names=["CỤC THUẾ"], trusted_issuers=issuers
    )
    assert (other[2].result, other[2].key) == ("fail", "authority.not_authority")


def test_bare_invoice_with_authority_code_and_signature_passes():
    data = factory.make_invoice(authority=factory.authority_cert())
    assert checks_of(data)["authority"].result == "pass"


def test_tdiep_202_with_a_wrong_authority_signature_is_refused():
    hdon = factory.make_invoice(with_code=True)
    data = factory.make_tdiep(hdon, "202", authority=factory.authority_cert())
    root = etree.fromstring(data)
    root.find("DLieu/HDon/MCCQT").text = "0" * 34  # not the code the authority signed
    check = checks_of(etree.tostring(root))["authority"]
    assert check.result == "fail"
    assert check.key == "signature.invalid"
    assert check.message == (
        "The signature does not verify: Signature is invalid. (the signed content was "
        "changed after signing, or the signature is forged)."
    )
    # The seller's signature does not cover MCCQT and still passes.
    assert checks_of(etree.tostring(root))["seller_signature"].result == "pass"


def test_tdiep_202_without_authority_signature_or_code_fails():
    hdon = factory.make_invoice(with_code=True)
    no_signature = factory.make_tdiep(hdon, "202", authority_code=factory.new_authority_code())
    check = checks_of(no_signature)["authority"]
    assert (check.result, check.key) == ("fail", "authority.no_signature")
    no_code = factory.make_tdiep(hdon, "202")
    check = checks_of(no_code)["authority"]
    assert (check.result, check.key) == ("fail", "authority.code_missing")


def test_invoice_with_code_symbol_but_no_mccqt_fails():
    check = checks_of(factory.make_invoice(with_code=True))["authority"]
    assert check.result == "fail"
    assert check.message == (
        "KHHDon C26TAA is an invoice with authority code, but the file has no MCCQT "
        "(message type -)."
    )


def test_tdiep_203_without_code_is_not_checked():
    data = factory.make_tdiep(factory.make_invoice(), "203")
    check = checks_of(data)["authority"]
    assert check.result == "not_checked"
    assert "message type 203" in check.message


def test_cash_register_code():
    hdon = factory.make_invoice(with_code=True, symbol="C26MAA")
    data = factory.make_tdiep(hdon, "206", authority_code="M1-26-AB12C-00000000001")
    invoice = inbound.read(data)
    assert invoice.authority_code == "M1-26-AB12C-00000000001"
    check = {c.code: c for c in inbound.verify(invoice, OURS, now=NOW)}["authority"]
    assert (check.result, check.key) == ("pass", "authority.cash_register")
    wrong_year = factory.make_tdiep(hdon, "206", authority_code="M1-25-AB12C-00000000001")
    assert checks_of(wrong_year)["authority"].result == "warning"
    bad = factory.make_tdiep(hdon, "206", authority_code="M1-26-AB12C-0000000001")
    check = checks_of(bad)["authority"]
    assert check.result == "fail"
    assert check.key == "authority.bad_code"


def test_other_message_types_are_refused():
    data = factory.make_tdiep(factory.make_invoice(), "204")
    with pytest.raises(inbound.InboundError, match="MLTDiep 204 is not an invoice message"):
        inbound.read(data)
    with pytest.raises(inbound.InboundError, match="root element TBao is neither"):
        inbound.read(b"<TBao/>")


def test_several_invoices_in_one_message():
    data = factory.make_tdiep(factory.make_invoice(), "203")
    root = etree.fromstring(data)
    second = etree.fromstring(factory.make_invoice(number="43"))
    root.find("DLieu").append(second)
    found = inbound.read_all(etree.tostring(root))
    assert [invoice.number for invoice in found] == ["42", "43"]
    assert inbound.find_invoice(root)[1]["count"] == 2


def test_invoices_of_one_message_sharing_an_id_each_verify():
    message = etree.fromstring(factory.make_tdiep(factory.make_invoice(data_id="data"), "203"))
    message.find("DLieu").append(
        etree.fromstring(factory.make_invoice(data_id="data", number="43"))
    )
    invoices = inbound.read_all(etree.tostring(message))
    assert [inv.number for inv in invoices] == ["42", "43"]
    for invoice in invoices:
        checks = {c.code: c for c in inbound.verify(invoice, OURS, now=NOW, **trust())}
        assert results(checks) == ALL_PASS


def test_signed_data_hidden_in_the_message_envelope_fails(signed):
    message = etree.fromstring(factory.make_tdiep(signed, "203"))
    hdon = message.find("DLieu/HDon")
    original = hdon.find("DLHDon")
    forged = etree.fromstring(etree.tostring(original))
    forged.set("Id", "forged")
    etree.SubElement(forged.find("NDHDon/NBan"), "STKNHang").text = factory.FORGED_ACCOUNT
    original.addprevious(forged)
    etree.SubElement(message, "Object").append(original)
    data = etree.tostring(message)
    # xmlsec over the whole message would accept it.
    again = etree.fromstring(data)
    signature = again.find("DLieu/HDon/DSCKS/NBan/{%s}Signature" % signer.DSIG)
    assert "MST:0100109106" in signer.verify(again, signature)
    check = checks_of(data)["seller_signature"]
    assert check.result == "fail"
    assert check.key == "signature.unresolved"


def test_reference_with_an_xpath_transform_is_refused():
    root = etree.fromstring(factory.make_invoice(sign=False))
    certificate = factory.default_cert()
    holder = etree.SubElement(etree.SubElement(root, "DSCKS"), "NBan")
    signature = xmlsec.template.create(
        holder, xmlsec.Transform.C14N, xmlsec.Transform.RSA_SHA256, ns="ds"
    )
    holder.append(signature)
    ref = xmlsec.template.add_reference(
        signature, xmlsec.Transform.SHA256, uri="#" + root.find("DLHDon").get("Id")
    )
    xpath = xmlsec.template.add_transform(ref, xmlsec.Transform.XPATH)
    etree.SubElement(xpath, "{%s}XPath" % signer.DSIG).text = "self::text()"
    obj = etree.SubElement(signature, "{%s}Object" % signer.DSIG, Id="st")
    props = etree.SubElement(obj, "{%s}SignatureProperties" % signer.DSIG)
    prop = etree.SubElement(props, "{%s}SignatureProperty" % signer.DSIG, Target="#sig")
    etree.SubElement(prop, "SigningTime").text = "2026-11-20T09:30:00"
    xmlsec.template.add_reference(signature, xmlsec.Transform.SHA256, uri="#st")
    x509_data = xmlsec.template.add_x509_data(xmlsec.template.ensure_key_info(signature))
    xmlsec.template.x509_data_add_certificate(x509_data)
    ctx = xmlsec.SignatureContext()
    key = xmlsec.Key.from_memory(certificate.key_pem, xmlsec.KeyFormat.PEM)
    key.load_cert_from_memory(certificate.cert_pem, xmlsec.KeyFormat.CERT_PEM)
    ctx.key = key
    ctx.register_id(root.find("DLHDon"), "Id")
    ctx.register_id(obj, "Id")
    ctx.sign(signature)
    data = etree.tostring(root)
    # The XPath keeps only text nodes: the invoice could be restructured at will.
    assert "MST:0100109106" in signer.verify(etree.fromstring(data))
    check = checks_of(data)["seller_signature"]
    assert check.result == "fail"
    assert check.message == (
        "The signature reference #DLHDon-0100109106-K26TAA-42 uses the transform "
        "http://www.w3.org/TR/1999/REC-xpath-19991116; only the enveloped signature and "
        "canonicalization transforms are accepted."
    )


def _add(root, path, delta):
    node = root.find(path)
    node.text = str(int(node.text) + delta)


def _provider_form(root):
    """The shapes seen in invoices of Vietnamese providers: empty optional elements, a fee
    list (DSLPhi) paid on top of the tax, an empty TTCKTMai."""
    payment = root.find("DLHDon/NDHDon/TToan")
    fees = etree.SubElement(payment, "DSLPhi")
    fee = etree.SubElement(fees, "LPhi")
    etree.SubElement(fee, "TLPhi").text = "Phí vận chuyển"
    etree.SubElement(fee, "TPhi").text = "20000"
    etree.SubElement(payment, "TTCKTMai")
    _add(root, "DLHDon/NDHDon/TToan/TgTTTBSo", 20000)
    payment.find("TgTTTBChu").text = amount_in_words(1324360) + "."
    etree.SubElement(root.find("DLHDon/NDHDon/NBan"), "STKNHang")


def _sign_like_a_provider(
    root, certificate, containers=("SignatureProperties", "SignatureProperty")
):
    """RSA-SHA1 with Ids "SignData"/"SigningTime", a KeyValue next to the certificate, the
    SigningTime in a namespace of its own with a "Z", then empty MCCQT, NMua, CQT, CCKSKhac
    and a second empty DSCKS, as some providers write them."""
    root.find("DLHDon").addnext(etree.Element("MCCQT"))
    signatures = etree.SubElement(root, "DSCKS")
    holder = etree.SubElement(signatures, "NBan")
    signature = xmlsec.template.create(
        holder, xmlsec.Transform.C14N, xmlsec.Transform.RSA_SHA1, name="proid"
    )
    signature.set("Id", "proid")
    holder.append(signature)
    ref = xmlsec.template.add_reference(signature, xmlsec.Transform.SHA1, uri="#SignData")
    xmlsec.template.add_transform(ref, xmlsec.Transform.ENVELOPED)
    xmlsec.template.add_reference(signature, xmlsec.Transform.SHA1, uri="#SigningTime")
    key_info = xmlsec.template.ensure_key_info(signature)
    xmlsec.template.add_key_value(key_info)
    x509_data = xmlsec.template.add_x509_data(key_info)
    xmlsec.template.x509_data_add_subject_name(x509_data).text = certificate.subject
    xmlsec.template.x509_data_add_certificate(x509_data)
    obj = etree.SubElement(signature, "{%s}Object" % signer.DSIG, Id="SigningTime")
    props = etree.SubElement(obj, containers[0], Id="SigProps")
    prop = etree.SubElement(props, containers[1], Target="#proid")
    etree.SubElement(
        prop, "{http://example.org/#signatureProperties}SigningTime"
    ).text = "2026-11-20T02:30:00Z"
    for name in ("NMua", "CQT", "CCKSKhac"):
        etree.SubElement(signatures, name)
    etree.SubElement(root, "DSCKS")
    ctx = xmlsec.SignatureContext()
    key = xmlsec.Key.from_memory(certificate.key_pem, xmlsec.KeyFormat.PEM)
    key.load_cert_from_memory(certificate.cert_pem, xmlsec.KeyFormat.CERT_PEM)
    ctx.key = key
    ctx.register_id(root.find("DLHDon"), "Id")
    ctx.register_id(obj, "Id")
    ctx.sign(signature)


@pytest.mark.parametrize(
    "containers",
    [("SignatureProperties", "SignatureProperty"), ("SignedProperties", "SignedProperty")],
)
def test_invoice_in_the_form_of_a_provider(containers):
    data = factory.make_invoice(sign=False, data_id="SignData", before_signing=_provider_form)
    root = etree.fromstring(data)
    _sign_like_a_provider(root, factory.default_cert(), containers)
    data = factory.make_tdiep(etree.tostring(root), "203")
    invoice = inbound.read(data)
    assert (invoice.total_fees, invoice.total_discount, invoice.authority_code) == (
        Decimal(20000),
        None,
        "",
    )
    checks = {c.code: c for c in inbound.verify(invoice, OURS, now=NOW, **trust())}
    assert results(checks) == ALL_PASS
    assert checks["seller_signature"].params["algorithm"] == "RSA-SHA1"
    assert checks["certificate"].params["signing_time"] == "2026-11-20T02:30:00Z"


def test_certificates_from_a_trusted_certification_authority():
    ca = factory.default_ca()
    pem = ca.certificate.public_bytes(serialization.Encoding.PEM)
    hdon = factory.make_invoice(with_code=True)
    data = factory.make_tdiep(hdon, "202", authority=factory.authority_cert())
    accepted = [factory.AUTHORITY_MST]
    checks = inbound.verify(
        inbound.read(data), OURS, NOW, trusted_issuers=[pem], authority_tax_ids=accepted
    )
    assert [check.result for check in checks[:3]] == ["pass", "pass", "pass"]
    assert checks[1].key == "certificate.ok"
    assert f"issued by the trusted {ca.name.rfc4514_string()}" in checks[1].message
    untrusted = inbound.verify(inbound.read(data), OURS, NOW)[1]
    assert (untrusted.result, untrusted.key) == ("warning", "certificate.ok_issuer_not_checked")
    assert "was not checked (no trusted certification authority is configured)" in (
        untrusted.message
    )


def test_certificate_minted_by_another_authority_fails_when_issuers_are_trusted():
    """Anyone can make a certificate saying UID=MST:<seller>: only its issuer tells."""
    forger_ca = factory.make_ca("Forger CA")
    forged = factory.make_cert(forger_ca, factory.SELLER_MST)
    hdon = factory.make_invoice(certificate=forged, with_code=True)
    data = factory.make_tdiep(hdon, "202", authority=factory.make_cert(forger_ca, "0100231226"))
    trusted = [factory.default_ca().certificate]
    checks = {
        c.code: c
        for c in inbound.verify(
            inbound.read(data),
            OURS,
            NOW,
            trusted_issuers=trusted,
            authority_tax_ids=[factory.AUTHORITY_MST],
        )
    }
    assert checks["seller_signature"].result == "pass"
    assert checks["certificate"].result == "fail"
    assert checks["certificate"].message == (
        f"Certificate {forged.subject} was issued by CN=Forger CA,C=VN, which is not one of "
        "the trusted certification authorities."
    )
    assert (checks["authority"].result, checks["authority"].key) == (
        "fail",
        "authority.untrusted_issuer",
    )


@pytest.fixture(scope="module")
def national_root():
    """A root CA and a licensed CA under it, like Vietnam's national root and its CAs."""
    root = factory.make_ca("Test national root CA")
    return root, factory.make_ca("Test licensed CA", issuer=root)


def test_certificate_chained_to_a_trusted_root_through_an_embedded_intermediate(national_root):
    root, licensed = national_root
    cert = factory.make_cert(licensed, factory.SELLER_MST)
    data = factory.make_invoice(certificate=cert)
    trusted = [root.certificate]
    alone = inbound.verify(inbound.read(data), OURS, NOW, trusted_issuers=trusted)[1]
    assert (alone.result, alone.key) == ("fail", "certificate.untrusted_issuer")
    chained = factory.add_chain(data, licensed)
    checks = inbound.verify(inbound.read(chained), OURS, NOW, trusted_issuers=trusted)
    assert checks[0].result == "pass"  # KeyInfo is not signed: adding to it changes nothing
    assert (checks[1].result, checks[1].key) == ("pass", "certificate.ok")
    direct = inbound.verify(inbound.read(data), OURS, NOW, trusted_issuers=[licensed.certificate])
    assert direct[1].result == "pass"


def test_an_intermediate_not_issued_by_the_trusted_root_does_not_chain(national_root):
    root, _licensed = national_root
    forger = factory.make_ca("Test licensed CA")  # same name, own key: not issued by root
    cert = factory.make_cert(forger, factory.SELLER_MST)
    data = factory.add_chain(factory.make_invoice(certificate=cert), forger)
    check = inbound.verify(inbound.read(data), OURS, NOW, trusted_issuers=[root.certificate])[1]
    assert (check.result, check.key) == ("fail", "certificate.untrusted_issuer")


def test_every_check_message_has_a_vietnamese_translation():
    """The Odoo model shows the English template of ``key`` through env._(): each one
    needs its vi.po entry, with the same placeholders."""
    i18n = Path(inbound.__file__).resolve().parent.parent / "i18n"
    translations = {entry.msgid: entry.msgstr for entry in polib.pofile(str(i18n / "vi.po"))}
    template = {entry.msgid for entry in polib.pofile(str(i18n / "einvoice_vn.pot"))}
    for key, text in inbound.MESSAGES.items():
        assert text in template, key
        assert translations.get(text), key
        placeholders = sorted(re.findall(r"%\((\w+)\)[sr]", text))
        assert sorted(re.findall(r"%\((\w+)\)[sr]", translations[text])) == placeholders, key


def test_every_user_facing_string_of_the_addon_has_a_vietnamese_translation():
    """Every literal given to env._() / _() in the addon's Python code has its vi.po
    entry (the exporter finds them; a missing one shows English to Vietnamese users)."""
    addon = Path(inbound.__file__).resolve().parent.parent
    translations = {entry.msgid: entry.msgstr for entry in polib.pofile(str(addon / "i18n/vi.po"))}
    missing = []
    for path in sorted(addon.rglob("*.py")):
        if "tests" in path.relative_to(addon).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            first = node.args[0]
            if (
                name in ("_", "_lt")
                and isinstance(first, ast.Constant)
                and not translations.get(first.value)
            ):
                missing.append(f"{path.name}:{node.lineno}: {first.value[:60]}")
    assert not missing, "\n".join(missing)
