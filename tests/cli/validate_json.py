#!/usr/bin/env python3
"""Validates accel-attest --json documents against docs/schemas/, offline.

Usage: validate_json.py SCHEMA_DIR FILE...

Each FILE must hold exactly one JSON document whose "schema" member, accel-attest/<name>/v<N>,
names the schema file <name>.v<N>.schema.json in SCHEMA_DIR; references between schemas
(common.schema.json) resolve from SCHEMA_DIR, never from the network. Prints one line per file
and exits 1 when any file is not valid (or names no schema that exists)."""
import json
import os
import re
import sys

import jsonschema

PREFIX = "https://accel-attest.example/schemas/"


def load_schemas(d):
    out = {}
    for name in sorted(os.listdir(d)):
        if name.endswith(".schema.json"):
            with open(os.path.join(d, name)) as f:
                out[name] = json.load(f)
    return out


def validator_for(schemas, name):
    schema = schemas[name]
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    try:  # jsonschema >= 4.18: the referencing library
        from referencing import Registry, Resource

        reg = Registry().with_resources(
            (PREFIX + n, Resource.from_contents(s)) for n, s in schemas.items())
        return cls(schema, registry=reg)
    except ImportError:  # Debian 12's jsonschema 4.10: a RefResolver with a local store
        store = {PREFIX + n: s for n, s in schemas.items()}
        resolver = jsonschema.RefResolver(base_uri=PREFIX + name, referrer=schema, store=store)
        return cls(schema, resolver=resolver)


def main():
    schemas = load_schemas(sys.argv[1])
    bad = 0
    for path in sys.argv[2:]:
        try:
            with open(path) as f:
                doc = json.load(f)
        except ValueError as e:
            print(f"INVALID {path}: not one JSON document: {e}")
            bad += 1
            continue
        m = re.fullmatch(r"accel-attest/([a-z0-9-]+)/v([0-9]+)", str(doc.get("schema", "")))
        if not m:
            print(f"INVALID {path}: no accel-attest schema member")
            bad += 1
            continue
        name = f"{m.group(1)}.v{m.group(2)}.schema.json"
        if name not in schemas:
            print(f"INVALID {path}: {doc['schema']} has no schema file {name}")
            bad += 1
            continue
        errors = sorted(validator_for(schemas, name).iter_errors(doc), key=lambda e: list(e.path))
        if errors:
            bad += 1
            for e in errors[:5]:
                print(f"INVALID {path} ({name}) at /{'/'.join(map(str, e.path))}: {e.message[:300]}")
        else:
            print(f"valid {path} ({name})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
