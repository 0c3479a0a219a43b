import psycopg2

from odoo import api, models
from odoo.exceptions import AccessError, ConcurrencyError, UserError, ValidationError

from ..pipeline import intake

SAVEPOINT_ERRORS = (intake.IntakeError, UserError, ValidationError, AccessError)


class O2cIntake(models.AbstractModel):
    """Stage 1: turn external order payloads into sale orders.

    ``sale.order.o2c_intake`` is the public entry point. A batch is resolved first without
    writing anything (channel, existing reference, customer match, products, addresses);
    then every valid order is written in one savepoint with batched creates, which is what
    makes a batch much faster than single creates. If that savepoint fails, the batch is
    written again order by order, each in its own savepoint, so one bad order never blocks
    or half-writes the others.
    """

    _name = "o2c.intake"
    _description = "Order Intake"

    @api.model
    def _intake(self, orders):
        SaleOrder = self.env["sale.order"]
        SaleOrder.check_access("create")
        try:
            batch = intake.as_batch(orders)
        except intake.IntakeError as exc:
            return [self._rejected(None, exc.errors)]
        results = [None] * len(batch)
        parsed = {}
        for index, payload in enumerate(batch):
            try:
                parsed[index] = intake.parse_order(payload)
            except intake.IntakeError as exc:
                ref = payload.get("external_ref") if isinstance(payload, dict) else None
                results[index] = self._rejected(ref, exc.errors)
        cache = self._cache(parsed.values())

        plans, first_of, twins = self._plan(parsed, cache, results)
        created = self._write_batch(plans) if plans else {}
        if created is None:
            created = {}
            for index, plan in plans.items():
                outcome = self._write_one(plan)
                if isinstance(outcome, dict):
                    results[index] = outcome
                else:
                    created[index] = outcome
        for index, order in created.items():
            results[index] = self._result("created", order)
        for key, indexes in twins.items():
            first = results[first_of[key]]
            for index in indexes:
                results[index] = (
                    {**first, "status": "exists"} if first["status"] == "created" else first
                )
        return results

    # ------------------------------------------------------------------
    # Resolution (no writes)
    # ------------------------------------------------------------------

    def _plan(self, parsed, cache, results):
        """Sort the parsed orders into plans to write, known references and twins
        (the same channel + reference twice in one batch); fill ``results`` for the
        orders already decided (unknown channel, existing order, resolution errors)."""
        plans, first_of, twins = {}, {}, {}
        existing = self._existing(parsed.values(), cache)
        for index, order in parsed.items():
            channel = cache["channels"].get(order["channel"])
            ref = order["external_ref"]
            if not channel:
                error = intake.error("channel", order["channel"], "no sales channel has this code")
                results[index] = self._rejected(ref, [error])
                continue
            key = (channel.id, ref)
            if key in existing:
                results[index] = self._result("exists", existing[key])
            elif key in first_of:
                twins.setdefault(key, []).append(index)
            else:
                first_of[key] = index
                plan = self._resolve(order, channel, cache)
                if plan["errors"]:
                    results[index] = self._rejected(ref, plan["errors"])
                else:
                    plans[index] = plan
        return plans, first_of, twins

    def _cache(self, parsed_orders):
        """Channels and products of the whole batch, looked up once."""
        parsed_orders = list(parsed_orders)
        lines = [line for order in parsed_orders for line in order["lines"]]
        Product = self.env["product.product"]
        codes = {line["default_code"] for line in lines if line["default_code"]}
        barcodes = {line["barcode"] for line in lines if line["barcode"]}
        by_code, by_barcode = {}, {}
        # Reversed order: the first product of the usual search order wins.
        for product in Product.search([("default_code", "in", list(codes))])[::-1]:
            by_code[product.default_code] = product
        for product in Product.search([("barcode", "in", list(barcodes))])[::-1]:
            by_barcode[product.barcode] = product
        methods = {
            method.code: method
            for method in self.env["o2c.payment.method"].search(
                [("code", "in", list({o["payment_method"] for o in parsed_orders} - {None}))]
            )[::-1]
        }
        channels = {}
        company_ids = [self.env.company.id, False]
        for channel in self.env["o2c.channel"].search(
            [
                ("code", "in", list({o["channel"] for o in parsed_orders})),
                ("company_id", "in", company_ids),
            ]
        )[::-1]:
            channels[channel.code] = channel
        cache = {
            "channels": channels,
            "codes": by_code,
            "barcodes": by_barcode,
            "methods": methods,
            "partners": {},
            "countries": {},
            "states": {},
        }
        self._cache_customers(parsed_orders, cache)
        return cache

    def _cache_customers(self, parsed_orders, cache):
        """Existing customers of the whole batch, looked up with one search per key:
        reference, tax id, and phone as an E.164 number (the indexed sanitized phone
        Odoo keeps), so that "+84 912 345 678" and "0912345678" are one customer."""
        Partner = self.env["res.partner"]
        customers = [o["customer"] for o in parsed_orders if o["customer"]]
        for data in customers:
            data["phone_e164"] = False
            if data["phone"]:
                country = self._country(data.get("country"), cache) or self.env.company.country_id
                data["phone_e164"] = Partner._phone_format(number=data["phone"], country=country)
        for key, fname in (("ref", "ref"), ("vat", "vat"), ("phone_e164", "phone_sanitized")):
            values = list({data[key] for data in customers if data[key]})
            found = {}
            if values:
                # Reversed: the first partner of the usual search order wins.
                partners = Partner.search(
                    [
                        (fname, "in", values),
                        ("parent_id", "=", False),
                        ("company_id", "in", [self.env.company.id, False]),
                    ]
                )
                for partner in partners[::-1]:
                    found[partner[fname]] = partner
            for value in values:
                cache["partners"][(key, value)] = found.get(value, Partner)

    def _country(self, name, cache):
        if not name:
            return self.env["res.country"]
        key = name.lower()
        if key not in cache["countries"]:
            cache["countries"][key] = self.env["res.country"].search(
                ["|", ("code", "=ilike", key), ("name", "=ilike", key)], limit=1
            )
        return cache["countries"][key]

    def _existing(self, parsed_orders, cache):
        refs = {o["external_ref"] for o in parsed_orders}
        channels = list(cache["channels"].values())
        if not refs or not channels:
            return {}
        orders = self.env["sale.order"].search(
            [
                ("o2c_channel_id", "in", [c.id for c in channels]),
                ("o2c_external_ref", "in", list(refs)),
            ]
        )
        return {(o.o2c_channel_id.id, o.o2c_external_ref): o for o in orders}

    def _resolve(self, order, channel, cache):
        """Everything needed to write the order, or the errors that refuse it."""
        errors = []
        customer = self._customer(order["customer"], "customer", errors, cache)
        delivery = None
        if order["delivery"]:
            delivery = self._address_values(order["delivery"], "delivery", errors, cache)
            delivery.update(type="delivery", name=order["delivery"]["name"])
        method = self.env["o2c.payment.method"]
        if order["payment_method"]:
            method = cache["methods"].get(order["payment_method"], method)
            if not method:
                errors.append(
                    intake.error(
                        "payment_method", order["payment_method"], "unknown payment method code"
                    )
                )
        else:
            method = channel.default_payment_method_id
        lines = [
            self._line_values(line, f"lines[{i}]", errors, cache)
            for i, line in enumerate(order["lines"])
        ]
        values = {
            "o2c_channel_id": channel.id,
            "o2c_external_ref": order["external_ref"],
            "client_order_ref": order["client_order_ref"] or order["external_ref"],
            "order_line": [(0, 0, line) for line in lines],
            **self.env["sale.order"]._o2c_channel_defaults(channel),
        }
        if method:
            values["o2c_payment_method_id"] = method.id
        for key in ("note", "date_order", "commitment_date"):
            if order[key]:
                values[key] = order[key]
        return {
            "ref": order["external_ref"],
            "channel": channel,
            "customer": customer,
            "delivery": delivery,
            "values": values,
            "errors": errors,
        }

    def _line_values(self, line, path, errors, cache):
        product = cache["codes"].get(line["default_code"]) if line["default_code"] else None
        if not product and line["barcode"]:
            product = cache["barcodes"].get(line["barcode"])
            if not product:
                errors.append(
                    intake.error(f"{path}.barcode", line["barcode"], "no product has this barcode")
                )
                return {}
        elif not product:
            errors.append(
                intake.error(
                    f"{path}.default_code", line["default_code"], "no product has this code"
                )
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
        for key, fname in (
            ("price_unit", "price_unit"),
            ("discount", "discount"),
            ("name", "name"),
        ):
            if line[key] is not None:
                values[fname] = line[key]
        return values

    def _customer(self, data, path, errors, cache):
        """An existing partner (matched by ref, then tax id, then phone), or the values
        of a partner to create, keyed so that a batch creates each new customer once."""
        if data is None:
            return None
        for key in ("ref", "vat", "phone_e164"):
            if data.get(key) and cache["partners"].get((key, data[key])):
                return cache["partners"][(key, data[key])]
        if not data["name"]:
            errors.append(
                intake.error(
                    f"{path}.name", None, "is required to create a customer that does not exist"
                )
            )
            return None
        values = self._address_values(data, path, errors, cache)
        values.update(
            phone_e164=data.get("phone_e164"),
            name=data["name"],
            ref=data["ref"],
            vat=data["vat"],
            email=data["email"],
            is_company=data["is_company"],
            customer_rank=1,
        )
        return values

    def _address_values(self, data, path, errors, cache):
        country = self.env["res.country"]
        if data["country"]:
            country = self._country(data["country"], cache)
            if not country:
                errors.append(intake.error(f"{path}.country", data["country"], "unknown country"))
        else:
            country = self.env.company.country_id
        state = self.env["res.country.state"]
        if data["province"]:
            key = (country.id, data["province"].lower())
            if key not in cache["states"]:
                cache["states"][key] = state.search(
                    [
                        ("country_id", "=", country.id),
                        "|",
                        ("code", "=ilike", data["province"]),
                        ("name", "=ilike", data["province"]),
                    ],
                    limit=1,
                )
            state = cache["states"][key]
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
    # Writing
    # ------------------------------------------------------------------

    def _write_batch(self, plans):
        """Write every planned order in one savepoint with batched creates.

        Return {index: order}, or None when the savepoint failed (then nothing of it stays).
        """
        try:
            with self.env.cr.savepoint():
                orders = self._write(list(plans.values()))
                self.env.flush_all()
        except (*SAVEPOINT_ERRORS, psycopg2.IntegrityError):
            self.env.invalidate_all()
            return None
        return dict(zip(plans, orders, strict=True))

    def _write_one(self, plan):
        """Write one order in its own savepoint; return it, or a rejection/exists result."""
        try:
            with self.env.cr.savepoint():
                [order] = self._write([plan])
                self.env.flush_all()
        except psycopg2.IntegrityError as exc:
            self.env.invalidate_all()
            if exc.diag.constraint_name != "sale_order_o2c_external_ref_unique":
                return self._rejected(plan["ref"], [intake.error("order", plan["ref"], str(exc))])
            # Another transaction created this channel + reference after our snapshot was
            # taken: Odoo retries the whole request on ConcurrencyError, and the retry
            # finds the order and answers "exists".
            raise ConcurrencyError(
                f"order {plan['ref']!r} of channel {plan['channel'].code!r} "
                "was created concurrently"
            ) from exc
        except SAVEPOINT_ERRORS as exc:
            self.env.invalidate_all()
            errors = getattr(exc, "errors", None) or [
                intake.error("order", plan["ref"], str(exc.args[0]))
            ]
            return self._rejected(plan["ref"], errors)
        return order

    def _write(self, plans):
        Partner = self.env["res.partner"]
        new_customers = {}
        for plan in plans:
            customer = plan["customer"]
            if isinstance(customer, dict):
                new_customers.setdefault(self._customer_key(customer), customer)
        keys = list(new_customers)
        partner_values = [
            {k: v for k, v in new_customers[key].items() if k != "phone_e164"} for key in keys
        ]
        created = dict(zip(keys, Partner.create(partner_values), strict=True))
        order_values = []
        for plan in plans:
            customer = plan["customer"]
            if isinstance(customer, dict):
                customer = created[self._customer_key(customer)]
            shipping = customer
            if plan["delivery"]:
                shipping = self._delivery_partner(customer, plan["delivery"])
            order_values.append(
                {**plan["values"], "partner_id": customer.id, "partner_shipping_id": shipping.id}
            )
        orders = self.env["sale.order"].create(order_values)
        orders._o2c_run_checks()
        return orders

    def _customer_key(self, values):
        """New customers of one batch are the same person when they share the keys
        existing customers are matched by."""
        for key in ("ref", "vat", "phone_e164"):
            if values.get(key):
                return (key, values[key])
        return tuple(sorted((k, str(v)) for k, v in values.items()))

    def _delivery_partner(self, customer, values):
        same = customer.child_ids.filtered(
            lambda c: (
                c.type == "delivery"
                and c.street == values.get("street")
                and c.city == values.get("city")
                and c.state_id.id == values.get("state_id")
            )
        )
        return same[:1] or self.env["res.partner"].create(
            {**values, "parent_id": customer.id, "name": values.get("name") or customer.name}
        )

    # ------------------------------------------------------------------
    # Results
    # ------------------------------------------------------------------

    def _rejected(self, ref, errors):
        return {
            "status": "rejected",
            "external_ref": ref,
            "order_id": False,
            "name": False,
            "stage": False,
            "hold": False,
            "errors": errors,
        }

    def _result(self, status, order):
        return {
            "status": status,
            "external_ref": order.o2c_external_ref,
            "order_id": order.id,
            "name": order.name,
            "stage": order.o2c_stage,
            "hold": order.o2c_hold,
            "errors": [],
        }
