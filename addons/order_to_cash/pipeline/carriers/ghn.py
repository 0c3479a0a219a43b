"""GHN (Giao Hàng Nhanh): webhook body and the detail-by-client-code call.

Webhook: https://api.ghn.vn/home/docs/detail?id=47 (JSON POST with Type, OrderCode,
ClientOrderCode, Status, Time, Reason, ReasonCode, CODAmount, CODTransferDate, Fee{...},
TotalFee, IsPartialReturn; resent 10 times 5 s apart until HTTP 200).
Detail: https://api.ghn.vn/home/docs/detail?id=119 (POST
/shiip/public-api/v2/shipping-order/detail-by-client-code, answer
{"code": 200, "message": "Success", "data": {...}}).
"""

from . import common

CARRIER = "ghn"
SOURCE = "GHN webhook"
LABEL = "GHN"

# Source: https://api.ghn.vn/home/docs/detail?id=47 ("Document update status") and the
# issue's list. "picking" is before the pickup; a "delivered" parcel is final.
STATUS_MAP = {
    "ready_to_pick": "created",
    "picking": "created",
    "money_collect_picking": "created",
    "picked": "picked_up",
    "storing": "in_transit",
    "transporting": "in_transit",
    "sorting": "in_transit",
    "delivering": "out_for_delivery",
    "money_collect_delivering": "out_for_delivery",
    "delivered": "delivered",
    "delivery_fail": "failed_attempt",
    "waiting_to_return": "returning",
    "return": "returning",
    "return_transporting": "returning",
    "return_sorting": "returning",
    "returning": "returning",
    "return_fail": "returning",
    "returned": "returned",
    "cancel": "cancelled",
    # "exception" is GHN's off-process hold (address problem, customer to call back...),
    # not a loss: the parcel usually goes on to be delivered or returned. In transit is
    # below every delivery state, so it never moves a parcel backwards; the event keeps
    # the reason. Only "damage" and "lost" are final.
    "exception": "in_transit",
    "damage": "lost",
    "lost": "lost",
}
WEBHOOK_TYPES = ("create", "switch_status", "update_weight", "update_cod", "update_fee")


def _total_fee(data):
    fee = common.amount_field(SOURCE, data, "TotalFee")
    if fee is None and isinstance(data.get("Fee"), dict):
        fee = common.amount_field(SOURCE + " Fee", data["Fee"], "Total")
    return fee


def parse_webhook(body, content_type=""):
    """Events of a GHN webhook body (one JSON object, or a list of them).

    Every ``Type`` (create, switch_status, update_weight, update_cod, update_fee) carries
    the order's current ``Status`` in GHN's examples, so each yields an event when it has
    a Status; one without a Status yields nothing (an update of weight or fee alone moves
    no state). Unknown Types are kept in ``raw`` and treated the same way.
    """
    data = common.load_json(SOURCE, body)
    items = data if isinstance(data, list) else [data]
    events = []
    for item in items:
        common.require_dict(SOURCE, item)
        event = _event(item)
        if event:
            events.append(event)
    return events


def _event(data):
    common.text_field(SOURCE, data, "Type")  # any Type is read the same way, but as text
    order_code = common.text_field(SOURCE, data, "OrderCode", required=True)
    status = common.text_field(SOURCE, data, "Status")
    if not status:
        return None
    state = common.map_status(SOURCE, STATUS_MAP, "Status", status.lower())
    moment = common.time_field(SOURCE, data, "Time")
    return common.make_event(
        CARRIER,
        order_code,
        common.text_field(SOURCE, data, "ClientOrderCode"),
        state,
        status.lower(),
        moment,
        reason=common.text_field(SOURCE, data, "Reason"),
        reason_code=common.text_field(SOURCE, data, "ReasonCode"),
        cod_amount=common.amount_field(SOURCE, data, "CODAmount"),
        fee=_total_fee(data),
        raw=dict(data),
        cod_remitted=bool(data.get("CODTransferDate")),
    )


def _not_found(data):
    text = " ".join(
        str(data.get(key) or "") for key in ("code_message", "message", "code_message_value")
    ).lower()
    return any(word in text for word in ("not_found", "not found", "không tìm thấy"))


class GhnClient:
    """Detail of a GHN order by our client order code (polling)."""

    PATH = "/shiip/public-api/v2/shipping-order/detail-by-client-code"
    # detail() takes our client order code.
    DETAIL_REF = "client_ref"

    def __init__(self, base_url, token, shop_id, session=None, timeout=common.DEFAULT_TIMEOUT):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.shop_id = shop_id
        self.session = session
        self.timeout = timeout

    def detail(self, client_ref):
        """The order's current :class:`~.common.ShipmentStatus`.

        GHN answers {"code": 200, "message": "Success", "data": {...}} (its page shows
        ``data`` as a list of one order too; both are read). An empty ``data``, or an
        HTTP 400 answer whose message says the order is not found (assumed: GHN's pages do
        not show that answer), means the order is unknown; other answers are retried.
        """
        status_code, data = common.http_json(
            LABEL,
            "POST",
            self.base_url + self.PATH,
            session=self.session,
            timeout=self.timeout,
            headers={"Token": self.token, "ShopId": str(self.shop_id)},
            json={"client_order_code": client_ref},
        )
        if not isinstance(data, dict):
            raise common.CarrierUnavailable(f"{LABEL}: unexpected answer {data!r:.80}")
        if status_code >= 400 or data.get("code") not in (200, "200"):
            if status_code in (200, 400) and _not_found(data):
                raise common.CarrierUnknownShipment(
                    f"{LABEL}: no order with client code {client_ref!r}: {data.get('message')}"
                )
            raise common.CarrierUnavailable(
                f"{LABEL}: HTTP {status_code}, code {data.get('code')!r}: {data.get('message')}"
            )
        order = data.get("data")
        if isinstance(order, list):
            order = order[0] if order else None
        if not order:
            raise common.CarrierUnknownShipment(
                f"{LABEL}: no order with client code {client_ref!r}"
            )
        if not isinstance(order, dict):
            raise common.CarrierUnavailable(
                f"{LABEL}: unexpected answer, field 'data' is {order!r:.80}"
            )
        source = LABEL + " detail"
        status = common.answer_field(LABEL, order, "status", lambda v: isinstance(v, str) and v)
        state = common.answer_parse(
            LABEL, common.map_status, source, STATUS_MAP, "status", status.lower()
        )
        moment = common.answer_parse(LABEL, common.time_field, source, order, "updated_date", False)
        return common.ShipmentStatus(
            state=state,
            carrier_status=status.lower(),
            tracking_ref=common.answer_parse(LABEL, common.text_field, source, order, "order_code"),
            client_ref=common.answer_parse(
                LABEL, common.text_field, source, order, "client_order_code"
            )
            or client_ref,
            cod_amount=common.answer_parse(LABEL, common.amount_field, source, order, "cod_amount"),
            cod_remitted=bool(order.get("is_cod_transferred")),
            time=moment,
            raw=order,
        )
