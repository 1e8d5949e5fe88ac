"""Events (issue 19) as one feature: loading an event's files, all or nothing, keeping every load (`service`),
and reading an event's current load, its measures and a framework's events (`reading`). The measures
themselves are computed in the domain (tracker/domain/event_measures.py)."""
