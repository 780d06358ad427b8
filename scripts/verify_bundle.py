#!/usr/bin/env python3
"""Checks an AuditLedger bundle offline, independently of AuditLedger's code: Python's standard
library and the openssl command (3.0 or later) for Ed25519 — as docs/integrity.md ("Bundles")
specifies.

  scripts/verify_bundle.py --key 'name+keyid+base64' FILE

FILE is a bundle (GET /api/v1/audit/export?format=bundle, auditledger export --bundle): one
event per line with its log_position, then {"bundle": evidence}. Checked:
1. the evidence's checkpoint is signed by the trusted key (C2SP signed note);
2. each event's canonical encoding (scripts/verify_events.py) hashes to its event_hash;
3. the events' positions are exactly those the evidence lists;
4. the events' leaf hashes and the evidence's proof lead to the checkpoint's root (the walk
   of RFC 9162's tree hash from the left, one proof hash per subtree holding no listed position);
5. the statement is signed by the trusted key and says what the bundle holds.
Exit status 1 when anything does not hold, each named.
"""
import argparse, decimal, hashlib, json, os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import verify_checkpoint  # noqa: E402  (keys, notes, Ed25519, from the same independent code)
import verify_events  # noqa: E402


def largest_power_of_two_below(n):
    k = 1
    while k << 1 < n:
        k <<= 1
    return k


def multiproof_root(size, leaves, proof):
    """MTH(D[0:size]) from (position, leaf hash) pairs, ascending, and the proof hashes."""
    state = {"leaf": 0, "proof": 0}

    def walk(low, high):
        if state["leaf"] >= len(leaves) or leaves[state["leaf"]][0] >= high:
            if state["proof"] >= len(proof):
                raise ValueError("the proof has too few hashes")
            state["proof"] += 1
            return proof[state["proof"] - 1]
        if high - low == 1:
            state["leaf"] += 1
            return leaves[state["leaf"] - 1][1]
        split = low + largest_power_of_two_below(high - low)
        left = walk(low, split)
        return verify_checkpoint.node(left, walk(split, high))

    root = walk(0, size)
    if state["proof"] != len(proof):
        raise ValueError("the proof has more hashes than needed")
    return root


def statement_text(origin, size, positions, leaves, scope, created_at):
    position_digest = hashlib.sha256(b"".join(p.to_bytes(8, "big") for p in positions)).hexdigest()
    leaf_digest = hashlib.sha256(b"".join(leaves)).hexdigest()
    scope_text = json.dumps(scope, separators=(",", ":"), ensure_ascii=False)
    return (f"auditledger-bundle/1\norigin {origin}\ntree_size {size}\nevents {len(positions)}\n"
            f"positions sha256:{position_digest}\nleaves sha256:{leaf_digest}\nscope {scope_text}\ncreated_at {created_at}\n")


def verify(path, key):
    problems = []
    events, evidence = [], None
    with open(path, encoding="utf-8") as file:
        for number, line in enumerate(file, 1):
            item = json.loads(line, parse_float=decimal.Decimal, parse_int=decimal.Decimal)
            if list(item) == ["bundle"]:
                evidence = json.loads(line)["bundle"]
            else:
                events.append((number, item))
    if evidence is None:
        return ["it has no evidence line: it is cut short, or not a bundle"]
    try:
        origin, size, root = verify_checkpoint.open_note(evidence["checkpoint"], key)
    except ValueError as error:
        return [f"its checkpoint: {error}"]
    leaves = {}
    for number, item in events:
        digest = hashlib.sha256(verify_events.encoding(item)).hexdigest()
        if digest != item.get("event_hash"):
            problems.append(f"event {item.get('event_id')} (line {number}) was altered: it hashes to {digest}")
        position = int(item.get("log_position", -1))
        if position < 0 or position in leaves:
            problems.append(f"event {item.get('event_id')} (line {number}) has no log position of its own")
            continue
        leaves[position] = hashlib.sha256(b"\x00" + verify_events.encoding(item)).digest()
    listed = [p for first, count in evidence["positions"] for p in range(first, first + count)]
    if sorted(leaves) != listed:
        missing = sorted(set(listed) - set(leaves))
        added = sorted(set(leaves) - set(listed))
        problems.append(f"its events are not those it lists (missing positions {missing[:10]}, added {added[:10]})")
    pairs = sorted(leaves.items())
    try:
        proof = [bytes.fromhex(h) for h in evidence["proof"]]
        if multiproof_root(size, pairs, proof) != root:
            problems.append(f"its events do not prove against the checkpoint of tree size {size}")
    except ValueError as error:
        problems.append(f"its events do not prove against the checkpoint of tree size {size}: {error}")
    if evidence.get("statement") is None:
        problems.append("its statement is not signed")
    else:
        try:
            text = verify_checkpoint.note_text(evidence["statement"], key)
            expected = statement_text(origin, size, listed, [leaves[p] for p in listed if p in leaves], evidence["scope"],
                                      evidence["created_at"])
            if text != expected:
                problems.append("it does not hold what its signed statement says")
        except ValueError as error:
            problems.append(f"its statement: {error}")
    print(f"verify_bundle: {len(events)} events, checkpoint of tree size {size}, {len(problems)} problems")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--key", required=True, help="the trusted verifier key, name+keyid+base64")
    parser.add_argument("file")
    arguments = parser.parse_args()
    problems = verify(arguments.file, verify_checkpoint.parse_verifier_key(arguments.key))
    for problem in problems:
        print("FAIL " + problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
