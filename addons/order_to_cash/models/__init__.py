from . import (
    account_partial_reconcile,
    o2c_channel,
    o2c_check,
    o2c_check_result,
    o2c_intake,
    o2c_payment_method,
    res_company,
    res_config_settings,
    res_partner,
    sale_order,
    stock_move,
)
