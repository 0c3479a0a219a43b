"""Shape and type validation of external order payloads (stage 1).

Pure Python: turns one untrusted payload (from XML-RPC or /json/2) into a
normalised dict, or a list of errors each naming the field path and the
value that was refused. Resolution against the database (customer match,
products, channel) is the model's job and reports errors the same way.
"""

import datetime
import math

MAX_LINES = 1000
MAX_TEXT = 1024

CUSTOMER_TEXT_FIELDS = (
    "ref",
    "vat",
    "phone",
    "name",
    "email",
    "street",
    "street2",
    "ward",
    "province",
    "country",
    "zip",
)


class IntakeError(Exception):
    """Raised with every field error of one payload."""

    def __init__(self, errors):
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors = errors


def error(field, value, message):
    """One error entry; ``value`` is echoed as a short repr so any type is
    JSON and XML-RPC safe."""
    shown = value if isinstance(value, (str, int, float, bool)) or value is None else repr(value)
    if isinstance(shown, str) and len(shown) > 200:
        shown = shown[:200] + "..."
    return {"field": field, "value": shown, "message": message}


def _text(payload, key, path, errors, required=False):
    value = payload.get(key)
    if value is None or value == "":
        if required:
            errors.append(error(path, value, "is required"))
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        errors.append(error(path, value, f"must be text, not {type(value).__name__}"))
        return None
    value = str(value).strip()
    if len(value) > MAX_TEXT:
        errors.append(error(path, value, f"is longer than {MAX_TEXT} characters"))
        return None
    if required and not value:
        errors.append(error(path, value, "is required"))
        return None
    return value or None


def _number(payload, key, path, errors, required=False, positive=False, minimum=None):
    value = payload.get(key)
    if value is None:
        if required:
            errors.append(error(path, value, "is required"))
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        if isinstance(value, str):
            try:
                value = float(value.replace(",", "."))
            except ValueError:
                errors.append(error(path, payload.get(key), "must be a number"))
                return None
        else:
            errors.append(error(path, value, f"must be a number, not {type(value).__name__}"))
            return None
    if not math.isfinite(value):
        errors.append(error(path, value, "must be a finite number"))
        return None
    if positive and value <= 0:
        errors.append(error(path, value, "must be greater than 0"))
        return None
    if minimum is not None and value < minimum:
        errors.append(error(path, value, f"must be at least {minimum}"))
        return None
    return float(value)


def _datetime(payload, key, path, errors):
    value = payload.get(key)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        errors.append(error(path, value, "must be an ISO 8601 date or date-time text"))
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        errors.append(error(path, value, "must be an ISO 8601 date or date-time text"))
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return parsed


def _customer(payload, path, errors):
    if not isinstance(payload, dict):
        errors.append(error(path, payload, "must be an object"))
        return None
    customer = {key: _text(payload, key, f"{path}.{key}", errors) for key in CUSTOMER_TEXT_FIELDS}
    is_company = payload.get("is_company", False)
    if not isinstance(is_company, bool):
        errors.append(error(f"{path}.is_company", is_company, "must be true or false"))
        is_company = False
    customer["is_company"] = is_company
    return customer


def _line(payload, path, errors):
    if not isinstance(payload, dict):
        errors.append(error(path, payload, "must be an object"))
        return None
    line = {
        "default_code": _text(payload, "default_code", f"{path}.default_code", errors),
        "barcode": _text(payload, "barcode", f"{path}.barcode", errors),
        "qty": _number(payload, "qty", f"{path}.qty", errors, required=True, positive=True),
        "price_unit": _number(payload, "price_unit", f"{path}.price_unit", errors, minimum=0),
        "discount": _number(payload, "discount", f"{path}.discount", errors, minimum=0),
        "name": _text(payload, "name", f"{path}.name", errors),
    }
    if line["discount"] is not None and line["discount"] > 100:
        errors.append(error(f"{path}.discount", line["discount"], "must be at most 100"))
    if (
        not line["default_code"]
        and not line["barcode"]
        and f"{path}.default_code" not in {e["field"] for e in errors}
    ):
        errors.append(
            error(f"{path}.default_code", None, "a default_code or a barcode is required")
        )
    return line


def parse_order(payload):
    """Validate one order payload; return the normalised dict or raise
    :class:`IntakeError` listing every problem found."""
    errors = []
    if not isinstance(payload, dict):
        raise IntakeError([error("order", payload, "must be an object")])
    order = {
        "channel": _text(payload, "channel", "channel", errors, required=True),
        "external_ref": _text(payload, "external_ref", "external_ref", errors, required=True),
        "payment_method": _text(payload, "payment_method", "payment_method", errors),
        "note": _text(payload, "note", "note", errors),
        "client_order_ref": _text(payload, "client_order_ref", "client_order_ref", errors),
        "date_order": _datetime(payload, "date_order", "date_order", errors),
        "commitment_date": _datetime(payload, "commitment_date", "commitment_date", errors),
    }
    if "customer" not in payload:
        errors.append(error("customer", None, "is required"))
        order["customer"] = None
    else:
        order["customer"] = _customer(payload["customer"], "customer", errors)
    if payload.get("delivery") is not None:
        order["delivery"] = _customer(payload["delivery"], "delivery", errors)
    else:
        order["delivery"] = None
    lines = payload.get("lines")
    if not isinstance(lines, list) or not lines:
        errors.append(error("lines", lines, "must be a non-empty list"))
        order["lines"] = []
    elif len(lines) > MAX_LINES:
        errors.append(error("lines", len(lines), f"more than {MAX_LINES} lines"))
        order["lines"] = []
    else:
        order["lines"] = [_line(line, f"lines[{i}]", errors) for i, line in enumerate(lines)]
    unknown = sorted(set(payload) - KNOWN_KEYS)
    for key in unknown:
        errors.append(error(key, payload[key], "is not a known order field"))
    if errors:
        raise IntakeError(errors)
    return order


KNOWN_KEYS = {
    "channel",
    "external_ref",
    "payment_method",
    "note",
    "client_order_ref",
    "date_order",
    "commitment_date",
    "customer",
    "delivery",
    "lines",
}


def as_batch(orders):
    """Accept one order or a list of them; anything else is refused."""
    if isinstance(orders, dict):
        return [orders]
    if isinstance(orders, (list, tuple)):
        return list(orders)
    raise IntakeError([error("orders", orders, "must be an order object or a list of them")])
