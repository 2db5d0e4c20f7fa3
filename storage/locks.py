"""PostgreSQL advisory locks of ours: one namespace, one key per purpose (issue 22).

A lock is taken with the two-key form `pg_try_advisory_lock(NAMESPACE, key)`, so it shows in `pg_locks` as
classid NAMESPACE, objid key, objsubid 2. Advisory locks belong to one database: two deployments on one
server never see each other's.
"""

from __future__ import annotations

NAMESPACE = 0x74686461  # "thda"
LEADER = 1  # the instance that runs the timed work and the sender (bot/leader.py)
MIGRATE = 2  # one migration at a time (storage/migrate.py)
DB_FSM = 3  # the one instance allowed without Redis (bot/leader.py, `single_instance`)

# Take the lock, or say that this session holds it already (without taking it a second time).
HOLD = """
SELECT CASE WHEN EXISTS (
    SELECT 1 FROM pg_locks
     WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
       AND classid = $1::int::oid AND objid = $2::int::oid AND objsubid = 2
) THEN true ELSE pg_try_advisory_lock($1::int, $2::int) END
"""
