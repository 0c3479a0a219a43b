from . import carrier_webhook, rating
