import logging

import psycopg2

from odoo import api, models
from odoo.exceptions import AccessError, ConcurrencyError, UserError, ValidationError

from ..pipeline import intake

_logger = logging.getLogger(__name__)


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # ------------------------------------------------------------------
    # External API (XML-RPC /xmlrpc/2, JSON /json/2)
    # ------------------------------------------------------------------

    @api.model
    def o2c_intake(self, orders):
        """Create orders from plain values, one or many at a time.

        Each order is created in its own savepoint: a bad order is reported
        and rolled back without touching the others. An order whose channel
        and external reference are already known is not created again.

        :param orders: an order dict or a list of them (see README for the
            fields: channel, external_ref, customer, lines, payment_method...)
        :return: a list with, per order in the input order, a dict with
            ``status`` ("created", "exists" or "rejected"), ``external_ref``,
            ``order_id``, ``name``, ``stage``, ``hold`` and ``errors``
            (each error names its ``field``, ``value`` and ``message``).
        """
        self.check_access("create")
        try:
            batch = intake.as_batch(orders)
        except intake.IntakeError as exc:
            return [self._o2c_rejected(None, exc.errors)]
        results = []
        channels = {}
        for payload in batch:
            try:
                parsed = intake.parse_order(payload)
            except intake.IntakeError as exc:
                ref = payload.get("external_ref") if isinstance(payload, dict) else None
                results.append(self._o2c_rejected(ref, exc.errors))
                continue
            results.append(self._o2c_intake_one(parsed, channels))
        return results

    @api.model
    def o2c_status(self, refs):
        """Status of orders for integrations.

        :param refs: a list of order ids, order names, or dicts with
            ``channel`` and ``external_ref``.
        :return: one dict per ref: stage, stage dates, hold and reasons,
            deliveries with tracking references, invoices with payment state;
            an unknown ref gives ``{"ref": ..., "found": False}``.
        """
        if not isinstance(refs, (list, tuple)):
            refs = [refs]
        return [self._o2c_status_one(ref) for ref in refs]

    # ------------------------------------------------------------------
    # Intake helpers
    # ------------------------------------------------------------------

    def _o2c_rejected(self, ref, errors):
        return {
            "status": "rejected",
            "external_ref": ref,
            "order_id": False,
            "name": False,
            "stage": False,
            "hold": False,
            "errors": errors,
        }

    def _o2c_result(self, status, order):
        return {
            "status": status,
            "external_ref": order.o2c_external_ref,
            "order_id": order.id,
            "name": order.name,
            "stage": order.o2c_stage,
            "hold": order.o2c_hold,
            "errors": [],
        }

    def _o2c_find_existing(self, channel, ref):
        return self.search(
            [("o2c_channel_id", "=", channel.id), ("o2c_external_ref", "=", ref)], limit=1
        )

    def _o2c_intake_one(self, parsed, channels):
        ref = parsed["external_ref"]
        code = parsed["channel"]
        if code not in channels:
            channels[code] = self.env["o2c.channel"].search(
                [("code", "=", code), ("company_id", "in", [self.env.company.id, False])], limit=1
            )
        channel = channels[code]
        if not channel:
            return self._o2c_rejected(
                ref, [intake.error("channel", code, "no active sales channel has this code")]
            )
        existing = self._o2c_find_existing(channel, ref)
        if existing:
            return self._o2c_result("exists", existing)
        try:
            with self.env.cr.savepoint():
                order = self._o2c_create_from_payload(parsed, channel)
                order._o2c_run_checks()
                self.env.flush_all()
        except intake.IntakeError as exc:
            self.env.invalidate_all()
            return self._o2c_rejected(ref, exc.errors)
        except psycopg2.IntegrityError as exc:
            self.env.invalidate_all()
            if exc.diag.constraint_name != f"{self._table}_o2c_external_ref_unique":
                return self._o2c_rejected(ref, [intake.error("order", ref, str(exc))])
            # Another transaction created this channel + reference after our
            # snapshot was taken: Odoo retries the whole request on
            # ConcurrencyError, and the retry finds the order and says "exists".
            raise ConcurrencyError(
                f"order {ref!r} of channel {channel.code!r} was created concurrently"
            ) from exc
        except (UserError, ValidationError, AccessError) as exc:
            self.env.invalidate_all()
            return self._o2c_rejected(ref, [intake.error("order", ref, str(exc.args[0]))])
        return self._o2c_result("created", order)

    def _o2c_create_from_payload(self, parsed, channel):
        errors = []
        partner = self._o2c_customer(parsed["customer"], "customer", errors)
        shipping = partner
        if parsed["delivery"] and partner:
            shipping = self._o2c_delivery_address(partner, parsed["delivery"], errors)
        method = self.env["o2c.payment.method"]
        if parsed["payment_method"]:
            method = method.search([("code", "=", parsed["payment_method"])], limit=1)
            if not method:
                errors.append(
                    intake.error(
                        "payment_method", parsed["payment_method"], "unknown payment method code"
                    )
                )
        else:
            method = channel.default_payment_method_id
        lines = [
            self._o2c_line_values(line, f"lines[{i}]", errors)
            for i, line in enumerate(parsed["lines"])
        ]
        if errors:
            raise intake.IntakeError(errors)
        values = {
            "partner_id": partner.id,
            "partner_shipping_id": shipping.id,
            "o2c_channel_id": channel.id,
            "o2c_external_ref": parsed["external_ref"],
            "o2c_payment_method_id": method.id,
            "client_order_ref": parsed["client_order_ref"] or parsed["external_ref"],
            "order_line": [(0, 0, line) for line in lines],
        }
        values.update(self._o2c_channel_defaults(channel))
        if method:
            values["o2c_payment_method_id"] = method.id
        if parsed["note"]:
            values["note"] = parsed["note"]
        if parsed["date_order"]:
            values["date_order"] = parsed["date_order"]
        if parsed["commitment_date"]:
            values["commitment_date"] = parsed["commitment_date"]
        return self.create(values)

    def _o2c_line_values(self, line, path, errors):
        Product = self.env["product.product"]
        product = Product
        if line["default_code"]:
            product = Product.search([("default_code", "=", line["default_code"])], limit=1)
            if not product and not line["barcode"]:
                errors.append(
                    intake.error(
                        f"{path}.default_code", line["default_code"], "no product has this code"
                    )
                )
                return {}
        if not product and line["barcode"]:
            product = Product.search([("barcode", "=", line["barcode"])], limit=1)
            if not product:
                errors.append(
                    intake.error(f"{path}.barcode", line["barcode"], "no product has this barcode")
                )
                return {}
        if not product.sale_ok:
            errors.append(
                intake.error(
                    f"{path}.default_code",
                    line["default_code"] or line["barcode"],
                    "this product cannot be sold",
                )
            )
            return {}
        values = {"product_id": product.id, "product_uom_qty": line["qty"]}
        if line["price_unit"] is not None:
            values["price_unit"] = line["price_unit"]
        if line["discount"] is not None:
            values["discount"] = line["discount"]
        if line["name"]:
            values["name"] = line["name"]
        return values

    def _o2c_customer(self, data, path, errors):
        """Match the customer by ref, then tax id, then phone; else create."""
        Partner = self.env["res.partner"]
        if data is None:
            return Partner
        for key, fname in (("ref", "ref"), ("vat", "vat"), ("phone", "phone")):
            if data[key]:
                partner = Partner.search(
                    [(fname, "=", data[key]), ("parent_id", "=", False)], limit=1
                )
                if partner:
                    return partner
        if not data["name"]:
            errors.append(
                intake.error(
                    f"{path}.name", None, "is required to create a customer that does not exist"
                )
            )
            return Partner
        values = self._o2c_address_values(data, path, errors)
        values.update(
            {
                "name": data["name"],
                "ref": data["ref"],
                "vat": data["vat"],
                "email": data["email"],
                "is_company": data["is_company"],
                "customer_rank": 1,
            }
        )
        return Partner.create(values)

    def _o2c_delivery_address(self, partner, data, errors):
        values = self._o2c_address_values(data, "delivery", errors)
        values.update(
            {
                "type": "delivery",
                "parent_id": partner.id,
                "name": data["name"] or partner.name,
            }
        )
        same = partner.child_ids.filtered(
            lambda c: c.type == "delivery"
            and c.street == values.get("street")
            and c.city == values.get("city")
            and c.state_id.id == values.get("state_id")
        )
        return same[:1] or self.env["res.partner"].create(values)

    def _o2c_address_values(self, data, path, errors):
        country = self.env["res.country"]
        if data["country"]:
            country = country.search(
                ["|", ("code", "=ilike", data["country"]), ("name", "=ilike", data["country"])],
                limit=1,
            )
            if not country:
                errors.append(intake.error(f"{path}.country", data["country"], "unknown country"))
        else:
            country = self.env.company.country_id
        state = self.env["res.country.state"]
        if data["province"]:
            state = state.search(
                [
                    ("country_id", "=", country.id),
                    "|",
                    ("code", "=ilike", data["province"]),
                    ("name", "=ilike", data["province"]),
                ],
                limit=1,
            )
            if not state:
                errors.append(
                    intake.error(
                        f"{path}.province",
                        data["province"],
                        f"no province with this code or name in {country.code or 'the country'}",
                    )
                )
        return {
            "phone": data["phone"],
            "street": data["street"],
            "street2": data["street2"],
            "city": data["ward"],
            "zip": data["zip"],
            "state_id": state.id,
            "country_id": country.id,
        }

    # ------------------------------------------------------------------
    # Status helpers
    # ------------------------------------------------------------------

    def _o2c_status_one(self, ref):
        order = self.browse()
        if isinstance(ref, int) and not isinstance(ref, bool):
            order = self.search([("id", "=", ref)])
        elif isinstance(ref, str):
            order = self.search([("name", "=", ref)], limit=1)
        elif isinstance(ref, dict):
            order = self.search(
                [
                    ("o2c_channel_id.code", "=", ref.get("channel")),
                    ("o2c_external_ref", "=", ref.get("external_ref")),
                ],
                limit=1,
            )
        if not order:
            return {"ref": ref, "found": False}
        tracking = "carrier_tracking_ref" in self.env["stock.picking"]._fields
        invoices = order.invoice_ids.filtered(lambda m: m.state != "cancel")
        return {
            "ref": ref,
            "found": True,
            "order_id": order.id,
            "name": order.name,
            "channel": order.o2c_channel_id.code or False,
            "external_ref": order.o2c_external_ref or False,
            "state": order.state,
            "stage": order.o2c_stage,
            "stage_dates": {
                key: order[f"o2c_date_{key}"] and order[f"o2c_date_{key}"].isoformat()
                for key in (
                    "accepted",
                    "verified",
                    "packed",
                    "shipped",
                    "paid",
                    "after_sales",
                    "closed",
                )
            },
            "hold": order.o2c_hold,
            "holds": [
                {"rule": r.rule, "state": r.state, "message": r.message, "overridden": r.overridden}
                for r in order.o2c_check_result_ids
                if r.state != "pass"
            ],
            "deliveries": [
                {
                    "name": p.name,
                    "state": p.state,
                    "tracking_ref": (p.carrier_tracking_ref or False) if tracking else False,
                    "date_done": p.date_done and p.date_done.isoformat(),
                }
                for p in order.picking_ids
            ],
            "invoice_status": order.invoice_status,
            "invoices": [
                {
                    "name": m.name,
                    "move_type": m.move_type,
                    "state": m.state,
                    "payment_state": m.payment_state,
                    "amount_total": m.amount_total,
                    "amount_residual": m.amount_residual,
                }
                for m in invoices
            ],
        }
