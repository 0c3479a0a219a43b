"""QR code data of an e-invoice (QĐ 1450/QĐ-TCT, Part I, IV.7 and Phụ lục XIII).

The string is a list of EMVCo-style data objects: a 2-digit ID, a 2-digit
length and the value. An invoice carries the specification version (``00`` =
"01"), the look-up block ``99`` (sub-objects 00 GUID, 01 seller MST without the
dash, 02 KHMSHDon, 03 KHHDon, 04 SHDon, 05 NLap as YYYYMMDD, 06 TgTTTBSo) and
ends with ``63``: the CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF)
of everything before it including "6304", as 4 upper-case hex digits. The
decision's own example ends in CRC 383C, which this module reproduces.

It goes into ``HDon/DLQRCode`` (at most 512 characters) and onto the PDF.
"""

import binascii

# The GUID of the look-up block in the decision's example (Phụ lục XIII, sub-ID 99-00).
LOOKUP_GUID = "A000000775"
MAX_LENGTH = 512

# Sub-objects of the look-up block ``99``: (ID, name in the XML, maximum length, exact).
_LOOKUP_FIELDS = (
    ("00", "GUID", 32, False),
    ("01", "MST", 13, False),
    ("02", "KHMSHDon", 1, True),
    ("03", "KHHDon", 6, True),
    ("04", "SHDon", 8, False),
    ("05", "NLap", 8, True),
    ("06", "TgTTTBSo", 20, False),
)


def data_object(object_id, value):
    """One data object: ID, length, value; an empty value gives nothing."""
    value = "" if value is None else str(value)
    if not value:
        return ""
    if len(value) > 99:
        raise ValueError(f"QR data object {object_id} is longer than 99 characters: {value!r}")
    return f"{object_id}{len(value):02d}{value}"


def crc16(text):
    """CRC-16/CCITT-FALSE of the UTF-8 bytes of ``text``, as 4 hex digits."""
    return f"{binascii.crc_hqx(text.encode('utf-8'), 0xFFFF):04X}"


def with_crc(text):
    """Append the ``63`` object whose value is the CRC of the string up to its length."""
    head = f"{text}6304"
    return head + crc16(head)


def lookup_block(mst, template, symbol, number, date, total, guid=LOOKUP_GUID):
    """The ``99`` object: what a buyer needs to look the invoice up."""
    values = {
        "GUID": guid,
        "MST": (mst or "").replace("-", ""),
        "KHMSHDon": template,
        "KHHDon": symbol,
        "SHDon": number,
        "NLap": date.strftime("%Y%m%d") if date else "",
        "TgTTTBSo": total,
    }
    parts = []
    for object_id, name, size, exact in _LOOKUP_FIELDS:
        value = "" if values[name] is None else str(values[name])
        if not value or len(value) > size or (exact and len(value) != size):
            raise ValueError(
                f"QR look-up field {name} (99-{object_id}) must have "
                f"{'exactly' if exact else 'at most'} {size} characters: {value!r}"
            )
        parts.append(data_object(object_id, value))
    return data_object("99", "".join(parts))


def invoice_qr(mst, template, symbol, number, date, total, guid=LOOKUP_GUID):
    """The whole QR string of an invoice: version, look-up block, CRC."""
    text = with_crc(
        data_object("00", "01") + lookup_block(mst, template, symbol, number, date, total, guid)
    )
    if len(text) > MAX_LENGTH:
        raise ValueError(f"QR data is longer than {MAX_LENGTH} characters: {text!r}")
    return text
