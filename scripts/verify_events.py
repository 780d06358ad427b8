#!/usr/bin/env python3
"""Recomputes the event hash of AuditLedger events from the JSON the API returns, independently
of AuditLedger's own code (Python standard library only), as docs/integrity.md specifies.

  scripts/verify_events.py --base-url http://127.0.0.1:8080 [--token TOKEN] [--correlation-id ID]
  scripts/verify_events.py --file page.json      (a saved answer of GET /api/v1/audit/events)

For every event of the answer(s) it builds the canonical encoding (auditledger.event.v1), takes
its SHA-256 and compares it with the event's `event_hash`. Events whose content the caller may
not read (`sensitive_withheld`) cannot be recomputed and are counted apart. Exit status 1 when an
event's hash does not match, or an event has none.
"""
import argparse, decimal, hashlib, json, sys, urllib.parse, urllib.request

ENCODING = "auditledger.event.v1"
ALGORITHM = "sha256:" + ENCODING

# The members of the encoding and where they come from in an API item.
TEXT = [
    "event_id", "event_version", "event_timestamp", "event_type", "event_category", "event_action", "event_outcome",
    "actor_type", "actor_id", "actor_ip", "resource_type", "resource_id", "correlation_id", "parent_event_id",
    "namespace", "cluster_id", "severity", "error_code", "error_message", "written_by",
]


def canonical_number(value):
    """A number as `[-]digits[e<exponent>]`: no leading or trailing zeros in the digits."""
    sign, digits, exponent = value.as_tuple()
    digits = list(digits)
    while digits and digits[0] == 0:
        digits.pop(0)
    if not digits:
        return "0"
    while digits[-1] == 0:
        digits.pop()
        exponent += 1
    text = ("-" if sign else "") + "".join(map(str, digits))
    return text if exponent == 0 else f"{text}e{exponent}"


def canonical(value):
    """Canonical JSON: compact, object members sorted by the UTF-8 bytes of their names, strings
    escaped only where JSON requires it (as Python's json with ensure_ascii=False does), numbers
    as canonical_number writes them."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, decimal.Decimal):
        return canonical_number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ",".join(canonical(item) for item in value) + "]"
    if isinstance(value, dict):
        members = sorted(value.items(), key=lambda member: member[0].encode("utf-8"))
        return "{" + ",".join(json.dumps(name, ensure_ascii=False) + ":" + canonical(item) for name, item in members) + "}"
    raise TypeError(f"not a JSON value: {value!r}")


def encoding(item):
    """The canonical encoding of one API item (parsed with Decimal numbers)."""
    fields = {name: item.get(name) for name in TEXT}
    # Answers carry parent_event_date as the parent day's midnight (date-time); the encoding has the day.
    parent_date = item.get("parent_event_date")
    fields["parent_event_date"] = parent_date[:10] if parent_date else None
    fields["duration_ms"] = item.get("duration_ms")
    fields["retention_days"] = item["retention_days"]
    fields["is_sensitive"] = item["is_sensitive"]
    fields["event_data"] = item["event_data"]
    fields["encoding"] = ENCODING
    return canonical(fields).encode("utf-8")


def check(items):
    """(recomputed, withheld, problems) for a list of API items."""
    recomputed, withheld, problems = 0, 0, []
    for item in items:
        if item.get("sensitive_withheld"):
            withheld += 1
            continue
        expected = item.get("event_hash")
        if item.get("hash_algorithm") != ALGORITHM or not expected:
            problems.append(f"{item.get('event_id')}: no event_hash of {ALGORITHM} (hash_algorithm {item.get('hash_algorithm')!r})")
            continue
        actual = hashlib.sha256(encoding(item)).hexdigest()
        recomputed += 1
        if actual != expected:
            problems.append(f"{item['event_id']}: event_hash {expected} but its content hashes to {actual}")
    return recomputed, withheld, problems


def pages(base_url, token, correlation_id):
    """Every event, following next_cursor."""
    query = {"limit": "1000", "order": "asc"}
    if correlation_id:
        query["correlation_id"] = correlation_id
    while True:
        request = urllib.request.Request(base_url.rstrip("/") + "/api/v1/audit/events?" + urllib.parse.urlencode(query))
        if token:
            request.add_header("Authorization", "Bearer " + token)
        with urllib.request.urlopen(request) as answer:
            page = json.loads(answer.read(), parse_float=decimal.Decimal, parse_int=decimal.Decimal)
        yield page["data"]
        cursor = page["pagination"].get("next_cursor")
        if not cursor:
            return
        query["cursor"] = cursor


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url")
    parser.add_argument("--token")
    parser.add_argument("--correlation-id")
    parser.add_argument("--file")
    arguments = parser.parse_args()
    if arguments.file:
        with open(arguments.file, "rb") as file:
            batches = [json.loads(file.read(), parse_float=decimal.Decimal, parse_int=decimal.Decimal)["data"]]
    elif arguments.base_url:
        batches = pages(arguments.base_url, arguments.token, arguments.correlation_id)
    else:
        parser.error("give --base-url or --file")
    recomputed, withheld, problems = 0, 0, []
    for items in batches:
        counts = check(items)
        recomputed, withheld, problems = recomputed + counts[0], withheld + counts[1], problems + counts[2]
    for problem in problems:
        print("verify-events: " + problem)
    print(f"verify-events: {recomputed} event hashes recomputed, {len(problems)} wrong or missing, {withheld} withheld (sensitive)")
    sys.exit(1 if problems or recomputed == 0 else 0)


if __name__ == "__main__":
    main()
