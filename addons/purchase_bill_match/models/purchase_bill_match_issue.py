from odoo import api, fields, models


class PurchaseBillMatchIssue(models.Model):
    """One reason a bill was held, kept after it is resolved (KPI history).

    Written by :meth:`account.move._bill_match_evaluate`: a reason still
    present stays open, a reason that disappeared gets its resolved date.
    """

    _name = "purchase.bill.match.issue"
    _description = "Bill match issue"
    _order = "date_open desc, id desc"
    _check_company_auto = True

    move_id = fields.Many2one(
        "account.move",
        string="Bill",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    move_line_id = fields.Many2one(
        "account.move.line",
        string="Bill line",
        ondelete="cascade",
        index="btree_not_null",
        check_company=True,
    )
    company_id = fields.Many2one(
        related="move_id.company_id", store=True, index=True, precompute=True
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Vendor",
        related="move_id.commercial_partner_id",
        store=True,
        precompute=True,
    )
    reason_code = fields.Char(string="Reason code", required=True, index=True)
    reason = fields.Char(compute="_compute_reason", store=True, precompute=True)
    message = fields.Char()
    date_open = fields.Datetime(string="Opened", required=True, default=fields.Datetime.now)
    date_resolved = fields.Datetime(string="Resolved")
    is_open = fields.Boolean(compute="_compute_is_open", store=True)
    hours_to_resolve = fields.Float(
        compute="_compute_hours_to_resolve", store=True, aggregator="avg"
    )

    @api.depends("reason_code")
    def _compute_reason(self):
        labels = self.env["account.move"]._bill_match_reason_labels()
        for issue in self:
            issue.reason = labels.get(issue.reason_code, issue.reason_code)

    @api.depends("date_resolved")
    def _compute_is_open(self):
        for issue in self:
            issue.is_open = not issue.date_resolved

    @api.depends("date_open", "date_resolved")
    def _compute_hours_to_resolve(self):
        for issue in self:
            if issue.date_resolved and issue.date_open:
                delta = issue.date_resolved - issue.date_open
                issue.hours_to_resolve = delta.total_seconds() / 3600.0
            else:
                issue.hours_to_resolve = 0.0
