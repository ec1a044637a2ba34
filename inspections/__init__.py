"""The inspection domain: rounds, units, teams, inspections, findings, leads, rectification."""
