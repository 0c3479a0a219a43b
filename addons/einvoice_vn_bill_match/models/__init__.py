from . import account_move
from . import einvoice_vn_inbound
