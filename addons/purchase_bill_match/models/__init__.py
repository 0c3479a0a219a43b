from . import (
    account_move,
    account_move_line,
    account_partial_reconcile,
    account_payment,
    product_category,
    purchase_bill_match_issue,
    purchase_bill_match_tolerance_mixin,
    res_company,
    res_config_settings,
    res_partner,
    stock_move,
)
