import json
import logging
from urllib.parse import urlencode

from odoo import http
from odoo.http import request

from ..pipeline import carriers

_logger = logging.getLogger(__name__)

FORM_TYPE = "application/x-www-form-urlencoded"
# A webhook body larger than this is not a carrier event.
MAX_BODY = 256 * 1024


def _answer(status, payload):
    return request.make_response(
        json.dumps(payload),
        headers=[("Content-Type", "application/json")],
        status=status,
    )


def _read_limited(stream, limit):
    """At most ``limit`` bytes of ``stream``: a chunked body has no Content-Length to
    refuse it by, so it is never read whole."""
    chunks, size = [], 0
    while size < limit:
        chunk = stream.read(min(65536, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


class CarrierWebhook(http.Controller):
    """Status events pushed by carriers. None of GHN, GHTK and Viettel Post signs its
    webhooks: the URL holds a secret per carrier account (and Viettel Post's body token
    is checked too), compared in constant time. An event only moves the shipment's
    status; money is never moved by a webhook."""

    @http.route(
        "/o2c/carrier/<int:account_id>/<string:secret>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def carrier_webhook(self, account_id, secret, **kwargs):
        httprequest = request.httprequest
        content_type = (httprequest.mimetype or "").lower()
        if httprequest.content_length and httprequest.content_length > MAX_BODY:
            return _answer(413, {"error": "body too large"})
        if content_type == FORM_TYPE:
            # Odoo has already parsed the form: rebuild the body from it (a chunked body
            # has no Content-Length: the size of what was parsed is checked here).
            body = urlencode(list(httprequest.form.items(multi=True))).encode()
        else:
            # Odoo's HTTPRequest does not expose werkzeug's stream, which alone can be
            # read partially (get_data reads a chunked body whole, whatever its size).
            stream = httprequest._HTTPRequest__wrapped.stream
            body = _read_limited(stream, MAX_BODY + 1)
        if len(body) > MAX_BODY:
            return _answer(413, {"error": "body too large"})
        # sudo: the carrier is not a user; the secret of the URL authenticates it.
        account = request.env["o2c.carrier.account"].sudo().browse(account_id).exists()
        if not account or not account.active or not account._check_webhook(secret, body):
            _logger.warning("Order to Cash: carrier webhook refused for account %s", account_id)
            return _answer(401, {"error": "unknown account or wrong secret"})
        try:
            result = account.with_company(account.company_id)._o2c_receive_webhook(
                body, content_type
            )
        except carriers.CarrierError as exc:
            _logger.info("Order to Cash: bad webhook for %s: %s", account.name, exc)
            return _answer(400, {"error": str(exc)})
        return _answer(200, {"ok": True, **result})
