"""Cadres, enterprises, assignments (包联), contacts and the users the bot has seen."""

from __future__ import annotations

from bot.domain.models import Assignment, Cadre, Enterprise, Role
from storage.interface import Row, SqlDatabase


def _cadre(row: Row) -> Cadre:
    return Cadre(
        id=row["id"],
        name=row["name"],
        phone=row["phone"],
        role=Role(row["role"]),
        leader_id=row["leader_id"],
        telegram_id=row["telegram_id"],
        on_leave=bool(row["on_leave"]),
    )


def _enterprise(row: Row) -> Enterprise:
    return Enterprise(
        id=row["id"],
        name=row["name"],
        credit_code=row["credit_code"],
        industry=row["industry"],
        grid=row["grid"],
    )


class PeopleRepo:
    """SQL for cadres, enterprises, assignments, contacts and users."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    # -- cadres ---------------------------------------------------------------------------
    async def cadre(self, cadre_id: int) -> Cadre | None:
        row = await self.db.fetchone("SELECT * FROM cadres WHERE id = ?", (cadre_id,))
        return _cadre(row) if row else None

    async def cadre_by_name(self, name: str) -> Cadre | None:
        row = await self.db.fetchone("SELECT * FROM cadres WHERE name = ?", (name,))
        return _cadre(row) if row else None

    async def cadre_by_telegram(self, telegram_id: int) -> Cadre | None:
        row = await self.db.fetchone("SELECT * FROM cadres WHERE telegram_id = ?", (telegram_id,))
        return _cadre(row) if row else None

    async def cadres(self) -> list[Cadre]:
        return [_cadre(r) for r in await self.db.fetchall("SELECT * FROM cadres ORDER BY id")]

    async def cadres_under(self, leader_id: int) -> list[Cadre]:
        rows = await self.db.fetchall(
            "SELECT * FROM cadres WHERE leader_id = ? ORDER BY id", (leader_id,)
        )
        return [_cadre(r) for r in rows]

    async def admin_telegram_ids(self) -> list[int]:
        rows = await self.db.fetchall(
            "SELECT telegram_id FROM cadres WHERE role = 'admin' AND telegram_id IS NOT NULL"
        )
        return [int(r[0]) for r in rows]

    async def upsert_cadre(
        self,
        *,
        name: str,
        phone: str | None,
        role: str,
        telegram_id: int | None,
        now: str,
    ) -> int:
        """Insert or update a cadre by name; return its id."""
        await self.db.execute(
            "INSERT INTO cadres (name, phone, role, telegram_id, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(name) DO UPDATE SET phone = excluded.phone, role = excluded.role,"
            " telegram_id = COALESCE(excluded.telegram_id, cadres.telegram_id),"
            " updated_at = excluded.updated_at",
            (name, phone, role, telegram_id, now, now),
        )
        return int(await self.db.fetchval("SELECT id FROM cadres WHERE name = ?", (name,)))

    async def set_cadre_leader(self, cadre_id: int, leader_id: int | None) -> None:
        await self.db.execute("UPDATE cadres SET leader_id = ? WHERE id = ?", (leader_id, cadre_id))

    async def set_cadre_telegram(self, cadre_id: int, telegram_id: int, now: str) -> None:
        # A Telegram account belongs to one cadre: release it from any other record first.
        await self.db.execute(
            "UPDATE cadres SET telegram_id = NULL WHERE telegram_id = ? AND id != ?",
            (telegram_id, cadre_id),
        )
        await self.db.execute(
            "UPDATE cadres SET telegram_id = ?, updated_at = ? WHERE id = ?",
            (telegram_id, now, cadre_id),
        )

    async def set_on_leave(self, cadre_id: int, on_leave: bool, now: str) -> None:
        await self.db.execute(
            "UPDATE cadres SET on_leave = ?, updated_at = ? WHERE id = ?",
            (int(on_leave), now, cadre_id),
        )

    # -- enterprises -----------------------------------------------------------------------
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

    # -- users ----------------------------------------------------------------------------------
    async def touch_user(
        self,
        telegram_id: int,
        first_name: str,
        username: str | None,
        now: str,
        *,
        private_chat: bool = False,
    ) -> None:
        """Record that we saw this user (and that they opened a private chat, if so)."""
        private_ok = self.db.dialect.greatest("users.private_chat_ok", "excluded.private_chat_ok")
        await self.db.execute(
            "INSERT INTO users (telegram_id, first_name, username, private_chat_ok, seen_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT(telegram_id) DO UPDATE SET"
            " first_name = excluded.first_name, username = excluded.username,"
            f" private_chat_ok = {private_ok},"
            " seen_at = excluded.seen_at",
            (telegram_id, first_name, username, int(private_chat), now),
        )

    async def private_chat_ok(self, telegram_id: int) -> bool:
        value = await self.db.fetchval(
            "SELECT private_chat_ok FROM users WHERE telegram_id = ?", (telegram_id,)
        )
        return bool(value)

    async def mark_private_unreachable(self, telegram_id: int) -> None:
        await self.db.execute(
            "UPDATE users SET private_chat_ok = 0 WHERE telegram_id = ?", (telegram_id,)
        )

    async def private_contact(self, telegram_id: int) -> tuple[bool, str | None]:
        """`private_chat_ok` and `user_locale` in one read: (False, None) for a stranger."""
        row = await self.db.fetchone(
            "SELECT private_chat_ok, locale FROM users WHERE telegram_id = ?", (telegram_id,)
        )
        if row is None:
            return False, None
        return bool(row[0]), None if row[1] is None else str(row[1])

    async def user_locale(self, telegram_id: int) -> str | None:
        value = await self.db.fetchval(
            "SELECT locale FROM users WHERE telegram_id = ?", (telegram_id,)
        )
        return None if value is None else str(value)

    async def set_user_locale(self, telegram_id: int, locale: str, now: str) -> None:
        await self.db.execute(
            "INSERT INTO users (telegram_id, locale, seen_at) VALUES (?, ?, ?)"
            " ON CONFLICT(telegram_id) DO UPDATE SET locale = excluded.locale",
            (telegram_id, locale, now),
        )

    async def user_name(self, telegram_id: int) -> str | None:
        row = await self.db.fetchone(
            "SELECT first_name, username FROM users WHERE telegram_id = ?", (telegram_id,)
        )
        if row is None:
            return None
        return str(row["first_name"] or row["username"] or telegram_id)
