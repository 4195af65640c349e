"""The outbox dispatcher: webhooks and other subscriptions, e-mail, SMS, reminder timers."""
