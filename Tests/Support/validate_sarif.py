#!/usr/bin/env python3
"""Validates a SARIF log against the SARIF 2.1.0 schema kept in Tests/Fixtures/sarif/.

    python3 Tests/Support/validate_sarif.py FILE.sarif     (- for standard input)

Prints "ok" (exit 0), or the first schema violations (exit 1); exit 2 for usage errors or a
missing `jsonschema` package. Offline: the schema is the repository's own copy.
"""
import json
import os
import sys


def main(argv):
    if len(argv) != 2:
        print("usage: validate_sarif.py FILE.sarif", file=sys.stderr)
        return 2
    try:
        import jsonschema
    except ImportError:
        print("validate_sarif.py: install the Python package 'jsonschema'", file=sys.stderr)
        return 2
    root = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    with open(os.path.join(root, "Fixtures", "sarif", "sarif-schema-2.1.0.json"), encoding="utf-8") as f:
        schema = json.load(f)
    try:
        log = json.load(sys.stdin if argv[1] == "-" else open(argv[1], encoding="utf-8"))
    except (OSError, ValueError) as error:
        print("validate_sarif.py: cannot read %s: %s" % (argv[1], error), file=sys.stderr)
        return 1
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    if not errors:
        print("ok")
        return 0
    for error in errors[:10]:
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        print("%s: %s" % (where, error.message[:300]))
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
