from odoo import api, fields, models
from odoo.fields import Domain

# Open orders re-matched per committed batch.
REMATCH_BATCH_SIZE = 1000


class O2cSlaRematch(models.Model):
    """Open orders waiting to be matched to SLA profiles again.

    Saving a profile or a customer's tags only records a row here and triggers the
    SLA job, which re-matches in committed batches: a company's 50,000 open orders
    are not recomputed inside the transaction that saves the profile."""

    _name = "o2c.sla.rematch"
    _description = "SLA Re-match Request"
    _order = "id"

    company_id = fields.Many2one("res.company", required=True, index=True, ondelete="cascade")
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        ondelete="cascade",
        help="Only the orders of this customer and its contacts; empty: every open order "
        "of the company.",
    )
    last_order_id = fields.Integer(
        string="Done Up To Order",
        help="Orders up to this id are re-matched already (the job resumes after it).",
    )

    @api.model
    def _o2c_request(self, companies, partners=None):
        """Queue the re-match of the open orders of ``companies`` (of ``partners``
        only, when given) and wake the SLA job up: it runs after this transaction
        commits."""
        if not companies or self.env.context.get("o2c_sla_no_rematch"):
            return
        Queue = self.sudo()
        values = [
            {"company_id": company.id, "partner_id": partner.id}
            for company in companies
            for partner in (partners or [self.env["res.partner"]])
        ]
        pending = {
            (entry.company_id.id, entry.partner_id.id)
            for entry in Queue.search(
                [("company_id", "in", companies.ids), ("last_order_id", "=", 0)]
            )
        }
        new = [v for v in values if (v["company_id"], v["partner_id"] or False) not in pending]
        if new:
            Queue.create(new)
        cron = self.env.ref("order_to_cash.ir_cron_o2c_sla", raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger()

    def _o2c_domain(self):
        self.ensure_one()
        domain = self.env["sale.order"]._o2c_sla_open_domain() & Domain(
            "company_id", "=", self.company_id.id
        )
        if self.partner_id:
            domain &= Domain("partner_id", "child_of", self.partner_id.id)
        return domain

    @api.model
    def _o2c_process(self):
        """Re-match the queued orders in batches, one commit per batch; the progress
        is stored with the request, locked for each batch (SKIP LOCKED), so that a
        second worker or a later run resumes where this one stopped and never takes
        the same batch twice.

        :return: False when the cron's time is up (the rest waits for the next run).
        """
        Cron = self.env["ir.cron"]
        Order = self.env["sale.order"].sudo()
        for entry in self.sudo().search([]):
            while True:
                locked = entry.try_lock_for_update()
                if not locked:
                    break
                locked.invalidate_recordset()
                if not locked.exists():
                    break
                domain = locked._o2c_domain() & Domain("id", ">", locked.last_order_id)
                batch = Order.search(domain, order="id", limit=REMATCH_BATCH_SIZE)
                if not batch:
                    locked.unlink()
                    Cron._commit_progress()
                    break
                self._o2c_rematch(batch)
                locked.last_order_id = batch[-1].id
                if not Cron._commit_progress(len(batch)):
                    # Left for the next run, which the scheduler starts at once.
                    Cron._commit_progress(remaining=max(self.sudo().search_count([]), 1))
                    return False
        return True

    @api.model
    def _o2c_rematch(self, orders):
        """Match ``orders`` again and compute their missing due dates: a profile
        created, reactivated or edited after an order was accepted (go-live, peak
        reconfiguration) reaches it. Due dates already fixed stay."""
        self.env.flush_all()
        self.env.add_to_compute(orders._fields["o2c_sla_profile_id"], orders)
        # The dates, status and alert flag depend on the profile.
        orders.modified(["o2c_sla_profile_id"])
        self.env.flush_all()
        orders.invalidate_recordset()
