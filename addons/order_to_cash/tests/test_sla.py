import datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged

from .common import O2cCommon

UTC_OFFSET = datetime.timedelta(hours=7)


def local(*args):
    """A time in Vietnam (UTC+7) as the naive UTC datetime Odoo stores."""
    return datetime.datetime(*args) - UTC_OFFSET


@tagged("post_install", "-at_install")
class TestSla(O2cCommon):
    """Deadlines in working hours of a real resource.calendar (Mon-Fri 8-12, 13-17
    in Asia/Ho_Chi_Minh), peak stretch, status and the alert job."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._only_rules()
        cls.calendar = cls._vn_calendar(cls.company, "VN office (test)")
        cls.profile = cls.env["o2c.sla.profile"].create(
            {
                "name": "All orders",
                "company_id": cls.company.id,
                "resource_calendar_id": cls.calendar.id,
                "line_ids": [
                    Command.create({"transition": "verified", "hours": 4}),
                    Command.create({"transition": "packed", "hours": 10}),
                    Command.create({"transition": "shipped", "hours": 12}),
                    Command.create(
                        {
                            "transition": "delivered",
                            "hours": 8,
                            "state_ids": [Command.set(cls.hcm.ids)],
                        }
                    ),
                    Command.create({"transition": "delivered", "hours": 40}),
                ],
            }
        )
        cls.salesman = new_test_user(
            cls.env,
            login="sla_salesman",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company.id,
        )
        cls.activity_type = cls.env.ref("order_to_cash.mail_activity_type_o2c_sla")

    @classmethod
    def _vn_calendar(cls, company, name):
        return cls.env["resource.calendar"].create(
            {
                "name": name,
                "company_id": company.id,
                "tz": "Asia/Ho_Chi_Minh",
                "attendance_ids": [Command.clear()]
                + [
                    Command.create(
                        {
                            "name": period,
                            "dayofweek": str(day),
                            "hour_from": start,
                            "hour_to": end,
                            "day_period": period,
                        }
                    )
                    for day in range(5)
                    for period, start, end in (("morning", 8, 12), ("afternoon", 13, 17))
                ],
            }
        )

    def _accepted(self, when, company=None, user=None, partner=None, channel=None):
        """An order accepted at ``when`` (the channel's time of acceptance)."""
        company = company or self.company
        return (
            self.env["sale.order"]
            .with_company(company)
            .create(
                {
                    "partner_id": (partner or self.customer).id,
                    "company_id": company.id,
                    "user_id": user.id if user else False,
                    "o2c_channel_id": channel.id if channel else False,
                    "o2c_date_accepted": when,
                    "order_line": [
                        Command.create(
                            {"product_id": self.product_fish_sauce.id, "product_uom_qty": 1}
                        )
                    ],
                }
            )
        )

    def _run_sla_job(self):
        """Run the SLA job as the scheduler would, on a cursor of its own."""
        self.env.flush_all()
        with self.enter_registry_test_mode(), self.registry.cursor() as cr:
            self.env(cr=cr)["sale.order"]._cron_o2c_sla()
        self.env.invalidate_all()

    def _stored_profile(self, order):
        """The profile stored in the database now (what the saving transaction wrote)."""
        self.env.flush_all()
        order.invalidate_recordset()
        return order.o2c_sla_profile_id

    def _queued(self):
        return self.env["o2c.sla.rematch"].search([("company_id", "=", self.company.id)])

    def _alerts(self, order):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "sale.order"),
                ("res_id", "=", order.id),
                ("activity_type_id", "=", self.activity_type.id),
            ]
        )

    # ------------------------------------------------------------------
    # Deadlines
    # ------------------------------------------------------------------

    def test_deadline_across_weekend(self):
        # Friday 15:00 + 4 working hours: 2 h on Friday, 2 h on Monday morning.
        order = self._accepted(local(2026, 11, 27, 15))
        self.assertEqual(order.o2c_sla_profile_id, self.profile)
        self.assertEqual(order.o2c_sla_due_verified, local(2026, 11, 30, 10))
        self.assertEqual(order.o2c_sla_next_stage, "verified")
        self.assertEqual(order.o2c_sla_deadline, local(2026, 11, 30, 10))
        self.assertFalse(order.o2c_sla_due_packed)

    def test_deadline_across_holiday(self):
        # Tết 2026: public holiday (time off without resource) 14-22 Feb, local days.
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Tết Nguyên Đán 2026",
                "calendar_id": self.calendar.id,
                "company_id": self.company.id,
                "date_from": local(2026, 2, 14),
                "date_to": local(2026, 2, 22, 23, 59, 59),
            }
        )
        # Friday 13 Feb 16:00 + 4 h: 1 h on Friday, then Monday 23 Feb 8:00 + 3 h
        # (without the holiday: Monday 16 Feb 11:00).
        order = self._accepted(local(2026, 2, 13, 16))
        self.assertEqual(order.o2c_sla_due_verified, local(2026, 2, 23, 11))

    def test_deadline_of_next_stage_from_when_the_previous_was_reached(self):
        order = self._accepted(local(2026, 11, 30, 8))
        # Reached at a time outside working hours: the clock starts at 8:00 next day.
        order.o2c_date_verified = local(2026, 11, 30, 20)
        self.assertEqual(order.o2c_sla_due_verified, local(2026, 11, 30, 12))
        self.assertEqual(order.o2c_sla_next_stage, "packed")
        # 10 h from Tuesday 8:00: Tuesday 8 h, Wednesday 2 h.
        self.assertEqual(order.o2c_sla_due_packed, local(2026, 12, 2, 10))
        self.assertEqual(order.o2c_sla_deadline, order.o2c_sla_due_packed)

    def test_delivery_target_by_province_zone(self):
        order = self._accepted(local(2026, 11, 30, 8))
        self._tracked(order)
        order.write(
            {
                "o2c_date_verified": local(2026, 11, 30, 9),
                "o2c_date_shipped": local(2026, 11, 30, 10),
            }
        )
        # Ho Chi Minh City: 8 h from shipping (packing skipped: no packing deadline).
        self.assertEqual(order.o2c_sla_next_stage, "delivered")
        self.assertEqual(order.o2c_sla_due_delivered, local(2026, 12, 1, 10))
        self.assertFalse(order.o2c_sla_due_shipped)
        elsewhere = self.customer.copy({"state_id": self.hanoi.id})
        other = self._accepted(local(2026, 11, 30, 8), partner=elsewhere)
        self._tracked(other)
        other.write(
            {
                "o2c_date_verified": local(2026, 11, 30, 9),
                "o2c_date_shipped": local(2026, 11, 30, 10),
            }
        )
        # Elsewhere: 40 h = five working days.
        self.assertEqual(other.o2c_sla_due_delivered, local(2026, 12, 7, 10))
        order.o2c_date_delivered = local(2026, 12, 1, 9)
        self.assertFalse(order.o2c_sla_deadline)
        self.assertEqual(order.o2c_sla_status, "none")

    def test_peak_stretch(self):
        self.env["o2c.peak.period"].create(
            {
                "name": "Black Friday",
                "company_id": self.company.id,
                "date_from": datetime.date(2026, 11, 27),
                "date_to": datetime.date(2026, 11, 30),
                "stretch_verified": 2.0,
            }
        )
        # Accepted during the peak: 4 h x 2 = 8 h: Friday 2 h, Monday 6 h.
        order = self._accepted(local(2026, 11, 27, 15))
        self.assertEqual(order.o2c_sla_due_verified, local(2026, 11, 30, 15))
        # Accepted the day before the peak: not stretched.
        before = self._accepted(local(2026, 11, 26, 15))
        self.assertEqual(before.o2c_sla_due_verified, local(2026, 11, 27, 10))
        # Verified during the peak: packing is not stretched (factor 1 for it).
        order.o2c_date_verified = local(2026, 11, 30, 8)
        self.assertEqual(order.o2c_sla_due_packed, local(2026, 12, 1, 10))

    def test_bad_targets_are_refused(self):
        with self.assertRaisesRegex(ValidationError, "Target .working hours. must be greater"):
            self.profile.line_ids[0].hours = 0
        with self.assertRaisesRegex(ValidationError, "Stretch Packed → Shipped must be at least"):
            self.env["o2c.peak.period"].create(
                {
                    "name": "Bad",
                    "date_from": datetime.date(2026, 11, 1),
                    "date_to": datetime.date(2026, 11, 2),
                    "stretch_shipped": 0.5,
                }
            )

    # ------------------------------------------------------------------
    # Status and alerts
    # ------------------------------------------------------------------

    def test_at_risk_at_80_percent(self):
        # Monday 8:00 + 10 h packing: due Tuesday 10:00; 80 % (8 h) at Monday 17:00.
        order = self._accepted(local(2026, 11, 30, 7))
        order.o2c_date_verified = local(2026, 11, 30, 8)
        self.assertEqual(order.o2c_sla_deadline, local(2026, 12, 1, 10))
        self.assertEqual(order.o2c_sla_risk_date, local(2026, 11, 30, 17))
        with freeze_time(local(2026, 11, 30, 16, 59)):
            self._run_sla_job()
            self.assertEqual(order.o2c_sla_status, "on_track")
        with freeze_time(local(2026, 11, 30, 17)):
            self._run_sla_job()
            self.assertEqual(order.o2c_sla_status, "at_risk")
        # Overnight the working time does not run: still at risk at 7:59 next day.
        with freeze_time(local(2026, 12, 1, 7, 59)):
            self._run_sla_job()
            self.assertEqual(order.o2c_sla_status, "at_risk")
        with freeze_time(local(2026, 12, 1, 10)):
            self._run_sla_job()
            self.assertEqual(order.o2c_sla_status, "breached")
        self.assertEqual(
            self.env["sale.order"].search_count(
                [("id", "=", order.id), ("o2c_sla_status", "=", "breached")]
            ),
            1,
        )

    def test_alerts_are_never_duplicated(self):
        order = self._accepted(local(2026, 11, 30, 8), user=self.salesman)
        # Verification due Monday 12:00; at risk from 11:12 (3.2 h).
        with freeze_time(local(2026, 11, 30, 11, 30)):
            self._run_sla_job()
            self._run_sla_job()
        alerts = self._alerts(order)
        self.assertEqual(len(alerts), 1)
        self.assertEqual(alerts.user_id, self.salesman)
        self.assertEqual(order.o2c_sla_alerted, "verified:at_risk")
        # at risk -> breached: a second alert, once.
        with freeze_time(local(2026, 11, 30, 13)):
            self._run_sla_job()
            self._run_sla_job()
        self.assertEqual(len(self._alerts(order)), 2)
        self.assertEqual(order.o2c_sla_alerted, "verified:breached")
        # Verified late; packing due Wednesday 10:00 breaches too: a new alert.
        order.o2c_date_verified = local(2026, 11, 30, 14)
        with freeze_time(local(2026, 12, 3, 9)):
            self._run_sla_job()
            self._run_sla_job()
        self.assertEqual(len(self._alerts(order)), 3)
        self.assertEqual(order.o2c_sla_alerted, "packed:breached")
        self.assertEqual(order.o2c_sla_status, "breached")

    def test_alert_goes_to_profile_responsible_without_salesperson(self):
        manager = new_test_user(self.env, login="sla_lead", groups="sales_team.group_sale_salesman")
        self.profile.responsible_user_id = manager
        order = self._accepted(local(2026, 11, 30, 8))
        with freeze_time(local(2026, 12, 1, 9)):
            self._run_sla_job()
        self.assertEqual(self._alerts(order).user_id, manager)

    def test_each_company_uses_its_own_profile(self):
        company_b = self.setup_other_company(name="Company B (SLA)")["company"]
        # B's back-office quotations enter the pipeline too (the SLA scope).
        company_b.o2c_verify_manual_orders = True
        calendar_b = self._vn_calendar(company_b, "B office (test)")
        profile_b = self.env["o2c.sla.profile"].create(
            {
                "name": "B orders",
                "company_id": company_b.id,
                "sequence": 1,
                "resource_calendar_id": calendar_b.id,
                "line_ids": [Command.create({"transition": "verified", "hours": 1})],
            }
        )
        # A's peak stretches A's orders only; A's holiday is on A's calendar only.
        self.env["o2c.peak.period"].create(
            {
                "name": "A peak",
                "company_id": self.company.id,
                "date_from": datetime.date(2026, 11, 30),
                "date_to": datetime.date(2026, 11, 30),
                "stretch_verified": 3.0,
            }
        )
        # A's company-wide holiday (on no calendar) on Tuesday is not B's.
        self.env["resource.calendar.leaves"].with_company(self.company).create(
            {
                "name": "A's holiday",
                "date_from": local(2026, 12, 1),
                "date_to": local(2026, 12, 1, 23, 59, 59),
            }
        )
        order_a = self._accepted(local(2026, 11, 30, 8))
        order_b = self._accepted(local(2026, 11, 30, 8), company=company_b)
        order_b_tuesday = self._accepted(local(2026, 12, 1, 8), company=company_b)
        self.assertEqual(order_a.o2c_sla_profile_id, self.profile)
        self.assertEqual(order_b.o2c_sla_profile_id, profile_b)
        # 4 h x 3 = 12 h: Monday 8 h, (Tuesday off) Wednesday 4 h.
        self.assertEqual(order_a.o2c_sla_due_verified, local(2026, 12, 2, 12))
        self.assertEqual(order_b_tuesday.o2c_sla_due_verified, local(2026, 12, 1, 9))
        self.assertEqual(order_b.o2c_sla_due_verified, local(2026, 11, 30, 9))
        with freeze_time(local(2026, 11, 30, 10)):
            self._run_sla_job()
        self.assertEqual(order_a.o2c_sla_status, "on_track")
        self.assertEqual(order_b.o2c_sla_status, "breached")
        # A profile of company A is never given to B's orders, even when it is the only one.
        profile_b.active = False
        order_b2 = self._accepted(local(2026, 11, 30, 8), company=company_b)
        self.assertFalse(order_b2.o2c_sla_profile_id)
        self.assertEqual(order_b2.o2c_sla_status, "none")

    def test_profile_specific_to_channel_and_tag_first(self):
        vip = self.env["res.partner.category"].create({"name": "VIP (SLA test)"})
        shopee = self.profile.copy(
            {
                "name": "Shopee",
                "sequence": 50,
                "channel_ids": [Command.set(self.channel_shopee.ids)],
            }
        )
        shopee_vip = self.profile.copy(
            {
                "name": "Shopee VIP",
                "sequence": 90,
                "channel_ids": [Command.set(self.channel_shopee.ids)],
                "partner_category_ids": [Command.set(vip.ids)],
            }
        )
        vip_customer = self.customer.copy({"category_id": [Command.set(vip.ids)]})
        when = local(2026, 11, 30, 8)
        self.assertEqual(
            self._accepted(when, channel=self.channel_shopee).o2c_sla_profile_id, shopee
        )
        self.assertEqual(
            self._accepted(
                when, channel=self.channel_shopee, partner=vip_customer
            ).o2c_sla_profile_id,
            shopee_vip,
        )
        self.assertEqual(
            self._accepted(when, channel=self.channel_phone).o2c_sla_profile_id, self.profile
        )

    # ------------------------------------------------------------------
    # Peak wave cap
    # ------------------------------------------------------------------

    def test_peak_wave_cap_wins_when_smaller(self):
        self.warehouse.write({"o2c_release_by_waves": True, "o2c_wave_max_orders": 4})
        today = datetime.date.today()
        peak = self.env["o2c.peak.period"].create(
            {
                "name": "Tết",
                "company_id": self.company.id,
                "date_from": today - datetime.timedelta(days=1),
                "date_to": today + datetime.timedelta(days=1),
                "wave_max_orders": 2,
            }
        )
        orders = self.env["sale.order"]
        for _index in range(5):
            order = self._order()
            order.action_confirm()
            orders |= order
        batches = self.env["stock.picking"]._o2c_release(self.warehouse)
        self.assertEqual([len(b.picking_ids) for b in batches], [2, 2, 1])
        # A larger peak cap does not loosen the warehouse's own.
        peak.wave_max_orders = 10
        self.assertEqual(self.warehouse._o2c_release_caps().max_orders, 4)
        # Outside the peak the warehouse's cap applies.
        peak.wave_max_orders = 2
        peak.write(
            {
                "date_from": today + datetime.timedelta(days=5),
                "date_to": today + datetime.timedelta(days=6),
            }
        )
        self.assertEqual(self.warehouse._o2c_release_caps().max_orders, 4)

    # ------------------------------------------------------------------
    # Review fixes: when the SLA ends, late profiles, scope, time zone
    # ------------------------------------------------------------------

    def _tracked(self, order):
        """Give ``order`` a carrier shipment: its delivery is then the carrier's."""
        account = self.env["o2c.carrier.account"].create({"name": "GHTK (SLA)", "carrier": "ghtk"})
        return self.env["o2c.shipment"].create(
            {
                "carrier_account_id": account.id,
                "tracking_ref": f"SLA-{order.id}",
                "sale_order_id": order.id,
            }
        )

    def test_delivered_sla_ends_once_paid_without_carrier_delivery_date(self):
        order = self._accepted(local(2026, 11, 30, 8), user=self.salesman)
        self._tracked(order)
        order.write(
            {
                "o2c_date_verified": local(2026, 11, 30, 9),
                "o2c_date_packed": local(2026, 11, 30, 10),
                "o2c_date_shipped": local(2026, 11, 30, 11),
                "o2c_date_paid": local(2026, 11, 30, 12),
                "o2c_date_closed": local(2026, 11, 30, 13),
            }
        )
        with freeze_time(local(2027, 1, 30, 9)):
            self._run_sla_job()
        self.assertFalse(order.o2c_sla_next_stage)
        self.assertEqual(order.o2c_sla_status, "none")
        self.assertFalse(self._alerts(order))
        # The KPIs still judge the delivery against its due date.
        self.assertEqual(order.o2c_sla_due_delivered, local(2026, 12, 1, 11))

    def test_delivered_sla_ends_at_shipping_without_carrier_tracking(self):
        dates = {
            "o2c_date_verified": local(2026, 11, 30, 9),
            "o2c_date_shipped": local(2026, 11, 30, 10),
        }
        pickup = self._accepted(local(2026, 11, 30, 8))
        pickup.write(dates)
        self.assertFalse(pickup.o2c_sla_next_stage)
        self.assertFalse(pickup.o2c_sla_deadline)
        self.assertEqual(pickup.o2c_sla_due_delivered, local(2026, 12, 1, 10))
        tracked = self._accepted(local(2026, 11, 30, 8))
        self._tracked(tracked)
        tracked.write(dates)
        self.assertEqual(tracked.o2c_sla_next_stage, "delivered")
        self.assertEqual(tracked.o2c_sla_deadline, local(2026, 12, 1, 10))

    def test_profile_activated_later_reaches_open_orders(self):
        self.profile.active = False
        order = self._accepted(local(2026, 11, 30, 8), channel=self.channel_phone)
        closed = self._accepted(local(2026, 11, 30, 8), channel=self.channel_phone)
        closed.o2c_date_closed = local(2026, 11, 30, 9)
        self.assertFalse(order.o2c_sla_profile_id)
        self.profile.active = True
        self._run_sla_job()
        self.assertEqual(order.o2c_sla_profile_id, self.profile)
        self.assertEqual(order.o2c_sla_due_verified, local(2026, 11, 30, 12))
        self.assertEqual(order.o2c_sla_deadline, local(2026, 11, 30, 12))
        self.assertFalse(closed.o2c_sla_profile_id)
        # A more specific profile created later takes the order over; the due date
        # already fixed does not move, the missing ones come from the new profile.
        phone = self.profile.copy(
            {
                "name": "Phone",
                "channel_ids": [Command.set(self.channel_phone.ids)],
                "line_ids": [
                    Command.create({"transition": "verified", "hours": 1}),
                    Command.create({"transition": "packed", "hours": 2}),
                ],
            }
        )
        self._run_sla_job()
        self.assertEqual(order.o2c_sla_profile_id, phone)
        self.assertEqual(order.o2c_sla_due_verified, local(2026, 11, 30, 12))
        order.o2c_date_verified = local(2026, 11, 30, 9)
        self.assertEqual(order.o2c_sla_due_packed, local(2026, 11, 30, 11))
        self.assertFalse(closed.o2c_sla_profile_id)

    def test_profile_created_later_reaches_open_orders(self):
        self.profile.active = False
        order = self._accepted(local(2026, 11, 30, 8))
        late = self.profile.copy(
            {
                "name": "Go-live",
                "active": True,
                "line_ids": [Command.create({"transition": "verified", "hours": 4})],
            }
        )
        self._run_sla_job()
        self.assertEqual(order.o2c_sla_profile_id, late)
        self.assertEqual(order.o2c_sla_due_verified, local(2026, 11, 30, 12))

    def test_customer_tag_change_rematches_profile(self):
        vip = self.env["res.partner.category"].create({"name": "VIP (SLA rematch)"})
        vip_profile = self.profile.copy(
            {"name": "VIP", "partner_category_ids": [Command.set(vip.ids)]}
        )
        order = self._accepted(local(2026, 11, 30, 8))
        self.assertEqual(order.o2c_sla_profile_id, self.profile)
        self.customer.category_id = [Command.link(vip.id)]
        # Queued for the SLA job, not re-matched while the customer is saved.
        self.assertEqual(self._stored_profile(order), self.profile)
        self.assertEqual(self._queued().partner_id, self.customer)
        self._run_sla_job()
        self.assertEqual(order.o2c_sla_profile_id, vip_profile)
        self.assertFalse(self._queued())

    def test_tagging_from_the_tag_side_queues_the_customer(self):
        vip = self.env["res.partner.category"].create({"name": "VIP (SLA tag side)"})
        vip_profile = self.profile.copy(
            {"name": "VIP tag side", "partner_category_ids": [Command.set(vip.ids)]}
        )
        order = self._accepted(local(2026, 11, 30, 8))
        self._run_sla_job()
        vip.partner_ids = [Command.link(self.customer.id)]
        self.assertEqual(self._stored_profile(order), self.profile)
        self.assertEqual(self._queued().partner_id, self.customer)
        self._run_sla_job()
        self.assertEqual(order.o2c_sla_profile_id, vip_profile)
        vip.partner_ids = [Command.unlink(self.customer.id)]
        self._run_sla_job()
        self.assertEqual(order.o2c_sla_profile_id, self.profile)

    def test_mass_tag_change_queues_the_company_once(self):
        vip = self.env["res.partner.category"].create({"name": "VIP (SLA mass)"})
        vip_profile = self.profile.copy(
            {"name": "VIP mass", "partner_category_ids": [Command.set(vip.ids)]}
        )
        order = self._accepted(local(2026, 11, 30, 8))
        self._run_sla_job()
        others = self.env["res.partner"].create([{"name": f"Mass {i}"} for i in range(60)])
        (self.customer | others).category_id = [Command.link(vip.id)]
        queued = self._queued()
        self.assertEqual(len(queued), 1)
        self.assertFalse(queued.partner_id, "a mass change re-matches the company's orders")
        self._run_sla_job()
        self.assertEqual(order.o2c_sla_profile_id, vip_profile)

    def test_back_office_quotation_without_channel_gets_no_sla(self):
        self.company.o2c_verify_manual_orders = False
        back_office = self._accepted(local(2026, 11, 30, 8), user=self.salesman)
        from_channel = self._accepted(
            local(2026, 11, 30, 8), user=self.salesman, channel=self.channel_phone
        )
        with freeze_time(local(2026, 12, 1, 9)):
            self._run_sla_job()
        self.assertEqual(back_office.o2c_sla_status, "none")
        self.assertFalse(back_office.o2c_sla_deadline)
        self.assertFalse(self._alerts(back_office))
        self.assertEqual(from_channel.o2c_sla_status, "breached")
        self.assertEqual(len(self._alerts(from_channel)), 1)

    def test_alert_day_is_the_company_day_not_the_user_day(self):
        self.env.user.tz = "America/New_York"
        order = self._accepted(local(2026, 11, 30, 8), user=self.salesman)
        # Tuesday 6:00 in Vietnam is still Monday in New York.
        with freeze_time(local(2026, 12, 1, 6)):
            self._run_sla_job()
        self.assertEqual(self._alerts(order).date_deadline, datetime.date(2026, 12, 1))

    def test_peak_wave_cap_day_is_the_company_day(self):
        self.env.user.tz = "America/New_York"
        self.company.partner_id.tz = "Asia/Ho_Chi_Minh"
        self.env["o2c.peak.period"].create(
            {
                "name": "12.12 (SLA tz)",
                "company_id": self.company.id,
                "date_from": datetime.date(2026, 12, 12),
                "date_to": datetime.date(2026, 12, 12),
                "wave_max_orders": 2,
            }
        )
        with freeze_time(local(2026, 12, 12, 6)):
            self.assertEqual(self.env["o2c.peak.period"]._o2c_wave_cap(self.company), 2)

    def test_finished_order_keeps_its_profile_when_tags_change(self):
        vip = self.env["res.partner.category"].create({"name": "VIP (SLA finished)"})
        self.profile.copy(
            {
                "name": "VIP",
                "partner_category_ids": [Command.set(vip.ids)],
                "line_ids": [Command.create({"transition": "delivered", "hours": 1})],
            }
        )
        order = self._accepted(local(2026, 11, 30, 8))
        order.write(
            {
                "o2c_date_verified": local(2026, 11, 30, 9),
                "o2c_date_shipped": local(2026, 11, 30, 10),
            }
        )
        self.customer.category_id = [Command.link(vip.id)]
        self._run_sla_job()
        # Delivered at shipping (no carrier): measured with the profile of the time.
        self.assertEqual(order.o2c_sla_profile_id, self.profile)
        self.assertEqual(order.o2c_sla_due_delivered, local(2026, 12, 1, 10))

    def test_profile_edit_rematches_in_the_sla_job_not_in_the_saving_transaction(self):
        phone = self.profile.copy(
            {
                "name": "Phone (queued re-match)",
                "channel_ids": [Command.set(self.channel_shopee.ids)],
                "line_ids": [Command.create({"transition": "verified", "hours": 1})],
            }
        )
        order = self._accepted(local(2026, 11, 30, 8), channel=self.channel_phone)
        closed = self._accepted(local(2026, 11, 30, 8), channel=self.channel_phone)
        closed.o2c_date_closed = local(2026, 11, 30, 9)
        self._run_sla_job()
        self.assertFalse(self._queued())
        self.assertEqual(order.o2c_sla_profile_id, self.profile)

        phone.channel_ids = [Command.set(self.channel_phone.ids)]
        # The saving transaction only records the request and wakes the job up.
        self.assertEqual(self._stored_profile(order), self.profile)
        self.assertEqual(len(self._queued()), 1)
        self.assertFalse(self._queued().partner_id)
        cron = self.env.ref("order_to_cash.ir_cron_o2c_sla")
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]))

        self._run_sla_job()
        self.assertEqual(order.o2c_sla_profile_id, phone)
        # Fixed at acceptance from the profile of that time; it does not move.
        self.assertEqual(order.o2c_sla_due_verified, local(2026, 11, 30, 12))
        self.assertEqual(closed.o2c_sla_profile_id, self.profile)
        self.assertFalse(self._queued())

        # A second run finds nothing left to re-match and changes nothing.
        self.env.cr.execute(
            "SELECT id, o2c_sla_profile_id, o2c_sla_due_verified, o2c_sla_deadline "
            "FROM sale_order WHERE id IN %s ORDER BY id",
            [(order | closed)._ids],
        )
        before = self.env.cr.fetchall()
        self._run_sla_job()
        self.env.cr.execute(
            "SELECT id, o2c_sla_profile_id, o2c_sla_due_verified, o2c_sla_deadline "
            "FROM sale_order WHERE id IN %s ORDER BY id",
            [(order | closed)._ids],
        )
        self.assertEqual(self.env.cr.fetchall(), before)
        self.assertFalse(self._queued())

    def test_rematch_resumes_after_the_last_committed_batch(self):
        orders = [self._accepted(local(2026, 11, 30, 8)) for _ in range(3)]
        self._run_sla_job()
        self.profile.active = False
        self._queued().sudo().last_order_id = orders[0].id
        self._run_sla_job()
        # Orders up to the stored progress were done by an earlier (interrupted) run.
        self.assertEqual(orders[0].o2c_sla_profile_id, self.profile)
        self.assertFalse(orders[1].o2c_sla_profile_id)
        self.assertFalse(orders[2].o2c_sla_profile_id)
        self.assertFalse(self._queued())
