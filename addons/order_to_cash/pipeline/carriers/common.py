"""What every carrier shares: our shipment states, events, errors, parsing helpers, HTTP.

Pure Python (no odoo import). The carrier modules turn each carrier's webhook body or
detail answer into :class:`Event` / :class:`ShipmentStatus` in our own states; the Odoo
side stores events (deduplicated by ``event_key``) and moves a shipment only when
:func:`should_apply` says so.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

import requests

# Our states, in order of progress.
STATES = (
    "created",
    "picked_up",
    "in_transit",
    "out_for_delivery",
    "failed_attempt",
    "delivered",
    "returning",
    "returned",
    "lost",
    "cancelled",
)
STATE_RANK = {state: rank for rank, state in enumerate(STATES)}
FINAL_STATES = frozenset({"delivered", "returned", "lost", "cancelled"})
# A failed attempt followed by a new delivery round (and the reverse) is progress when
# the event is later: parcels go out, fail, and go out again.
DELIVERY_ROUND = frozenset({"out_for_delivery", "failed_attempt"})

CARRIERS = ("ghn", "ghtk", "viettelpost", "generic")
CARRIER_LABELS = {
    "ghn": "GHN",
    "ghtk": "GHTK",
    "viettelpost": "Viettel Post",
    "generic": "Generic carrier",
}

# Carriers send Vietnam local time when a time carries no offset.
VIETNAM_TZ = timezone(timedelta(hours=7), "ICT")
# (connect, read) seconds; callers may pass their own.
DEFAULT_TIMEOUT = (5, 20)


class CarrierError(ValueError):
    """Bad input from a carrier (webhook body, detail answer): the message names the field."""


class CarrierUnavailable(Exception):
    """The carrier cannot answer now (network, timeout, 5xx, garbage): retry later."""


class CarrierAuthError(CarrierUnavailable):
    """The carrier refused our credentials (401/403): fix the account, then it retries."""


class CarrierUnknownShipment(Exception):
    """The carrier says it does not know this shipment code."""


@dataclass(frozen=True)
class Event:
    """One tracking event of one shipment, in our states.

    ``cod_amount`` is informative only: a webhook never moves money.
    """

    carrier: str
    tracking_ref: str
    client_ref: str
    state: str
    carrier_status: str
    time: datetime
    reason: str = ""
    reason_code: str = ""
    cod_amount: Decimal | None = None
    fee: Decimal | None = None
    event_key: str = ""
    raw: dict = field(default_factory=dict, compare=False)
    # GHTK 6 "reconciled": the carrier says it remitted the COD (information only).
    cod_remitted: bool = False


@dataclass(frozen=True)
class ShipmentStatus:
    """A carrier's answer to a detail (polling) call, in our states."""

    state: str
    carrier_status: str
    tracking_ref: str
    client_ref: str
    cod_amount: Decimal | None
    cod_remitted: bool
    time: datetime | None
    raw: dict = field(default_factory=dict, compare=False)


def event_key(carrier, tracking_ref, carrier_status, time):
    """A stable key of an event: the same event received twice has the same key.

    The time is taken in UTC, so one instant written with two offsets gives one key.
    """
    stamp = time.astimezone(timezone.utc).isoformat()
    text = "|".join((carrier, tracking_ref, str(carrier_status), stamp))
    return hashlib.sha256(text.encode()).hexdigest()


def make_event(carrier, tracking_ref, client_ref, state, carrier_status, time, **values):
    """Build an :class:`Event` with its ``event_key``."""
    carrier_status = str(carrier_status)
    return Event(
        carrier=carrier,
        tracking_ref=tracking_ref,
        client_ref=client_ref or "",
        state=state,
        carrier_status=carrier_status,
        time=time,
        event_key=event_key(carrier, tracking_ref, carrier_status, time),
        **values,
    )


def should_apply(current_state, current_time, new_state, new_time):
    """Whether an event in ``new_state`` at ``new_time`` moves a shipment.

    A shipment never moves backwards, never leaves a final state (delivered, returned,
    lost, cancelled: a delivered parcel does not become "returning" either), and an event
    older than the current state never moves it. The one way back is a new delivery
    round: failed attempt -> out for delivery (and the reverse) when the event is later.
    ``current_state`` may be empty (nothing known yet); times may be None (unknown).
    """
    if new_state not in STATE_RANK:
        raise CarrierError(f"state {new_state!r} is not one of {', '.join(STATES)}")
    if not current_state:
        return True
    if current_state not in STATE_RANK:
        raise CarrierError(f"state {current_state!r} is not one of {', '.join(STATES)}")
    if current_state in FINAL_STATES or new_state == current_state:
        return False
    if current_time and new_time and new_time < current_time:
        return False
    if STATE_RANK[new_state] > STATE_RANK[current_state]:
        return True
    if current_state in DELIVERY_ROUND and new_state in DELIVERY_ROUND:
        return bool(current_time and new_time and new_time > current_time)
    return False


# A carrier clock ahead of ours by more than this is not believed: a time in the future
# would make every later event look older and freeze the shipment.
MAX_CLOCK_AHEAD = timedelta(minutes=10)


def clamp_time(moment, now):
    """``moment`` (aware), at most ``now`` + :data:`MAX_CLOCK_AHEAD`; None stays None."""
    if moment is None:
        return None
    return min(moment, now + MAX_CLOCK_AHEAD)


def check_secret(expected, given):
    """Compare a configured secret with the one received, in constant time.

    An empty configured secret never matches (an account without a secret accepts
    no webhook).
    """
    if not expected:
        return False
    if isinstance(expected, str):
        expected = expected.encode()
    if given is None:
        given = b""
    if isinstance(given, str):
        given = given.encode()
    return hmac.compare_digest(expected, given)


def _carrier_module(carrier):
    # Imported here: the carrier modules import this one.
    from . import generic, ghn, ghtk, viettelpost  # noqa: PLC0415

    modules = {"ghn": ghn, "ghtk": ghtk, "viettelpost": viettelpost, "generic": generic}
    try:
        return modules[carrier]
    except KeyError:
        raise CarrierError(f"carrier {carrier!r} is not one of {', '.join(CARRIERS)}") from None


def parse_webhook(carrier, body, content_type=""):
    """The events of a webhook body of ``carrier`` ('ghn', 'ghtk', 'viettelpost', 'generic').

    Raises :class:`CarrierError` naming the field for a malformed body or an unknown
    status code: the caller stores nothing of that body.
    """
    if isinstance(body, str):
        body = body.encode()
    return _carrier_module(carrier).parse_webhook(bytes(body or b""), content_type or "")


def body_token(carrier, body):
    """The token a carrier puts in its webhook body ('' when it has none).

    Only Viettel Post sends one (``TOKEN``); check it with :func:`check_secret`.
    """
    module = _carrier_module(carrier)
    if not hasattr(module, "body_token"):
        return ""
    if isinstance(body, str):
        body = body.encode()
    return module.body_token(bytes(body or b""))


# -- parsing helpers ---------------------------------------------------------------------


def _shown(value):
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 80 else text[:77] + "..."


def bad_field(source, name, value, expected):
    """A :class:`CarrierError` naming the field, its value and what was expected."""
    return CarrierError(f"{source}: field '{name}' has value {_shown(value)}, not {expected}")


def missing_field(source, name):
    return CarrierError(f"{source}: field '{name}' is missing")


def load_json(source, body):
    """Parse a JSON body; a body that is not JSON is a :class:`CarrierError`."""
    if isinstance(body, bytes | bytearray):
        try:
            body = bytes(body).decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise CarrierError(f"{source}: the body is not UTF-8 text") from error
    try:
        return json.loads(body)
    except ValueError as error:
        raise CarrierError(f"{source}: the body is not JSON ({error})") from error


def require_dict(source, data, name="body"):
    if not isinstance(data, dict):
        raise bad_field(source, name, data, "a JSON object")
    return data


def text_field(source, data, name, required=False):
    """A string field (numbers are accepted and turned into text)."""
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise missing_field(source, name)
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise bad_field(source, name, value, "a text")
    return str(value).strip()


def amount_field(source, data, name):
    """A non-negative amount as Decimal, or None when absent or empty."""
    value = data.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise bad_field(source, name, value, "an amount")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation as error:
        raise bad_field(source, name, value, "an amount") from error
    if not amount.is_finite() or amount < 0:
        raise bad_field(source, name, value, "an amount")
    return amount


def int_field(source, data, name, required=True):
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise missing_field(source, name)
        return None
    if isinstance(value, bool):
        raise bad_field(source, name, value, "a whole number")
    try:
        return int(str(value).strip())
    except ValueError as error:
        raise bad_field(source, name, value, "a whole number") from error


# Formats carriers write besides ISO 8601: Viettel Post's day-first time, and the
# space-separated form of GHTK's detail answer.
_TIME_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")


def parse_time(source, name, value):
    """A carrier time as an aware UTC datetime; no offset means Vietnam time (+07:00)."""
    if isinstance(value, datetime):
        moment = value
    else:
        if not isinstance(value, str) or not value.strip():
            raise bad_field(source, name, value, "a date-time")
        text = value.strip()
        moment = None
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            for pattern in _TIME_FORMATS:
                try:
                    moment = datetime.strptime(text, pattern)
                    break
                except ValueError:
                    continue
        if moment is None:
            raise bad_field(source, name, value, "a date-time")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VIETNAM_TZ)
    return moment.astimezone(timezone.utc)


def time_field(source, data, name, required=True):
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise missing_field(source, name)
        return None
    return parse_time(source, name, value)


def map_status(source, table, name, code):
    """Our state for a carrier status code; an unknown code is a :class:`CarrierError`."""
    try:
        return table[code]
    except KeyError:
        raise bad_field(source, name, code, "a known status code") from None


# -- HTTP ----------------------------------------------------------------------------------


def http_json(label, method, url, *, session=None, timeout=DEFAULT_TIMEOUT, **kwargs):
    """Call a carrier and return ``(http status, parsed JSON)``.

    Network errors, timeouts, 5xx and answers that are not JSON raise
    :class:`CarrierUnavailable`; 401/403 raise :class:`CarrierAuthError`. Other statuses
    are returned for the carrier module to read.
    """
    sender = session or requests
    try:
        response = sender.request(method, url, timeout=timeout, **kwargs)
    except requests.Timeout as error:
        raise CarrierUnavailable(f"{label}: no answer within {timeout} s ({url})") from error
    except requests.RequestException as error:
        raise CarrierUnavailable(f"{label}: cannot reach {url}: {error}") from error
    if response.status_code >= 500:
        raise CarrierUnavailable(f"{label}: server error {response.status_code} ({url})")
    if response.status_code in (401, 403):
        raise CarrierAuthError(
            f"{label}: the carrier refused the token (HTTP {response.status_code})"
        )
    try:
        data = response.json()
    except ValueError as error:
        raise CarrierUnavailable(
            f"{label}: the answer is not JSON (HTTP {response.status_code}): {response.text[:80]!r}"
        ) from error
    return response.status_code, data


def answer_field(label, data, name, check):
    """Read a field of a carrier's answer; a wrong shape is a garbage answer (retry later)."""
    value = data.get(name) if isinstance(data, dict) else None
    if not check(value):
        raise CarrierUnavailable(f"{label}: unexpected answer, field '{name}' is {value!r}")
    return value


def answer_parse(label, parse, *args):
    """Run a field parser on a carrier's answer, turning bad values into retry-later."""
    try:
        return parse(*args)
    except CarrierError as error:
        raise CarrierUnavailable(f"{label}: unexpected answer: {error}") from error
