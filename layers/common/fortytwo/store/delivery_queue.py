"""The SQS delivery queue (40-webhooks §8.2, §8.4): one message per delivery naming it; retries
are parked with ChangeMessageVisibility. The only code that talks to SQS."""

from __future__ import annotations

import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from fortytwo.config import get_settings
from fortytwo.store.clients import new_client

BATCH = 10  # SendMessageBatch's maximum
SENDERS = 8  # concurrent SendMessageBatch requests of one fan-out (boto3 clients are thread-safe)


@lru_cache(maxsize=1)
def sqs() -> Any:
    return new_client("sqs")


def reset_clients() -> None:
    sqs.cache_clear()


def queue_url() -> str:
    return get_settings().delivery_queue_url


@dataclass(frozen=True, slots=True)
class Message:
    delivery_id: str
    subscription_id: str

    def body(self) -> str:
        return json.dumps({"delivery_id": self.delivery_id, "subscription_id": self.subscription_id})

    @classmethod
    def parse(cls, body: str) -> Message:
        """The message the fan-out wrote; anything else is a bug (it ends in the DLQ)."""
        data = json.loads(body)
        delivery_id, subscription_id = data["delivery_id"], data["subscription_id"]
        if not isinstance(delivery_id, str) or not isinstance(subscription_id, str):
            raise ValueError("malformed delivery message")
        return cls(delivery_id, subscription_id)


class EnqueueFailed(Exception):
    """Some messages were not accepted by SQS (the fan-out reports its record as failed)."""


def _send_batch(chunk: Sequence[Message]) -> None:
    response = sqs().send_message_batch(
        QueueUrl=queue_url(),
        Entries=[{"Id": m.delivery_id, "MessageBody": m.body()} for m in chunk],
    )
    failed = response.get("Failed") or []
    if failed:
        raise EnqueueFailed(", ".join(f"{f.get('Id')}: {f.get('Code')}" for f in failed))


def enqueue(messages: Sequence[Message]) -> int:
    """SendMessageBatch in chunks of 10 (the entry id is the delivery id), up to SENDERS at once:
    an event for 1,000 subscriptions is 100 requests that wait on the network, not on us. Raises
    EnqueueFailed if any message was refused (the caller's record is retried; every message is
    idempotent). Returns the call count."""
    chunks = [messages[start : start + BATCH] for start in range(0, len(messages), BATCH)]
    if len(chunks) <= 1:
        for chunk in chunks:
            _send_batch(chunk)
        return len(chunks)
    with ThreadPoolExecutor(max_workers=min(SENDERS, len(chunks))) as pool:
        for _ in pool.map(_send_batch, chunks):  # re-raises the first failure
            pass
    return len(chunks)


def change_visibility(receipt_handle: str, seconds: int) -> None:
    sqs().change_message_visibility(
        QueueUrl=queue_url(), ReceiptHandle=receipt_handle, VisibilityTimeout=max(0, int(seconds))
    )
