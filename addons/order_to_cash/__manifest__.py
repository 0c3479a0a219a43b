{
    "name": "Order to Cash",
    "summary": "Seven-stage order pipeline: channel intake, verification holds, "
    "stage tracking from picking to payment",
    "version": "19.0.1.0.0",
    "category": "Sales/Sales",
    "website": "https://github.com/o2c-vn/order-to-cash",
    "author": "Order to Cash VN",
    "license": "LGPL-3",
    "depends": [
        "sale_management",
        "sale_stock",
        "account",
        "phone_validation",
        "stock_picking_batch",
        "resource",
    ],
    "external_dependencies": {"python": ["phonenumbers", "stdnum", "openpyxl", "requests"]},
    "data": [
        # security
        "security/order_to_cash_security.xml",
        "security/ir.model.access.csv",
        # data
        "data/o2c_payment_method_data.xml",
        "data/o2c_check_data.xml",
        "data/ir_cron_data.xml",
        "data/o2c_sla_data.xml",
        "data/o2c_after_sales_data.xml",
        # views
        "views/o2c_channel_views.xml",
        "views/o2c_check_views.xml",
        "views/o2c_payment_method_views.xml",
        "views/sale_order_views.xml",
        "views/o2c_carrier_views.xml",
        "views/o2c_cod_views.xml",
        "views/res_config_settings_views.xml",
        "views/o2c_invoicing_views.xml",
        "views/o2c_release_views.xml",
        "views/o2c_sla_views.xml",
        "views/o2c_after_sales_views.xml",
        "views/o2c_rating_templates.xml",
        # wizards
        "wizard/o2c_override_wizard_views.xml",
        "wizard/o2c_release_wizard_views.xml",
        "wizard/o2c_pack_override_wizard_views.xml",
        # menus
        "views/order_to_cash_menus.xml",
        # stage 7: KPIs (security, data, views and menus of their own)
        "security/o2c_kpi_security.xml",
        "data/o2c_kpi_cron_data.xml",
        "views/o2c_kpi_views.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "order_to_cash/static/tests/tours/**/*",
        ],
        "web.assets_backend": [
            "order_to_cash/static/src/kpi_dashboard/**/*",
        ],
    },
    "demo": [
        "demo/o2c_demo.xml",
        "demo/o2c_sla_demo.xml",
        "demo/o2c_after_sales_demo.xml",
    ],
    "installable": True,
    "application": False,
}
