"""T-VAN messages (QĐ 1450, TDiep/TTChung + DLieu): building, reading, and the authority's
answers verified (202 and 301 signatures, 999 and 204 refusals). No HTTP here."""

import datetime

import pytest
from cryptography.hazmat.primitives import serialization
from einvoice_tests import provider_server
from einvoice_tests import supplier_invoices as factory
from einvoice_tools import builder, notice, signer, tdiep
from lxml import etree

SENDER = "0100109106"
SEED = "0f1e2d3c-4b5a-4697-8877-665544332211"


@pytest.fixture(scope="module")
def keys():
    return provider_server.authority_keys()


@pytest.fixture(scope="module")
def trust(keys):
    ca = keys[0].certificate
    return {
        "authority_tax_ids": [provider_server.AUTHORITY_MST],
        "trusted_issuers": [ca.public_bytes(serialization.Encoding.PEM)],
    }


def hdon():
    return etree.fromstring(factory.make_invoice(with_code=True, seller_tax_id=SENDER))


def test_message_id_is_sender_and_32_hex_of_a_v4_uuid_and_stable_per_seed():
    first = tdiep.message_id(SENDER, SEED)
    assert first == tdiep.message_id(SENDER, SEED), "a retry sends the same MTDiep"
    assert first.startswith(SENDER) and len(first) == len(SENDER) + 32 <= 46
    tail = first[len(SENDER) :]
    assert tail == tail.upper() and tail[12] == "4", "version 4"
    assert tdiep.transaction_of(first) == SEED, "the transaction UUID's random bits are kept"
    assert tdiep.message_id(SENDER, "04SS:cancel") != tdiep.message_id(SENDER, "04SS:adjust")
    assert tdiep.message_id(SENDER) != tdiep.message_id(SENDER)


def test_envelope_follows_the_table_field_by_field():
    mtdiep = tdiep.message_id(SENDER, SEED)
    root = tdiep.build("200", SENDER, "V0106026495", hdon(), mtdiep=mtdiep, tax_id=SENDER)
    assert [(c.tag, c.text) for c in root.find("TTChung")] == [
        ("PBan", "2.0.0"),
        ("MNGui", SENDER),
        ("MNNhan", "V0106026495"),
        ("MLTDiep", "200"),
        ("MTDiep", mtdiep),
        ("MST", SENDER),
        ("SLuong", "1"),
    ]
    assert [c.tag for c in root] == ["TTChung", "DLieu"]
    assert root.find("DLieu/HDon/DLHDon") is not None
    # The seller's signature still verifies inside the envelope.
    copy = etree.fromstring(etree.tostring(root.find("DLieu/HDon")))
    assert "MST:0100109106" in signer.verify(copy)


def test_envelope_refuses_what_the_table_forbids():
    with pytest.raises(tdiep.TdiepError, match="MST: mandatory"):
        tdiep.build("200", SENDER, "TCT", hdon(), mtdiep=tdiep.message_id(SENDER))
    with pytest.raises(tdiep.TdiepError, match="MNGui: longer than 14"):
        tdiep.build("200", "V010010910600199", "TCT", hdon(), tax_id=SENDER)
    with pytest.raises(tdiep.TdiepError, match="MTDiep"):
        tdiep.build("200", SENDER, "TCT", hdon(), mtdiep=f"{SENDER}abc", tax_id=SENDER)
    with pytest.raises(tdiep.TdiepError, match="MLTDiep"):
        tdiep.build("201x", SENDER, "TCT", hdon(), tax_id=SENDER)


def test_receipt_ok_and_error_round_trip():
    ok = tdiep.read_receipt(tdiep.parse(tdiep.to_bytes(tdiep.build_receipt("V1", SENDER, "X1"))))
    assert (ok.ok, ok.reference, ok.reasons) == (True, "X1", [])
    error = tdiep.parse(
        tdiep.to_bytes(tdiep.build_receipt("V1", SENDER, "X2", [("10011", "Sai định dạng")]))
    )
    assert error.type == "999" and error.reference == "X2"
    receipt = tdiep.read_receipt(error)
    assert not receipt.ok
    assert [str(r) for r in receipt.reasons] == ["[10011] Sai định dạng"]


def test_check_result_not_eligible_carries_code_text_and_hint(keys, trust):
    invoice = {"KHMSHDon": "1", "KHHDon": "C26TAA", "SHDon": "7", "NLap": "2026-11-27"}
    key = (SENDER, "1", "C26TAA", "7")
    message = tdiep.parse(
        tdiep.to_bytes(
            tdiep.build_check_result(
                "TCT", SENDER, "X3", SENDER, invoice, [("3", "MST sai")], certificate=keys[1]
            )
        )
    )
    result = tdiep.read_check_result(message, SENDER, **trust, reference="X3", expected_key=key)
    assert (result.kind, result.valid, result.check.result) == ("1", False, "pass")
    assert [(r.code, r.text, r.hint) for r in result.reasons] == [("3", "MST sai", "MST sai")]
    valid = tdiep.read_check_result(
        tdiep.parse(
            tdiep.to_bytes(
                tdiep.build_check_result("TCT", SENDER, "X4", SENDER, invoice, certificate=keys[1])
            )
        ),
        SENDER,
        **trust,
        reference="X4",
        expected_key=key,
    )
    assert valid.valid


def coded_message(behaviour="ok"):
    state = provider_server.ProviderState()
    coded = provider_server.coded_hdon(state, hdon(), SEED, behaviour)
    return tdiep.parse(
        tdiep.to_bytes(tdiep.build_coded_invoice("TCT", SENDER, "X5", SENDER, coded))
    )


def test_coded_invoice_with_the_authority_signature_is_read(trust):
    coded = tdiep.read_coded_invoice(coded_message(), **trust)
    assert coded.check.result == "pass"
    assert len(coded.authority_code) == 34
    assert etree.fromstring(coded.xml).findtext("MCCQT") == coded.authority_code


@pytest.mark.parametrize(
    ("behaviour", "error"),
    [("bad_signature", "does not verify"), ("foreign_authority", "not a tax authority")],
)
def test_coded_invoice_with_a_wrong_authority_signature_is_refused(trust, behaviour, error):
    with pytest.raises(tdiep.AuthorityRefused, match=error):
        tdiep.read_coded_invoice(coded_message(behaviour), **trust)


def test_coded_invoice_from_an_untrusted_ca_is_refused(trust):
    other_ca = factory.make_ca("Another CA")
    with pytest.raises(tdiep.AuthorityRefused, match="not one of the trusted"):
        tdiep.read_coded_invoice(
            coded_message(),
            authority_tax_ids=trust["authority_tax_ids"],
            trusted_issuers=[other_ca.certificate.public_bytes(serialization.Encoding.PEM)],
        )


def signed_notice():
    root = notice.build_notice(
        {
            "id": "TBao-1",
            "version": "2.0.1",
            "seller": {"Ten": "Công ty TNHH Phân phối Sao Mai", "MST": SENDER},
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
    signer.sign(root, factory.default_cert(SENDER), holder="NNT", signature_id="NNT")
    return root


NOTICE_MTDIEP = "X6"


def answer_message(keys, refused=None, certificate=None):
    answer = tdiep.notice_answer_tbao(signed_notice(), refused)
    signer.sign(
        answer,
        certificate or keys[1],
        signature_id="CQT",
        holder="CQT",
        extra_references=[answer.find("STBao")],
    )
    return tdiep.parse(
        tdiep.to_bytes(
            tdiep.build("301", "TCT", SENDER, answer, reference=NOTICE_MTDIEP, tax_id=SENDER)
        )
    )


def read_answer(message, trust, tax_id=SENDER):
    return tdiep.read_notice_answer(
        message, tax_id, **trust, reference=NOTICE_MTDIEP, notice=signed_notice()
    )


def test_notice_answer_accepted(keys, trust):
    answer = read_answer(answer_message(keys), trust)
    assert answer.accepted and answer.check.result == "pass"
    [invoice] = answer.invoices
    assert (invoice["symbol"], invoice["number"], invoice["nature"]) == ("C26TAA", "7", "1")
    assert etree.fromstring(answer.xml).findtext("STBao/So") == "1"


def test_notice_answer_not_accepted_names_the_reasons(keys, trust):
    answer = read_answer(answer_message(keys, refused=[("40012", "Hóa đơn không tồn tại")]), trust)
    assert not answer.accepted
    assert [str(r) for r in answer.all_reasons()] == ["[40012] Hóa đơn không tồn tại"]


def test_notice_answer_signed_by_someone_else_is_refused(keys, trust):
    with pytest.raises(tdiep.AuthorityRefused, match="not a tax authority"):
        read_answer(answer_message(keys, certificate=keys[2]), trust)


def test_notice_answer_changed_after_signing_is_refused(keys, trust):
    message = answer_message(keys, refused=[("40012", "Hóa đơn không tồn tại")])
    message.data.find("TBao/DLTBao/DSHDon/HDon/TTTNCCQT").text = "1"
    message.data.find("TBao/DLTBao/DSHDon/HDon").remove(
        message.data.find("TBao/DLTBao/DSHDon/HDon/DSLDKTNhan")
    )
    with pytest.raises(tdiep.AuthorityRefused, match="does not verify"):
        read_answer(message, trust)


def test_list_envelope_round_trip():
    first = tdiep.build_receipt("V1", SENDER, "X7")
    second = tdiep.build_receipt("V1", SENDER, "X7", [("1", "x")])
    messages = tdiep.parse_list(tdiep.list_bytes([tdiep.to_bytes(first), second]))
    assert [tdiep.read_receipt(m).ok for m in messages] == [True, False]
    assert tdiep.parse_list(tdiep.list_bytes([])) == []


def test_hostile_answer_is_refused_by_the_hardened_parser():
    with pytest.raises(tdiep.TdiepError, match=r"DOCTYPE|DTD"):
        tdiep.parse(b'<!DOCTYPE x [<!ENTITY e "x">]><TDiep/>')


def test_builder_bytes_survive_the_envelope():
    """What the T-VAN stores from the envelope is byte for byte what we signed."""
    signed = factory.make_invoice(with_code=True, seller_tax_id=SENDER)
    root = tdiep.build("200", SENDER, "TCT", etree.fromstring(signed), tax_id=SENDER)
    again = tdiep.parse(tdiep.to_bytes(root))
    assert builder.to_bytes(again.data.find("HDon")) == signed
