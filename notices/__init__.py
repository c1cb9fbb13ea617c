"""The notification outbox, the in-app inbox and delivery by email."""
