"""The API contract: request/response models and the one error catalogue (design.md §2)."""
