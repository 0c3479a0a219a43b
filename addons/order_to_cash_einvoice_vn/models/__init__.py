from . import account_move, o2c_channel
