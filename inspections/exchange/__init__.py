"""Data in and out: spreadsheet imports, the round report, calendar feeds and round backups."""
