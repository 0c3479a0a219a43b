"""Viettel SInvoice JSON for an invoice, from the same plain values as the XML builder.

Tax percentages as SInvoice expects them: 0, 5, 8, 10, -2 for KCT (not subject) and -1 for
KKKNT (not declared). 0% stays 0: sending 0% as -2 (KCT) is a known bug of other modules.
"""

import datetime

from . import builder

TAX_PERCENT = {"KCT": -2, "KKKNT": -1}
SELECTION = {"goods": 1, "promotion": 2, "discount": 3, "note": 4}


def tax_percentage(code):
    if code in TAX_PERCENT:
        return TAX_PERCENT[code]
    return float(builder.rate_value(code) * 100)


def _millis(date):
    moment = datetime.datetime.combine(date, datetime.time(12, 0))
    return int(moment.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000)


def invoice_json(invoice, template_code):
    totals = builder.compute(invoice)
    general, seller, buyer = invoice["general"], invoice["seller"], invoice["buyer"]
    money = totals["money"]
    items = []
    for number, line in enumerate(totals["lines"], start=1):
        nature = line.get("nature", "goods")
        item = {
            "lineNumber": number,
            "selection": SELECTION[nature],
            "itemCode": line.get("code") or "",
            "itemName": line.get("name"),
            "unitName": line.get("uom") or "",
        }
        if nature in ("goods", "discount"):
            item.update(
                unitPrice=float(money.round(line.get("price") or line["amount"])),
                quantity=float(builder._dec(line.get("quantity") or 1)),
                itemTotalAmountWithoutTax=float(line["amount"]),
                taxPercentage=tax_percentage(line.get("tax") or "KCT"),
                discount=float(builder._dec(line.get("discount_rate"))),
                itemDiscount=float(line["discount_amount"]),
                isIncreaseItem=nature != "discount",
            )
        items.append(item)
    return {
        "generalInvoiceInfo": {
            "invoiceType": general["KHMSHDon"],
            "templateCode": template_code,
            "invoiceSeries": general["KHHDon"],
            "invoiceIssuedDate": _millis(general["NLap"]),
            "currencyCode": general.get("DVTTe", "VND"),
            "exchangeRate": float(general.get("TGia") or 1),
            "adjustmentType": "1",
            "paymentStatus": True,
            "cusGetInvoiceRight": True,
        },
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
        "payments": [{"paymentMethodName": general.get("HTTToan") or "TM/CK"}],
        "itemInfo": items,
        "taxBreakdowns": [
            {
                "taxPercentage": tax_percentage(rate["rate"]),
                "taxableAmount": float(rate["base"]),
                "taxAmount": float(rate["tax"]),
            }
            for rate in totals["per_rate"]
        ],
        "summarizeInfo": {
            "totalAmountWithoutTax": float(totals["untaxed"]),
            "totalTaxAmount": float(totals["tax"]),
            "totalAmountWithTax": float(totals["total"]),
            "totalAmountWithTaxInWords": totals["words"],
            "discountAmount": float(totals["discount"]),
        },
    }
