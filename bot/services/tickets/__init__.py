"""The ticket loop, one part per step of a ticket's life, on one shared core.

In the order a ticket meets them: `core` (the repositories, rules and the one writer of a
ticket's status), `access` (who may work a ticket, leaders' scope), `intake` (a report becomes a
routed ticket), `work` (claim, contact, progress, resolve, transfer), `ratings` (the enterprise's
verdict, reopening), `next_step` (when each ticket is next due), `escalation` (the sweep:
reminders, chases, 督办), `extensions` (延期) and `briefs` (the leaders' morning summary).
"""
