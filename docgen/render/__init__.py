"""Render: bundle + findings (or a diff) -> HTML, PDF/A-3b, CSV, XLSX. Never runs a lookup.

`documents` renders a report or a diff; `formats` names what can be asked for.
"""
