"""Events (issue 19) as one feature: loading an event's files, all or nothing, keeping every load (`service`,
`storing`), reading an event's current load, its measures and a framework's events (`reading`, and `bulk` for
many at once), and what events feed to the rest of the tracker: KPI values (`kpi_feed`) and evidence from
their feedback (`evidence_feed`). The measures themselves are computed in the domain
(tracker/domain/event_measures.py)."""
