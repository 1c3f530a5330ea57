"""Fixed-window rate-limit counters: one item per (bucket, key, window), atomic ADD, TTL 120 s."""

from __future__ import annotations

from fortytwo.store import dynamo, keys


def increment(bucket: str, bucket_key: str, window_start: int) -> int:
    """Count one request; returns the new count. Uses the fast client: callers fail open on errors."""
    pk, sk = keys.rate_counter(bucket, bucket_key, window_start)
    response = dynamo.fast_client().update_item(
        TableName=dynamo.table_name(),
        Key=dynamo.key(pk, sk),
        UpdateExpression="ADD #c :one SET #t = if_not_exists(#t, :ttl), #ty = if_not_exists(#ty, :type)",
        ExpressionAttributeNames={"#c": "count", "#t": "ttl", "#ty": "type"},
        ExpressionAttributeValues=dynamo.values(
            {":one": 1, ":ttl": window_start + 120, ":type": "rate_counter"}
        ),
        ReturnValues="UPDATED_NEW",
    )
    return int(response["Attributes"]["count"]["N"])
