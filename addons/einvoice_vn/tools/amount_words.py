"""Amounts in Vietnamese words, as TToan/TgTTTBChu requires.

1_250_000 -> "Một triệu hai trăm năm mươi nghìn đồng". Conventions used by Vietnamese
invoicing software: "mười" for 10-19, "mươi" above; "mốt" for a final 1 after 20+,
"lăm" for a final 5 after 10+, "tư" for a final 4 after 20+; "lẻ" when the tens are zero
inside a group ("một trăm lẻ năm"); inner groups always say their hundreds ("một triệu
không trăm năm mươi nghìn"); scales nghìn, triệu, tỷ, then nghìn tỷ, triệu tỷ, tỷ tỷ.
"""

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
