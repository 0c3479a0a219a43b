import calendar
import datetime

import pytz

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain
from odoo.tools import SQL

from ..pipeline import kpis

# group_by value -> (SQL of the key over the order row ``so`` / first shipment ``ship``,
# model of the key's records or None for periods).
GROUP_BY = {
    "channel": ("so.o2c_channel_id", "o2c.channel"),
    "warehouse": ("so.warehouse_id", "stock.warehouse"),
    "carrier": ("ship.carrier_account_id", "o2c.carrier.account"),
    "salesperson": ("so.user_id", "res.users"),
    "day": ("date_trunc('day', %(local_accepted)s)::date", None),
    "week": ("date_trunc('week', %(local_accepted)s)::date", None),
    "month": ("date_trunc('month', %(local_accepted)s)::date", None),
}
# The acceptance in the time zone of the order's company (see ``O2cKpi._company_tz``).
LOCAL_ACCEPTED = (
    "timezone(COALESCE(NULLIF(co_partner.tz, ''), %s), so.o2c_date_accepted AT TIME ZONE 'UTC')"
)
MAX_DAYS = 731


def _epoch(value):
    return calendar.timegm(value.utctimetuple()) if value else None


def rpc_values(value):
    """``value`` with None as False, Odoo's "no value" over its APIs: XML-RPC cannot
    carry None."""
    if value is None:
        return False
    if isinstance(value, dict):
        return {key: rpc_values(item) for key, item in value.items()}
    if isinstance(value, list):
        return [rpc_values(item) for item in value]
    return value


class O2cKpi(models.AbstractModel):
    """Stage 7 KPIs: fetches one row of facts per order with SQL (stored stage
    timestamps and documents only) and hands them to ``pipeline.kpis``."""

    _name = "o2c.kpi"
    _description = "Order to Cash KPIs"

    @api.model
    def _parse_date(self, name, value):
        try:
            parsed = fields.Date.to_date(value)
        except (TypeError, ValueError):
            parsed = None
        if not parsed or isinstance(value, bool):
            raise ValidationError(
                self.env._(
                    "%(param)s must be a date (YYYY-MM-DD), not %(value)r.",
                    param=name,
                    value=value,
                )
            )
        return parsed

    @api.model
    def _check_params(self, date_from, date_to, group_by, on_time_rule):
        start = self._parse_date("date_from", date_from)
        end = self._parse_date("date_to", date_to)
        if end < start:
            raise ValidationError(
                self.env._(
                    "date_to (%(to)s) must not be before date_from (%(from)s).",
                    to=end,
                    **{"from": start},
                )
            )
        if (end - start).days > MAX_DAYS:
            raise ValidationError(
                self.env._(
                    "The period from %(start)s to %(end)s is longer than %(days)s days: ask "
                    "for shorter periods.",
                    start=start,
                    end=end,
                    days=MAX_DAYS,
                )
            )
        if group_by not in (None, False, "") and (
            not isinstance(group_by, str) or group_by not in GROUP_BY
        ):
            raise ValidationError(
                self.env._(
                    "group_by must be one of %(allowed)s (or empty), not %(value)r.",
                    allowed=", ".join(GROUP_BY),
                    # env._ would format a list as "a, b": show what was sent
                    value=group_by if isinstance(group_by, str) else repr(group_by),
                )
            )
        if on_time_rule not in kpis.ON_TIME_RULES:
            raise ValidationError(
                self.env._(
                    "on_time_rule must be one of %(allowed)s, not %(value)r.",
                    allowed=", ".join(kpis.ON_TIME_RULES),
                    value=on_time_rule,
                )
            )
        return start, end, group_by or None

    @api.model
    def _default_tz(self):
        tz = self.env.user.tz
        return tz if tz in pytz.all_timezones_set else "UTC"

    @api.model
    def _company_tz(self, company):
        """The time zone days are cut in for ``company``'s orders: the company's
        (its partner's), else the user's, else UTC."""
        tz = company.partner_id.tz
        return tz if tz in pytz.all_timezones_set else self._default_tz()

    @api.model
    def _utc_midnight(self, day, tz):
        local = pytz.timezone(tz).localize(datetime.datetime.combine(day, datetime.time.min))
        return local.astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def _order_query(self, start, end, extra_domain=None):
        """The orders of the period the user may read (record rules included) in the
        companies of the environment, as a sub-select of ids. Each order's days are
        those of its company's time zone."""
        SaleOrder = self.env["sale.order"]
        SaleOrder.check_access("read")
        by_tz = {}
        for company in self.env.companies:
            by_tz.setdefault(self._company_tz(company), []).append(company.id)
        after = end + datetime.timedelta(days=1)
        domain = Domain.OR(
            Domain("company_id", "in", company_ids)
            & Domain("o2c_date_accepted", ">=", self._utc_midnight(start, tz))
            & Domain("o2c_date_accepted", "<", self._utc_midnight(after, tz))
            for tz, company_ids in by_tz.items()
        )
        return SaleOrder._search(domain & Domain(list(extra_domain or [])))

    @api.model
    def _rows_sql(self, order_query, group_by):
        key = SQL("NULL")
        if group_by:
            expression = GROUP_BY[group_by][0]
            if "%(local_accepted)s" in expression:
                key = SQL(expression, local_accepted=SQL(LOCAL_ACCEPTED, self._default_tz()))
            else:
                key = SQL(expression)
        return SQL(
            """
            WITH orders AS (
                SELECT so.id FROM sale_order so WHERE so.id IN %(ids)s
            ),
            lines AS (
                SELECT l.id, l.order_id, l.product_uom_qty, l.customer_lead
                  FROM sale_order_line l
                  JOIN orders o ON o.id = l.order_id
                  JOIN product_product pp ON pp.id = l.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                 WHERE l.display_type IS NULL AND l.is_downpayment IS NOT TRUE
                   AND pt.type = 'consu'
            ),
            first_delivery AS (
                -- delivered in a first delivery order (not a backorder) to the customer
                SELECT m.sale_line_id, SUM(m.quantity) AS qty
                  FROM stock_move m
                  JOIN lines l ON l.id = m.sale_line_id
                  JOIN stock_picking p ON p.id = m.picking_id
                  JOIN stock_location dest ON dest.id = m.location_dest_id
                 WHERE m.state = 'done' AND p.backorder_id IS NULL AND dest.usage = 'customer'
                 GROUP BY m.sale_line_id
            ),
            line_facts AS (
                SELECT l.order_id,
                       COUNT(*) AS goods_lines,
                       COUNT(*) FILTER (WHERE COALESCE(fd.qty, 0) >= l.product_uom_qty)
                           AS lines_in_full,
                       SUM(l.product_uom_qty) AS units,
                       SUM(LEAST(COALESCE(fd.qty, 0), l.product_uom_qty)) AS units_filled,
                       MIN(l.customer_lead) AS min_lead,
                       MAX(l.customer_lead) AS max_lead
                  FROM lines l
                  LEFT JOIN first_delivery fd ON fd.sale_line_id = l.id
                 GROUP BY l.order_id
            ),
            shipments AS (
                SELECT s.sale_order_id AS order_id,
                       (array_agg(s.carrier_account_id ORDER BY s.id))[1] AS carrier_account_id,
                       bool_or(s.state = 'lost') AS damaged,
                       SUM(s.cod_amount) FILTER (WHERE s.state = 'delivered'
                           AND s.cod_remitted IS NOT TRUE AND s.cod_amount > 0) AS cod,
                       COUNT(*) FILTER (WHERE s.state = 'delivered'
                           AND s.cod_remitted IS NOT TRUE AND s.cod_amount > 0) AS cod_count
                  FROM o2c_shipment s
                  JOIN orders o ON o.id = s.sale_order_id
                 -- a cancelled booking never carried the goods: the order went by
                 -- own fleet (or another shipment) and this carrier is not its carrier
                 WHERE s.state != 'cancelled'
                 GROUP BY s.sale_order_id
            ),
            credit_notes AS (
                -- invoice_status 'invoiced' counts draft invoices too: a correct
                -- invoice also needs every (not cancelled) invoice posted
                SELECT sol.order_id,
                       COUNT(DISTINCT am.id) FILTER (WHERE am.move_type = 'out_refund'
                           AND am.state = 'posted') AS n,
                       bool_and(am.state = 'posted') FILTER (WHERE am.move_type = 'out_invoice'
                           AND am.state != 'cancel') AS invoices_posted
                  FROM sale_order_line sol
                  JOIN orders o ON o.id = sol.order_id
                  JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = sol.id
                  JOIN account_move_line aml ON aml.id = rel.invoice_line_id
                  JOIN account_move am ON am.id = aml.move_id
                 WHERE am.move_type IN ('out_invoice', 'out_refund')
                 GROUP BY sol.order_id
            ),
            returns AS (
                -- a return that was refused or cancelled is no return
                SELECT rl.order_id, array_agg(DISTINCT rl.reason) AS reasons
                  FROM o2c_return_line rl
                  JOIN o2c_return r ON r.id = rl.return_id
                  JOIN orders o ON o.id = rl.order_id
                 WHERE r.state NOT IN ('refused', 'cancel') AND rl.reason IS NOT NULL
                 GROUP BY rl.order_id
            ),
            complaints AS (
                SELECT c.order_id, COUNT(*) AS n, bool_or(c.category = 'billing') AS billing
                  FROM o2c_complaint c
                  JOIN orders o ON o.id = c.order_id
                 WHERE c.state != 'cancel'
                 GROUP BY c.order_id
            )
            SELECT %(key)s AS key,
                   so.state,
                   EXTRACT(EPOCH FROM so.o2c_date_accepted)::float8,
                   EXTRACT(EPOCH FROM so.o2c_date_verified)::float8,
                   EXTRACT(EPOCH FROM so.o2c_date_packed)::float8,
                   EXTRACT(EPOCH FROM so.o2c_date_shipped)::float8,
                   EXTRACT(EPOCH FROM so.o2c_date_delivered)::float8,
                   EXTRACT(EPOCH FROM so.o2c_date_paid)::float8,
                   EXTRACT(EPOCH FROM COALESCE(
                       so.commitment_date,
                       so.date_order + interval '1 day' * CASE
                           WHEN so.picking_policy = 'direct' THEN lf.min_lead
                           ELSE lf.max_lead END
                   ))::float8,
                   EXTRACT(EPOCH FROM so.o2c_sla_due_verified)::float8,
                   EXTRACT(EPOCH FROM so.o2c_sla_due_packed)::float8,
                   EXTRACT(EPOCH FROM so.o2c_sla_due_shipped)::float8,
                   EXTRACT(EPOCH FROM so.o2c_sla_due_delivered)::float8,
                   ship.order_id IS NOT NULL,
                   COALESCE(lf.goods_lines, 0),
                   COALESCE(lf.lines_in_full, 0),
                   COALESCE(lf.units, 0)::float8,
                   COALESCE(lf.units_filled, 0)::float8,
                   so.invoice_status = 'invoiced' AND COALESCE(cn.invoices_posted, FALSE),
                   COALESCE(cn.n, 0),
                   COALESCE(ret.reasons, '{}'),
                   COALESCE(ship.damaged, FALSE),
                   COALESCE(cmp.n, 0),
                   COALESCE(cmp.billing, FALSE),
                   COALESCE(so.o2c_rating, 0),
                   COALESCE(ship.cod, 0)::float8,
                   COALESCE(ship.cod_count, 0)
              FROM orders o
              JOIN sale_order so ON so.id = o.id
              JOIN res_company co ON co.id = so.company_id
              JOIN res_partner co_partner ON co_partner.id = co.partner_id
              LEFT JOIN line_facts lf ON lf.order_id = so.id
              LEFT JOIN shipments ship ON ship.order_id = so.id
              LEFT JOIN credit_notes cn ON cn.order_id = so.id
              LEFT JOIN returns ret ON ret.order_id = so.id
              LEFT JOIN complaints cmp ON cmp.order_id = so.id
            """,
            ids=order_query.subselect(),
            key=key,
        )

    @api.model
    def _fetch(self, start, end, group_by, extra_domain=None):
        """``(key, OrderFacts)`` of every order of the period."""
        self.env.flush_all()
        query = self._order_query(start, end, extra_domain)
        self.env.cr.execute(self._rows_sql(query, group_by))
        make = kpis.OrderFacts._make
        return [(row[0], make(row[1:])) for row in self.env.cr.fetchall()]

    @api.model
    def _labels(self, group_by, keys):
        model = GROUP_BY[group_by][1]
        if model is None:
            return {key: key.isoformat() for key in keys if key}
        records = self.env[model].browse([key for key in keys if key])
        # The names of what the user's readable orders point to (a salesperson or
        # channel of another company's record must not hide the numbers).
        return {record.id: record.sudo().display_name for record in records}

    @api.model
    def _api(self, date_from, date_to, group_by=None, on_time_rule="promised"):
        """``_compute`` for the external API (see ``sale.order.o2c_kpis``)."""
        return rpc_values(self._compute(date_from, date_to, group_by, on_time_rule))

    @api.model
    def _compute(self, date_from, date_to, group_by=None, on_time_rule="promised", now=None):
        """The KPIs as returned by ``sale.order.o2c_kpis`` (see there)."""
        start, end, group_by = self._check_params(date_from, date_to, group_by, on_time_rule)
        now = now or fields.Datetime.now()
        rows = self._fetch(start, end, group_by)
        if group_by:
            results, total = kpis.compute_grouped(rows, _epoch(now), on_time_rule)
        else:
            results = {}
            total = kpis.compute((facts for _key, facts in rows), _epoch(now), on_time_rule)
        labels = self._labels(group_by, results) if group_by else {}
        groups = [
            {
                "key": key.isoformat() if isinstance(key, datetime.date) else key,
                "label": labels.get(key) or self.env._("Not set"),
                "kpis": values,
            }
            for key, values in sorted(
                results.items(),
                key=lambda item: (item[0] is None, str(labels.get(item[0], item[0]))),
            )
        ]
        if group_by in ("day", "week", "month"):
            groups.sort(key=lambda g: g["key"] or "")
        return {
            "date_from": start.isoformat(),
            "date_to": end.isoformat(),
            "group_by": group_by or False,
            "on_time_rule": on_time_rule,
            "evaluated_at": fields.Datetime.to_string(now),
            "company_ids": self.env.companies.ids,
            "percentile_method": kpis.PERCENTILE_METHOD,
            "total": total,
            "groups": groups,
        }

    @api.model
    def o2c_dashboard(self, days=30, channel_id=False):
        """What the manager's dashboard shows: the KPIs of the orders accepted in the
        last ``days`` days (of one channel, or all), the channels to filter on, and the
        open orders at risk of missing their SLA or past it, most urgent first."""
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_DAYS:
            raise ValidationError(
                self.env._(
                    "days must be a number of days from 1 to %(max)s, not %(value)r.",
                    max=MAX_DAYS,
                    value=days,
                )
            )
        Channel = self.env["o2c.channel"]
        channels = Channel.search([("company_id", "in", [*self.env.companies.ids, False])])
        if channel_id and channel_id not in channels.ids:
            raise ValidationError(
                self.env._("channel_id %(value)r is not a channel you can see.", value=channel_id)
            )
        today = fields.Date.context_today(self.with_context(tz=self._company_tz(self.env.company)))
        start = today - datetime.timedelta(days=days - 1)
        result = self._compute(start, today, "channel" if channel_id else None)
        values = result["total"]
        if channel_id:
            found = [g["kpis"] for g in result["groups"] if g["key"] == channel_id]
            values = found[0] if found else kpis.compute([], 0)
        return {
            "date_from": result["date_from"],
            "date_to": result["date_to"],
            "channels": [{"id": c.id, "name": c.display_name} for c in channels],
            "channel_id": channel_id or False,
            "currency_id": self.env.company.currency_id.id,
            "kpis": values,
            "orders": self._dashboard_orders(channel_id),
        }

    @api.model
    def _dashboard_orders(self, channel_id, limit=40):
        SaleOrder = self.env["sale.order"]
        domain = [
            ("company_id", "in", self.env.companies.ids),
            ("o2c_sla_status", "in", ["at_risk", "breached"]),
        ]
        if channel_id:
            domain.append(("o2c_channel_id", "=", channel_id))
        orders = SaleOrder.search(domain, order="o2c_sla_deadline, id", limit=limit)
        statuses = dict(SaleOrder._fields["o2c_sla_status"]._description_selection(self.env))
        stages = dict(SaleOrder._fields["o2c_stage"]._description_selection(self.env))
        return [
            {
                "id": order.id,
                "name": order.name,
                "partner": order.partner_id.display_name,
                "channel": order.o2c_channel_id.display_name or "",
                "stage": stages.get(order.o2c_stage, ""),
                "status": order.o2c_sla_status,
                "status_label": statuses.get(order.o2c_sla_status, ""),
                "deadline": fields.Datetime.to_string(order.o2c_sla_deadline) or "",
            }
            for order in sorted(orders, key=lambda o: o.o2c_sla_status != "breached")
        ]
