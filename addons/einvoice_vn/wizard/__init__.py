from . import einvoice_vn_correction
