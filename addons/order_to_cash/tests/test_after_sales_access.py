from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .after_sales_common import AfterSalesCommon


@tagged("post_install", "-at_install")
class TestAfterSalesMultiCompany(AfterSalesCommon):
    def test_user_of_company_a_does_not_see_company_b(self):
        company_b = self.env["res.company"].create({"name": "Công ty B"})
        partner_b = self.env["res.partner"].create({"name": "Khách B", "company_id": company_b.id})
        order_b = (
            self.env["sale.order"]
            .with_company(company_b)
            .create({"partner_id": partner_b.id, "company_id": company_b.id})
        )
        return_b = self.env["o2c.return"].create(
            {"partner_id": partner_b.id, "company_id": company_b.id}
        )
        complaint_b = self.env["o2c.complaint"].create(
            {"order_id": order_b.id, "description": "Rude courier"}
        )
        self.assertEqual(complaint_b.company_id, company_b)

        order_a = self._delivered_order([(self.product_coffee, 1)], paid=False)
        return_a = self._request([(order_a.order_line, 1, "damaged")])
        complaint_a = self.env["o2c.complaint"].create(
            {"order_id": order_a.id, "description": "Late"}
        )
        self.assertEqual(return_a.line_ids.company_id, self.company)

        for login, groups in (
            ("o2c_rma_a_salesman", "sales_team.group_sale_salesman_all_leads"),
            ("o2c_rma_a_manager", "order_to_cash.group_o2c_manager"),
        ):
            user = new_test_user(
                self.env,
                login=login,
                groups=groups,
                company_id=self.company.id,
                company_ids=self.company.ids,
            )
            Return = self.env["o2c.return"].with_user(user)
            Complaint = self.env["o2c.complaint"].with_user(user)
            self.assertEqual(Return.search([("id", "in", (return_a | return_b).ids)]), return_a)
            self.assertEqual(
                Complaint.search([("id", "in", (complaint_a | complaint_b).ids)]), complaint_a
            )
            self.assertEqual(
                self.env["o2c.return.line"].with_user(user).search([]).return_id, return_a
            )
            with self.assertRaises(AccessError):
                return_b.with_user(user).read(["name"])
            with self.assertRaises(AccessError):
                complaint_b.with_user(user).read(["name"])
            # Salesmen record complaints and returns in their own company.
            created = Complaint.create({"order_id": order_a.id, "description": "Box dented"})
            self.assertEqual(created.company_id, self.company)
