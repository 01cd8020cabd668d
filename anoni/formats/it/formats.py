# Django writes "04 dicembre 2026"; a date in Italian running text has no leading zero.
DATE_FORMAT = "j F Y"
