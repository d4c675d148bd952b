"""The composition root: the one place that builds services and notifiers.

`bot` builds everything the running bot needs, on one database and one clock; `shared` builds
the parts that need no transport, which the command line and the ledger's child build alike."""
