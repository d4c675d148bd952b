"""Enterprises with what hangs on them: their 包联 assignment and their contacts."""

from __future__ import annotations

from bot.domain.models import Assignment, Enterprise
from storage.interface import Row, SqlDatabase


def _enterprise(row: Row) -> Enterprise:
    return Enterprise(
        id=row["id"],
        name=row["name"],
        credit_code=row["credit_code"],
        industry=row["industry"],
        grid=row["grid"],
    )


class EnterpriseRepo:
    """SQL for enterprises, their assignments (包联 cadres) and their contacts."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    async def enterprise(self, enterprise_id: int) -> Enterprise | None:
        row = await self.db.fetchone("SELECT * FROM enterprises WHERE id = ?", (enterprise_id,))
        return _enterprise(row) if row else None

    async def enterprise_by_name(self, name: str) -> Enterprise | None:
        row = await self.db.fetchone("SELECT * FROM enterprises WHERE name = ?", (name,))
        return _enterprise(row) if row else None

    async def enterprises_matching(self, fragment: str, limit: int = 5) -> list[Enterprise]:
        where = self.db.dialect.contains("name")
        rows = await self.db.fetchall(
            f"SELECT * FROM enterprises WHERE {where} ORDER BY length(name) LIMIT ?",
            (fragment, limit),
        )
        return [_enterprise(r) for r in rows]

    async def enterprises(self) -> list[Enterprise]:
        rows = await self.db.fetchall("SELECT * FROM enterprises ORDER BY id")
        return [_enterprise(r) for r in rows]

    async def upsert_enterprise(
        self,
        *,
        name: str,
        credit_code: str | None,
        industry: str | None,
        grid: str | None,
        now: str,
    ) -> int:
        """Insert or update an enterprise by name; return its id."""
        await self.db.execute(
            "INSERT INTO enterprises (name, credit_code, industry, grid, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(name) DO UPDATE SET credit_code = excluded.credit_code,"
            " industry = excluded.industry, grid = excluded.grid,"
            " updated_at = excluded.updated_at",
            (name, credit_code, industry, grid, now, now),
        )
        return int(await self.db.fetchval("SELECT id FROM enterprises WHERE name = ?", (name,)))

    # -- assignments -------------------------------------------------------------------------
    async def assignment(self, enterprise_id: int) -> Assignment | None:
        row = await self.db.fetchone(
            "SELECT * FROM assignments WHERE enterprise_id = ?", (enterprise_id,)
        )
        if row is None:
            return None
        return Assignment(row["enterprise_id"], row["primary_cadre_id"], row["backup_cadre_id"])

    async def set_assignment(
        self, enterprise_id: int, primary_id: int | None, backup_id: int | None, now: str
    ) -> None:
        await self.db.execute(
            "INSERT INTO assignments (enterprise_id, primary_cadre_id, backup_cadre_id, updated_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT(enterprise_id) DO UPDATE SET"
            " primary_cadre_id = excluded.primary_cadre_id,"
            " backup_cadre_id = excluded.backup_cadre_id, updated_at = excluded.updated_at",
            (enterprise_id, primary_id, backup_id, now),
        )

    async def enterprises_of_cadre(self, cadre_id: int) -> list[Enterprise]:
        rows = await self.db.fetchall(
            "SELECT e.* FROM enterprises e JOIN assignments a ON a.enterprise_id = e.id"
            " WHERE a.primary_cadre_id = ? ORDER BY e.id",
            (cadre_id,),
        )
        return [_enterprise(r) for r in rows]

    # -- contacts -----------------------------------------------------------------------------
    async def contact_enterprise(self, telegram_id: int) -> int | None:
        """The enterprise of a contact (the first bound, for a contact of several)."""
        value = await self.db.fetchval(
            "SELECT enterprise_id FROM contacts WHERE telegram_id = ?"
            " ORDER BY created_at, enterprise_id LIMIT 1",
            (telegram_id,),
        )
        return None if value is None else int(value)

    async def contact_enterprises(self, telegram_id: int) -> list[Enterprise]:
        """Every enterprise a contact is bound to, first bound first."""
        rows = await self.db.fetchall(
            "SELECT e.* FROM contacts c JOIN enterprises e ON e.id = c.enterprise_id"
            " WHERE c.telegram_id = ? ORDER BY c.created_at, e.id",
            (telegram_id,),
        )
        return [_enterprise(r) for r in rows]

    async def is_contact_of(self, telegram_id: int, enterprise_id: int) -> bool:
        value = await self.db.fetchval(
            "SELECT 1 FROM contacts WHERE telegram_id = ? AND enterprise_id = ?",
            (telegram_id, enterprise_id),
        )
        return value is not None

    async def contacts_of(self, enterprise_id: int) -> list[int]:
        rows = await self.db.fetchall(
            "SELECT telegram_id FROM contacts WHERE enterprise_id = ? ORDER BY telegram_id",
            (enterprise_id,),
        )
        return [int(r[0]) for r in rows]

    async def bind_contact(
        self, telegram_id: int, enterprise_id: int, source: str, now: str
    ) -> None:
        """Bind a Telegram user to this one enterprise (rebinding moves them)."""
        await self.set_contact_enterprises(telegram_id, [enterprise_id], source, now)

    async def set_contact_enterprises(
        self, telegram_id: int, enterprise_ids: list[int], source: str, now: str
    ) -> None:
        """Make these enterprises exactly the ones a Telegram user is a contact of."""
        marks = ", ".join("?" for _ in enterprise_ids)
        await self.db.execute(
            f"DELETE FROM contacts WHERE telegram_id = ? AND enterprise_id NOT IN ({marks})",
            (telegram_id, *enterprise_ids),
        )
        for enterprise_id in enterprise_ids:
            await self.db.execute(
                "INSERT INTO contacts (telegram_id, enterprise_id, source, created_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT(telegram_id, enterprise_id) DO UPDATE SET"
                " source = excluded.source",
                (telegram_id, enterprise_id, source, now),
            )
