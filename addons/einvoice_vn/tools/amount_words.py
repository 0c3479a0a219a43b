"""Amounts in Vietnamese words, as TToan/TgTTTBChu requires.

1_250_000 -> "Một triệu hai trăm năm mươi nghìn đồng". Conventions used by Vietnamese
invoicing software: "mười" for 10-19, "mươi" above; "mốt" for a final 1 after 20+,
"lăm" for a final 5 after 10+, "tư" for a final 4 after 20+; "lẻ" when the tens are zero
inside a group ("một trăm lẻ năm"); inner groups always say their hundreds ("một triệu
không trăm năm mươi nghìn"); scales nghìn, triệu, tỷ, then nghìn tỷ, triệu tỷ, tỷ tỷ.

:func:`words_to_amount` reads such words back, with the variants other software writes
(supplier invoices are compared with their total).

Why not num2words (``lang="vi"``, an Odoo dependency)? Checked with num2words 0.5.10 on
0..2,999 and 3,000 random amounts below 10^13: it differs on 3,019 of 6,000. It never
says the inner "không trăm" (1,001 -> "một nghìn lẻ một", 1,050,000 -> "một triệu năm
mươi nghìn"), says "bốn" for a final 4 after 20 ("hai mươi bốn"), and reads 10^15 as
"một trăm nghìn tỷ" (10^14). Invoicing software writes "một nghìn không trăm lẻ một" and
"hai mươi tư", so the readings stay ours.
"""

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
SCALES = ("", "nghìn", "triệu")
CURRENCY_WORDS = {
    "VND": ("đồng", None),
    "USD": ("đô la Mỹ", "xu"),
    "EUR": ("euro", "xu"),
}


def _group(number, full):
    """Words for 0 < number < 1000; ``full`` says the hundreds even when zero."""
    hundreds, rest = divmod(number, 100)
    tens, units = divmod(rest, 10)
    words = []
    if hundreds or full:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and words:
            words.append("lẻ")
    elif tens == 1:
        words.append("mười")
    else:
        words += [DIGITS[tens], "mươi"]
    if units:
        if units == 1 and tens >= 2:
            words.append("mốt")
        elif units == 5 and tens >= 1:
            words.append("lăm")
        elif units == 4 and tens >= 2:
            words.append("tư")
        else:
            words.append(DIGITS[units])
    return words


def _below_billion(number, full):
    """Words for 0 < number < 1,000,000,000."""
    groups = []
    while number:
        number, group = divmod(number, 1000)
        groups.append(group)
    words = []
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if not group:
            continue
        words += _group(group, full or bool(words))
        if SCALES[index]:
            words.append(SCALES[index])
    return words


def integer_words(number, full=False):
    """Words of a non-negative integer, lowercase."""
    if number == 0:
        return [DIGITS[0]]
    billions, rest = divmod(number, 10**9)
    words = []
    if billions:
        words += [*integer_words(billions, full), "tỷ"]
    if rest:
        words += _below_billion(rest, full or bool(words))
    return words


def amount_in_words(amount, currency="VND"):
    """The amount in Vietnamese words with its currency, first letter capitalised.

    VND is rounded to an integer; other currencies say their minor unit (two decimals).
    """
    unit, minor = CURRENCY_WORDS.get(currency, (currency, None))
    value = Decimal(str(amount))
    negative = value < 0
    value = abs(value)
    if minor is None:
        major, cents = int(value.quantize(Decimal("1"), rounding=ROUND_HALF_UP)), 0
    else:
        quantized = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        major, cents = int(quantized), int((quantized % 1) * 100)
    words = [*integer_words(major), unit]
    if cents:
        words += ["và", *integer_words(cents), minor]
    if negative:
        words.insert(0, "âm")
    text = " ".join(words)
    return text[0].upper() + text[1:]


# -- reading words back (supplier invoices) ---------------------------------------------------

_DIGIT_WORDS = {
    "không": 0,
    "một": 1,
    "mốt": 1,
    "hai": 2,
    "ba": 3,
    "bốn": 4,
    "tư": 4,
    "năm": 5,
    "lăm": 5,
    "nhăm": 5,
    "sáu": 6,
    "bảy": 7,
    "bẩy": 7,
    "tám": 8,
    "chín": 9,
}
_SCALES = (("tỷ", 10**9), ("triệu", 10**6), ("nghìn", 10**3))
_SYNONYMS = {"tỉ": "tỷ", "ngàn": "nghìn", "linh": "lẻ", "mươi": "mươi"}
_CURRENCY_TAILS = (
    "việt nam đồng",
    "đồng việt nam",
    "đồng chẵn",
    "đồng",
    "vnđ",
    "vnd",
    "chẵn",
)


def normalize_words(words):
    """Lowercase NFC text without punctuation, doubled spaces or currency suffix."""
    value = unicodedata.normalize("NFC", words or "").lower()
    value = re.sub(r"[,.;:!()/\\\"'\-]+", " ", value)
    value = " ".join(value.split())
    changed = True
    while changed:
        changed = False
        for tail in _CURRENCY_TAILS:
            if value == tail or value.endswith(" " + tail):
                value = value[: -len(tail)].strip()
                changed = True
    return value


def _group_value(tokens):
    """Value of words below one thousand, or None when they are not a number."""
    if not tokens:
        return 0
    value = 0
    if "trăm" in tokens:
        index = tokens.index("trăm")
        head = tokens[:index]
        if len(head) != 1 or head[0] not in _DIGIT_WORDS:
            return None
        value = _DIGIT_WORDS[head[0]] * 100
        tokens = tokens[index + 1 :]
    if tokens and tokens[0] == "lẻ":
        tokens = tokens[1:]
    if not tokens:
        return value
    if tokens[0] == "mười":
        value += 10
        tokens = tokens[1:]
    elif len(tokens) >= 2 and tokens[1] == "mươi" and tokens[0] in _DIGIT_WORDS:
        value += _DIGIT_WORDS[tokens[0]] * 10
        tokens = tokens[2:]
    if len(tokens) > 1 or (tokens and tokens[0] not in _DIGIT_WORDS):
        return None
    if tokens:
        value += _DIGIT_WORDS[tokens[0]]
    return value


def _words_value(tokens):
    """Value of number words with scales, left to right: a scale multiplies the group
    before it and every smaller value since the last larger scale ("một nghìn tỷ" is
    1000 x 10^9, then "hai trăm tỷ" adds 200 x 10^9)."""
    factors = dict(_SCALES)
    stack, group = [], []
    for token in [*tokens, None]:
        if token is not None and token not in factors:
            group.append(token)
            continue
        value = _group_value(group)
        if value is None:
            return None
        group = []
        if token is None:
            stack.append(value)
            break
        factor = factors[token]
        while stack and stack[-1] < factor:
            value += stack.pop()
        stack.append((value or 1) * factor)
    return sum(stack)


def words_to_amount(words):
    """The amount a Vietnamese amount-in-words says (``Decimal``), or None.

    Tolerates the variants seen on invoices: nghìn/ngàn, lẻ/linh, tỷ/tỉ, mốt, tư, lăm,
    inner groups with or without "không trăm", and a currency suffix. Minor units are read
    after "và" or "phẩy" ("... đô la Mỹ và hai mươi xu").
    """
    value = normalize_words(words)
    if not value:
        return None
    negative = value.startswith("âm ")
    if negative:
        value = value[3:]
    minor = Decimal(0)
    for separator in (" và ", " phẩy "):
        if separator in value:
            value, cents = value.split(separator, 1)
            cent_tokens = [
                t for t in cents.split() if t in _DIGIT_WORDS or t in ("mươi", "mười", "lẻ", "trăm")
            ]
            cents_value = _group_value([_SYNONYMS.get(t, t) for t in cent_tokens])
            if cents_value is None:
                return None
            minor = Decimal(cents_value) / 100
            break
    tokens = [_SYNONYMS.get(token, token) for token in value.split()]
    # Drop a currency name left before "và" (đô la Mỹ, euro...): only number words stay.
    known = set(_DIGIT_WORDS) | {"mười", "mươi", "trăm", "lẻ", "tỷ", "triệu", "nghìn"}
    while tokens and tokens[-1] not in known:
        tokens.pop()
    if not tokens or any(token not in known for token in tokens):
        return None
    major = _words_value(tokens)
    if major is None:
        return None
    amount = Decimal(major) + minor
    return -amount if negative else amount
