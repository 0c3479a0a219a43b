"""An answer of the T-VAN is taken only when it is tied to what we sent (QĐ 1450, TTChung):
its MTDTChieu is our message's MTDiep (a 999 also in TBao/MTDiep), its MST the seller's,
the invoices it speaks of the ones sent (301 DSHDon/HDon: KHMSHDon, KHHDon, SHDon, TCTBao;
204 LCMa), and a 204 (01/TB-KTDL) carries the authority's signature like the 202 and 301.
First against the readers of ``tools/tdiep.py``, then through the T-VAN client against the
tests' own T-VAN on 127.0.0.1 (which can answer with each of these hostile messages)."""

import datetime
import uuid

import pytest
from cryptography.hazmat.primitives import serialization
from einvoice_tests import provider_server
from einvoice_tests import supplier_invoices as factory
from einvoice_tools import notice, providers, signer, tdiep

SELLER = "0100109106"
OTHER_SELLER = "0109876543"
OURS = tdiep.message_id(SELLER, "0f1e2d3c-4b5a-4697-8877-665544332211")
ANOTHER = tdiep.message_id(SELLER, "11111111-2222-4333-8444-555555555555")
INVOICE = {"KHMSHDon": "1", "KHHDon": "C26TAA", "SHDon": "7", "NLap": "2026-11-20"}
KEY = (SELLER, "1", "C26TAA", "7")


@pytest.fixture(scope="module")
def keys():
    return provider_server.authority_keys()


@pytest.fixture(scope="module")
def trust(keys):
    return {
        "authority_tax_ids": [provider_server.AUTHORITY_MST],
        "trusted_issuers": [keys[0].certificate.public_bytes(serialization.Encoding.PEM)],
    }


def signed_notice(number="7", nature="cancel"):
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
                    "number": number,
                    "date": datetime.date(2026, 11, 20),
                    "nature": nature,
                    "reason": "Hủy",
                }
            ],
        }
    )
    signer.sign(root, factory.default_cert(SELLER), holder="NNT", signature_id="NNT")
    return root


def answer_301(keys, answered=None, reference=OURS, tax_id=SELLER, data_tax_id=SELLER):
    """A 301 signed by the authority, answering the notice ``answered`` (ours by default)."""
    answered = answered if answered is not None else signed_notice()
    answered.find("DLTBao/MST").text = data_tax_id
    answer = tdiep.notice_answer_tbao(answered)
    signer.sign(
        answer, keys[1], signature_id="CQT", holder="CQT", extra_references=[answer.find("STBao")]
    )
    return tdiep.parse(
        tdiep.to_bytes(
            tdiep.build("301", "TCT", SELLER, answer, reference=reference, tax_id=tax_id)
        )
    )


def read_301(message, trust):
    return tdiep.read_notice_answer(
        message, SELLER, **trust, reference=OURS, notice=tdiep.to_bytes(signed_notice())
    )


# -- 301 --------------------------------------------------------------------------------------


def test_301_answering_our_notice_is_read(keys, trust):
    answer = read_301(answer_301(keys), trust)
    assert answer.accepted and answer.check.result == "pass"


def test_301_answering_another_message_is_refused(keys, trust):
    with pytest.raises(tdiep.AnswerRefused, match=f"answers message {ANOTHER}, not ours"):
        read_301(answer_301(keys, reference=ANOTHER), trust)


@pytest.mark.parametrize(
    ("where", "options"),
    [
        ("TTChung/MST", {"tax_id": OTHER_SELLER}),
        ("DLTBao/MST", {"data_tax_id": OTHER_SELLER}),
    ],
)
def test_301_for_another_seller_is_refused(keys, trust, where, options):
    with pytest.raises(tdiep.AnswerRefused, match=f"taxpayer {OTHER_SELLER} \\({where}\\)"):
        read_301(answer_301(keys, **options), trust)


@pytest.mark.parametrize(
    "answered",
    [{"number": "8"}, {"nature": "adjust"}],
    ids=["other SHDon", "other TCTBao"],
)
def test_301_answering_another_invoice_is_refused(keys, trust, answered):
    with pytest.raises(tdiep.AnswerRefused, match="which our notice does not notify"):
        read_301(answer_301(keys, signed_notice(**answered)), trust)


def test_301_answering_none_of_our_invoices_is_refused(keys, trust):
    answered = signed_notice()
    lines = answered.find("DLTBao/DSHDon")
    for line in list(lines):
        lines.remove(line)
    with pytest.raises(tdiep.AnswerRefused, match="does not answer the invoice"):
        read_301(answer_301(keys, answered), trust)


# -- 999 --------------------------------------------------------------------------------------


def test_999_acknowledging_our_message_is_read():
    receipt = tdiep.read_receipt(
        tdiep.parse(tdiep.to_bytes(tdiep.build_receipt("V1", SELLER, OURS))), reference=OURS
    )
    assert receipt.ok and receipt.reference == OURS


def test_999_acknowledging_another_message_is_refused():
    other = tdiep.parse(tdiep.to_bytes(tdiep.build_receipt("V1", SELLER, ANOTHER)))
    with pytest.raises(tdiep.AnswerRefused, match=f"acknowledges {ANOTHER}, not ours"):
        tdiep.read_receipt(other, reference=OURS)
    # MTDTChieu ours, but TBao/MTDiep (the message it acknowledges) another one.
    mixed = tdiep.build_receipt("V1", SELLER, OURS)
    mixed.find("DLieu/TBao/MTDiep").text = ANOTHER
    with pytest.raises(tdiep.AnswerRefused, match="acknowledges"):
        tdiep.read_receipt(tdiep.parse(tdiep.to_bytes(mixed)), reference=OURS)


# -- 204 --------------------------------------------------------------------------------------


def check_204(certificate, invoice=INVOICE, reference=OURS, tax_id=SELLER, reasons=None):
    reasons = [("3", "MST người mua sai")] if reasons is None else reasons
    return tdiep.build_check_result(
        "TCT", SELLER, reference, tax_id, invoice, reasons, certificate=certificate
    )


def read_204(root, trust):
    return tdiep.read_check_result(
        tdiep.parse(tdiep.to_bytes(root)), SELLER, **trust, reference=OURS, expected_key=KEY
    )


def test_204_signed_by_the_authority_about_our_invoice_is_read(keys, trust):
    result = read_204(check_204(keys[1]), trust)
    assert (result.valid, result.check.result) == (False, "pass")
    assert [str(reason) for reason in result.reasons] == [
        "[3] MST người mua sai (MST người mua sai)"
    ]


def test_204_without_or_with_a_wrong_signature_is_refused(keys, trust):
    with pytest.raises(tdiep.AuthorityRefused, match="holds 0 signatures"):
        read_204(check_204(None), trust)
    with pytest.raises(tdiep.AuthorityRefused, match="not a tax authority"):
        read_204(check_204(keys[2]), trust)
    changed = check_204(keys[1])
    changed.find("DLieu/TBao/DLTBao/LCMa/DSLDo/LDo/MTLoi").text = "Đã sửa"
    with pytest.raises(tdiep.AuthorityRefused, match="does not verify"):
        read_204(changed, trust)


def test_204_about_another_invoice_message_or_seller_is_refused(keys, trust):
    with pytest.raises(tdiep.AnswerRefused, match="about invoice 1 C26TAA 8, not the invoice"):
        read_204(check_204(keys[1], {**INVOICE, "SHDon": "8"}), trust)
    with pytest.raises(tdiep.AnswerRefused, match="answers message"):
        read_204(check_204(keys[1], reference=ANOTHER), trust)
    with pytest.raises(tdiep.AnswerRefused, match=f"taxpayer {OTHER_SELLER}"):
        read_204(check_204(keys[1], tax_id=OTHER_SELLER), trust)


def test_204_refusal_naming_no_invoice_is_refused(keys, trust):
    root = check_204(None)
    data = root.find("DLieu/TBao/DLTBao")
    data.remove(data.find("LCMa"))
    signer.sign(root.find("DLieu/TBao"), keys[1], signature_id="CQT", holder="CQT")
    with pytest.raises(tdiep.AnswerRefused, match="LTBao 1 without LCMa"):
        read_204(root, trust)


# -- through the T-VAN client ----------------------------------------------------------------


@pytest.fixture
def tvan():
    with provider_server.ProviderServer() as server:
        yield server


def client(server, receiver=provider_server.TVAN_CODE):
    return providers.TvanClient(
        server.url,
        "seller",
        "secret",
        timeout=1.0,
        sender=SELLER,
        receiver=receiver,
        authority_tax_ids=[provider_server.AUTHORITY_MST],
        trusted_issuers=[provider_server.ca_pem().encode()],
    )


def document(symbol="C26TAA"):
    return {
        "transaction_uuid": str(uuid.uuid4()),
        "seller_tax_id": SELLER,
        "symbol": symbol,
        "xml": factory.make_invoice(seller_tax_id=SELLER, symbol=symbol),
    }


def notice_payload():
    return {
        "seed": str(uuid.uuid4()),
        "seller_tax_id": SELLER,
        "xml": tdiep.to_bytes(signed_notice()),
    }


@pytest.mark.parametrize(
    ("behaviour", "error"),
    [
        ("receipt_other", "receipt is refused: 999 .* acknowledges"),
        ("answer_other_reference", "answers message"),
        ("answer_other_invoice", "about invoice"),
        ("check_bad_signature", "does not verify"),
        ("check_unsigned", "holds 0 signatures"),
    ],
)
def test_invoice_answers_not_tied_to_it_are_refused(tvan, behaviour, error):
    tvan.state.script = [behaviour]
    with pytest.raises(providers.ProviderError, match=error) as exc:
        client(tvan).issue(document())
    assert exc.value.kind == providers.FINAL


def test_valid_204_of_an_invoice_without_code_must_be_the_authoritys(tvan):
    doc = document("K26TAA")
    assert client(tvan).issue(doc).message_id == tdiep.message_id(SELLER, doc["transaction_uuid"])
    tvan.state.script = ["check_unsigned"]
    with pytest.raises(providers.ProviderError, match="holds 0 signatures"):
        client(tvan).issue(document("K26TAA"))


@pytest.mark.parametrize(
    ("behaviour", "error"),
    [
        ("receipt_other", "receipt is refused"),
        ("answer_other_reference", "answers message"),
        ("answer_other_seller", f"taxpayer {OTHER_SELLER}"),
        ("answer_other_invoice", "which our notice does not notify"),
    ],
)
def test_notice_answers_not_tied_to_it_are_refused(tvan, behaviour, error):
    tvan.state.script = [behaviour]
    with pytest.raises(providers.ProviderError, match=error) as exc:
        client(tvan).send_notice(notice_payload())
    assert exc.value.kind == providers.FINAL


def test_client_without_the_tvan_code_sends_nothing(tvan):
    for send in (
        lambda: client(tvan, receiver="").issue(document()),
        lambda: client(tvan, receiver="").send_notice(notice_payload()),
    ):
        with pytest.raises(providers.ProviderError, match=r"T-VAN's code \(MNNhan\)") as exc:
            send()
        assert exc.value.kind == providers.FINAL
    assert tvan.state.requests == []
