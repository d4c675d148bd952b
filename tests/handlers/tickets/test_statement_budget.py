"""The report path stays under a budget of SQL statements (issue 11's throughput goal).

A count, not a time (`tests/statements.py`): every statement an enterprise report runs, from
the handlers to the notices it owes. `bench/count_statements.py` prints them by statement text;
raise the budget only with a reason, in the commit that needs it.
"""

from __future__ import annotations

from tests.handlers.world import World, report
from tests.statements import count_updates

# Per report in an enterprise group, the 包联 cadre reachable privately (25 before issue 11's
# statement work: the binding read twice, the view read back, the episode DELETE every time).
BUDGET = 17


async def test_a_report_runs_at_most_the_budgeted_statements(world: World) -> None:
    with count_updates(world.runtime) as counts:
        await report(world, "#诉求 厂区停电了")
        await report(world, "/report 道路积水")
    assert len(counts.per_update) == 2
    for each in counts.per_update:
        listing = "\n".join(f"{n} × {sql}" for sql, n in each.most_common())
        assert any(sql.startswith("INSERT INTO tickets ") for sql in each), listing
        assert sum(each.values()) <= BUDGET, listing
