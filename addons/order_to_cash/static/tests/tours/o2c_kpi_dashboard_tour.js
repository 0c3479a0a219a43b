import { registry } from "@web/core/registry";

// Data made by tests/test_kpi_tour.py: channel "Tour Shop" with a breached order
// "TOUR-BREACHED", and an order of another channel at risk.
registry.category("web_tour.tours").add("o2c_kpi_dashboard_tour", {
    url: "/odoo/action-order_to_cash.action_o2c_kpi_dashboard",
    steps: () => [
        {
            content: "The dashboard shows its KPI cards",
            trigger: ".o_o2c_kpi_dashboard .o_o2c_kpi_card[data-kpi='otif']",
        },
        {
            content: "Both channels' orders are listed before filtering",
            trigger: ".o_o2c_risk_order:contains('TOUR-OTHER')",
        },
        {
            content: "Filter on the channel Tour Shop",
            trigger: "select.o_o2c_channel_filter",
            run: "selectByLabel Tour Shop",
        },
        {
            content: "The other channel's order is gone",
            trigger: ".o_o2c_risk_orders:not(:has(.o_o2c_risk_order:contains('TOUR-OTHER')))",
        },
        {
            content: "Open the breached order",
            trigger: ".o_o2c_risk_order[data-status='breached']:contains('TOUR-BREACHED')",
            run: "click",
        },
        {
            content: "Its form is open",
            trigger: ".o_form_view .o_field_widget[name='name']:contains('TOUR-BREACHED')",
        },
    ],
});
