import datetime

from odoo import api, fields, models
from odoo.tools import SQL

from ..pipeline import kpis

# How many days of accepted orders one snapshot measures (a rolling window ending on its
# date): recent orders have not been delivered or paid yet, a single day says little.
WINDOW_DAYS = 30
DIMENSIONS = [
    ("total", "Total"),
    ("channel", "Channel"),
    ("warehouse", "Warehouse"),
    ("carrier", "Carrier"),
    ("salesperson", "Salesperson"),
]
DIMENSION_FIELDS = {
    "channel": "channel_id",
    "warehouse": "warehouse_id",
    "carrier": "carrier_account_id",
    "salesperson": "user_id",
}


class O2cKpiSnapshot(models.Model):
    """The KPIs of a company for the orders of the 30 days ending on ``date``, in total
    and per channel, warehouse, carrier and salesperson, stored daily for trends."""

    _name = "o2c.kpi.snapshot"
    _description = "Order to Cash KPI Snapshot"
    _order = "date desc, company_id, dimension, dimension_label"
    _check_company_auto = True

    date = fields.Date(required=True, index=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    dimension = fields.Selection(DIMENSIONS, required=True, readonly=True)
    dimension_key = fields.Integer(
        readonly=True, help="Id of the channel, warehouse, carrier account or user; 0 for none."
    )
    dimension_label = fields.Char(string="Value", readonly=True)
    channel_id = fields.Many2one(
        "o2c.channel", string="Sales Channel", readonly=True, check_company=True
    )
    warehouse_id = fields.Many2one("stock.warehouse", readonly=True, check_company=True)
    carrier_account_id = fields.Many2one(
        "o2c.carrier.account", string="Carrier", readonly=True, check_company=True
    )
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    order_count = fields.Integer(string="Orders", readonly=True)
    cancelled_count = fields.Integer(string="Cancelled", readonly=True)
    cancellation_rate = fields.Float(string="Cancellation (%)", aggregator="avg", readonly=True)
    otif_rate = fields.Float(string="OTIF (%)", aggregator="avg", readonly=True)
    on_time_rate = fields.Float(string="On Time (%)", aggregator="avg", readonly=True)
    in_full_rate = fields.Float(string="In Full (%)", aggregator="avg", readonly=True)
    perfect_order_rate = fields.Float(string="Perfect Orders (%)", aggregator="avg", readonly=True)
    fill_rate_lines = fields.Float(string="Fill Rate, Lines (%)", aggregator="avg", readonly=True)
    fill_rate_units = fields.Float(string="Fill Rate, Units (%)", aggregator="avg", readonly=True)
    sla_verified_rate = fields.Float(string="SLA Verified (%)", aggregator="avg", readonly=True)
    sla_packed_rate = fields.Float(string="SLA Packed (%)", aggregator="avg", readonly=True)
    sla_shipped_rate = fields.Float(string="SLA Shipped (%)", aggregator="avg", readonly=True)
    sla_delivered_rate = fields.Float(string="SLA Delivered (%)", aggregator="avg", readonly=True)
    return_rate = fields.Float(string="Returns (%)", aggregator="avg", readonly=True)
    complaint_rate = fields.Float(string="Complaints (%)", aggregator="avg", readonly=True)
    rating_avg = fields.Float(string="Average Rating", aggregator="avg", readonly=True)
    cod_outstanding = fields.Monetary(string="COD Outstanding", readonly=True)
    cycle_verify = fields.Float(
        string="Accepted → Verified (h, median)", aggregator="avg", readonly=True
    )
    cycle_verify_p90 = fields.Float(
        string="Accepted → Verified (h, p90)", aggregator="avg", readonly=True
    )
    cycle_pack = fields.Float(
        string="Verified → Packed (h, median)", aggregator="avg", readonly=True
    )
    cycle_pack_p90 = fields.Float(
        string="Verified → Packed (h, p90)", aggregator="avg", readonly=True
    )
    cycle_ship = fields.Float(
        string="Packed → Shipped (h, median)", aggregator="avg", readonly=True
    )
    cycle_ship_p90 = fields.Float(
        string="Packed → Shipped (h, p90)", aggregator="avg", readonly=True
    )
    cycle_deliver = fields.Float(
        string="Shipped → Delivered (h, median)", aggregator="avg", readonly=True
    )
    cycle_deliver_p90 = fields.Float(
        string="Shipped → Delivered (h, p90)", aggregator="avg", readonly=True
    )
    cycle_o2c = fields.Float(string="Order to Cash (h, median)", aggregator="avg", readonly=True)
    cycle_o2c_p90 = fields.Float(string="Order to Cash (h, p90)", aggregator="avg", readonly=True)

    _date_dimension_unique = models.UniqueIndex(
        "(date, company_id, dimension, dimension_key)",
        "There is already a KPI snapshot for this date, company and dimension value.",
    )

    @api.model
    def _values(self, kpi, date, company, dimension, key, label):
        values = {
            "date": date,
            "company_id": company.id,
            "dimension": dimension,
            "dimension_key": key or 0,
            "dimension_label": label,
            **kpis.snapshot_values(kpi),
        }
        if dimension in DIMENSION_FIELDS and key:
            values[DIMENSION_FIELDS[dimension]] = key
        return values

    @api.model
    def _company_values(self, company, date):
        """Snapshot rows of ``company`` for ``date`` (orders accepted in the
        ``WINDOW_DAYS`` days ending on it), every dimension."""
        Kpi = (
            self.env["o2c.kpi"].with_company(company).with_context(allowed_company_ids=company.ids)
        )
        start = date - datetime.timedelta(days=WINDOW_DAYS - 1)
        vals_list = []
        for dimension, _label in DIMENSIONS:
            group_by = None if dimension == "total" else dimension
            result = Kpi._compute(start, date, group_by)
            if dimension == "total":
                vals_list.append(
                    self._values(result["total"], date, company, "total", 0, self.env._("Total"))
                )
                continue
            for group in result["groups"]:
                vals_list.append(
                    self._values(
                        group["kpis"], date, company, dimension, group["key"], group["label"]
                    )
                )
        return vals_list

    @api.model
    def _create_snapshots(self, vals_list):
        """Create the rows; a rate or time of nothing measured (None) is stored as
        NULL, not as Float's 0.0, so that the pivot's and graph's averages (SQL AVG)
        leave it out instead of averaging a fake zero into the trend."""
        records = self.create(vals_list)
        unmeasured = {}
        for record, vals in zip(records, vals_list, strict=True):
            for name, value in vals.items():
                if value is None and self._fields[name].type == "float":
                    unmeasured.setdefault(name, []).append(record.id)
        self.env.flush_all()
        for name, ids in unmeasured.items():
            self.env.cr.execute(
                SQL(
                    "UPDATE %s SET %s = NULL WHERE id IN %s",
                    SQL.identifier(self._table),
                    SQL.identifier(name),
                    tuple(ids),
                )
            )
        records.invalidate_recordset(list(unmeasured))
        return records

    @api.model
    def _cron_o2c_kpi_snapshot(self, date=None):
        """Store today's snapshots, one company per committed batch. Running it again
        the same day replaces that day's rows of the company (never a second set)."""
        self = self.sudo()  # noqa: PLW0642 - a job for every company, not a user's view
        Cron = self.env["ir.cron"]
        companies = self.env["res.company"].search([])
        Cron._commit_progress(remaining=len(companies))
        Kpi = self.env["o2c.kpi"]
        for company in companies:
            # "today" of the company: its snapshot window ends on its own midnight
            tz = Kpi._company_tz(company)
            day = date or fields.Date.context_today(self.with_context(tz=tz))
            vals_list = self._company_values(company, day)
            self.search([("company_id", "=", company.id), ("date", "=", day)]).unlink()
            self._create_snapshots(vals_list)
            if not Cron._commit_progress(1):
                break
