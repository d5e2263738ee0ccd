"""The file format as pydantic models: objective files and `itokr.yaml`.

Rules that fit one model live here; rules that need the whole root (unique
objective ids, alignment, period names) live in `itokr.crosscheck`. A rule
that fails raises a `PydanticCustomError` whose type is the finding code; its
context may carry `at`, the path below the failing model to point at.

fields: the value types every model shares (dates, numbers, slugs) and their base;
checkins: check-ins and status updates; sources: `itokr.yaml`'s sources and a
`source:` that reads one; kpi: a KPI; keyresults: the key-result kinds;
objectives: an objective and its file; config: `itokr.yaml` and its parts.
"""
