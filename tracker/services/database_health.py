"""Whether the database answers, for the health check."""

from __future__ import annotations

from sqlalchemy import Engine, text


def ping(engine: Engine) -> None:
    """Run the cheapest statement there is; raises SQLAlchemyError when the database does not answer."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
