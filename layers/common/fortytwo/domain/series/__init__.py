"""Recurring series rules of 35-series (pure: no I/O, no HTTP types).

- `pattern`: the pattern model and its expansion (§3): weeks from Monday, months without the
  day skipped, wall-clock time in the series timezone with `fold=0` across DST changes.
- `requests`: the schema steps of create, PATCH and change of host (`validation_error` in body
  order), the immutable names, the effective pattern of a PATCH, the `starts_on` range.
- `model`: the `Series` and its occurrences, how a meeting changed through `/v1/bookings`
  reads, and the REST view (`to_rest`).
- `status`: the status lifecycle (§2.2).
- `create`: the create rule checks (steps 6–12) and the new record.
- `actions`: the plans of PATCH, pause, resume, end and change of host: the meeting effects in
  processing order, the occurrence update each meeting transaction writes, and the final write
  with the action result (§10.1).
- `events`: the `series.*` webhook payloads (§12.2).

Rule failures raise `SeriesRuleError(code, message, details)` (a `BookingRuleError`, mapped to
the API error of the same code) or `FieldErrors` (400 validation_error).
"""
