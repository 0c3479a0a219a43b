import datetime

from odoo import Command
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestKpiDashboardTour(HttpCase):
    """The manager's morning: the dashboard, one channel, its breached order."""

    def test_kpi_dashboard_tour(self):
        admin = self.env.ref("base.user_admin")
        company = admin.company_id
        partner = self.env["res.partner"].create({"name": "Tour KPI Customer"})
        product = self.env["product.product"].create({"name": "Tour KPI tea", "type": "consu"})
        Channel = self.env["o2c.channel"]
        shop = Channel.create({"name": "Tour Shop", "code": "tour-shop", "company_id": company.id})
        other = Channel.create(
            {"name": "Tour Other", "code": "tour-other", "company_id": company.id}
        )
        orders = self.env["sale.order"].create(
            [
                {
                    "name": name,
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "o2c_channel_id": channel.id,
                    "order_line": [Command.create({"product_id": product.id})],
                }
                for name, channel in (("TOUR-BREACHED", shop), ("TOUR-OTHER", other))
            ]
        )
        # The SLA job's verdicts, as stored (the SLA arithmetic is tested on its own).
        self.env.flush_all()
        past = datetime.datetime.now() - datetime.timedelta(hours=5)
        for order, status in zip(orders, ("breached", "at_risk"), strict=True):
            self.env.cr.execute(
                "UPDATE sale_order SET o2c_sla_status = %s, o2c_sla_deadline = %s WHERE id = %s",
                (status, past, order.id),
            )
        self.env.invalidate_all()

        self.start_tour(
            "/odoo/action-order_to_cash.action_o2c_kpi_dashboard",
            "o2c_kpi_dashboard_tour",
            login="admin",
        )
