"""Files the office takes away: spreadsheets of what the pages show."""
