"""GHTK (Giao Hàng Tiết Kiệm): webhook body and the order status call.

Webhook: https://api.ghtk.vn/en/docs/submit-order/webhook and
https://pro-docs.ghtk.vn/5_webhook (POST form-encoded label_id, partner_id, status_id,
action_time (ISO 8601), reason_code, reason, weight, fee, pick_money,
return_part_package; the same pages show the payload as a JSON object, so JSON bodies
with the same keys are read too).
Status: https://api.ghtk.vn/en/docs/submit-order/tracking-status and
https://docs.giaohangtietkiem.vn/en/docs/submit-order/tracking-status
(GET /services/shipment/v2/{label} with a Token header, answer
{"success": true, "message": "", "order": {label_id, partner_id, status, modified,
pick_money, ...}}).
"""

import re
from urllib.parse import parse_qs, quote

from . import common

CARRIER = "ghtk"
SOURCE = "GHTK webhook"
LABEL = "GHTK"

# Source: the list, as GHTK's webhook page above gives it.
# 4 "Đã điều phối giao hàng/Đang giao hàng" (dispatched for delivery / delivering) is the
# last-mile round: out_for_delivery, so a new round after a failed attempt (9) shows.
# 7/8 (pick failed / pick delayed) leave the parcel with us: still "created", the reason
# kept on the event. 10 (delivery delayed) is a new delivery round.
STATUS_MAP = {
    -1: "cancelled",
    1: "created",
    2: "created",
    12: "created",
    7: "created",
    8: "created",
    3: "picked_up",
    4: "out_for_delivery",
    10: "out_for_delivery",
    9: "failed_attempt",
    5: "delivered",
    6: "delivered",
    20: "returning",
    11: "returned",
    21: "returned",
    13: "lost",
}
# 6 "Đã đối soát": GHTK reconciled the order, the COD is remitted (information only).
COD_REMITTED_STATUSES = frozenset({6})
_LOST_PLUS = re.compile(r"^.*\d{2}:\d{2}(:\d{2}(\.\d+)?)? \d{2}:\d{2}$")


def _is_json(body, content_type):
    content_type = (content_type or "").lower()
    if "json" in content_type:
        return True
    if "x-www-form-urlencoded" in content_type:
        return False
    return body.lstrip()[:1] in (b"{", b"[")


def _form(body):
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise common.CarrierError(f"{SOURCE}: the body is not UTF-8 text") from error
    fields = parse_qs(text, keep_blank_values=True)
    if not fields:
        raise common.CarrierError(f"{SOURCE}: the body has no form fields")
    data = {name: values[-1] for name, values in fields.items()}
    # GHTK's own example sends "action_time=2016-11-02T12:18:39+07:00" unencoded: the
    # "+" of the offset then reads as a space.
    moment = data.get("action_time", "")
    if _LOST_PLUS.fullmatch(moment):
        data["action_time"] = moment[:-6] + "+" + moment[-5:]
    return data


def parse_webhook(body, content_type=""):
    """Events of a GHTK webhook (form-encoded, or JSON with the same keys)."""
    body = bytes(body or b"")
    if _is_json(body, content_type):
        data = common.load_json(SOURCE, body)
        items = data if isinstance(data, list) else [data]
    else:
        items = [_form(body)]
    return [_event(common.require_dict(SOURCE, item)) for item in items]


def _event(data):
    label = common.text_field(SOURCE, data, "label_id", required=True)
    status = common.int_field(SOURCE, data, "status_id")
    state = common.map_status(SOURCE, STATUS_MAP, "status_id", status)
    moment = common.time_field(SOURCE, data, "action_time")
    return common.make_event(
        CARRIER,
        label,
        common.text_field(SOURCE, data, "partner_id"),
        state,
        str(status),
        moment,
        reason=common.text_field(SOURCE, data, "reason"),
        reason_code=common.text_field(SOURCE, data, "reason_code"),
        cod_amount=common.amount_field(SOURCE, data, "pick_money"),
        fee=common.amount_field(SOURCE, data, "fee"),
        raw=dict(data),
        cod_remitted=status in COD_REMITTED_STATUSES,
    )


class GhtkClient:
    """Status of a GHTK order by its label (or our partner id), for polling."""

    PATH = "/services/shipment/v2/"
    # detail() takes GHTK's label (their page: the partner id works too).
    DETAIL_REF = "tracking_ref"

    def __init__(
        self, base_url, token, session=None, timeout=common.DEFAULT_TIMEOUT, partner_code=""
    ):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.session = session
        self.timeout = timeout
        self.partner_code = partner_code

    def detail(self, label):
        """The order's current :class:`~.common.ShipmentStatus`.

        ``{"success": false, ...}`` is read as "unknown order" (GHTK answers so for a code
        it does not have; the docs do not list its messages), unless the message speaks of
        the token, which is an authentication error.
        """
        headers = {"Token": self.token}
        if self.partner_code:
            headers["X-Client-Source"] = self.partner_code
        status_code, data = common.http_json(
            LABEL,
            "GET",
            self.base_url + self.PATH + quote(label, safe=""),
            session=self.session,
            timeout=self.timeout,
            headers=headers,
        )
        if not isinstance(data, dict) or not isinstance(data.get("success"), bool):
            raise common.CarrierUnavailable(f"{LABEL}: unexpected answer {data!r:.80}")
        if status_code != 200:
            raise common.CarrierUnavailable(
                f"{LABEL}: HTTP {status_code}: {data.get('message')!r:.80}"
            )
        if not data["success"]:
            message = str(data.get("message") or "")
            if "token" in message.lower():
                raise common.CarrierAuthError(f"{LABEL}: the carrier refused the token: {message}")
            raise common.CarrierUnknownShipment(f"{LABEL}: no order {label!r}: {message}")
        order = common.answer_field(LABEL, data, "order", lambda v: isinstance(v, dict) and v)
        source = LABEL + " status"
        status = common.answer_parse(LABEL, common.int_field, source, order, "status")
        state = common.answer_parse(LABEL, common.map_status, source, STATUS_MAP, "status", status)
        return common.ShipmentStatus(
            state=state,
            carrier_status=str(status),
            tracking_ref=common.answer_parse(LABEL, common.text_field, source, order, "label_id")
            or label,
            client_ref=common.answer_parse(LABEL, common.text_field, source, order, "partner_id"),
            cod_amount=common.answer_parse(LABEL, common.amount_field, source, order, "pick_money"),
            cod_remitted=status in COD_REMITTED_STATUSES,
            time=common.answer_parse(LABEL, common.time_field, source, order, "modified", False),
            raw=order,
        )
