"""The managers' dashboard and performance pages (``dashboard:``): they read what the
workflow apps below record and change nothing."""

dashboard: list = []
