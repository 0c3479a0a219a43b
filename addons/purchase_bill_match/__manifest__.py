{
    "name": "Purchase Bill Match",
    "summary": "Three-way match of vendor bills against purchase orders and receipts, "
    "with tolerances and a payment hold that really holds",
    "version": "19.0.1.0.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/o2c-vn/order-to-cash",
    "author": "Order to Cash VN",
    "license": "LGPL-3",
    "depends": ["purchase_stock", "account", "mail"],
    "data": [
        # security
        "security/purchase_bill_match_security.xml",
        "security/ir.model.access.csv",
        # data
        "data/mail_activity_type_data.xml",
        # views
        "views/res_config_settings_views.xml",
        "views/res_partner_views.xml",
        "views/product_category_views.xml",
        "views/account_move_views.xml",
        "views/purchase_bill_match_issue_views.xml",
        "report/purchase_bill_match_report_views.xml",
        # wizards
        "wizard/purchase_bill_match_approve_views.xml",
        # menus
        "views/purchase_bill_match_menus.xml",
    ],
    "installable": True,
    "application": False,
}
