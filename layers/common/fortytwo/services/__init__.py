"""Use cases: load a snapshot, decide in the domain, commit the plan (design.md §2)."""
