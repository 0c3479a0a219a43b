"""Carrier detail clients against the local carrier servers (real HTTP on 127.0.0.1)."""

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
import requests
from o2c_pipeline.carriers import (
    CarrierAuthError,
    CarrierError,
    CarrierUnavailable,
    CarrierUnknownShipment,
    GenericClient,
    GhnClient,
    GhtkClient,
    make_client,
)
from o2c_tests.carrier_servers import GenericServer, GhnServer, GhtkServer

UTC = timezone.utc
ICT = timezone(timedelta(hours=7))
T0 = datetime(2026, 11, 27, 9, 30, tzinfo=ICT)
FAST = (2, 0.3)  # (connect, read) seconds for the timeout tests


@pytest.fixture
def ghn():
    with GhnServer(token="ghn-token") as server:
        yield server


@pytest.fixture
def ghtk():
    with GhtkServer(token="ghtk-token") as server:
        yield server


@pytest.fixture
def generic():
    with GenericServer(token="gen-token") as server:
        yield server


# -- GHN -------------------------------------------------------------------------------------


def test_ghn_detail(ghn):
    ghn.add("GHN5ENL", "delivered", cod=200000, time=T0, client_ref="SO042")
    status = GhnClient(ghn.url, "ghn-token", 885).detail("SO042")
    assert status.state == "delivered"
    assert status.carrier_status == "delivered"
    assert status.tracking_ref == "GHN5ENL"
    assert status.client_ref == "SO042"
    assert status.cod_amount == Decimal(200000)
    assert status.cod_remitted is False
    assert status.time == datetime(2026, 11, 27, 2, 30, tzinfo=UTC)
    request = ghn.requests[-1]
    assert request.method == "POST"
    assert request.path == "/shiip/public-api/v2/shipping-order/detail-by-client-code"
    assert request.headers["Token"] == "ghn-token"
    assert request.headers["ShopId"] == "885"
    assert request.data == {"client_order_code": "SO042"}


def test_ghn_detail_cod_transferred(ghn):
    ghn.add("GHN1", "delivered", cod=1000, client_ref="SO1", cod_remitted=True)
    assert GhnClient(ghn.url, "ghn-token", 1).detail("SO1").cod_remitted is True


def test_ghn_detail_uses_the_given_session(ghn):
    ghn.add("GHN1", "picked", client_ref="SO1")
    with requests.Session() as session:
        session.headers["User-Agent"] = "o2c-test"
        status = GhnClient(ghn.url, "ghn-token", 1, session=session).detail("SO1")
    assert status.state == "picked_up"
    assert ghn.requests[-1].headers["User-Agent"] == "o2c-test"


def test_ghn_unknown_shipment(ghn):
    with pytest.raises(CarrierUnknownShipment, match="SO404"):
        GhnClient(ghn.url, "ghn-token", 1).detail("SO404")


def test_ghn_bad_token(ghn):
    ghn.add("GHN1", "picked", client_ref="SO1")
    with pytest.raises(CarrierAuthError, match="HTTP 401"):
        GhnClient(ghn.url, "wrong", 1).detail("SO1")
    assert issubclass(CarrierAuthError, CarrierUnavailable)


def test_ghn_server_error(ghn):
    ghn.add("GHN1", "picked", client_ref="SO1")
    ghn.mode = "error500"
    with pytest.raises(CarrierUnavailable, match="server error 500"):
        GhnClient(ghn.url, "ghn-token", 1).detail("SO1")


def test_ghn_timeout(ghn):
    ghn.add("GHN1", "picked", client_ref="SO1")
    ghn.mode, ghn.delay = "timeout", 1.5
    with pytest.raises(CarrierUnavailable, match="no answer within"):
        GhnClient(ghn.url, "ghn-token", 1, timeout=FAST).detail("SO1")


def test_ghn_garbage(ghn):
    ghn.add("GHN1", "picked", client_ref="SO1")
    ghn.mode = "garbage"
    with pytest.raises(CarrierUnavailable, match="not JSON"):
        GhnClient(ghn.url, "ghn-token", 1).detail("SO1")


def test_ghn_unknown_status_in_answer_is_retry_later(ghn):
    ghn.add("GHN1", "teleported", client_ref="SO1")
    with pytest.raises(CarrierUnavailable, match="field 'status' has value 'teleported'"):
        GhnClient(ghn.url, "ghn-token", 1).detail("SO1")


def test_unreachable_carrier():
    with GhnServer() as server:
        url = server.url
    with pytest.raises(CarrierUnavailable, match="cannot reach"):
        GhnClient(url, "t", 1, timeout=FAST).detail("SO1")


# -- GHTK ------------------------------------------------------------------------------------


def test_ghtk_detail(ghtk):
    ghtk.add("S1.A1.17373471", 5, cod=100000, time=T0, client_ref="SO042")
    status = GhtkClient(ghtk.url, "ghtk-token", partner_code="S308157").detail("S1.A1.17373471")
    assert status.state == "delivered"
    assert status.carrier_status == "5"
    assert status.tracking_ref == "S1.A1.17373471"
    assert status.client_ref == "SO042"
    assert status.cod_amount == Decimal(100000)
    assert status.cod_remitted is False
    assert status.time == datetime(2026, 11, 27, 2, 30, tzinfo=UTC)
    request = ghtk.requests[-1]
    assert (request.method, request.path) == ("GET", "/services/shipment/v2/S1.A1.17373471")
    assert request.headers["Token"] == "ghtk-token"
    assert request.headers["X-Client-Source"] == "S308157"


def test_ghtk_detail_reconciled_is_remitted(ghtk):
    ghtk.add("S2", 6, cod=5000, client_ref="SO2")
    status = GhtkClient(ghtk.url, "ghtk-token").detail("S2")
    assert (status.state, status.cod_remitted) == ("delivered", True)


def test_ghtk_detail_by_partner_id(ghtk):
    ghtk.add("S3", 20, client_ref="SO3")
    assert GhtkClient(ghtk.url, "ghtk-token").detail("SO3").state == "returning"


def test_ghtk_unknown_shipment(ghtk):
    with pytest.raises(CarrierUnknownShipment, match="S404"):
        GhtkClient(ghtk.url, "ghtk-token").detail("S404")


def test_ghtk_bad_token(ghtk):
    with pytest.raises(CarrierAuthError):
        GhtkClient(ghtk.url, "wrong").detail("S1")


def test_ghtk_server_error(ghtk):
    ghtk.mode = "error500"
    with pytest.raises(CarrierUnavailable, match="server error 500"):
        GhtkClient(ghtk.url, "ghtk-token").detail("S1")


def test_ghtk_timeout(ghtk):
    ghtk.add("S1", 3)
    ghtk.mode, ghtk.delay = "timeout", 1.5
    with pytest.raises(CarrierUnavailable, match="no answer within"):
        GhtkClient(ghtk.url, "ghtk-token", timeout=FAST).detail("S1")


def test_ghtk_garbage(ghtk):
    ghtk.mode = "garbage"
    with pytest.raises(CarrierUnavailable, match="not JSON"):
        GhtkClient(ghtk.url, "ghtk-token").detail("S1")


# -- generic ---------------------------------------------------------------------------------


def test_generic_detail(generic):
    generic.add("G/1", "out_for_delivery", cod=75000, time=T0, client_ref="SO7")
    status = GenericClient(generic.url, "gen-token").detail("G/1")
    assert status.state == "out_for_delivery"
    assert status.tracking_ref == "G/1"
    assert status.client_ref == "SO7"
    assert status.cod_amount == Decimal(75000)
    assert status.time == datetime(2026, 11, 27, 2, 30, tzinfo=UTC)
    request = generic.requests[-1]
    assert request.path == "/shipments/G%2F1"
    assert request.headers["Authorization"] == "Bearer gen-token"


def test_generic_unknown_shipment(generic):
    with pytest.raises(CarrierUnknownShipment):
        GenericClient(generic.url, "gen-token").detail("G404")


def test_generic_bad_token(generic):
    generic.add("G1", "created")
    with pytest.raises(CarrierAuthError):
        GenericClient(generic.url, "nope").detail("G1")


def test_generic_server_error(generic):
    generic.mode = "error500"
    with pytest.raises(CarrierUnavailable):
        GenericClient(generic.url, "gen-token").detail("G1")


def test_generic_timeout(generic):
    generic.add("G1", "created")
    generic.mode, generic.delay = "timeout", 1.5
    with pytest.raises(CarrierUnavailable, match="no answer within"):
        GenericClient(generic.url, "gen-token", timeout=FAST).detail("G1")


def test_generic_garbage(generic):
    generic.mode = "garbage"
    with pytest.raises(CarrierUnavailable, match="not JSON"):
        GenericClient(generic.url, "gen-token").detail("G1")


def test_generic_answer_with_unknown_state_is_retry_later(generic):
    generic.add("G1", "shipped")
    with pytest.raises(CarrierUnavailable, match="field 'status' has value 'shipped'"):
        GenericClient(generic.url, "gen-token").detail("G1")


# -- wrong address, plain-dict shipments, make_client ----------------------------------------


@pytest.mark.parametrize(
    ("server_class", "client"),
    [
        (GhnServer, lambda url: GhnClient(url + "/wrong", "t", 1)),
        (GhtkServer, lambda url: GhtkClient(url + "/x", "t")),
    ],
)
def test_wrong_address_is_retry_later_not_unknown(server_class, client):
    with server_class(token="t") as server:
        server.add("S1", "picked", client_ref="S1")
        with pytest.raises(CarrierUnavailable) as error:
            client(server.url).detail("S1")
    assert not isinstance(error.value, CarrierUnknownShipment)
    assert "404" in str(error.value)


def test_shipments_may_be_plain_dicts(ghtk, generic):
    ghtk.shipments["S9"] = {"status": 4, "cod": 12000, "client_ref": "SO9"}
    assert GhtkClient(ghtk.url, "ghtk-token").detail("S9").state == "out_for_delivery"
    generic.shipments["G9"] = {"status": "returned", "time": T0}
    assert GenericClient(generic.url, "gen-token").detail("G9").state == "returned"


def test_make_client(ghn, ghtk, generic):
    ghn.add("GHN1", "delivering", client_ref="SO1")
    ghtk.add("S1", 3)
    generic.add("G1", "lost")
    client = make_client("ghn", ghn.url, "ghn-token", shop_id=7, timeout=FAST)
    assert client.DETAIL_REF == "client_ref"
    assert client.detail("SO1").state == "out_for_delivery"
    assert ghn.requests[-1].headers["ShopId"] == "7"
    client = make_client("ghtk", ghtk.url, "ghtk-token", partner_code="P1")
    assert client.DETAIL_REF == "tracking_ref"
    assert client.detail("S1").state == "picked_up"
    assert make_client("generic", generic.url, "gen-token").detail("G1").state == "lost"
    assert make_client("viettelpost", "http://127.0.0.1:9", "t") is None
    with pytest.raises(CarrierError, match="carrier 'dhl' is not one of"):
        make_client("dhl", "http://127.0.0.1:9", "t")
