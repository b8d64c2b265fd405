"""Storage: SQLAlchemy models, repositories, Alembic migrations, the Parquet line store."""
