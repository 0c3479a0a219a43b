"""The demo story's cast and script as plain values (no odoo import): who the company,
its users, products and customers are, which invoices and payments make six months of
history, and which orders are taken how far today."""

import datetime

from stdnum.vn import mst as vn_mst

MODULE = "o2c_demo_vn"
COMPANY_NAME = "Công ty TNHH Phân phối Sao Mai (Demo)"
# How far back the story's invoices, payments and reminders go.
HISTORY_DAYS = 215
# Orders are placed at 10:00 in Vietnam (03:00 UTC).
ORDER_TIME = datetime.time(3, 0)

USERS = [
    # (xmlid, name, login, groups)
    (
        "user_sales_manager",
        "Nguyễn Thị Lan",
        "banhang",
        ["sales_team.group_sale_manager", "order_to_cash.group_o2c_manager"],
    ),
    ("user_salesperson", "Phạm Quốc Bảo", "nhanvien", ["sales_team.group_sale_salesman"]),
    ("user_warehouse", "Trần Văn Hùng", "kho", ["stock.group_stock_user"]),
    (
        "user_accountant",
        "Lê Thị Mai",
        "ketoan",
        [
            "account.group_account_manager",
            "einvoice_vn.group_einvoice_manager",
            "ar_reminders.group_ar_manager",
        ],
    ),
    (
        "user_collector",
        "Đỗ Minh Châu",
        "thuno",
        [
            "account.group_account_invoice",
            "einvoice_vn.group_einvoice_user",
            "ar_reminders.group_ar_collector",
        ],
    ),
]

PRODUCTS = [
    # (code, name, first 12 digits of the EAN-13, sales price, cost, stock)
    ("SM-NM500", "Nước mắm Phú Quốc 40 độ đạm 500ml", "893604100001", 95000, 58000, 3000),
    (
        "SM-CF500",
        "Cà phê Robusta Buôn Ma Thuột rang xay 500g",
        "893604100002",
        185000,
        110000,
        2000,
    ),
    ("SM-ST25", "Gạo ST25 túi 5kg", "893604100003", 210000, 150000, 2000),
    ("SM-TRA200", "Trà xanh Thái Nguyên 200g", "893604100004", 120000, 70000, 1500),
    ("SM-BPT200", "Bánh phồng tôm Sa Giang 200g", "893604100005", 45000, 26000, 3000),
]

COMPANY_CUSTOMERS = [
    # (ref, name, first 9 digits of the MST (None: no tax id), street, ward, province,
    #  phone, email)
    (
        "MINHPHAT",
        "Công ty TNHH Thương mại Minh Phát",
        "010234567",
        "18 Trần Duy Hưng",
        "Phường Yên Hòa",
        "VN-HN",
        "+84 24 3556 1122",
        "ketoan@minhphat.example",
    ),
    (
        "HOASEN",
        "Công ty Cổ phần Siêu thị Hoa Sen",
        "030145678",
        "45 Lê Thánh Tôn",
        "Phường Bến Thành",
        "VN-SG",
        "+84 28 3822 4455",
        "congno@hoasen.example",
    ),
    (
        "HAIAU",
        "Công ty TNHH Đại lý Hải Âu",
        "020456789",
        "7 Điện Biên Phủ",
        "Phường Hồng Bàng",
        "VN-HP",
        "+84 225 3745 678",
        "ketoan@haiau.example",
    ),
    (
        "TANLONG",
        "Công ty Cổ phần Phân phối Tân Long",
        "040198765",
        "102 Bạch Đằng",
        "Phường Hải Châu",
        "VN-DN",
        "+84 236 3888 999",
        "taichinh@tanlong.example",
    ),
    (
        "ANKHANG",
        "Công ty TNHH Bách hóa An Khang",
        None,
        "21 Nguyễn Văn Cừ",
        "Phường Vinh Phú",
        "VN-22",
        "+84 238 3566 777",
        "muahang@ankhang.example",
    ),
]

# Seven months of B2B invoices (the oldest month-end KPI snapshot has its sales): (customer ref, invoiced N days ago, lines, payments as
# (N days ago, share of the total)). What stays open makes the aging: not due yet,
# 5 and 10 days, 40 days (a promise to pay), 70 days (half paid), 140 days (credit hold).
HISTORY = [
    ("MINHPHAT", 210, [("SM-NM500", 100), ("SM-TRA200", 30)], [(182, 1.0)]),
    ("TANLONG", 195, [("SM-ST25", 40)], [(163, 1.0)]),
    ("MINHPHAT", 175, [("SM-NM500", 120), ("SM-ST25", 40)], [(148, 1.0)]),
    ("HAIAU", 170, [("SM-CF500", 60), ("SM-BPT200", 200)], []),
    ("HOASEN", 160, [("SM-ST25", 80), ("SM-TRA200", 50)], [(125, 1.0)]),
    ("HAIAU", 150, [("SM-NM500", 100)], [(118, 1.0)]),
    ("MINHPHAT", 145, [("SM-CF500", 50), ("SM-NM500", 80)], [(117, 1.0)]),
    ("HOASEN", 130, [("SM-BPT200", 300), ("SM-NM500", 60)], [(98, 1.0)]),
    ("TANLONG", 120, [("SM-TRA200", 80), ("SM-ST25", 30)], [(92, 1.0)]),
    ("MINHPHAT", 100, [("SM-ST25", 60), ("SM-BPT200", 150)], [(60, 0.5)]),
    ("TANLONG", 90, [("SM-NM500", 90)], [(58, 1.0)]),
    ("HOASEN", 70, [("SM-CF500", 70), ("SM-TRA200", 40)], []),
    ("TANLONG", 60, [("SM-BPT200", 250)], [(30, 1.0)]),
    ("MINHPHAT", 55, [("SM-NM500", 150)], [(20, 1.0)]),
    ("HOASEN", 40, [("SM-ST25", 50)], []),
    ("TANLONG", 35, [("SM-CF500", 40), ("SM-NM500", 40)], []),
    ("MINHPHAT", 25, [("SM-TRA200", 60), ("SM-ST25", 20)], []),
    ("TANLONG", 10, [("SM-BPT200", 120)], []),
]
# The customer who promises to pay its overdue invoice: (ref, promised N days ago,
# to pay in N days).
PROMISE = ("HOASEN", 2, 5)

RETAIL = {
    "hoa": {
        "name": "Nguyễn Thị Hoa",
        "phone": "0912 345 678",
        "email": "hoa.nguyen@example.com",
        "street": "25 Lê Lợi",
        "ward": "Phường Sài Gòn",
        "province": "VN-SG",
        "country": "VN",
    },
    "duc": {
        "name": "Phạm Văn Đức",
        "phone": "0903 111 222",
        "street": "14 Hàng Bài",
        "ward": "Phường Cửa Nam",
        "province": "VN-HN",
        "country": "VN",
    },
    "thu": {
        "name": "Lê Thị Thu",
        "phone": "0987 654 321",
        "email": "thu.le@example.com",
        "street": "9 Trần Phú",
        "ward": "Phường Hải Châu",
        "province": "VN-DN",
        "country": "VN",
    },
    "tuan": {
        "name": "Võ Minh Tuấn",
        "phone": "0938 222 333",
        "street": "120 Nguyễn Trãi",
        "ward": "Phường Bến Thành",
        "province": "VN-SG",
        "country": "VN",
    },
    "ngoc": {
        "name": "Hoàng Bảo Ngọc",
        "phone": "0971 456 789",
        "email": "ngoc.hoang@example.com",
        "street": "3 Lạch Tray",
        "ward": "Phường Gia Viên",
        "province": "VN-HP",
        "country": "VN",
    },
    "khanh": {
        "name": "Đặng Quốc Khánh",
        "phone": "0909 888 777",
        "street": "56 Hùng Vương",
        "ward": "Phường Ninh Kiều",
        "province": "VN-CT",
        "country": "VN",
    },
    "linh": {
        "name": "Bùi Thùy Linh",
        "phone": "0966 123 123",
        "street": "77 Quang Trung",
        "ward": "Phường Vinh Phú",
        "province": "VN-22",
        "country": "VN",
    },
}

# Today's orders, each taken as far as its stage: (key, channel, external ref, customer,
# lines, payment method, stage).
TODAY = [
    ("accepted", "website", "WEB-100231", {"r": "thu"}, [("SM-CF500", 2)], "card", "accepted"),
    ("verified", "phone", "DT-20871", {"r": "duc"}, [("SM-NM500", 3)], None, "verified"),
    ("packed", "shopee", "SHP-2611A01", {"r": "tuan"}, [("SM-BPT200", 5)], "cod", "packed"),
    ("shipped", "shopee", "SHP-2611A02", {"r": "hoa"}, [("SM-TRA200", 2)], "cod", "shipped"),
    ("delivered", "tiktok", "TT-5520981", {"r": "ngoc"}, [("SM-CF500", 1)], "cod", "delivered"),
    ("invoiced", "website", "WEB-100198", {"r": "khanh"}, [("SM-ST25", 2)], "ewallet", "invoiced"),
    ("paid", "shopee", "SHP-2611A03", {"r": "linh"}, [("SM-NM500", 4)], "cod", "paid"),
    ("adjusted", "b2b", "PO-HS-0311", {"ref": "HOASEN"}, [("SM-NM500", 50)], None, "adjusted"),
    (
        "returned",
        "shopee",
        "SHP-2611A05",
        {"r": "ngoc"},
        [("SM-NM500", 2), ("SM-BPT200", 3)],
        "cod",
        "returned",
    ),
    # One held order per blocking rule, with the rule's reason.
    (
        "hold_customer_data",
        "tiktok",
        "TT-5520999",
        {"name": "Khách TikTok 5520999", "phone": "0945 871 203"},
        [("SM-BPT200", 2)],
        "cod",
        "accepted",
    ),
    ("hold_tax_id", "b2b", "PO-AK-0007", {"ref": "ANKHANG"}, [("SM-ST25", 20)], None, "accepted"),
    (
        "hold_payment_method",
        "shopee",
        "SHP-2611A04",
        {"r": "hoa"},
        [("SM-CF500", 1)],
        "bank_transfer",
        "accepted",
    ),
    ("hold_credit", "b2b", "PO-HA-0107", {"ref": "HAIAU"}, [("SM-NM500", 40)], None, "accepted"),
    ("hold_duplicate", "phone", "DT-20872", {"r": "duc"}, [("SM-NM500", 3)], None, "accepted"),
]
BLOCKING_HOLDS = {
    "hold_customer_data": "customer_data",
    "hold_tax_id": "tax_id",
    "hold_payment_method": "payment_method",
    "hold_credit": "credit",
    "hold_duplicate": "duplicate",
}


def retail_ref(key):
    """The customer reference of a retail customer of :data:`RETAIL`."""
    return f"SM-KL-{key.upper()}"


def with_check_digit(base):
    """A Vietnamese tax id made of ``base`` (9 digits) and its check digit."""
    number = base + vn_mst.calc_check_digit(base)
    if not vn_mst.is_valid(number):
        raise ValueError(f"{base} has no one-digit check digit: choose another base")
    return number


# The historic order (index in HISTORY) whose invoice a customer complained about.
BILLING_COMPLAINT = 13

# Ratings customers gave: (today's order key or historic invoice index, stars, comment).
RATINGS = [
    ("paid", 5, "Đóng gói cẩn thận, giao hàng nhanh."),
    ("delivered", 4, "Hàng tốt, giao hơi chậm một ngày."),
    ("returned", 2, "Một chai nước mắm bị nứt khi nhận hàng."),
    (0, 5, "Hàng đúng hẹn, chứng từ đầy đủ."),
    (2, 4, "Ổn, mong giao sớm hơn vào dịp cuối tháng."),
    (4, 5, "Rất hài lòng."),
]

# Office hours of the SLA calendar: (weekday, name, from, to, period); Saturday mornings
# too, as many distributors work.
SLA_OFFICE_HOURS = [
    (day, name, start, end, period)
    for day in range(6)
    for name, start, end, period in (("Sáng", 8, 12, "morning"), ("Chiều", 13, 17, "afternoon"))
    if day < 5 or period == "morning"
]
# SLA profiles: (xmlid, name, sequence, channel codes (none: every channel), targets as
# (transition, working hours, delivery provinces (none: the others))).
SLA_PROFILES = [
    (
        "sla_marketplace",
        "Đơn sàn TMĐT",
        10,
        ["shopee", "tiktok"],
        [
            ("verified", 2, []),
            ("packed", 8, []),
            ("shipped", 8, []),
            ("delivered", 24, ["VN-HN", "VN-SG"]),
            ("delivered", 72, []),
        ],
    ),
    (
        "sla_default",
        "Đơn khác",
        100,
        [],
        [("verified", 8, []), ("packed", 16, []), ("shipped", 16, []), ("delivered", 72, [])],
    ),
]

# English names of the translatable demo records (products, channels, reminder policy
# and levels, SLA profiles): the Vietnamese name is the vi_VN value, this the en_US one.
ENGLISH = {
    "Nước mắm Phú Quốc 40 độ đạm 500ml": "Phu Quoc fish sauce 40°N 500ml",
    "Cà phê Robusta Buôn Ma Thuột rang xay 500g": "Buon Ma Thuot Robusta ground coffee 500g",
    "Gạo ST25 túi 5kg": "ST25 rice, 5 kg bag",
    "Trà xanh Thái Nguyên 200g": "Thai Nguyen green tea 200g",
    "Bánh phồng tôm Sa Giang 200g": "Sa Giang shrimp crackers 200g",
    "Shopee": "Shopee",
    "TikTok Shop": "TikTok Shop",
    "Website": "Website",
    "Điện thoại": "Phone",
    "Đại lý (B2B)": "Dealers (B2B)",
    "Chính sách nhắc nợ tiêu chuẩn": "Standard reminder policy",
    "Thông báo sắp đến hạn": "Due soon notice",
    "Nhắc nợ lần 1": "First reminder",
    "Nhắc nợ lần 2 – gọi điện": "Second reminder – phone call",
    "Tạm ngừng bán chịu": "Credit hold",
    "Đơn sàn TMĐT": "Marketplace orders",
    "Đơn khác": "Other orders",
}

# When today's orders went through their stages, so that the KPIs measure hours and days
# and the SLAs have orders at risk and past due: (stage, hours after the previous stage)
# from acceptance, and when the last stage was reached: ("ago", hours before now), or
# ("sla", transition, share) where ``share`` of the working time the SLA profile gives
# for ``transition`` (the next one) has elapsed since (below 0.8 on track, from 0.8 at
# risk, from 1 breached).
STAGE_TIMELINE = {
    "accepted": ([("accepted", 0)], ("ago", 0.5)),
    # Waits for the warehouse since days: past its SLA.
    "verified": ([("accepted", 0), ("verified", 1.5)], ("sla", "packed", 1.6)),
    "packed": ([("accepted", 0), ("verified", 0.3), ("packed", 6)], ("sla", "shipped", 0.3)),
    # In transit for long: at risk of missing the delivery promised.
    "shipped": (
        [("accepted", 0), ("verified", 0.2), ("packed", 5), ("shipped", 3)],
        ("sla", "delivered", 0.9),
    ),
    # A day later than the three days promised: the customer complained.
    "delivered": (
        [("accepted", 0), ("verified", 0.5), ("packed", 22), ("shipped", 4), ("delivered", 70)],
        ("ago", 30),
    ),
    "invoiced": (
        [("accepted", 0), ("verified", 1), ("packed", 18), ("shipped", 3), ("delivered", 50)],
        ("ago", 26),
    ),
    "paid": (
        [
            ("accepted", 0),
            ("verified", 0.3),
            ("packed", 10),
            ("shipped", 4),
            ("delivered", 40),
            ("paid", 30),
        ],
        ("ago", 1),
    ),
    # Own van: shipping is the delivery.
    "adjusted": (
        [("accepted", 0), ("verified", 2), ("packed", 24), ("shipped", 6)],
        ("ago", 48),
    ),
    "returned": (
        [
            ("accepted", 0),
            ("verified", 0.4),
            ("packed", 8),
            ("shipped", 5),
            ("delivered", 48),
            ("paid", 60),
        ],
        ("ago", 2),
    ),
    "hold_customer_data": ([("accepted", 0)], ("ago", 5)),
    "hold_tax_id": ([("accepted", 0)], ("ago", 28)),
    "hold_payment_method": ([("accepted", 0)], ("ago", 3)),
    "hold_credit": ([("accepted", 0)], ("ago", 50)),
    "hold_duplicate": ([("accepted", 0)], ("ago", 2)),
}
# Days the customer was promised the goods in, from acceptance.
PROMISED_DAYS = 3


def stage_times(steps, last):
    """``{stage: datetime}`` of ``steps`` (``(stage, hours after the previous one)``)
    ending with the last stage at ``last``."""
    times = {}
    moment = last
    for index in range(len(steps) - 1, -1, -1):
        stage, hours = steps[index]
        times[stage] = moment
        moment -= datetime.timedelta(hours=hours)
    return times


def start_before(end, hours, intervals):
    """The moment from which ``hours`` working hours have elapsed at ``end``.

    :param intervals: sorted, non-overlapping ``(begin, stop)`` naive UTC datetimes of
        working time covering the answer to ``end``
    :raise ValueError: the intervals hold less than ``hours`` before ``end``
    """
    remaining = datetime.timedelta(hours=hours)
    for begin, stop in reversed(intervals):
        stop = min(stop, end)  # noqa: PLW2901
        if stop <= begin:
            continue
        if stop - begin >= remaining:
            return stop - remaining
        remaining -= stop - begin
    raise ValueError(f"fewer than {hours} working hours before {end}")
