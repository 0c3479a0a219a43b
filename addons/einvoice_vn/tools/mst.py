"""Vietnamese tax id (MST) with its check digit."""

import re

from stdnum.vn import mst as vn_mst


def is_valid(vat):
    """10 digits with check digit, 13 for a branch (dash optional), or a 12-digit citizen
    id (a personal tax id since 1 July 2025; it has no check digit)."""
    value = vn_mst.compact(vat or "")
    if value.upper().startswith("VN"):
        value = value[2:]
    return bool(re.fullmatch(r"\d{12}", value)) or vn_mst.is_valid(value)
