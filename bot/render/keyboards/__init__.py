"""Button data: one typed codec per feature, the only place callback data is written or read.

Every button kind is a frozen dataclass whose `pack()` gives the wire string (prefix, verb, then
its fields, joined by `:`, at most 64 bytes); each feature's `unpack(data)` gives the typed press
back, or None for anything malformed, and its `pattern(...)` is the handler's routing regex, built
from the same verbs so a pattern and its codec cannot drift.

    t:   tickets (claim, progress, rating, reclassify, extension, 督办)   keyboards.tickets
    r:   a private report's enterprise, picked by a contact of several    keyboards.reports
    h:   /help's "more" button                                           keyboards.help
    j:   recruitment: the /job conversation, /jobs pages, /myjobs         keyboards.recruiting
    lg:  logistics: match answers, withdrawals, the guided conversation   keyboards.logistics

The wire strings are stable: buttons already sent keep working after an upgrade. A press is only
a request: the services re-check the presser's role and the state for every one.
"""
