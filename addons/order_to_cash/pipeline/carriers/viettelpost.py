"""Viettel Post: webhook body {"DATA": {...}, "TOKEN": "..."}.

Viettel Post's partner API pages are not public; the body shape is the one the issue
gives (ORDER_NUMBER, ORDER_REFERENCE, ORDER_STATUSDATE, ORDER_STATUS, STATUS_NAME, NOTE,
MONEY_COLLECTION, ...), with ORDER_STATUSDATE written day first ("13/12/2018 17:34:05",
Vietnam time) as integrations publish it. No public tracking endpoint could be sourced,
so there is no Viettel Post client: its shipments follow webhooks only.
"""

from . import common

CARRIER = "viettelpost"
SOURCE = "Viettel Post webhook"

# Sourced codes: Haravan's mapping tables for the "ViettelPost 2018" carrier,
# https://support.haravan.com/support/discussions/topics/42000004743 and
# https://support.haravan.com/support/solutions/articles/42000090609
STATUS_MAP = {
    -100: "created",  # new order, not approved yet
    -108: "created",  # order handed in at a post office
    104: "created",  # approved, given to the pickup postman (on the way to pick)
    107: "cancelled",  # partner cancelled the order through the API
    500: "out_for_delivery",  # given to the delivery postman
    508: "out_for_delivery",  # delivering
    501: "delivered",  # delivered successfully
    504: "returned",  # returned successfully to the sender
    505: "returning",  # waiting for return approval
    515: "returning",  # post office approved the return
    506: "failed_attempt",  # customer not met
}
# Unsourced: these codes are widely used by Viettel Post integrations, but no public page
# with their numbers could be found (Getfly's list https://wiki.getfly.vn/portal/post/1692
# gives the names only, in this order). Kept apart so they can be checked and removed.
UNSOURCED_STATUS_MAP = {
    105: "picked_up",  # postman picked up the parcel
    200: "in_transit",  # received from the postman at the origin office
    300: "in_transit",  # closing the dispatch list / in transit between offices
    400: "in_transit",  # received at the destination office
    502: "returning",  # returning to the origin office
    # "cancelled at the customer's request": unsourced, so not final; a refusal at the
    # door is a failed attempt (a later return or delivery still moves the parcel).
    503: "failed_attempt",
    507: "failed_attempt",  # customer will collect at the post office
}
STATUS_MAP.update(UNSOURCED_STATUS_MAP)


def _data(body):
    data = common.require_dict(SOURCE, common.load_json(SOURCE, body))
    if "DATA" not in data:
        raise common.missing_field(SOURCE, "DATA")
    return data


def body_token(body):
    """The TOKEN of a Viettel Post body ('' when absent or unreadable)."""
    try:
        data = common.require_dict(SOURCE, common.load_json(SOURCE, body))
    except common.CarrierError:
        return ""
    token = data.get("TOKEN")
    return token if isinstance(token, str) else ""


def parse_webhook(body, content_type=""):
    """Events of a Viettel Post webhook body (``DATA`` is one object, or a list of them)."""
    data = _data(body)
    items = data["DATA"] if isinstance(data["DATA"], list) else [data["DATA"]]
    events = []
    for item in items:
        common.require_dict(SOURCE, item, "DATA")
        events.append(_event(item))
    return events


def _event(data):
    number = common.text_field(SOURCE, data, "ORDER_NUMBER", required=True)
    status = common.int_field(SOURCE, data, "ORDER_STATUS")
    state = common.map_status(SOURCE, STATUS_MAP, "ORDER_STATUS", status)
    moment = common.time_field(SOURCE, data, "ORDER_STATUSDATE")
    fee = common.amount_field(SOURCE, data, "MONEY_TOTAL")
    return common.make_event(
        CARRIER,
        number,
        common.text_field(SOURCE, data, "ORDER_REFERENCE"),
        state,
        str(status),
        moment,
        reason=common.text_field(SOURCE, data, "NOTE")
        or common.text_field(SOURCE, data, "STATUS_NAME"),
        reason_code="",
        cod_amount=common.amount_field(SOURCE, data, "MONEY_COLLECTION"),
        fee=fee,
        raw=dict(data),
    )
