from . import account_move, einvoice_vn_inbound
