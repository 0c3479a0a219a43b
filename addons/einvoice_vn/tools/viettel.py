"""Viettel SInvoice JSON for an invoice, from the same plain values as the XML builder.

Tax percentages as SInvoice expects them: 0, 5, 8, 10, -2 for KCT (not subject) and -1 for
KKKNT (not declared). 0% stays 0: sending 0% as -2 (KCT) is a known bug of other modules.

Adjustments and replacements as Odoo's l10n_vn_edi_viettel maps them: ``adjustmentType`` 1
(original), 3 (replacement) or 5 (adjustment), ``adjustmentInvoiceType`` 1 (amounts) or 2
(information only), the original invoice (``originalInvoiceId`` = its symbol and number,
``originalInvoiceIssueDate``, ``originalTemplateCode``) and per line ``isIncreaseItem``; a
decreasing line has a negative ``unitPrice`` and positive amounts (with
``adjustmentTaxAmount``), and totals are sent as amounts with a ``...Pos`` flag for their sign.
"""

import datetime

from . import builder, corrections

TAX_PERCENT = {"KCT": -2, "KKKNT": -1}
SELECTION = {"goods": 1, "promotion": 2, "discount": 3, "note": 4}
# generalInvoiceInfo.adjustmentType by TCHDon: original, replacement, adjustment.
ADJUSTMENT_TYPE = {
    None: "1",
    corrections.KINDS["replacement"]: "3",
    corrections.KINDS["adjustment"]: "5",
}


def tax_percentage(code):
    if code in TAX_PERCENT:
        return TAX_PERCENT[code]
    return float(builder.rate_value(code) * 100)


def _millis(date):
    moment = datetime.datetime.combine(date, datetime.time(12, 0))
    return int(moment.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000)


def _general_info(invoice, totals, template_code, original_template_code):
    general = invoice["general"]
    related = invoice.get("related")
    info = {
        "invoiceType": general["KHMSHDon"],
        "templateCode": template_code,
        "invoiceSeries": general["KHHDon"],
        "invoiceIssuedDate": _millis(general["NLap"]),
        "currencyCode": general.get("DVTTe", "VND"),
        "exchangeRate": float(general.get("TGia") or 1),
        "adjustmentType": ADJUSTMENT_TYPE[related["TCHDon"] if related else None],
        "paymentStatus": True,
        "cusGetInvoiceRight": True,
    }
    if related:
        information_only = related["TCHDon"] == corrections.KINDS[
            "adjustment"
        ] and corrections.is_information_only(totals["lines"])
        info.update(
            adjustmentInvoiceType="2" if information_only else "1",
            originalInvoiceId=f"{related['KHHDCLQuan']}{related['SHDCLQuan']}",
            originalInvoiceIssueDate=_millis(related["NLHDCLQuan"]),
            # Same convention as the invoice's own templateCode.
            originalTemplateCode=original_template_code
            or f"{related['KHMSHDCLQuan']}/{related['KHHDCLQuan']}",
            additionalReferenceDesc=related.get("GChu") or "",
            additionalReferenceDate=_millis(general["NLap"]),
        )
    return info


def _item(number, line, money, adjustment):
    nature = line.get("nature", "goods")
    item = {
        "lineNumber": number,
        "selection": SELECTION[nature],
        "itemCode": line.get("code") or "",
        "itemName": line.get("name"),
        "unitName": line.get("uom") or "",
    }
    if nature not in ("goods", "discount"):
        return item
    decrease = bool(line.get("decrease"))
    tax = line.get("tax") or "KCT"
    item.update(
        unitPrice=float(money.round(line.get("price") or line["amount"])),
        quantity=float(builder._dec(line.get("quantity") or 1)),
        itemTotalAmountWithoutTax=float(abs(line["amount"])),
        taxPercentage=tax_percentage(tax),
        discount=float(builder._dec(line.get("discount_rate"))),
        itemDiscount=float(abs(line["discount_amount"])),
        isIncreaseItem=nature != "discount" and not decrease,
    )
    if adjustment:
        item["adjustmentTaxAmount"] = float(
            money.round(abs(line["amount"]) * builder.rate_value(tax))
        )
    return item


def invoice_json(invoice, template_code, original_template_code=None):
    """SInvoice's createInvoice JSON; ``original_template_code`` is the templateCode of
    the adjusted or replaced invoice (by default: the same convention as ``template_code``)."""
    totals = builder.compute(invoice)
    seller, buyer = invoice["seller"], invoice["buyer"]
    related = invoice.get("related")
    adjustment = bool(related) and related["TCHDon"] == corrections.KINDS["adjustment"]
    money = totals["money"]
    items = [
        _item(number, line, money, adjustment)
        for number, line in enumerate(totals["lines"], start=1)
    ]
    return {
        "generalInvoiceInfo": _general_info(invoice, totals, template_code, original_template_code),
        "buyerInfo": {
            "buyerName": buyer.get("HVTNMHang") or "",
            "buyerLegalName": buyer.get("Ten") or "",
            "buyerTaxCode": buyer.get("MST") or "",
            "buyerAddressLine": buyer.get("DChi") or "",
            "buyerPhoneNumber": buyer.get("SDThoai") or "",
            "buyerEmail": buyer.get("DCTDTu") or "",
            "buyerCode": buyer.get("MKHang") or "",
        },
        "sellerInfo": {
            "sellerLegalName": seller["Ten"],
            "sellerTaxCode": seller["MST"],
            "sellerAddressLine": seller["DChi"],
        },
        "payments": [{"paymentMethodName": invoice["general"].get("HTTToan") or "TM/CK"}],
        "itemInfo": items,
        "taxBreakdowns": [
            {
                "taxPercentage": tax_percentage(rate["rate"]),
                "taxableAmount": float(abs(rate["base"])),
                "taxAmount": float(abs(rate["tax"])),
                "taxableAmountPos": rate["base"] >= 0,
                "taxAmountPos": rate["tax"] >= 0,
            }
            for rate in totals["per_rate"]
        ],
        "summarizeInfo": {
            "totalAmountWithoutTax": float(abs(totals["untaxed"])),
            "isTotalAmtWithoutTaxPos": totals["untaxed"] >= 0,
            "totalTaxAmount": float(abs(totals["tax"])),
            "isTotalTaxAmountPos": totals["tax"] >= 0,
            "totalAmountWithTax": float(abs(totals["total"])),
            "isTotalAmountPos": totals["total"] >= 0,
            "totalAmountWithTaxInWords": totals["words"],
            "discountAmount": float(abs(totals["discount"])),
            "isDiscountAmtPos": totals["discount"] >= 0,
        },
    }
