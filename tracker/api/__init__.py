"""The read-only JSON API (issue 22) as one feature: its tokens (`tokens`, made, revoked and checked here);
the blueprint, the queries and the OpenAPI document join it as they are written."""
