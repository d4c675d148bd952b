"""The running process: its lifecycle (`process`), python-telegram-bot's Application with every
handler registered (`application`), who leads among the workers and the fence of its work
(`lease`), what the leader runs (`leader_work`) and the scheduled work (`schedule`)."""
