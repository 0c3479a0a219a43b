"""The generic T-VAN client speaking TDiep messages against a real HTTP server on 127.0.0.1
(the tests' own T-VAN, which also answers as the tax authority)."""

import datetime
import uuid

import pytest
from einvoice_tests import provider_server
from einvoice_tests import supplier_invoices as factory
from einvoice_tools import notice, providers, signer, tdiep
from lxml import etree

SELLER = "0100109106"


@pytest.fixture
def tvan():
    with provider_server.ProviderServer() as server:
        yield server


def client(server, password="secret", timeout=1.0, trusted=True):
    return providers.TvanClient(
        server.url,
        "seller",
        password,
        timeout=timeout,
        sender=SELLER,
        receiver=provider_server.TVAN_CODE,
        authority_tax_ids=[provider_server.AUTHORITY_MST] if trusted else None,
        trusted_issuers=[provider_server.ca_pem().encode()] if trusted else None,
    )


def document(symbol="C26TAA"):
    return {
        "transaction_uuid": str(uuid.uuid4()),
        "seller_tax_id": SELLER,
        "symbol": symbol,
        "xml": factory.make_invoice(seller_tax_id=SELLER, symbol=symbol),
    }


def mtdiep(doc):
    return tdiep.message_id(SELLER, doc["transaction_uuid"])


def test_accepted_with_authority_code(tvan):
    doc = document()
    issued = client(tvan).issue(doc)
    assert len(issued.authority_code) == 34
    assert issued.message_id == mtdiep(doc)
    assert etree.fromstring(issued.signed_xml).findtext("MCCQT") == issued.authority_code
    posted = tdiep.parse(tvan.state.received[mtdiep(doc)])
    assert (posted.type, posted.sender, posted.receiver, posted.tax_id) == (
        "200",
        SELLER,
        provider_server.TVAN_CODE,
        SELLER,
    )
    assert tvan.state.messages == {mtdiep(doc): 1}


def test_invoice_without_code_is_sent_as_203(tvan):
    doc = document("K26TAA")
    issued = client(tvan).issue(doc)
    assert issued.authority_code == ""
    assert tvan.state.count("203") == 1


def test_authority_not_configured_sends_nothing(tvan):
    with pytest.raises(providers.ProviderError, match="cannot be verified, nothing is sent") as exc:
        client(tvan, trusted=False).issue(document())
    assert exc.value.kind == providers.FINAL
    assert tvan.state.requests == []


def test_technical_error_999_is_a_rejection_with_its_code(tvan):
    tvan.state.script = ["technical"]
    with pytest.raises(providers.ProviderError) as exc:
        client(tvan).issue(document())
    assert exc.value.kind == providers.REJECTED
    assert exc.value.reasons == ["[10011] Thông điệp sai định dạng (bad format)"]


def test_not_eligible_204_is_a_rejection_with_its_reasons(tvan):
    tvan.state.script = ["reject"]
    with pytest.raises(providers.ProviderError) as exc:
        client(tvan).issue(document())
    assert exc.value.kind == providers.REJECTED
    assert "buyer tax id invalid" in exc.value.reasons[0]
    assert "01/TB-KTDL" in exc.value.message


@pytest.mark.parametrize("behaviour", ["bad_signature", "foreign_authority"])
def test_wrong_authority_signature_is_refused(tvan, behaviour):
    tvan.state.script = [behaviour]
    with pytest.raises(providers.ProviderError) as exc:
        client(tvan).issue(document())
    assert exc.value.kind == providers.FINAL
    assert "authority's answer is refused" in exc.value.message


def test_202_coding_another_invoice_is_refused(tvan):
    tvan.state.script = ["other_invoice"]
    with pytest.raises(providers.ProviderError) as exc:
        client(tvan).issue(document())
    assert exc.value.kind == providers.FINAL
    assert "not the invoice sent" in exc.value.message


def test_timeout_then_retry_finds_the_answer_and_posts_once(tvan):
    tvan.state.script = ["timeout"]
    tvan.state.delay = 2.0
    doc = document()
    with pytest.raises(providers.ProviderError) as exc:
        client(tvan, timeout=0.5).issue(doc)
    assert exc.value.kind == providers.RETRYABLE
    issued = client(tvan).issue(doc)
    assert issued.authority_code
    assert tvan.state.messages[mtdiep(doc)] == 1
    assert tvan.state.creations[doc["transaction_uuid"]] == 1


def test_pending_answer_is_retryable_and_never_reposted(tvan):
    tvan.state.script = ["pending"]
    doc = document()
    with pytest.raises(providers.ProviderError) as exc:
        client(tvan).issue(doc)
    assert exc.value.kind == providers.RETRYABLE
    with pytest.raises(providers.ProviderError):
        client(tvan).issue(doc)
    tvan.state.release()
    assert client(tvan).issue(doc).authority_code
    assert tvan.state.messages[mtdiep(doc)] == 1


def test_server_error_is_retryable(tvan):
    tvan.state.script = ["error500"]
    doc = document()
    with pytest.raises(providers.ProviderError) as exc:
        client(tvan).issue(doc)
    assert exc.value.kind == providers.RETRYABLE
    assert client(tvan).issue(doc).authority_code


def test_expired_token_logs_in_again(tvan):
    tvan.state.script = ["expire"]
    c = client(tvan)
    assert c.issue(document()).authority_code
    assert tvan.state.logins == 2


def test_wrong_credentials_are_an_auth_error(tvan):
    with pytest.raises(providers.ProviderError) as exc:
        client(tvan, password="nope").issue(document())
    assert exc.value.kind == providers.AUTH


def test_unreachable_provider_is_retryable():
    c = providers.TvanClient(
        "http://127.0.0.1:9",
        "u",
        "p",
        timeout=0.5,
        sender=SELLER,
        receiver=provider_server.TVAN_CODE,
        authority_tax_ids=[provider_server.AUTHORITY_MST],
        trusted_issuers=[provider_server.ca_pem().encode()],
    )
    with pytest.raises(providers.ProviderError) as exc:
        c.issue(document())
    assert exc.value.kind == providers.RETRYABLE


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
                }
            ],
        }
    )
    signer.sign(root, factory.default_cert(SELLER), holder="NNT", signature_id="NNT")
    return {"seed": str(uuid.uuid4()), "seller_tax_id": SELLER, "xml": tdiep.to_bytes(root)}


def test_notice_is_sent_as_300_and_its_301_read(tvan):
    mtdiep, answer = client(tvan).send_notice(signed_notice())
    assert answer.accepted and answer.check.result == "pass"
    assert tdiep.parse(tvan.state.received[mtdiep]).type == "300"


def test_notice_refused_by_the_authority(tvan):
    tvan.state.script = ["notice_refused"]
    _mtdiep, answer = client(tvan).send_notice(signed_notice())
    assert not answer.accepted
    assert str(answer.all_reasons()[0]).startswith("[40012]")


def test_notice_with_a_lost_receipt_is_not_sent_again(tvan):
    tvan.state.script = ["timeout"]
    tvan.state.delay = 2.0
    notice = signed_notice()
    with pytest.raises(providers.ProviderError) as exc:
        client(tvan, timeout=0.5).send_notice(notice)
    assert exc.value.kind == providers.RETRYABLE
    mtdiep, answer = client(tvan).send_notice(notice)
    assert answer.accepted
    assert tvan.state.messages[mtdiep] == 1


def test_notice_with_a_bad_taxpayer_signature_is_refused_by_999(tvan):
    notice = signed_notice()
    notice["xml"] = notice["xml"].replace("Hà Nội".encode(), "Huế".encode())
    with pytest.raises(providers.ProviderError) as exc:
        client(tvan).send_notice(notice)
    assert exc.value.kind == providers.REJECTED
    assert "[20001]" in exc.value.reasons[0]
