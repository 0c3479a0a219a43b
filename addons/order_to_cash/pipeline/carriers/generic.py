"""A generic carrier speaking our own tiny JSON, in our own states.

Webhook body (POST, JSON; one object or a list of them)::

    {"tracking_ref": "ABC123", "client_ref": "SO042", "status": "delivered",
     "time": "2026-11-27T10:00:00+07:00", "reason": "", "cod_amount": 150000}

``status`` is one of :data:`~.common.STATES`; ``time`` is ISO 8601 (Vietnam time when it
has no offset); ``client_ref``, ``reason`` and ``cod_amount`` are optional.

Detail (polling): ``GET {base}/shipments/{tracking_ref}`` with the header
``Authorization: Bearer <token>`` answers 200 with
``{"tracking_ref", "client_ref", "status", "time", "cod_amount", "cod_remitted"}``,
404 for an unknown shipment, 401 for a bad token.
"""

from urllib.parse import quote

from . import common

CARRIER = "generic"
SOURCE = "Generic carrier webhook"
LABEL = "Generic carrier"

STATUS_MAP = {state: state for state in common.STATES}


def parse_webhook(body, content_type=""):
    data = common.load_json(SOURCE, body)
    items = data if isinstance(data, list) else [data]
    return [_event(common.require_dict(SOURCE, item)) for item in items]


def _event(data):
    ref = common.text_field(SOURCE, data, "tracking_ref", required=True)
    status = common.text_field(SOURCE, data, "status", required=True)
    state = common.map_status(SOURCE, STATUS_MAP, "status", status)
    return common.make_event(
        CARRIER,
        ref,
        common.text_field(SOURCE, data, "client_ref"),
        state,
        status,
        common.time_field(SOURCE, data, "time"),
        reason=common.text_field(SOURCE, data, "reason"),
        reason_code=common.text_field(SOURCE, data, "reason_code"),
        cod_amount=common.amount_field(SOURCE, data, "cod_amount"),
        fee=common.amount_field(SOURCE, data, "fee"),
        raw=dict(data),
    )


class GenericClient:
    """Detail of a shipment of the generic carrier."""

    # detail() takes the carrier's tracking reference.
    DETAIL_REF = "tracking_ref"

    def __init__(self, base_url, token, session=None, timeout=common.DEFAULT_TIMEOUT):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.session = session
        self.timeout = timeout

    def detail(self, tracking_ref):
        status_code, data = common.http_json(
            LABEL,
            "GET",
            f"{self.base_url}/shipments/{quote(tracking_ref, safe='')}",
            session=self.session,
            timeout=self.timeout,
            headers={"Authorization": f"Bearer {self.token}"},
        )
        if status_code == 404:
            raise common.CarrierUnknownShipment(f"{LABEL}: no shipment {tracking_ref!r}")
        if status_code != 200 or not isinstance(data, dict):
            raise common.CarrierUnavailable(f"{LABEL}: unexpected answer (HTTP {status_code})")
        source = LABEL + " detail"
        status = common.answer_field(LABEL, data, "status", lambda v: isinstance(v, str) and v)
        return common.ShipmentStatus(
            state=common.answer_parse(
                LABEL, common.map_status, source, STATUS_MAP, "status", status
            ),
            carrier_status=status,
            tracking_ref=common.answer_parse(LABEL, common.text_field, source, data, "tracking_ref")
            or tracking_ref,
            client_ref=common.answer_parse(LABEL, common.text_field, source, data, "client_ref"),
            cod_amount=common.answer_parse(LABEL, common.amount_field, source, data, "cod_amount"),
            cod_remitted=data.get("cod_remitted") is True,
            time=common.answer_parse(LABEL, common.time_field, source, data, "time", False),
            raw=data,
        )
