"""Database layer: SQLAlchemy 2.0 models, the session per request, Alembic migrations."""
