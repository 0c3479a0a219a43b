import datetime

from dateutil.relativedelta import relativedelta
from stdnum import ean

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.einvoice_vn.tools import sandbox
from odoo.addons.order_to_cash.models.o2c_sla_profile import O2cSlaIntervals
from odoo.addons.order_to_cash.models.sale_order import DEFAULT_AFTER_SALES_DAYS, SLA_DUE_FIELDS
from odoo.addons.order_to_cash.pipeline import carriers, sla

from ..tools.story import (
    BILLING_COMPLAINT,
    BLOCKING_HOLDS,
    COMPANY_CUSTOMERS,
    COMPANY_NAME,
    ENGLISH,
    HISTORY,
    HISTORY_DAYS,
    MODULE,
    ORDER_TIME,
    PRODUCTS,
    PROMISE,
    PROMISED_DAYS,
    RATINGS,
    RETAIL,
    SLA_OFFICE_HOURS,
    SLA_PROFILES,
    STAGE_TIMELINE,
    TODAY,
    USERS,
    retail_ref,
    stage_times,
    start_before,
    with_check_digit,
)


class O2cDemoVnStory(models.AbstractModel):
    """Builds the Vietnamese demo story with the addons' own flows.

    Demo data loads in one transaction: nothing here commits, so the steps of the
    jobs that commit as they go (reminders, e-invoice sending) are called one by one.
    """

    _name = "o2c.demo.vn.story"
    _description = "Vietnamese Demo Story"

    @api.model
    def _build(self):
        """Build the story once; return the demo company. Running it again (module
        update, a second call) finds the company and changes nothing."""
        existing = self.env.ref(f"{MODULE}.company_sao_mai", raise_if_not_found=False)
        if existing:
            return existing
        self = self.sudo().with_context(  # noqa: PLW0642
            tracking_disable=True,
            mail_create_nolog=True,
            mail_notrack=True,
            no_reset_password=True,
        )
        today = fields.Date.context_today(self)
        company = self._make_company(today)
        story = self.with_company(company)
        story._make_users(company)
        story._make_products(company)
        story._make_customers(company)
        story._make_channels(company)
        story._make_reminder_policy(company)
        story._make_sla_profiles(company)
        historic = story._make_history(company, today)
        today_orders, times = story._make_today(company, today)
        story._make_after_sales(company, today_orders, historic, today)
        story._backdate_today(today_orders, times)
        story._close_after_sales(company)
        story._restart_slas(company)
        story._make_kpi_snapshots(today)
        story._make_o2c_kpi_snapshots(company, today)
        # The administrator lands in the Vietnamese company.
        self.env.ref("base.user_admin").write(
            {"company_ids": [Command.link(company.id)], "company_id": company.id}
        )
        return company

    # ------------------------------------------------------------------
    # Set-up
    # ------------------------------------------------------------------

    def _xmlid(self, name, record):
        self.env["ir.model.data"].create(
            {
                "module": MODULE,
                "name": name,
                "model": record._name,
                "res_id": record.id,
                "noupdate": True,
            }
        )
        return record

    def _ref(self, name):
        return self.env.ref(f"{MODULE}.{name}")

    def _vietnamese(self):
        """The code of Vietnamese if it is installed, else False."""
        installed = {code for code, _name in self.env["res.lang"].get_installed()}
        return "vi_VN" in installed and "vi_VN"

    def _translate_name(self, record, vietnamese):
        """``record``'s name in English (``ENGLISH``) and, where installed, in
        Vietnamese: a translatable name, whichever language the demo is made in."""
        translations = {"en_US": ENGLISH[vietnamese]}
        if self._vietnamese():
            translations["vi_VN"] = vietnamese
        record._update_field_translations("name", translations)
        return record

    def _make_company(self, today):
        vnd = self.env.ref("base.VND")
        vnd.active = True
        company = self.env["res.company"].create(
            {
                "name": COMPANY_NAME,
                "currency_id": vnd.id,
                "country_id": self.env.ref("base.vn").id,
                "state_id": self.env.ref("base.state_vn_VN-HN").id,
                "city": "Phường Hoàn Kiếm",
                "street": "12 Tràng Tiền",
                "phone": "+84 24 3825 6789",
                "email": "lienhe@saomai-demo.example",
                "website": "https://saomai-demo.example",
                "vat": sandbox.DEMO_MST,
            }
        )
        self._xmlid("company_sao_mai", company)
        # As Odoo's own demo companies: the administrator and OdooBot may work in it.
        (self.env.ref("base.user_admin") | self.env.ref("base.user_root")).write(
            {"company_ids": [Command.link(company.id)]}
        )
        self.env["account.chart.template"].try_loading("vn", company, install_demo=False)
        company.write(
            {
                "einvoice_vn_tax_office_code": "10100",
                "einvoice_vn_tax_office_name": "Thuế Thành phố Hà Nội",
                "einvoice_vn_law": "decree_70",
                "ar_dso_method": "countback",
            }
        )
        symbol = self.env["einvoice.vn.symbol"].create(
            {"template": "1", "name": f"C{today:%y}TSM", "company_id": company.id}
        )
        self._xmlid("einvoice_symbol", symbol)
        journal = self._sale_journal(company)
        journal.write({"einvoice_vn_enabled": True, "einvoice_vn_symbol_id": symbol.id})
        company.action_einvoice_vn_use_sandbox()
        if not self._warehouse(company):
            # Odoo makes a new company's warehouse in tests only; users make theirs.
            self.env["stock.warehouse"].create(
                {
                    "name": "Kho Hà Nội",
                    "code": "HN",
                    "company_id": company.id,
                    "partner_id": company.partner_id.id,
                }
            )
        return company

    def _sale_journal(self, company):
        return self.env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "sale")], limit=1
        )

    def _warehouse(self, company):
        return self.env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)

    def _make_users(self, company):
        vietnamese = self.env["res.lang"]._lang_get("vi_VN")
        for xmlid, name, login, groups in USERS:
            user = (
                self.env["res.users"]
                .with_context(no_reset_password=True)
                .create(
                    {
                        "name": name,
                        "login": login,
                        # Like Odoo's demo user (demo/demo): a password equal to the login.
                        "password": login,
                        "email": f"{login}@saomai-demo.example",
                        "company_id": company.id,
                        "company_ids": [Command.set(company.ids)],
                        "tz": "Asia/Ho_Chi_Minh",
                        "lang": vietnamese.code if vietnamese else "en_US",
                        "group_ids": [
                            Command.set(
                                [self.env.ref("base.group_user").id]
                                + [self.env.ref(group).id for group in groups]
                            )
                        ],
                    }
                )
            )
            self._xmlid(xmlid, user)

    def _make_products(self, company):
        tax = company.account_sale_tax_id
        warehouse = self._warehouse(company)
        Quant = self.env["stock.quant"].with_context(inventory_mode=True)
        quants = Quant
        for code, name, barcode, price, cost, stock in PRODUCTS:
            product = self.env["product.product"].create(
                {
                    "name": name,
                    "default_code": code,
                    "barcode": barcode + ean.calc_check_digit(barcode),
                    "type": "consu",
                    "is_storable": True,
                    "list_price": price,
                    "company_id": company.id,
                    "taxes_id": [Command.set(tax.ids)],
                }
            )
            product.with_company(company).standard_price = cost
            self._translate_name(product.product_tmpl_id, name)
            self._xmlid(f"product_{code.lower().replace('-', '_')}", product)
            quants |= Quant.create(
                {
                    "product_id": product.id,
                    "location_id": warehouse.lot_stock_id.id,
                    "inventory_quantity": stock,
                }
            )
        quants.action_apply_inventory()

    def _make_customers(self, company):
        term = self.env.ref("account.account_payment_term_30days")
        for ref, name, mst, street, ward, province, phone, email in COMPANY_CUSTOMERS:
            partner = self.env["res.partner"].create(
                {
                    "name": name,
                    "is_company": True,
                    "ref": ref,
                    "vat": with_check_digit(mst) if mst else False,
                    "street": street,
                    "city": ward,
                    "state_id": self.env.ref(f"base.state_vn_{province}").id,
                    "country_id": self.env.ref("base.vn").id,
                    "phone": phone,
                    "email": email,
                    "company_id": company.id,
                    "customer_rank": 1,
                    "lang": self._vietnamese() or "en_US",
                }
            )
            partner.with_company(company).write(
                {
                    "property_payment_term_id": term.id,
                    "credit_limit": 3_000_000_000,
                    "use_partner_credit_limit": True,
                }
            )
            self._xmlid(f"customer_{ref.lower()}", partner)
        # Retail customers known from earlier orders; the intake finds them by reference
        # (a phone number may also belong to another company's contact).
        for key, data in RETAIL.items():
            partner = self.env["res.partner"].create(
                {
                    "name": data["name"],
                    "ref": retail_ref(key),
                    "phone": data["phone"],
                    "email": data.get("email", False),
                    "street": data["street"],
                    "city": data["ward"],
                    "state_id": self.env.ref(f"base.state_vn_{data['province']}").id,
                    "country_id": self.env.ref("base.vn").id,
                    "company_id": company.id,
                    "customer_rank": 1,
                    "lang": self._vietnamese() or "en_US",
                }
            )
            self._xmlid(f"customer_{key}", partner)

    def _make_channels(self, company):
        methods = {m.code: m for m in self.env["o2c.payment.method"].search([])}
        warehouse = self._warehouse(company)
        term = self.env.ref("account.account_payment_term_30days")
        channels = [
            ("shopee", "Shopee", "marketplace", "shopee", ["cod", "marketplace"], "cod", 15),
            ("tiktok", "TikTok Shop", "marketplace", "tiktok", ["cod", "marketplace"], "cod", 15),
            (
                "website",
                "Website",
                "website",
                False,
                ["cod", "card", "ewallet", "bank_transfer"],
                "cod",
                30,
            ),
            ("phone", "Điện thoại", "phone", False, [], False, 30),
            ("b2b", "Đại lý (B2B)", "b2b_portal", False, ["credit", "bank_transfer"], "credit", 30),
        ]
        for code, name, kind, marketplace, allowed, default, after_sales in channels:
            values = {
                "name": name,
                "code": code,
                "channel_type": kind,
                "marketplace": marketplace,
                "company_id": company.id,
                "warehouse_id": warehouse.id,
                "payment_method_ids": [Command.set([methods[m].id for m in allowed])],
                "default_payment_method_id": methods[default].id if default else False,
                "after_sales_days": after_sales,
            }
            if code == "b2b":
                values["payment_term_id"] = term.id
            channel = self._translate_name(self.env["o2c.channel"].create(values), name)
            self._xmlid(f"channel_{code}", channel)
        self._xmlid(
            "carrier_ghn",
            self.env["o2c.carrier.account"].create(
                {
                    "name": "GHN – Sao Mai",
                    "carrier": "ghn",
                    "company_id": company.id,
                    # A demo account: nothing to ask GHN for.
                    "poll_enabled": False,
                }
            ),
        )

    def _make_reminder_policy(self, company):
        collector = self._ref("user_collector")
        policy = self.env["ar.reminder.policy"].create(
            {
                "name": "Chính sách nhắc nợ tiêu chuẩn",
                "company_id": company.id,
                "is_default": True,
                "level_ids": [
                    Command.create(
                        {
                            "name": "Thông báo sắp đến hạn",
                            "offset_days": -3,
                            "attach_statement": False,
                        }
                    ),
                    Command.create(
                        {"name": "Nhắc nợ lần 1", "offset_days": 1, "attach_statement": False}
                    ),
                    Command.create(
                        {
                            "name": "Nhắc nợ lần 2 – gọi điện",
                            "offset_days": 15,
                            "attach_statement": False,
                            "create_activity": True,
                            "collector_id": collector.id,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Tạm ngừng bán chịu",
                            "offset_days": 45,
                            "attach_statement": False,
                            "create_activity": True,
                            "credit_hold": True,
                            "collector_id": collector.id,
                        }
                    ),
                ],
            }
        )
        self._translate_name(policy, policy.with_context(lang="en_US").name)
        for level in policy.level_ids:
            self._translate_name(level, level.with_context(lang="en_US").name)
        self._xmlid("reminder_policy", policy)

    # ------------------------------------------------------------------
    # Six months of history, day by day
    # ------------------------------------------------------------------

    def _make_history(self, company, today):
        """Invoices, payments and the reminder job, replayed day by day: each day's
        reminders see the invoices and payments of that day, as the daily job did."""
        orders = {}
        payments = {}
        for index, (ref, days, lines, paid) in enumerate(HISTORY):
            orders.setdefault(days, []).append((index, ref, lines))
            for paid_days, share in paid:
                payments.setdefault(paid_days, []).append((index, share))
        invoices = {}
        promise_ref, promised_days, promise_in = PROMISE
        for days in range(HISTORY_DAYS, -1, -1):
            day = today - datetime.timedelta(days=days)
            for index, ref, lines in orders.get(days, []):
                invoices[index] = self._historic_order(company, index, ref, lines, day)
            for index, share in payments.get(days, []):
                self._pay(invoices[index], day, share)
                orders_paid = invoices[index].line_ids.sale_line_ids.order_id
                orders_paid.filtered("o2c_date_paid").o2c_date_paid = datetime.datetime.combine(
                    day, ORDER_TIME
                ) + datetime.timedelta(hours=5)
            if days == promised_days:
                partner = self._ref(f"customer_{promise_ref.lower()}")
                open_amount = sum(
                    invoice.amount_residual
                    for invoice in invoices.values()
                    if invoice.partner_id == partner
                )
                self._xmlid(
                    "promise",
                    self.env["ar.promise"].create(
                        {
                            "partner_id": partner.id,
                            "company_id": company.id,
                            "date": day + datetime.timedelta(days=promise_in),
                            "amount": open_amount,
                            "user_id": self._ref("user_collector").id,
                            "note": "Kế toán trưởng hẹn chuyển khoản sau khi đối chiếu công nợ.",
                        }
                    ),
                )
            self._run_reminders(company, day)
        return invoices

    def _historic_order(self, company, index, ref, lines, day):
        """A B2B order of ``day``: taken in, confirmed, delivered and invoiced that day;
        its e-invoice issued when the journal's symbol is for that year."""
        moment = datetime.datetime.combine(day, ORDER_TIME)
        [result] = self.env["sale.order"].o2c_intake(
            [
                {
                    "channel": "b2b",
                    "external_ref": f"PO-{ref[:2]}-{index + 1:04d}",
                    "customer": {"ref": ref},
                    "date_order": fields.Datetime.to_string(moment),
                    "lines": [{"default_code": code, "qty": qty} for code, qty in lines],
                }
            ]
        )
        order = self._intake_order(result)
        order.action_confirm()
        self._deliver(order)
        invoice = self._invoice(order, day)
        # The documents prove these stages on their own days, not on the day the demo
        # was made: verified within the hour, packed and shipped the next working hours,
        # delivered by truck one to four days later against a promise of three days
        # (spread by order, for the KPIs: some deliveries are late).
        verified = moment + datetime.timedelta(minutes=20 + index * 17 % 120)
        packed = verified + datetime.timedelta(hours=3 + index % 20)
        shipped = packed + datetime.timedelta(hours=2 + index * 5 % 9)
        order.write(
            {
                "date_order": moment,
                "commitment_date": moment + datetime.timedelta(days=3),
                "o2c_date_accepted": moment,
                "o2c_date_verified": verified,
                "o2c_date_packed": packed,
                "o2c_date_shipped": shipped,
                "o2c_date_delivered": shipped + datetime.timedelta(days=1 + index % 4),
            }
        )
        order.picking_ids.write({"date_done": shipped})
        return invoice

    def _intake_order(self, result):
        if result["status"] not in ("created", "exists"):
            raise UserError(
                self.env._(
                    "Demo order %(ref)s was refused: %(errors)s",
                    ref=result["external_ref"],
                    errors=result["errors"],
                )
            )
        return self.env["sale.order"].browse(result["order_id"])

    def _deliver(self, order, validate=True):
        """Pick the whole order (packed); with ``validate``, ship it."""
        pickings = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        pickings.action_assign()
        for move in pickings.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        if validate:
            pickings.button_validate()
        return pickings

    def _invoice(self, order, day):
        invoice = order._create_invoices()
        invoice.invoice_date = day
        invoice.action_post()
        if invoice.invoice_date.year == fields.Date.context_today(self).year:
            self._issue(invoice)
        return invoice

    def _issue(self, invoice, kind="original", origin=None, reason=None):
        """Sign and send the e-invoice through the sandbox, without the commit the
        interactive issue makes between signing and sending."""
        doc = invoice._einvoice_vn_documents(kind=kind, origin=origin, reason=reason)
        doc._einvoice_vn_trusted()._issue_one(lambda: None)
        # As the interactive issue does next: the 04/SS notice of the adjusted invoice
        # (sent where the provider takes notices; the sandbox keeps it on the document).
        doc.origin_id.filtered(lambda d: d.notice_state == "to_send")._send_notice()
        if doc.state != "accepted":
            raise UserError(
                self.env._(
                    "Demo e-invoice of %(invoice)s was not accepted: %(error)s",
                    invoice=invoice.name,
                    error=doc.error_message or doc.state,
                )
            )
        return doc

    def _pay(self, invoice, day, share=1.0):
        values = {"payment_date": day}
        if share < 1.0:
            values.update(
                amount=invoice.currency_id.round(invoice.amount_residual * share),
                payment_difference_handling="open",
            )
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create(values)._create_payments()

    def _run_reminders(self, company, day):
        """The reminder job's run of ``day`` in the demo company: record the due
        reminders, then send each one (email, activity, escalation)."""
        Reminder = self.env["ar.reminder"]
        partners = self.env["res.partner"].browse(Reminder._candidate_partner_ids(day))
        for reminder in Reminder._record_partners(partners, day, companies=company):
            reminder._send_one()

    # ------------------------------------------------------------------
    # Today's orders, one at each stage
    # ------------------------------------------------------------------

    def _make_today(self, company, today):
        orders = {}
        for key, channel, ref, customer, lines, method, _stage in TODAY:
            payload = {
                "channel": channel,
                "external_ref": ref,
                "customer": {"ref": retail_ref(customer["r"])} if "r" in customer else customer,
                "lines": [{"default_code": code, "qty": qty} for code, qty in lines],
            }
            if method:
                payload["payment_method"] = method
            [result] = self.env["sale.order"].o2c_intake([payload])
            orders[key] = self._intake_order(result)
            self._xmlid(f"order_{key}", orders[key])
            if key == "verified":
                # Confirmed before its twin arrives: the twin is the suspected duplicate.
                orders[key].action_confirm()
        for key, rule in BLOCKING_HOLDS.items():
            order = orders[key]
            blocking = order.o2c_check_result_ids.filtered(lambda r: r.state == "block")
            if not order.o2c_hold or rule not in blocking.mapped("rule"):
                raise UserError(
                    self.env._(
                        "Demo order %(order)s should be held by rule %(rule)s.",
                        order=order.name,
                        rule=rule,
                    )
                )
        times = self._today_times(company, orders)
        moving = [key for key, *_rest, stage in TODAY if stage not in ("accepted", "verified")]
        for key in moving:
            orders[key].action_confirm()
        # The warehouse releases the day's verified orders in a pick wave.
        warehouse = self._warehouse(company)
        warehouse.o2c_release_by_waves = True
        self.env["stock.picking"]._o2c_release(warehouse)
        self._deliver(orders["packed"], validate=False)
        for key in ("shipped", "delivered", "invoiced", "paid", "adjusted", "returned"):
            self._deliver(orders[key])
        for number, key in enumerate(("shipped", "delivered", "invoiced", "paid", "returned"), 1):
            self._ship(orders[key], number, times[key])
        self._invoice(orders["invoiced"], today)
        for key in ("paid", "returned"):
            self._pay(self._invoice(orders[key], today), today)
        self._adjust(orders["adjusted"], today)
        self._cancelled_einvoice(company, today)
        return orders, times

    def _today_times(self, company, orders):
        """``{order key: {stage: datetime}}``: when today's orders reached their stages
        (``STAGE_TIMELINE``), the SLA-anchored ones from the working hours of their
        profile's calendar."""
        now = fields.Datetime.now()
        intervals = O2cSlaIntervals(self.env)
        peaks = self.env["o2c.peak.period"]._o2c_company_peaks(company).get(company.id, [])
        times = {}
        for key, order in orders.items():
            steps, (kind, *anchor) = STAGE_TIMELINE[key]
            if kind == "ago":
                last = now - datetime.timedelta(hours=anchor[0])
            else:
                target, share = anchor
                profile = order.o2c_sla_profile_id
                hours = profile and profile._o2c_target_hours(
                    target, order.partner_shipping_id.state_id.id
                )
                if not hours:
                    raise UserError(
                        self.env._(
                            "Demo order %(order)s has no SLA target for %(stage)s.",
                            order=order.name,
                            stage=target,
                        )
                    )
                stretch = sla.stretch_factor(peaks, profile._o2c_local_date(now), target)
                window = intervals.intervals(
                    profile.resource_calendar_id.sudo(), now - datetime.timedelta(days=60), now
                )
                last = start_before(now, hours * stretch * share, window)
            times[key] = stage_times(steps, last)
        return times

    def _backdate_today(self, orders, times):
        """Date today's orders' stages as ``times`` says, with the delivery promised
        and the shipping of their delivery orders to match: the orders went through the
        pipeline over the past days, not within the seconds the demo took."""
        for key, order in orders.items():
            when = times[key]
            values = {
                "date_order": when["accepted"],
                "o2c_date_accepted": when["accepted"],
                "commitment_date": when["accepted"] + datetime.timedelta(days=PROMISED_DAYS),
            }
            for stage, moment in when.items():
                fname = f"o2c_date_{stage}"
                if stage != "accepted" and order[fname]:
                    values[fname] = moment
            order.write(values)
            if "shipped" in when:
                order.picking_ids.filtered(
                    lambda p: p.state == "done" and p.location_dest_id.usage == "customer"
                ).date_done = when["shipped"]

    def _close_after_sales(self, company):
        """What the daily job (``_cron_o2c_close_after_sales``, which commits) did on
        the day each paid order's after-sales window ended: close it."""
        now = fields.Datetime.now()
        orders = self.env["sale.order"].search(
            [
                ("company_id", "=", company.id),
                ("o2c_stage", "in", ("paid", "after_sales")),
                ("o2c_after_sales_over", "=", False),
                ("o2c_date_paid", "!=", False),
            ]
        )
        closed = {}
        for order in orders:
            days = order.o2c_channel_id.after_sales_days or DEFAULT_AFTER_SALES_DAYS
            moment = order.o2c_date_paid + datetime.timedelta(days=days)
            if moment <= now:
                closed[order] = moment
        over = orders.filtered(lambda o: o in closed)
        over.o2c_after_sales_over = True
        for order in over:
            if order.o2c_stage == "closed":
                order.o2c_date_closed = closed[order]

    def _restart_slas(self, company):
        """Due dates are set once, when a stage is reached: set them again from the
        backdated stages, and each order's SLA status as of now."""
        orders = self.env["sale.order"].search(
            [("company_id", "=", company.id), ("o2c_sla_profile_id", "!=", False)]
        )
        self.env.flush_all()
        orders.write(dict.fromkeys(SLA_DUE_FIELDS.values(), False))
        for fname in (
            *SLA_DUE_FIELDS.values(),
            "o2c_sla_next_stage",
            "o2c_sla_deadline",
            "o2c_sla_risk_date",
        ):
            self.env.add_to_compute(orders._fields[fname], orders)
        self.env.flush_all()
        self.env.add_to_compute(orders._fields["o2c_sla_status"], orders)
        self.env.flush_all()

    def _ship(self, order, number, when):
        """Hand the delivery to GHN and record the carrier's events at the times of
        ``when`` (the order's stages): in transit, or delivered when it has a delivery."""
        picking = order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")[:1]
        tracking = f"GHN{order.id:06d}VN{number}"
        shipment = self.env["o2c.shipment"].create(
            {
                "carrier_account_id": self._ref("carrier_ghn").id,
                "picking_id": picking.id,
                "tracking_ref": tracking,
                "cod_amount": order.amount_total if order.o2c_is_cod else 0.0,
            }
        )
        hour = datetime.timedelta(hours=1)
        steps = [
            ("picked_up", "picked", when["shipped"] + hour),
            ("in_transit", "transporting", when["shipped"] + 3 * hour),
        ]
        if "delivered" in when:
            steps += [
                ("out_for_delivery", "delivering", when["delivered"] - 2 * hour),
                ("delivered", "delivered", when["delivered"]),
            ]
        events = [
            carriers.make_event(
                "ghn",
                tracking,
                shipment.client_ref,
                our_state,
                status,
                moment.replace(tzinfo=datetime.UTC),
            )
            for our_state, status, moment in steps
        ]
        shipment._o2c_add_events(events, "webhook")
        return shipment

    def _adjust(self, order, today):
        """A B2B invoice whose e-invoice is adjusted by a credit note: five cartons
        arrived broken."""
        invoice = self._invoice(order, today)
        reason = "Giảm trừ 5 thùng hàng vỡ khi vận chuyển"
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"reason": reason, "journal_id": invoice.journal_id.id, "date": today})
        )
        refund = self.env["account.move"].browse(reversal.refund_moves()["res_id"])
        refund.invoice_line_ids.filtered("product_id")[:1].quantity = 5
        refund.action_post()
        (invoice | refund).line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        ).reconcile()
        self._issue(
            refund, kind="adjustment", origin=invoice.einvoice_vn_document_id, reason=reason
        )

    def _cancelled_einvoice(self, company, today):
        """An invoice made out to the wrong customer: its e-invoice is cancelled (the
        law set on the company allows it), then the invoice itself."""
        product = self._ref("product_sm_tra200")
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self._ref("customer_tanlong").id,
                "journal_id": self._sale_journal(company).id,
                "invoice_date": today,
                "invoice_line_ids": [
                    Command.create({"product_id": product.id, "quantity": 10}),
                ],
            }
        )
        invoice.action_post()
        doc = self._issue(invoice)
        if company._einvoice_vn_can_cancel():
            # action_cancel_einvoice's steps, without the commits it makes between them
            # for interactive use: demo data loads in one transaction.
            doc = doc._einvoice_vn_trusted()
            doc._attach_notice("cancel", "Lập nhầm khách hàng, hủy để lập lại")
            doc.state = "cancelled"
            doc.filtered(lambda d: d.notice_state == "to_send")._send_notice()
            invoice.button_draft()
            invoice.button_cancel()
        self._xmlid("invoice_cancelled", invoice)

    # ------------------------------------------------------------------
    # After-sales: a return refunded by a credit note, complaints, ratings
    # ------------------------------------------------------------------

    def _make_after_sales(self, company, orders, historic, today):
        self._return(orders["returned"], today)
        Complaint = self.env["o2c.complaint"]
        self._xmlid(
            "complaint_late",
            Complaint.create(
                {
                    "order_id": orders["delivered"].id,
                    "channel": "marketplace",
                    "category": "late_delivery",
                    "description": "Khách phản ánh trên TikTok Shop: giao chậm một ngày so "
                    "với thời gian cam kết.",
                }
            ),
        )
        billing = Complaint.create(
            {
                "order_id": historic[BILLING_COMPLAINT]
                .invoice_line_ids.sale_line_ids.order_id[:1]
                .id,
                "channel": "email",
                "category": "billing",
                "description": "Hóa đơn ghi thiếu số đơn đặt hàng của khách.",
                "resolution": "Đã gửi lại bản thể hiện hóa đơn kèm số PO; khách xác nhận.",
            }
        )
        billing.action_resolve()
        self._xmlid("complaint_billing", billing)
        for key, stars, comment in RATINGS:
            if isinstance(key, int):
                order = historic[key].invoice_line_ids.sale_line_ids.order_id[:1]
            else:
                order = orders[key]
            order._o2c_set_rating(stars, comment)

    def _return(self, order, today):
        """The customer sends back a cracked bottle: the return is approved, received,
        inspected (scrapped) and refunded by a credit note, itself issued as the
        adjustment of the order's e-invoice and paid back."""
        invoice = order.invoice_ids.filtered(lambda m: m.move_type == "out_invoice")
        line = order.order_line.filtered(lambda sol: sol.product_id.default_code == "SM-NM500")
        request = self.env["o2c.return"].create(
            {
                "partner_id": order.partner_id.id,
                "resolution": "refund",
                "description": "Một chai bị nứt, nước mắm rò ra hộp.",
                "line_ids": [
                    Command.create(
                        {
                            "sale_line_id": line.id,
                            "quantity": 1,
                            "reason": "damaged",
                            "note": "Chai nứt ở cổ, có ảnh khách gửi.",
                        }
                    )
                ],
            }
        )
        self._xmlid("return_damaged", request)
        request.action_approve()
        for picking in request.picking_ids:
            picking.move_ids.picked = True
            picking.button_validate()
        request.line_ids.inspection = "scrap"
        request.action_done()
        credit_note = request.credit_note_ids
        credit_note.invoice_date = today
        credit_note.action_post()
        self._issue(
            credit_note,
            kind="adjustment",
            origin=invoice.einvoice_vn_document_id,
            reason="Giảm trừ 1 chai nước mắm bị vỡ, khách trả lại hàng",
        )
        self._pay(credit_note, today)

    def _make_sla_profiles(self, company):
        """Office hours in Hanoi and the targets of marketplace and other orders."""
        calendar = self.env["resource.calendar"].create(
            {
                "name": "Giờ hành chính Sao Mai",
                "tz": "Asia/Ho_Chi_Minh",
                "company_id": company.id,
                "attendance_ids": [Command.clear()]
                + [
                    Command.create(
                        {
                            "name": name,
                            "dayofweek": str(day),
                            "hour_from": start,
                            "hour_to": end,
                            "day_period": period,
                        }
                    )
                    for day, name, start, end, period in SLA_OFFICE_HOURS
                ],
            }
        )
        for xmlid, name, sequence, channels, targets in SLA_PROFILES:
            lines = [
                Command.create(
                    {
                        "transition": transition,
                        "hours": hours,
                        "state_ids": [
                            Command.set([self.env.ref(f"base.state_vn_{p}").id for p in zone])
                        ],
                    }
                )
                for transition, hours, zone in targets
            ]
            profile = self.env["o2c.sla.profile"].create(
                {
                    "name": name,
                    "sequence": sequence,
                    "company_id": company.id,
                    "channel_ids": [Command.set([self._ref(f"channel_{c}").id for c in channels])],
                    "resource_calendar_id": calendar.id,
                    "responsible_user_id": self._ref("user_sales_manager").id,
                    "line_ids": lines,
                }
            )
            self._xmlid(xmlid, self._translate_name(profile, name))

    # ------------------------------------------------------------------
    # Collection KPIs
    # ------------------------------------------------------------------

    def _make_kpi_snapshots(self, today):
        """The month-end snapshots of the last six months, and today's."""
        first = today.replace(day=1)
        dates = [
            first - relativedelta(months=months) - datetime.timedelta(days=1) for months in range(6)
        ]
        Snapshot = self.env["ar.kpi.snapshot"]
        for as_of in [*sorted(dates), today]:
            Snapshot._cron_snapshot(as_of=as_of)

    def _make_o2c_kpi_snapshots(self, company, today):
        """Weekly Order to Cash KPI snapshots over the last six months and today's: the
        snapshot job's own rows (``_company_values``), each date replacing its rows as
        the job does, without the job's commit per company."""
        Snapshot = self.env["o2c.kpi.snapshot"]
        for weeks in range(26, -1, -1):
            date = today - datetime.timedelta(weeks=weeks)
            Snapshot.search([("company_id", "=", company.id), ("date", "=", date)]).unlink()
            Snapshot.create(Snapshot._company_values(company, date))
