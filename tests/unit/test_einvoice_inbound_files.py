"""Supplier e-invoices in: hostile files, ZIPs, amounts, amounts in words and the seller
status service, without Odoo."""

from decimal import Decimal

import pytest
from einvoice_tests import supplier_invoices as factory
from einvoice_tests.status_server import StatusServer
from einvoice_tools import inbound
from einvoice_tools.amount_words import amount_in_words
from num2words import num2words
from test_einvoice_inbound import ALL_PASS, NOW, OURS, checks_of, results


@pytest.fixture(scope="module")
def signed():
    return factory.make_invoice()


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
    with pytest.raises(inbound.InboundError, match="DOCTYPE"):
        inbound.parse_xml(text.encode(encoding))
    assert sink.state.requests == []


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_doctype_in_utf16_or_utf32_without_bom_is_seen_by_the_scan(encoding):
    """libxml2 detects these encodings from the first bytes (lxml 4.9 then reads
    file:///etc/hostname into the element): the scan must read them too."""
    data = factory.xxe_payload("file:///etc/hostname").decode().encode(encoding)
    assert b"<!DOCTYPE HDon" in inbound.xml_text(data)
    with pytest.raises(inbound.InboundError, match="DOCTYPE declaration; DTDs and entities"):
        inbound.parse_xml(data)


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
        "Amounts differ by rounding only (written ≠ computed): HHDVu[1]/ThTien 850001 ≠ 850000."
    )


def test_difference_beyond_one_dong_fails():
    check = checks_of(factory.make_invoice(before_signing=_round_line(2)))["amounts"]
    assert check.result == "fail"
    assert "HHDVu[1]/ThTien 850002 ≠ 850000" in check.message


def test_per_rate_total_that_does_not_add_up_fails():
    def edit(root):
        _add(root, "DLHDon/NDHDon/TToan/THTTLTSuat/LTSuat[TSuat='8%']/TThue", 500)

    check = checks_of(factory.make_invoice(before_signing=edit))["amounts"]
    assert check.result == "fail"
    assert "LTSuat[8%]/TThue 27860 ≠ 27360" in check.message
    assert "TgTThue 112360 ≠ 112860" in check.message


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
    trusted = [factory.default_ca().certificate]
    checks = {c.code: c for c in inbound.verify(invoice, OURS, now=NOW, trusted_issuers=trusted)}
    assert results(checks) == ALL_PASS


def test_sales_invoice_without_vat_totals():
    # The builder writes a sales invoice (KHMSHDon 2) with the rows of its own table: no
    # TSuat, THTTLTSuat, TgTCThue nor TgTThue.
    lines = [{**line, "tax": "KCT"} for line in factory.DEFAULT_LINES]
    data = factory.make_invoice(template="2", lines=lines)
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
