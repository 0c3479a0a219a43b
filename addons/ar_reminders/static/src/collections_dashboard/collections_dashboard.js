import { Component, onWillStart, useState } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

const CHART = { width: 640, height: 180, pad: 28 };

export class ArCollectionsDashboard extends Component {
    static template = "ar_reminders.CollectionsDashboard";
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.chart = CHART;
        this.state = useState({ data: null });
        onWillStart(() => this.load());
    }

    async load() {
        this.state.data = await this.orm.call("ar.dashboard", "ar_dashboard", []);
    }

    /** The DSO trend as SVG points: x by month, y scaled to the highest DSO. */
    get trendPoints() {
        const trend = this.state.data.trend;
        if (!trend.length) {
            return [];
        }
        const { width, height, pad } = CHART;
        const top = Math.max(...trend.map((point) => point.dso), 1);
        const step = trend.length > 1 ? (width - 2 * pad) / (trend.length - 1) : 0;
        return trend.map((point, index) => ({
            ...point,
            x: pad + index * step,
            y: height - pad - (point.dso / top) * (height - 2 * pad),
        }));
    }

    get trendPath() {
        return this.trendPoints.map((point) => `${point.x},${point.y}`).join(" ");
    }

    openAction(xmlid) {
        this.action.doAction(xmlid);
    }

    async openCustomer(customer) {
        const action = await this.orm.call("ar.dashboard", "action_open_customer", [customer.id]);
        this.action.doAction(action);
    }
}

registry.category("actions").add("ar_reminders.collections_dashboard", ArCollectionsDashboard);
