#!/usr/bin/env python3
"""Checks AuditLedger's signed log from outside, independently of AuditLedger's code: Python's
standard library, and the openssl command (3.0 or later) for Ed25519 — as docs/integrity.md
specifies.

  scripts/verify_checkpoint.py --base-url http://127.0.0.1:8080 --key 'name+keyid+base64' \\
      [--token TOKEN] [--event-id ID ...] [--all-events] [--checkpoint FILE] [--witness-file FILE]

1. The checkpoint (the newest from GET /api/v1/audit/checkpoint, or the signed note in FILE) must
   carry a valid Ed25519 signature of the trusted verifier key (C2SP signed-note; key id
   SHA-256(name || 0x0A || 0x01 || public key)[:4]); its body is origin, tree size, base64 root.
2. Each event (--event-id, or every event with --all-events): its canonical encoding is rebuilt
   from GET /api/v1/audit/events/{id} (scripts/verify_events.py), its leaf hash
   SHA-256(0x00 || encoding) computed, and its audit path from GET …/{id}/proof?tree_size=N must
   lead to the checkpoint's root (RFC 9162 §2.1.3.2).
3. Each checkpoint of a witness file must be signed too, and proven a prefix of the checkpoint
   (GET /api/v1/audit/log/consistency, RFC 9162 §2.1.4.2).
Exit status 1 on the first kind of failure found, each named.
"""
import argparse, base64, decimal, hashlib, json, os, subprocess, sys, tempfile, urllib.parse, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import verify_events  # noqa: E402  (the canonical encoding, from the same independent code)

# An Ed25519 SubjectPublicKeyInfo is this prefix and the 32-byte key (RFC 8410).
ED25519_SPKI_PREFIX = bytes.fromhex("302a300506032b6570032100")


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def parse_verifier_key(text):
    name, key_id, blob = text.split("+", 2)
    raw = base64.b64decode(blob)
    if len(raw) != 33 or raw[0] != 1:
        raise ValueError("not an Ed25519 verifier key")
    computed = hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4]
    if computed.hex() != key_id:
        raise ValueError("the key id does not match the key")
    return name, computed, raw[1:]


def ed25519_verify(public_key, message, signature):
    with tempfile.TemporaryDirectory() as directory:
        paths = {name: os.path.join(directory, name) for name in ("key.der", "message", "signature")}
        for name, data in (("key.der", ED25519_SPKI_PREFIX + public_key), ("message", message), ("signature", signature)):
            with open(paths[name], "wb") as file:
                file.write(data)
        result = subprocess.run(
            ["openssl", "pkeyutl", "-verify", "-pubin", "-keyform", "DER", "-inkey", paths["key.der"], "-rawin",
             "-in", paths["message"], "-sigfile", paths["signature"]], capture_output=True)
        return result.returncode == 0


def note_text(note, key):
    """The text of a C2SP signed note, once the trusted key's signature on it is verified."""
    name, key_id, public_key = key
    text, separator, signatures = note.rpartition("\n\n")
    if not separator or not note.endswith("\n"):
        raise ValueError("not a signed note")
    text += "\n"
    for line in signatures.splitlines():
        if not line.startswith("\u2014 "):
            raise ValueError("a signature line does not start with an em dash")
        signer, blob = line[2:].split(" ", 1)
        raw = base64.b64decode(blob)
        if signer == name and raw[:4] == key_id:
            if not ed25519_verify(public_key, text.encode(), raw[4:]):
                raise ValueError("the signature of the trusted key does not verify")
            return text
    raise ValueError("the note carries no signature of the trusted key")


def open_note(note, key):
    """The checkpoint (origin, size, root) a signed note carries, once its signature is verified."""
    origin, size, root = note_text(note, key).split("\n")[:3]
    return origin, int(size), base64.b64decode(root)


def verify_inclusion(leaf, index, size, path, root):
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first, second, first_root, second_root, proof):
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof
    if not proof:
        return False
    path = ([first_root] if first & (first - 1) == 0 else []) + proof
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0


def get(base_url, token, path):
    request = urllib.request.Request(base_url.rstrip("/") + path)
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request) as answer:
        return json.loads(answer.read(), parse_float=decimal.Decimal, parse_int=decimal.Decimal)


def witnessed_notes(path):
    """The signed notes of a witness file: each note, then a blank line."""
    notes, current, in_signatures = [], "", False
    with open(path, encoding="utf-8") as file:
        for line in file.read().split("\n"):
            if not line:
                if in_signatures:
                    notes.append(current)
                    current, in_signatures = "", False
                elif current:
                    current += "\n"
                    in_signatures = True
                continue
            current += line + "\n"
    return notes


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--key", required=True, help="the trusted verifier key (auditledger keys show)")
    parser.add_argument("--token")
    parser.add_argument("--event-id", action="append", default=[])
    parser.add_argument("--all-events", action="store_true")
    parser.add_argument("--checkpoint", help="a file holding the signed note to check against")
    parser.add_argument("--witness-file")
    arguments = parser.parse_args()
    key = parse_verifier_key(arguments.key)
    problems = []
    if arguments.checkpoint:
        with open(arguments.checkpoint, encoding="utf-8") as file:
            note = file.read()
    else:
        note = get(arguments.base_url, arguments.token, "/api/v1/audit/checkpoint")["checkpoint"]
    try:
        origin, size, root = open_note(note, key)
    except ValueError as error:
        print(f"verify-checkpoint: the checkpoint is refused: {error}")
        sys.exit(1)
    print(f"verify-checkpoint: checkpoint of {origin}, tree size {size}, root {root.hex()}: signature valid")
    ids = list(arguments.event_id)
    if arguments.all_events:
        for items in verify_events.pages(arguments.base_url, arguments.token, None):
            ids += [item["event_id"] for item in items]
    proven = withheld = 0
    for event_id in ids:
        item = get(arguments.base_url, arguments.token, f"/api/v1/audit/events/{urllib.parse.quote(event_id)}")
        try:
            proof = get(arguments.base_url, arguments.token, f"/api/v1/audit/events/{urllib.parse.quote(event_id)}/proof?tree_size={size}")
        except urllib.error.HTTPError as error:
            if error.code == 422 or error.code == 400:
                continue  # logged after this checkpoint
            problems.append(f"{event_id}: no proof ({error.code})")
            continue
        if item.get("sensitive_withheld"):
            withheld += 1
            leaf = bytes.fromhex(proof["leaf_hash"])
        else:
            encoding = verify_events.encoding(item)
            leaf = hashlib.sha256(b"\x00" + encoding).digest()
            if leaf.hex() != proof["leaf_hash"]:
                problems.append(f"{event_id}: the event as served hashes to leaf {leaf.hex()}, the log holds {proof['leaf_hash']}")
                continue
        path = [bytes.fromhex(hash) for hash in proof["audit_path"]]
        if not verify_inclusion(leaf, int(proof["leaf_index"]), size, path, root):
            problems.append(f"{event_id}: its audit path (leaf {proof['leaf_index']}) does not lead to the checkpoint's root")
            continue
        proven += 1
    witnessed = 0
    if arguments.witness_file:
        for old in witnessed_notes(arguments.witness_file):
            try:
                _, old_size, old_root = open_note(old, key)
            except ValueError as error:
                problems.append(f"a witnessed checkpoint is refused: {error}")
                continue
            if old_size > size:
                continue
            answer = get(arguments.base_url, arguments.token, f"/api/v1/audit/log/consistency?first={old_size}&second={size}")
            proof = [bytes.fromhex(hash) for hash in answer["proof"]]
            if not verify_consistency(old_size, size, old_root, root, proof):
                problems.append(f"the witnessed checkpoint of tree size {old_size} is not a prefix of the checkpoint of {size}: the log was rewritten")
                continue
            witnessed += 1
    for problem in problems:
        print("verify-checkpoint: " + problem)
    print(f"verify-checkpoint: {proven} events proven in the checkpoint ({withheld} of them sensitive, proven by leaf hash only), "
          f"{witnessed} witnessed checkpoints consistent, {len(problems)} problems")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
