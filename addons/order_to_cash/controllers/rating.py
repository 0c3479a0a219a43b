from odoo import http
from odoo.exceptions import ValidationError
from odoo.http import request
from odoo.tools import consteq

# A comment longer than this is cut: the page is public.
MAX_COMMENT = 2000


class O2cRating(http.Controller):
    """The page behind the "rate your order" email link. The order's portal
    access token is the key, so no login is needed; a wrong token is a 404.

    The customer may rate again through the same link: the last rating wins,
    so a mistaken click can be corrected.
    """

    def _order(self, order_id, token):
        order = request.env["sale.order"].sudo().browse(order_id).exists()
        if not order or not order.access_token or not consteq(order.access_token, token):
            raise request.not_found()
        return order

    @http.route(
        "/o2c/rate/<int:order_id>/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
    )
    def rate_form(self, order_id, token, **kwargs):
        order = self._order(order_id, token)
        return request.render(
            "order_to_cash.o2c_rating_page", {"order": order, "token": token, "done": False}
        )

    @http.route(
        "/o2c/rate/<int:order_id>/<string:token>",
        type="http",
        auth="public",
        methods=["POST"],
        # The secret token in the URL authenticates the request, not a session
        # cookie: there is no session to ride on, hence no CSRF token.
        csrf=False,
        save_session=False,
        sitemap=False,
    )
    def rate_submit(self, order_id, token, rating=None, comment=None, **kwargs):
        order = self._order(order_id, token)
        try:
            order._o2c_set_rating(rating, (comment or "")[:MAX_COMMENT])
        except ValidationError as error:
            return request.render(
                "order_to_cash.o2c_rating_page",
                {"order": order, "token": token, "done": False, "error": str(error)},
                status=400,
            )
        return request.render(
            "order_to_cash.o2c_rating_page", {"order": order, "token": token, "done": True}
        )
