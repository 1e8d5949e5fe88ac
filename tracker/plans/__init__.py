"""Action plans and turn-the-curve notes (issue 20) as one feature: the targets a plan may address
(`targets`), writing plans and comments (`service`), reading them for pages and the report (`reading`).
The plan's values and checks are in the domain (tracker/domain/action_plans.py, plan_prompts.py)."""
