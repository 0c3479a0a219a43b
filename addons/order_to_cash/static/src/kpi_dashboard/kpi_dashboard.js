import { Component, onWillStart, useState } from "@odoo/owl";
import { formatCurrency } from "@web/core/currency";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

const PERIODS = [7, 30, 90];

function percent(rate) {
    return rate === null || rate === undefined ? "–" : `${(rate * 100).toFixed(1)} %`;
}

function hours(value) {
    return value === null || value === undefined ? "–" : `${value.toFixed(1)} h`;
}

export class O2cKpiDashboard extends Component {
    static template = "order_to_cash.KpiDashboard";
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.periods = PERIODS;
        this.state = useState({ days: 30, channelId: false, data: null });
        onWillStart(() => this.load());
    }

    async load() {
        this.state.data = await this.orm.call("o2c.kpi", "o2c_dashboard", [], {
            days: this.state.days,
            channel_id: this.state.channelId,
        });
    }

    async onChannelChange(ev) {
        this.state.channelId = parseInt(ev.target.value) || false;
        await this.load();
    }

    async onPeriodChange(ev) {
        this.state.days = parseInt(ev.target.value);
        await this.load();
    }

    get cards() {
        const k = this.state.data.kpis;
        return [
            { name: "otif", label: _t("OTIF"), value: percent(k.otif.rate) },
            {
                name: "perfect",
                label: _t("Perfect orders"),
                value: percent(k.perfect_order.rate),
            },
            {
                name: "fill",
                label: _t("Fill rate (lines / units)"),
                value: `${percent(k.fill_rate.lines_rate)} / ${percent(k.fill_rate.units_rate)}`,
            },
            {
                name: "o2c",
                label: _t("Order to cash (median / p90)"),
                value: `${hours(k.cycle_time_hours.order_to_cash.median)} / ${hours(
                    k.cycle_time_hours.order_to_cash.p90
                )}`,
            },
            {
                name: "sla",
                label: _t("SLA met (delivered)"),
                value: percent(k.sla_compliance.delivered.rate),
            },
            { name: "cancel", label: _t("Cancelled"), value: percent(k.cancellation.rate) },
            { name: "returns", label: _t("Returns"), value: percent(k.returns.rate) },
            { name: "complaints", label: _t("Complaints"), value: percent(k.complaints.rate) },
            {
                name: "rating",
                label: _t("Average rating"),
                value:
                    k.rating.average === null ? "–" : `${k.rating.average.toFixed(2)} / 5`,
            },
            {
                name: "cod",
                label: _t("COD held by carriers"),
                value: formatCurrency(k.cod_outstanding.amount, this.state.data.currency_id),
            },
            { name: "orders", label: _t("Orders"), value: String(k.orders) },
        ];
    }

    openOrder(order) {
        this.action.doAction({
            type: "ir.actions.act_window",
            res_model: "sale.order",
            res_id: order.id,
            views: [[false, "form"]],
        });
    }
}

registry.category("actions").add("order_to_cash.kpi_dashboard", O2cKpiDashboard);
