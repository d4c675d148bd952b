"""Heavy work kept off the event loop: the deferred worker and the ledger child process."""
