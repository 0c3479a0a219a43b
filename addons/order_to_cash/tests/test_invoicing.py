import datetime

from freezegun import freeze_time

from odoo import SUPERUSER_ID, Command
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import O2cCommon


@tagged("post_install", "-at_install")
class TestInvoicing(O2cCommon):
    """The invoicing job follows each channel's policy: nothing for manual
    channels, the ordered quantities at order, what was shipped at delivery, one
    invoice per customer and period for periodic channels."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._only_rules()
        cls.company.partner_id.tz = "Asia/Ho_Chi_Minh"
        cls.customer_2 = cls.env["res.partner"].create(
            {"name": "Trần Văn Minh", "phone": "+84 988 777 666", "country_id": cls.vn.id}
        )

    @classmethod
    def _channel(cls, code, policy, **values):
        return cls.env["o2c.channel"].create(
            {
                "name": code,
                "code": code,
                "channel_type": "website",
                "warehouse_id": cls.warehouse.id,
                "invoicing_policy": policy,
                "auto_post": True,
                **values,
            }
        )

    def _confirmed(self, channel, partner=None, lines=None, date=None):
        order = self._order(partner=partner, lines=lines, channel=channel)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        if date:
            order.date_order = date
        return order

    def _run_invoicing_job(self):
        """Run the job as the scheduler does: on a cursor of its own, as the
        superuser, without a language or a company selection of its own."""
        self.env.flush_all()
        context = {
            key: value
            for key, value in self.env.context.items()
            if key not in ("lang", "allowed_company_ids")
        }
        with self.enter_registry_test_mode(), self.registry.cursor() as cr:
            # Outside a cron run, _commit_progress commits the test cursor.
            self.env(cr=cr, user=SUPERUSER_ID, context=context)[
                "sale.order"
            ]._cron_o2c_create_invoices()
        self.env.invalidate_all()

    def _deliver(self, order, quantities):
        """Validate the order's open delivery with these quantities per product;
        what is not shipped goes to a backorder."""
        picking = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        self.assertEqual(len(picking), 1)
        for move in picking.move_ids:
            move.quantity = quantities.get(move.product_id, move.product_uom_qty)
            move.picked = True
        result = picking.button_validate()
        if isinstance(result, dict):
            Form.from_action(self.env, result).save().process()
        self.assertEqual(picking.state, "done")

    def _job_triggers(self):
        cron = self.env.ref("order_to_cash.ir_cron_o2c_create_invoices")
        return self.env["ir.cron.trigger"].sudo().search_count([("cron_id", "=", cron.id)])

    def _invoice_lines(self, order):
        return {line.product_id: line.quantity for line in order.invoice_ids.invoice_line_ids}

    def test_manual_channel_creates_nothing(self):
        channel = self._channel("t-manual", "manual")
        self.product_coffee.invoice_policy = "order"
        order = self._confirmed(channel, lines=[(self.product_coffee, 2)])
        self._deliver(order, {})
        self._run_invoicing_job()
        self.assertFalse(order.invoice_ids)
        self.assertEqual(order.invoice_status, "to invoice")
        self.assertFalse(order.o2c_invoice_due)

    def test_at_order_invoices_ordered_quantities_once_confirmed(self):
        channel = self._channel("t-at-order", "at_order")
        # Odoo alone would invoice nothing before the delivery: the channel decides.
        self.product_coffee.invoice_policy = "delivery"
        draft = self._order(channel=channel, lines=[(self.product_coffee, 2)])
        triggers = self._job_triggers()
        order = self._confirmed(channel, lines=[(self.product_coffee, 2)])
        self.assertGreater(self._job_triggers(), triggers, "the job is called at confirmation")
        self._run_invoicing_job()
        self.assertFalse(draft.invoice_ids, "a quotation is not invoiced")
        invoice = order.invoice_ids
        self.assertEqual(len(invoice), 1)
        self.assertEqual(invoice.state, "posted")
        self.assertTrue(invoice.o2c_auto_invoice)
        self.assertEqual(invoice.o2c_channel_id, channel)
        self.assertEqual(self._invoice_lines(order), {self.product_coffee: 2})
        self.assertEqual(order.invoice_status, "invoiced")

    def test_auto_post_off_leaves_drafts(self):
        channel = self._channel("t-drafts", "at_order", auto_post=False)
        order = self._confirmed(channel)
        self._run_invoicing_job()
        self.assertEqual(order.invoice_ids.mapped("state"), ["draft"])
        self._run_invoicing_job()
        self.assertEqual(order.invoice_ids.mapped("state"), ["draft"], "nothing more")

    def test_at_delivery_invoices_what_was_shipped(self):
        channel = self._channel("t-at-delivery", "at_delivery")
        # Odoo alone would invoice all five at once: the channel invoices the shipped ones.
        self.product_fish_sauce.invoice_policy = "order"
        order = self._confirmed(channel, lines=[(self.product_fish_sauce, 5)])
        self._run_invoicing_job()
        self.assertFalse(order.invoice_ids, "nothing shipped yet")

        triggers = self._job_triggers()
        self._deliver(order, {self.product_fish_sauce: 2})
        self.assertTrue(order.o2c_invoice_due, "marked by the validation")
        self.assertGreater(self._job_triggers(), triggers, "the job is called")
        self.assertFalse(order.invoice_ids, "not invoiced inside the validation")
        self._run_invoicing_job()
        self.assertFalse(order.o2c_invoice_due)
        self.assertEqual(len(order.invoice_ids), 1)
        self.assertEqual(self._invoice_lines(order), {self.product_fish_sauce: 2})
        self.assertEqual(order.invoice_ids.state, "posted")

        self._deliver(order, {})  # the backorder: the other three
        self._run_invoicing_job()
        invoices = order.invoice_ids.sorted("id")
        self.assertEqual(len(invoices), 2)
        self.assertEqual(invoices[1].invoice_line_ids.quantity, 3)
        self.assertEqual(invoices.mapped("state"), ["posted", "posted"])
        self.assertEqual(order.invoice_status, "invoiced")

    def test_periodic_weekly_one_invoice_per_customer(self):
        channel = self._channel(
            "t-weekly", "periodic", invoicing_period="weekly", invoicing_weekday="1"
        )
        self.product_coffee.invoice_policy = "order"
        lines = [(self.product_coffee, 1)]
        # The week from Monday 16 to Sunday 22 November 2026 (Vietnam time).
        first = self._confirmed(channel, lines=lines, date=datetime.datetime(2026, 11, 16, 2))
        second = self._confirmed(channel, lines=lines, date=datetime.datetime(2026, 11, 20, 9))
        other = self._confirmed(
            channel, partner=self.customer_2, lines=lines, date=datetime.datetime(2026, 11, 18)
        )
        # Monday 23 November, 08:00 in Vietnam: already next week.
        next_week = self._confirmed(channel, lines=lines, date=datetime.datetime(2026, 11, 23, 1))
        orders = first | second | other | next_week

        with freeze_time("2026-11-22 16:00:00"):  # Sunday 23:00 in Vietnam
            self._run_invoicing_job()
        self.assertFalse(orders.invoice_ids, "nothing before the invoicing day")

        with freeze_time("2026-11-23 02:00:00"):  # Monday 09:00 in Vietnam
            self._run_invoicing_job()
        self.assertEqual(len(first.invoice_ids), 1)
        self.assertEqual(first.invoice_ids, second.invoice_ids, "one invoice for the customer")
        self.assertEqual(first.invoice_ids.partner_id, self.customer)
        self.assertEqual(first.invoice_ids.invoice_line_ids.mapped("quantity"), [1, 1])
        self.assertEqual(len(other.invoice_ids), 1)
        self.assertNotEqual(other.invoice_ids, first.invoice_ids)
        self.assertEqual(other.invoice_ids.partner_id, self.customer_2)
        self.assertFalse(next_week.invoice_ids, "next week's order waits for its period")
        self.assertEqual((first | other).invoice_ids.mapped("state"), ["posted", "posted"])
        self.assertEqual(channel.invoicing_last_run, datetime.date(2026, 11, 23))

        with freeze_time("2026-11-25 02:00:00"):
            self._run_invoicing_job()
        self.assertFalse(next_week.invoice_ids, "not before next Monday")
        with freeze_time("2026-11-30 02:00:00"):
            self._run_invoicing_job()
        self.assertEqual(len(next_week.invoice_ids), 1)
        self.assertEqual(len(orders.invoice_ids), 3)

    def test_periodic_schedule_is_checked(self):
        channel = self._channel("t-monthly", "periodic", invoicing_period="monthly")
        with self.assertRaisesRegex(ValidationError, "Invoicing Day of Month.*31"):
            channel.invoicing_month_day = 31

    def test_channel_form_sets_a_weekly_schedule(self):
        form = Form(self.env["o2c.channel"])
        form.name = "Đại lý"
        form.code = "t-dealers"
        self.assertEqual(form.invoicing_policy, "manual", "nothing automatic by default")
        form.invoicing_policy = "periodic"
        form.invoicing_period = "weekly"
        form.invoicing_weekday = "3"
        form.auto_post = True
        channel = form.save()
        self.assertEqual(channel._o2c_invoicing_day(), 3)

    def test_order_on_hold_is_never_invoiced(self):
        channel = self._channel("t-hold", "at_order")
        walk_in = self.env["res.partner"].create({"name": "Khách lẻ"})
        order = self._confirmed(channel, partner=walk_in)
        # A later verification puts the confirmed order on hold (no phone, no address).
        self._only_rules("customer_data")
        order.action_o2c_check()
        self.assertTrue(order.o2c_hold)
        self._run_invoicing_job()
        self._run_invoicing_job()
        self.assertFalse(order.invoice_ids)
        order._o2c_override("Customer called back, address confirmed")
        self.assertFalse(order.o2c_hold)
        self._run_invoicing_job()
        self.assertEqual(order.invoice_ids.state, "posted")

    def test_running_twice_creates_nothing_more(self):
        channel = self._channel("t-twice", "at_order")
        order = self._confirmed(channel)
        self._run_invoicing_job()
        self._run_invoicing_job()
        self.assertEqual(len(order.invoice_ids), 1)
        self.assertEqual(order.invoice_ids.state, "posted")

    def test_draft_left_by_a_run_is_posted_not_created_again(self):
        channel = self._channel("t-crash", "at_order", auto_post=False)
        order = self._confirmed(channel)
        self._run_invoicing_job()
        draft = order.invoice_ids
        self.assertEqual(draft.state, "draft")
        # As if the run had stopped between creating and posting it.
        channel.auto_post = True
        self._run_invoicing_job()
        self.assertEqual(order.invoice_ids, draft)
        self.assertEqual(draft.state, "posted")

    @mute_logger("odoo.addons.order_to_cash.models.account_move_invoicing")
    def test_failing_order_does_not_stop_the_batch(self):
        channel = self._channel("t-failing", "at_order")
        closed_journal = self.company_data["default_journal_sale"].copy({"code": "TCLO"})
        bad = self._confirmed(channel, partner=self.customer_2)
        bad.journal_id = closed_journal
        closed_journal.action_archive()
        good = self._confirmed(channel)

        self._run_invoicing_job()
        self.assertEqual(good.invoice_ids.state, "posted")
        self.assertEqual(bad.invoice_ids.state, "draft", "made, but it cannot be posted")
        self.assertIn("archived journal", bad.o2c_invoice_error)
        notes = bad.message_ids.filtered(lambda m: "Automatic invoicing failed" in m.body)
        self.assertEqual(len(notes), 1)

        self._run_invoicing_job()
        self.assertEqual(len(bad.invoice_ids), 1, "retried, not made again")
        notes = bad.message_ids.filtered(lambda m: "Automatic invoicing failed" in m.body)
        self.assertEqual(len(notes), 1, "the note is not repeated")

        closed_journal.action_unarchive()
        self._run_invoicing_job()
        self.assertEqual(bad.invoice_ids.state, "posted")
        self.assertFalse(bad.o2c_invoice_error)
        self.assertEqual(len(good.invoice_ids), 1)

    def test_multi_company_orders_are_invoiced_in_their_company(self):
        company_b = self.setup_other_company(name="Công ty B")["company"]
        company_b.partner_id.tz = "Asia/Ho_Chi_Minh"
        self.env.user.company_ids |= company_b
        # A channel shared by both companies, invoicing monthly on the 1st.
        channel = self._channel(
            "t-shared",
            "periodic",
            company_id=False,
            warehouse_id=False,
            invoicing_period="monthly",
            invoicing_month_day=1,
        )
        self.product_coffee.invoice_policy = "order"
        order_a = self._confirmed(
            channel, lines=[(self.product_coffee, 1)], date=datetime.datetime(2026, 10, 5)
        )
        order_b = (
            self.env["sale.order"]
            .with_company(company_b)
            .create(
                {
                    "partner_id": self.customer.id,
                    "company_id": company_b.id,
                    "o2c_channel_id": channel.id,
                    "order_line": [
                        Command.create({"product_id": self.product_coffee.id, "product_uom_qty": 4})
                    ],
                }
            )
        )
        order_b.action_confirm()
        order_b.date_order = datetime.datetime(2026, 10, 6)

        with freeze_time("2026-11-01 12:00:00"):
            self._run_invoicing_job()
        invoice_a, invoice_b = order_a.invoice_ids, order_b.invoice_ids
        self.assertEqual(len(invoice_a), 1)
        self.assertEqual(len(invoice_b), 1)
        self.assertNotEqual(invoice_a, invoice_b, "never one invoice across companies")
        self.assertEqual(invoice_a.company_id, self.company)
        self.assertEqual(invoice_b.company_id, company_b)
        self.assertEqual(invoice_b.journal_id.company_id, company_b)
        self.assertEqual(invoice_b.line_ids.account_id.company_ids, company_b)
        self.assertEqual(invoice_b.invoice_line_ids.quantity, 4)
        self.assertEqual((invoice_a | invoice_b).mapped("state"), ["posted", "posted"])
