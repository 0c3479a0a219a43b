"""Provider clients against a real HTTP server on 127.0.0.1 (tests' own T-VAN)."""

import uuid

import pytest
from einvoice_tests import provider_server
from einvoice_tools import providers


@pytest.fixture
def tvan():
    with provider_server.ProviderServer() as server:
        yield server


def client(server, password="secret", timeout=1.0):
    return providers.TvanClient(server.url, "seller", password, timeout=timeout)


def document():
    return {"transaction_uuid": str(uuid.uuid4()), "seller_tax_id": "0100109106", "xml": b"<HDon/>"}


def test_accepted_with_authority_code(tvan):
    issued = client(tvan).issue(document())
    assert len(issued.authority_code) == 34
    assert issued.signed_xml == b"<HDon/>"


def test_rejection_carries_reasons(tvan):
    tvan.state.script = ["reject"]
    with pytest.raises(providers.ProviderError) as exc:
        client(tvan).issue(document())
    assert exc.value.kind == providers.REJECTED
    assert "buyer tax id invalid" in exc.value.reasons[0]


def test_timeout_then_retry_finds_the_invoice_and_issues_once(tvan):
    tvan.state.script = ["timeout"]
    tvan.state.delay = 2.0
    doc = document()
    with pytest.raises(providers.ProviderError) as exc:
        client(tvan, timeout=0.5).issue(doc)
    assert exc.value.kind == providers.RETRYABLE
    issued = client(tvan).issue(doc)
    assert issued.authority_code
    assert tvan.state.creations[doc["transaction_uuid"]] == 1


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
    c = providers.TvanClient("http://127.0.0.1:9", "u", "p", timeout=0.5)
    with pytest.raises(providers.ProviderError) as exc:
        c.issue(document())
    assert exc.value.kind == providers.RETRYABLE
