"""Alembic environment: always runs on the connection CareNav hands it."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import carenav.models  # noqa: F401  (registers every table on the metadata)

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("CareNav migrations run only through carenav.store.migrate")

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
