from odoo import fields, models, tools
from odoo.tools import SQL


class PurchaseBillMatchReport(models.Model):
    """One row per matched vendor bill: first-pass match rate and time to
    resolve, per company, vendor and owner (average measures)."""

    _name = "purchase.bill.match.report"
    _description = "Bill match analysis"
    _auto = False
    _order = "date desc"
    _depends = {
        "account.move": [
            "company_id",
            "commercial_partner_id",
            "move_type",
            "invoice_date",
            "bill_match_state",
            "bill_match_owner_id",
            "bill_match_first_pass",
            "bill_match_date_evaluated",
            "bill_match_date_exception",
            "bill_match_date_resolved",
            "bill_match_hours_to_resolve",
        ],
    }

    move_id = fields.Many2one("account.move", string="Bill", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Vendor", readonly=True)
    owner_id = fields.Many2one("res.users", readonly=True)
    date = fields.Date(string="Bill Date", readonly=True)
    state = fields.Selection(
        [
            ("ready", "Ready to pay"),
            ("hold", "On hold"),
            ("exception", "Exception"),
            ("approved", "Approved"),
        ],
        readonly=True,
    )
    bill_count = fields.Integer(string="Bills", readonly=True)
    held_count = fields.Integer(string="Bills held", readonly=True)
    first_pass_rate = fields.Float(
        string="First-pass match rate (%)", readonly=True, aggregator="avg"
    )
    hours_to_resolve = fields.Float(string="Hours to resolve", readonly=True, aggregator="avg")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
            CREATE OR REPLACE VIEW %s AS (
                SELECT m.id AS id,
                       m.id AS move_id,
                       m.company_id AS company_id,
                       m.commercial_partner_id AS partner_id,
                       m.bill_match_owner_id AS owner_id,
                       m.invoice_date AS date,
                       m.bill_match_state AS state,
                       1 AS bill_count,
                       CASE WHEN m.bill_match_date_exception IS NOT NULL
                            THEN 1 ELSE 0 END AS held_count,
                       CASE WHEN m.bill_match_first_pass
                            THEN 100.0 ELSE 0.0 END AS first_pass_rate,
                       CASE WHEN m.bill_match_date_resolved IS NOT NULL
                            THEN m.bill_match_hours_to_resolve END AS hours_to_resolve
                  FROM account_move m
                 WHERE m.move_type IN ('in_invoice', 'in_receipt')
                   AND m.bill_match_date_evaluated IS NOT NULL
            )
            """,
                SQL.identifier(self._table),
            )
        )
