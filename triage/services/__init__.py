"""The front door's workflow services: screening, information requests, decisions and
the notices about them."""
