"""The throwaway PostgreSQL cluster really starts, serves SQL and goes away again."""
import socket

import psycopg
import pytest

from tests.pg_cluster import PostgresCluster


@pytest.mark.postgres
def test_cluster_starts_serves_and_stops(tmp_path_factory, monkeypatch):
    # Exercise the real start-up path even where CI points tests at an external database.
    monkeypatch.delenv("TEST_DATABASE_URL", raising=False)
    cluster = PostgresCluster.start(tmp_path_factory.mktemp("pgcluster") / "cluster")
    try:
        assert cluster.url.startswith("postgresql+psycopg://postgres@127.0.0.1:")
        dsn = cluster.url.replace("postgresql+psycopg://", "postgresql://", 1)
        with psycopg.connect(dsn) as conn:
            version = conn.execute("select version()").fetchone()[0]
            assert "PostgreSQL" in version
            conn.execute("create table probe (id int primary key, name text not null)")
            conn.execute("insert into probe values (%s, %s)", (1, "hello"))
            assert conn.execute("select id, name from probe").fetchall() == [(1, "hello")]
        port = cluster.port
    finally:
        cluster.stop()
    cluster.stop()  # idempotent

    # Nothing listens on the port any more.
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
