"""SMS through a configurable HTTP gateway (Vietnamese brand-name SMS providers work this way).

The gateway is a URL, an optional Authorization header value and a JSON body template whose
string values may contain {phone}, {message} and {sender}. Phones are normalised to E.164 with
phonenumbers; the length is checked in SMS segments (GSM-7: 160 characters, 153 per part;
UCS-2, needed for Vietnamese with diacritics: 70, 67 per part).
"""

import json
import re
import string

import phonenumbers
import requests
from urllib3.exceptions import ConnectTimeoutError

TIMEOUT = 20
GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)


class SmsError(Exception):
    """The SMS was not sent (refused, or the gateway never reached)."""

    def __init__(self, message, retryable=False):
        super().__init__(message)
        self.retryable = retryable


class SmsUncertain(SmsError):
    """The message reached the gateway but no clear answer came back (read timeout,
    connection dropped, 5xx): it may have been sent. Never send it again automatically."""


def _not_connected(exc):
    """Whether a requests ConnectionError happened before the request was sent (refused,
    no route, connect timeout): ``NewConnectionError`` is a ``ConnectTimeoutError``."""
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)
    return isinstance(reason, ConnectTimeoutError | ConnectionRefusedError)


def to_e164(phone, region="VN"):
    """E.164 form of a phone number, or raise SmsError naming the value."""
    try:
        parsed = phonenumbers.parse(phone or "", region)
    except phonenumbers.NumberParseException as exc:
        raise SmsError(f"phone {phone!r} cannot be read: {exc}") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise SmsError(f"phone {phone!r} is not a valid number for {region}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def segments(message):
    """Number of SMS parts the message needs."""
    if all(ch in GSM7 for ch in message):
        single, multi = 160, 153
    else:
        single, multi = 70, 67
    if len(message) <= single:
        return 1
    return -(-len(message) // multi)


def check_length(message, max_segments):
    count = segments(message)
    if count > max_segments:
        raise SmsError(
            f"message of {len(message)} characters needs {count} SMS parts, "
            f"more than the {max_segments} allowed"
        )
    return count


def unknown_placeholders(text, allowed):
    """The ``{placeholders}`` of a message text that are not in ``allowed``, in order of
    appearance; raise SmsError when the text is not a valid format string (a lone brace).
    Only plain names are accepted: ``{partner.name}`` or ``{amount:>10}`` are refused too, so
    that rendering a checked text can never fail."""
    unknown = []
    try:
        parsed = list(string.Formatter().parse(text or ""))
    except ValueError as exc:
        raise SmsError(f"text {text!r} is not a valid template: {exc}") from exc
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in allowed or spec or conversion:
            field = name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            unknown.append("{" + field + "}")
    return unknown


OBJECT_ATTRIBUTE = re.compile(r"\bobject\.([A-Za-z_]\w*)")


def object_attributes(text):
    """Names read on ``object`` by a mail template text (``{{ object.partner_id.name }}``
    or ``t-out="object.amount_due"`` give ``partner_id`` and ``amount_due``), in order."""
    seen = []
    for name in OBJECT_ATTRIBUTE.findall(text or ""):
        if name not in seen:
            seen.append(name)
    return seen


def render_body(template, **values):
    """Fill the JSON body template; values are JSON-escaped inside strings."""
    try:
        body = json.loads(template)
    except ValueError as exc:
        raise SmsError(f"the gateway body template is not JSON: {exc}") from exc

    def fill(node):
        if isinstance(node, str):
            return node.format(**values)
        if isinstance(node, dict):
            return {key: fill(value) for key, value in node.items()}
        if isinstance(node, list):
            return [fill(value) for value in node]
        return node

    return fill(body)


def send(url, body_template, phone, message, sender="", auth=None, timeout=TIMEOUT):
    """Send one SMS; return the gateway's JSON answer (or {})."""
    body = render_body(body_template, phone=phone, message=message, sender=sender)
    headers = {"Authorization": auth} if auth else {}
    try:
        response = requests.post(url, json=body, headers=headers, timeout=timeout)
    except requests.ConnectTimeout as exc:
        raise SmsError(f"SMS gateway unreachable: {exc}", retryable=True) from exc
    except requests.ConnectionError as exc:
        if _not_connected(exc):
            raise SmsError(f"SMS gateway unreachable: {exc}", retryable=True) from exc
        raise SmsUncertain(f"SMS gateway connection lost: {exc}") from exc
    except requests.Timeout as exc:
        raise SmsUncertain(f"SMS gateway did not answer in time: {exc}") from exc
    if response.status_code >= 500:
        raise SmsUncertain(f"SMS gateway error HTTP {response.status_code}")
    if response.status_code >= 400:
        raise SmsError(
            f"SMS gateway refused the message: HTTP {response.status_code} {response.text[:200]}"
        )
    try:
        return response.json()
    except ValueError:
        return {}
