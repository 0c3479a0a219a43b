from odoo import http
from odoo.http import request
from odoo.tools import consteq


class StatementController(http.Controller):
    @http.route("/ar/statement/<int:partner_id>/<string:token>", type="http", auth="public")
    def statement(self, partner_id, token):
        """The customer's statement PDF, for the link in reminder emails."""
        partner = request.env["res.partner"].sudo().browse(partner_id).exists()
        if (
            not partner
            or not partner.ar_statement_token
            or not consteq(partner.ar_statement_token, token)
        ):
            raise request.not_found()
        pdf, _type = (
            request.env["ir.actions.report"]
            .sudo()
            ._render_qweb_pdf("ar_reminders.report_ar_statement", partner.ids)
        )
        return request.make_response(
            pdf,
            headers=[
                ("Content-Type", "application/pdf"),
                ("Content-Disposition", f'inline; filename="statement-{partner.id}.pdf"'),
            ],
        )
