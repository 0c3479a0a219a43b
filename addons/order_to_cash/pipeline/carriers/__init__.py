"""Vietnamese carriers (GHN, GHTK, Viettel Post) and a generic one, without odoo.

Webhook bodies and detail answers become :class:`Event` / :class:`ShipmentStatus` in our
own states (:data:`STATES`); :func:`should_apply` decides whether an event moves a
shipment. Nothing here moves money: COD amounts are information.
"""

from . import generic, ghn, ghtk, viettelpost
from .common import (
    CARRIER_LABELS,
    CARRIERS,
    DEFAULT_TIMEOUT,
    FINAL_STATES,
    STATE_RANK,
    STATES,
    VIETNAM_TZ,
    CarrierAuthError,
    CarrierError,
    CarrierUnavailable,
    CarrierUnknownShipment,
    Event,
    ShipmentStatus,
    body_token,
    check_secret,
    clamp_time,
    event_key,
    make_event,
    parse_time,
    parse_webhook,
    should_apply,
)
from .generic import GenericClient
from .ghn import GhnClient
from .ghtk import GhtkClient

STATUS_MAPS = {
    "ghn": ghn.STATUS_MAP,
    "ghtk": ghtk.STATUS_MAP,
    "viettelpost": viettelpost.STATUS_MAP,
    "generic": generic.STATUS_MAP,
}
# Carriers with a detail (polling) client; Viettel Post has none (no public endpoint).
CLIENTS = {"ghn": GhnClient, "ghtk": GhtkClient, "generic": GenericClient}


def make_client(
    carrier, base_url, token, shop_id=None, session=None, timeout=DEFAULT_TIMEOUT, **options
):
    """The detail client of ``carrier``, or None for a carrier without one (Viettel Post).

    ``client.detail(ref)`` takes the reference named by ``client.DETAIL_REF``
    ('client_ref' for GHN, 'tracking_ref' for GHTK and the generic carrier).
    """
    if carrier not in CARRIERS:
        raise CarrierError(f"carrier {carrier!r} is not one of {', '.join(CARRIERS)}")
    if carrier == "ghn":
        return GhnClient(base_url, token, shop_id, session=session, timeout=timeout)
    if carrier == "ghtk":
        return GhtkClient(base_url, token, session=session, timeout=timeout, **options)
    if carrier == "generic":
        return GenericClient(base_url, token, session=session, timeout=timeout)
    return None
