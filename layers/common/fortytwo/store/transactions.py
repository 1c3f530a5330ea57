"""One TransactWriteItems, with lost races told apart from real failures.

A plan's commit names each item's role (`kinds`, parallel to the items) so that a cancelled
transaction reports WHICH conditions failed; services decide what a lost race means (retry,
`idempotency_in_progress`, `version_conflict`, ...).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from botocore.exceptions import ClientError

from fortytwo.store import dynamo

# DynamoDB answers these when a retry of the same transaction may succeed.
RETRYABLE = frozenset(
    {
        "TransactionConflictException",
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "TransactionInProgressException",
    }
)


class LostRace(Exception):
    """A condition of the transaction failed (`kinds` names which items), or DynamoDB asked to retry."""

    def __init__(self, kinds: Sequence[str]) -> None:
        super().__init__(", ".join(kinds))
        self.kinds = tuple(kinds)


def transact(items: Sequence[dict[str, Any]], kinds: Sequence[str]) -> None:
    """Run `items` as one transaction; raise LostRace naming the failed conditions' kinds."""
    try:
        dynamo.client().transact_write_items(TransactItems=list(items))
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code == "TransactionCanceledException":
            reasons = dynamo.transaction_reasons(exc)
            failed = [
                kinds[i] for i, r in enumerate(reasons) if r == "ConditionalCheckFailed" and i < len(kinds)
            ]
            raise LostRace(failed or ["conflict"]) from exc
        if code in RETRYABLE:
            raise LostRace([code]) from exc
        raise
