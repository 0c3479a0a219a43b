"""Supplier e-invoices in: hardened parsing, reading and the checks, without Odoo."""

import dataclasses
import datetime
import random
from decimal import Decimal

import pytest
import xmlsec
from cryptography.hazmat.primitives import serialization
from einvoice_tests import supplier_invoices as factory
from einvoice_tests.status_server import StatusServer
from einvoice_tools import inbound, signer
from einvoice_tools.amount_words import amount_in_words
from lxml import etree
from num2words import num2words

OURS = [factory.BUYER_MST]
NOW = datetime.datetime(2026, 11, 27, tzinfo=datetime.timezone.utc)


def checks_of(data, buyer_tax_ids=OURS):
    invoice = inbound.read(data)
    return {check.code: check for check in inbound.verify(invoice, buyer_tax_ids, now=NOW)}


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
    assert "TgTTTBSo is 99000000, computed 1304360" in checks["amounts"].message


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
    assert "not to this HDon's DLHDon" in check.message
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
        "expected": "this HDon's DLHDon or the SigningTime object of this signature",
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


# -- hardened parsing ------------------------------------------------------------------------


@pytest.fixture()
def sink():
    """A local HTTP server: any request it gets means the parser went to the network."""
    with StatusServer() as server:
        yield server


def test_xxe_with_http_entity_is_refused_without_a_request(sink):
    data = factory.xxe_payload(f"{sink.base_url}/xxe")
    with pytest.raises(inbound.InboundError, match="DOCTYPE declaration"):
        inbound.read(data)
    assert sink.state.requests == []


def test_xxe_with_file_entity_is_refused():
    with pytest.raises(inbound.InboundError, match="DOCTYPE"):
        inbound.parse_xml(factory.xxe_payload("file:///etc/passwd"))


def test_external_dtd_is_refused_without_a_request(sink):
    with pytest.raises(inbound.InboundError, match="DOCTYPE"):
        inbound.read(factory.external_dtd_payload(f"{sink.base_url}/invoice.dtd"))
    assert sink.state.requests == []


def test_billion_laughs_is_refused():
    with pytest.raises(inbound.InboundError, match="DTDs and entities are refused"):
        inbound.parse_xml(factory.billion_laughs())


def test_doctype_hidden_in_utf16_is_refused(sink):
    data = (
        factory.xxe_payload(f"{sink.base_url}/xxe")
        .decode()
        .replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>')
    )
    with pytest.raises(inbound.InboundError, match="DOCTYPE"):
        inbound.parse_xml(data.encode("utf-16"))
    assert sink.state.requests == []


@pytest.mark.parametrize("encoding", ["utf-32", "cp037"])
def test_doctype_in_an_encoding_the_scan_cannot_read_is_refused_after_parsing(sink, encoding):
    text = factory.xxe_payload(f"{sink.base_url}/xxe").decode()
    text = text.replace('<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{encoding}"?>')
    with pytest.raises(inbound.InboundError, match="DOCTYPE declaration; DTDs are refused"):
        inbound.parse_xml(text.encode(encoding))
    assert sink.state.requests == []


def test_entity_declaration_without_doctype_keyword_case_is_refused():
    with pytest.raises(inbound.InboundError, match="refused"):
        inbound.parse_xml(b'<!doctype HDon [<!ENTITY a "b">]><HDon>&a;</HDon>')


def test_size_and_depth_caps():
    with pytest.raises(inbound.InboundError, match="more than the"):
        inbound.parse_xml(b"<HDon>" + b" " * inbound.MAX_FILE_BYTES + b"</HDon>")
    deep = b"<a>" * (inbound.MAX_DEPTH + 1) + b"</a>" * (inbound.MAX_DEPTH + 1)
    with pytest.raises(inbound.InboundError, match="deeper than"):
        inbound.parse_xml(deep)


def test_not_xml_is_refused():
    with pytest.raises(inbound.InboundError, match="not well-formed"):
        inbound.parse_xml(b"<HDon><DLHDon></HDon>")


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
    checks = {c.code: c for c in inbound.verify(invoice, OURS, now=NOW)}
    assert results(checks) == {**ALL_PASS, "authority": "pass"}
    assert checks["authority"].key == "authority.ok"


def test_authority_signature_by_another_certificate_fails():
    forger = factory.make_cert(
        factory.default_ca(), factory.SELLER_MST, common_name="TỔNG CỤC THUẾ"
    )
    hdon = factory.make_invoice(with_code=True)
    data = factory.make_tdiep(hdon, "202", authority=forger)
    invoice = inbound.read(data)
    accepted = [factory.AUTHORITY_MST]
    checks = {c.code: c for c in inbound.verify(invoice, OURS, NOW, authority_tax_ids=accepted)}
    check = checks["authority"]
    assert (check.result, check.key) == ("fail", "authority.not_authority")
    assert check.message.endswith(
        f"is not a tax authority certificate (accepted MST or names: {factory.AUTHORITY_MST})."
    )
    genuine = factory.make_tdiep(hdon, "202", authority=factory.authority_cert())
    checks = inbound.verify(inbound.read(genuine), OURS, NOW, authority_tax_ids=accepted)
    assert checks[2].result == "pass"


def test_authority_recognised_by_the_name_of_its_certificate():
    hdon = factory.make_invoice(with_code=True)
    data = factory.make_tdiep(hdon, "202", authority=factory.authority_cert())
    invoice = inbound.read(data)
    named = inbound.verify(invoice, OURS, NOW, authority_names=["Tổng cục thuế"])
    assert named[2].result == "pass"
    other = inbound.verify(invoice, OURS, NOW, authority_names=["CỤC THUẾ"])
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
    assert check.message.startswith("The tax authority's signature is refused: The signature")
    assert "does not verify" in check.message
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
        "(message type none, bare HDon)."
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


# -- amounts and words -----------------------------------------------------------------------


def _add(root, path, delta):
    node = root.find(path)
    node.text = str(int(node.text) + delta)


def _round_line(delta):
    def edit(root):
        for path in (
            "DLHDon/NDHDon/DSHHDVu/HHDVu/ThTien",
            "DLHDon/NDHDon/TToan/THTTLTSuat/LTSuat[TSuat='10%']/ThTien",
            "DLHDon/NDHDon/TToan/TgTCThue",
            "DLHDon/NDHDon/TToan/TgTTTBSo",
        ):
            _add(root, path, delta)
        total = int(root.findtext("DLHDon/NDHDon/TToan/TgTTTBSo"))
        root.find("DLHDon/NDHDon/TToan/TgTTTBChu").text = amount_in_words(total)

    return edit


def test_rounding_within_one_dong_is_a_warning():
    check = checks_of(factory.make_invoice(before_signing=_round_line(1)))["amounts"]
    assert check.result == "warning"
    assert check.message == (
        "Amounts differ by rounding only: line 1 ThTien is 850001, computed 850000."
    )


def test_difference_beyond_one_dong_fails():
    check = checks_of(factory.make_invoice(before_signing=_round_line(2)))["amounts"]
    assert check.result == "fail"
    assert "line 1 ThTien is 850002, computed 850000" in check.message


def test_per_rate_total_that_does_not_add_up_fails():
    def edit(root):
        _add(root, "DLHDon/NDHDon/TToan/THTTLTSuat/LTSuat[TSuat='8%']/TThue", 500)

    check = checks_of(factory.make_invoice(before_signing=edit))["amounts"]
    assert check.result == "fail"
    assert "tax at 8% is 27860, computed 27360" in check.message
    assert "TgTThue is 112360, computed 112860" in check.message


def _words(text):
    def edit(root):
        root.find("DLHDon/NDHDon/TToan/TgTTTBChu").text = text

    return edit


@pytest.mark.parametrize(
    "words",
    [
        "một triệu ba trăm lẻ bốn nghìn ba trăm sáu mươi đồng",
        "Một triệu, ba trăm lẻ bốn nghìn, ba trăm sáu mươi đồng chẵn.",
        "Một triệu ba trăm lẻ bốn nghìn ba trăm sáu mươi VND",
        "MỘT TRIỆU BA TRĂM LẺ BỐN NGHÌN BA TRĂM SÁU MƯƠI ĐỒNG",
        "Một triệu ba trăm lẻ bốn nghìn ba trăm sáu mươi",
    ],
)
def test_words_differing_in_case_punctuation_or_suffix_pass(words):
    check = checks_of(factory.make_invoice(before_signing=_words(words)))["words"]
    assert (check.result, check.key) == ("pass", "words.ok")


@pytest.mark.parametrize(
    "words",
    [
        "Một triệu ba trăm linh bốn ngàn ba trăm sáu mươi đồng",
        "Một triệu ba trăm lẻ tư nghìn ba trăm sáu mươi đồng chẵn",
        "Một triệu ba trăm bốn nghìn ba trăm sáu mươi VND",
    ],
)
def test_words_variants_are_warnings(words):
    check = checks_of(factory.make_invoice(before_signing=_words(words)))["words"]
    assert check.result == "warning"
    assert check.key == "words.variant"


def test_words_of_another_amount_fail():
    words = "Một triệu ba trăm lẻ năm nghìn ba trăm sáu mươi đồng"
    check = checks_of(factory.make_invoice(before_signing=_words(words)))["words"]
    assert check.result == "fail"
    assert check.message == f"The amount in words {words!r} says 1305360, the total is 1304360."


def test_words_that_are_no_number_fail():
    check = checks_of(factory.make_invoice(before_signing=_words("Xem hóa đơn đính kèm")))
    assert check["words"].result == "fail"
    assert check["words"].key == "words.unreadable"


@pytest.mark.parametrize(
    "amount", [0, 5, 15, 21, 105, 1005, 10_050, 1_000_001, 25_000_000_000, 1_234_567_891_234]
)
def test_words_read_back_our_words_and_num2words(amount):
    assert inbound.words_to_amount(amount_in_words(amount)) == amount
    assert inbound.words_to_amount(num2words(amount, lang="vi") + " đồng") == amount


def test_words_with_minor_unit():
    assert inbound.words_to_amount(amount_in_words(Decimal("1250.75"), "USD")) == Decimal("1250.75")


# -- files -----------------------------------------------------------------------------------


def test_zip_with_xml_and_pdf(signed):
    documents = inbound.unpack("HD42.zip", factory.zip_with_pdf(signed))
    assert [name for name, _data in documents] == ["HD_0000042.xml"]
    assert inbound.read(documents[0][1]).number == "42"


def test_plain_xml_passes_through(signed):
    assert inbound.unpack("HD42.xml", signed) == [("HD42.xml", signed)]


def test_zip_bomb_is_refused():
    bomb = factory.zip_bomb()
    assert len(bomb) < 200_000
    with pytest.raises(inbound.InboundError, match="ZIP"):
        inbound.unpack("bomb.zip", bomb)


def test_zip_with_too_many_members_is_refused(signed):
    members = [(f"{i}.xml", signed) for i in range(inbound.MAX_ZIP_MEMBERS + 1)]
    with pytest.raises(inbound.InboundError, match="holds 51 files"):
        inbound.unpack("many.zip", factory.zip_of(*members))


def test_nested_zip_is_not_followed(signed):
    inner = factory.zip_of(("HD.xml", signed))
    with pytest.raises(inbound.InboundError, match="holds no XML invoice"):
        inbound.unpack("outer.zip", factory.zip_of(("inner.zip", inner)))


def test_other_files_are_refused():
    with pytest.raises(inbound.InboundError, match="neither an XML file nor a ZIP"):
        inbound.unpack("HD.pdf", b"%PDF-1.4 ...")


# -- seller status ---------------------------------------------------------------------------


@pytest.fixture()
def status_service():
    with StatusServer() as server:
        server.state.statuses.update({"0100109106": "00", "3012345678": "01", "001089012345": "04"})
        yield server


def test_lookup_status(status_service):
    assert inbound.lookup_status(status_service.url, "0100-109106") == "00"
    assert inbound.lookup_status(status_service.url, "3012345678") == "01"
    assert inbound.lookup_status(status_service.url, "001089012345") == "04"
    assert status_service.state.requests[0][1] == "/status?mst=0100109106"
    assert [inbound.is_active(code) for code in ("00", "04", "01", "05")] == [
        True,
        True,
        False,
        False,
    ]
    assert inbound.STATUS_LABELS["07"] == "awaiting bankruptcy"


def test_lookup_status_sends_the_token(status_service):
    status_service.state.token = "s3cret"
    assert inbound.lookup_status(status_service.url, "0100109106", token="s3cret") == "00"
    with pytest.raises(inbound.StatusLookupError, match="refused the token") as error:
        inbound.lookup_status(status_service.url, "0100109106", token="wrong")
    assert not error.value.retryable


@pytest.mark.parametrize(
    ("behaviour", "retryable", "message"),
    [
        ("error500", True, "answered HTTP 500"),
        ("timeout", True, "unreachable"),
        ("garbage", False, "not JSON"),
    ],
)
def test_lookup_status_errors_are_sorted(status_service, behaviour, retryable, message):
    status_service.state.script = [behaviour]
    status_service.state.delay = 1.0
    with pytest.raises(inbound.StatusLookupError, match=message) as error:
        inbound.lookup_status(status_service.url, "0100109106", timeout=0.3)
    assert error.value.retryable is retryable


def test_lookup_status_unknown_tax_id_and_refused_connection(status_service):
    with pytest.raises(inbound.StatusLookupError, match="does not know it") as error:
        inbound.lookup_status(status_service.url, "0101243150")
    assert error.value.kind == inbound.FINAL
    closed = StatusServer()
    url = closed.url
    closed.httpd.server_close()
    with pytest.raises(inbound.StatusLookupError, match="unreachable") as error:
        inbound.lookup_status(url, "0100109106", timeout=1)
    assert error.value.retryable


def test_trade_discount_and_promotion_lines_add_up():
    lines = [
        *factory.DEFAULT_LINES,
        {"nature": "promotion", "name": "Ly thủy tinh khuyến mại", "uom": "Cái", "quantity": 1},
        {"nature": "discount", "name": "Chiết khấu thương mại", "amount": 50000, "tax": "10%"},
    ]
    invoice = inbound.read(factory.make_invoice(lines=lines))
    assert [line.kind for line in invoice.lines] == [1, 1, 2, 3]
    assert invoice.rate_totals["10%"] == (Decimal(800000), Decimal(80000))
    checks = {c.code: c for c in inbound.verify(invoice, OURS, now=NOW)}
    assert results(checks) == ALL_PASS


def test_sales_invoice_without_vat_totals():
    def no_vat(root):
        payment = root.find("DLHDon/NDHDon/TToan")
        payment.remove(payment.find("THTTLTSuat"))
        payment.remove(payment.find("TgTThue"))
        for item in root.iterfind("DLHDon/NDHDon/DSHHDVu/HHDVu"):
            item.remove(item.find("TSuat"))

    lines = [{**line, "tax": "KCT"} for line in factory.DEFAULT_LINES]
    data = factory.make_invoice(template="2", lines=lines, before_signing=no_vat)
    invoice = inbound.read(data)
    assert (invoice.rate_totals, invoice.total_tax) == ({}, None)
    assert results(checks_of(data)) == ALL_PASS


def test_foreign_currency_invoice():
    lines = [{"code": "SV1", "name": "Dịch vụ tư vấn", "quantity": 3, "price": "1250.25",
              "tax": "10%"}]  # fmt: skip
    data = factory.make_invoice(currency="USD", lines=lines)
    invoice = inbound.read(data)
    assert (invoice.currency, invoice.exchange_rate) == ("USD", Decimal(25000))
    assert invoice.total == Decimal("4125.83")
    assert results(checks_of(data)) == ALL_PASS


def test_a_check_that_cannot_run_fails_visibly(signed):
    invoice = inbound.read(signed)
    invoice.total = None  # as a caller could leave it: the amount checks cannot run
    checks = {c.code: c for c in inbound.verify(invoice, OURS, now=NOW)}
    assert list(checks) == list(inbound.CHECK_CODES)
    assert (checks["amounts"].result, checks["amounts"].key) == ("fail", "check.error")
    assert checks["words"].result == "fail"
    assert checks["seller_signature"].result == "pass"


def test_invoices_of_one_message_sharing_an_id_each_verify():
    message = etree.fromstring(factory.make_tdiep(factory.make_invoice(data_id="data"), "203"))
    message.find("DLieu").append(
        etree.fromstring(factory.make_invoice(data_id="data", number="43"))
    )
    invoices = inbound.read_all(etree.tostring(message))
    assert [inv.number for inv in invoices] == ["42", "43"]
    for invoice in invoices:
        checks = {c.code: c for c in inbound.verify(invoice, OURS, now=NOW)}
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


def _sign_like_a_provider(root, certificate):
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
    props = etree.SubElement(obj, "SignatureProperties", Id="SigProps")
    prop = etree.SubElement(props, "SignatureProperty", Target="#proid")
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


def test_invoice_in_the_form_of_a_provider():
    data = factory.make_invoice(sign=False, data_id="SignData", before_signing=_provider_form)
    root = etree.fromstring(data)
    _sign_like_a_provider(root, factory.default_cert())
    data = factory.make_tdiep(etree.tostring(root), "203")
    invoice = inbound.read(data)
    assert (invoice.total_fees, invoice.total_discount, invoice.authority_code) == (
        Decimal(20000),
        None,
        "",
    )
    checks = {c.code: c for c in inbound.verify(invoice, OURS, now=NOW)}
    assert results(checks) == ALL_PASS
    assert checks["seller_signature"].params["algorithm"] == "RSA-SHA1"
    assert checks["certificate"].params["signing_time"] == "2026-11-20T02:30:00Z"


def test_certificates_from_a_trusted_certification_authority():
    ca = factory.default_ca()
    pem = ca.certificate.public_bytes(serialization.Encoding.PEM)
    hdon = factory.make_invoice(with_code=True)
    data = factory.make_tdiep(hdon, "202", authority=factory.authority_cert())
    checks = inbound.verify(inbound.read(data), OURS, NOW, trusted_issuers=[pem])
    assert [check.result for check in checks[:3]] == ["pass", "pass", "pass"]
    assert checks[1].key == "certificate.ok"
    assert f"issued by the trusted {ca.name.rfc4514_string()}" in checks[1].message
    untrusted = inbound.verify(inbound.read(data), OURS, NOW)[1]
    assert (untrusted.result, untrusted.key) == ("pass", "certificate.ok_issuer_not_checked")
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
        c.code: c for c in inbound.verify(inbound.read(data), OURS, NOW, trusted_issuers=trusted)
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
