from odoo import http
from odoo.http import request
from odoo.tools import consteq


class StatementController(http.Controller):
    @http.route(
        "/ar/statement/<int:partner_id>/<int:company_id>/<string:token>",
        type="http",
        auth="public",
    )
    def statement(self, partner_id, company_id, token):
        """The customer's statement PDF in one company, for the link in reminder emails:
        that company's invoices, bank account, QR and letterhead only."""
        env = request.env(su=True)
        partner = env["res.partner"].browse(partner_id).exists()
        company = env["res.company"].browse(company_id).exists()
        if not partner or not company or not partner._ar_check_statement_token(company, token):
            raise request.not_found()
        return self._statement_response(partner, company)

    @http.route("/ar/statement/<int:partner_id>/<string:token>", type="http", auth="public")
    def statement_legacy(self, partner_id, token):
        """Links sent before statements were per company: the statement of the company that
        sent the customer's latest reminder (the one that carried the link)."""
        env = request.env(su=True)
        partner = env["res.partner"].browse(partner_id).exists()
        if (
            not partner
            or not partner.ar_statement_token
            or not consteq(partner.ar_statement_token, token)
        ):
            raise request.not_found()
        reminder = env["ar.reminder"].search([("partner_id", "=", partner.id)], limit=1)
        if not reminder:
            raise request.not_found()
        return self._statement_response(partner, reminder.company_id)

    def _statement_response(self, partner, company):
        pdf, _type = (
            request.env["ir.actions.report"]
            .with_company(company)
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
