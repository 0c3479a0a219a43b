import datetime

import pytz

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..pipeline import sla

# Work intervals are fetched for at least this much time after the earliest start;
# a deadline beyond it fetches a longer window (see ``_o2c_work_intervals``).
INTERVAL_WINDOW_DAYS = 45
# A write of these re-matches the open orders of the profile's company.
REMATCH_FIELDS = {
    "active",
    "channel_ids",
    "partner_category_ids",
    "sequence",
    "company_id",
    "line_ids",
}


class O2cSlaProfile(models.Model):
    _name = "o2c.sla.profile"
    _description = "SLA Profile"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    channel_ids = fields.Many2many(
        "o2c.channel",
        string="Channels",
        check_company=True,
        help="Orders of these channels; empty: every channel.",
    )
    partner_category_ids = fields.Many2many(
        "res.partner.category",
        string="Customer Tags",
        help="Orders of customers with one of these tags; empty: every customer.",
    )
    resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        required=True,
        check_company=True,
        help="Targets count the working hours of this calendar; its public holidays "
        "(time off without a resource) are not counted.",
    )
    responsible_user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        check_company=True,
        help="Gets the SLA alerts of orders without a salesperson.",
    )
    line_ids = fields.One2many("o2c.sla.profile.line", "profile_id", string="Targets")

    @api.constrains("company_id", "resource_calendar_id")
    def _check_o2c_calendar_company(self):
        for profile in self:
            calendar = profile.resource_calendar_id
            if calendar.company_id and calendar.company_id != profile.company_id:
                raise ValidationError(
                    self.env._(
                        "Working Hours %(calendar)s belong to company %(other)s, not to "
                        "%(company)s of SLA profile %(profile)s.",
                        calendar=calendar.name,
                        other=calendar.company_id.name,
                        company=profile.company_id.name,
                        profile=profile.name,
                    )
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        # Its lines re-match once, with the profile, not each on its own.
        profiles = super(O2cSlaProfile, self.with_context(o2c_sla_no_rematch=True)).create(
            vals_list
        )
        profiles = profiles.with_env(self.env)
        profiles._o2c_rematch_open_orders(profiles.company_id)
        return profiles

    def write(self, vals):
        companies = self.company_id
        result = super(O2cSlaProfile, self.with_context(o2c_sla_no_rematch=True)).write(vals)
        if REMATCH_FIELDS & set(vals):
            self._o2c_rematch_open_orders(companies | self.company_id)
        return result

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    @api.model
    def _o2c_rematch_open_orders(self, companies):
        """Queue the re-match of the open orders of ``companies``: a profile created,
        reactivated or edited after an order was accepted (go-live, peak
        reconfiguration) reaches it once the SLA job ran (see ``o2c.sla.rematch``)."""
        self.env["o2c.sla.rematch"]._o2c_request(companies)

    @api.model
    def _o2c_local_today(self, company, calendar=None, now=None):
        """Today in the SLA's time zone: that of ``calendar`` (the profile's working
        hours), else of the company's address, else UTC; never the user's."""
        tz = pytz.timezone((calendar and calendar.tz) or company.partner_id.tz or "UTC")
        now = now or fields.Datetime.now()
        return pytz.utc.localize(now).astimezone(tz).date()

    @api.model
    def _o2c_match(self, orders):
        """``{order id: profile}`` for ``orders``: each order gets a profile of its
        own company (channel and tag specific first, then by sequence)."""
        Profile = self.sudo()
        by_company = {}
        for company in orders.company_id:
            profiles = Profile.search([("company_id", "=", company.id)])
            by_company[company.id] = (
                profiles,
                [
                    sla.ProfileRule(
                        profile_id=p.id,
                        sequence=p.sequence,
                        channel_ids=frozenset(p.channel_ids.ids),
                        tag_ids=frozenset(p.partner_category_ids.ids),
                    )
                    for p in profiles
                ],
            )
        result = {}
        for order in orders:
            profiles, rules = by_company.get(order.company_id.id, (Profile, []))
            partner = order.partner_id
            tags = (partner.category_id | partner.commercial_partner_id.category_id).ids
            found = sla.match_profile(rules, order.o2c_channel_id.id, tags)
            result[order.id] = profiles.browse(found) if found else Profile.browse()
        return result

    def _o2c_target_hours(self, target, state_id=False):
        """Target working hours of reaching ``target`` under this profile, None if none."""
        self.ensure_one()
        lines = self.line_ids.filtered(lambda line: line.transition == target)
        return sla.pick_zone_hours(
            [(tuple(line.state_ids.ids), line.hours) for line in lines], state_id
        )

    def _o2c_local_date(self, moment):
        tz = pytz.timezone(self.resource_calendar_id.tz or "UTC")
        return pytz.utc.localize(moment).astimezone(tz).date()


class O2cSlaIntervals:
    """Work intervals of calendars, fetched once per calendar for the window a run
    needs (Odoo's ``resource.calendar._work_intervals_batch``: attendances, time
    zone and public holidays), then extended only when a deadline lies beyond."""

    def __init__(self, env):
        self.env = env
        self.windows = {}

    def _fetch(self, calendar, start, end):
        # Time off of another company on no calendar is not this calendar's holiday.
        leaves = [
            ("time_type", "=", "leave"),
            ("company_id", "in", [False, calendar.company_id.id]),
        ]
        intervals = calendar._work_intervals_batch(
            pytz.utc.localize(start), pytz.utc.localize(end), domain=leaves
        )[False]
        return [
            (
                begin.astimezone(pytz.utc).replace(tzinfo=None),
                stop.astimezone(pytz.utc).replace(tzinfo=None),
            )
            for begin, stop, _meta in intervals
        ]

    def intervals(self, calendar, start, end):
        window = self.windows.get(calendar.id)
        if not window or window[0] > start or window[1] < end:
            begin = min(start, window[0]) if window else start
            stop = max(end, window[1]) if window else end
            window = (begin, stop, self._fetch(calendar, begin, stop))
            self.windows[calendar.id] = window
        return window[2]

    def due(self, calendar, target, start, hours, stretch):
        """:class:`sla.Due` of ``target`` from ``start``, fetching more time if needed."""
        days = INTERVAL_WINDOW_DAYS
        while True:
            intervals = self.intervals(calendar, start, start + datetime.timedelta(days=days))
            try:
                return sla.due(target, start, hours, stretch, intervals)
            except sla.NotEnoughWorkTime:
                if days > 3660:
                    raise ValidationError(
                        self.env._(
                            "Working Hours %(calendar)s leave no time for %(hours)s hours "
                            "within ten years.",
                            calendar=calendar.name,
                            hours=hours * stretch,
                        )
                    ) from None
                days *= 2
