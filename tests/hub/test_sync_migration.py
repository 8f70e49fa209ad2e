"""The record plane's revision (0002) makes exactly the tables that app/hub/db.py describes,
on SQLite and on PostgreSQL, and a hub made before it is brought up to it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.hub import db
from app.hub.config import HubConfig
from app.hub.service import prepare

SYNC_TABLES = {"sync_owners", "sync_records", "sync_devices", "forward_marks",
               "upstream_packs", "hub_text"}


def _differences(config: HubConfig) -> list[Any]:
    engine = prepare(config)
    try:
        with engine.connect() as connection:
            found = compare_metadata(MigrationContext.configure(connection), db.metadata)
            tables = set(sa.inspect(connection).get_table_names())
    finally:
        engine.dispose()
    assert tables >= SYNC_TABLES
    return [difference for difference in found
            if any(name in repr(difference) for name in SYNC_TABLES)]


def _migrate_to(engine: sa.engine.Engine, revision: str) -> None:
    from alembic.config import Config
    from alembic.runtime.environment import EnvironmentContext
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("path_separator", "os")
    config.set_main_option("script_location", str(db.MIGRATIONS))
    config.set_main_option("version_locations", str(db.MIGRATIONS))
    script = ScriptDirectory.from_config(config)

    def upgrade(current: Any, _context: Any) -> Any:
        return script._upgrade_revs(revision, current)

    with engine.begin() as connection, EnvironmentContext(
            config, script, fn=upgrade, destination_rev=revision) as environment:
        environment.configure(connection=connection)
        environment.run_migrations()


def test_a_hub_made_before_the_record_plane_is_brought_up_to_it(tmp_path: Path) -> None:
    config = HubConfig(home=tmp_path / "hub")
    config.layout.ensure()
    engine = db.create_engine(config)
    _migrate_to(engine, "0001")
    with engine.begin() as connection:
        assert "sync_records" not in sa.inspect(connection).get_table_names()
        connection.execute(db.users.insert().values(
            name="amina", role="learner", password_hash="x", disabled=False, trusted=False,
            created_at=1))
    engine.dispose()
    assert _differences(config) == []
    engine = prepare(config)
    with engine.connect() as connection:
        assert connection.execute(sa.select(db.users.c.name)).scalars().all() == ["amina"]
    engine.dispose()


def test_the_migrated_sqlite_schema_is_the_described_one(tmp_path: Path) -> None:
    assert _differences(HubConfig(home=tmp_path / "hub")) == []


@pytest.mark.slow
def test_the_migrated_postgresql_schema_is_the_described_one(postgres: Any,
                                                             tmp_path: Path) -> None:
    config = HubConfig(home=tmp_path / "hub", database=postgres.new_database())
    assert _differences(config) == []
    engine = prepare(config)
    try:
        with engine.connect() as connection:
            first = connection.execute(sa.text("SELECT nextval('sync_seq')")).scalar()
        assert first == 1
    finally:
        engine.dispose()
