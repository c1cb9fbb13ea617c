"""frontdoor.settings in parts, by concern; frontdoor/settings.py reads them in order."""
