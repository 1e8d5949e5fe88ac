"""The pure core: framework schema and loader, KPI status, evidence tiers, rules, surveys.

Nothing here imports Flask, SQLAlchemy or WeasyPrint; functions take and return plain values.
"""
