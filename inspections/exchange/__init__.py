"""Data in and out, read and rendered: imports, ledger files, the report, calendars, backups."""
