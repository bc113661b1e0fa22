"""Echoes the JSON value it reads on stdin, then exits with code 3."""
import json
import sys

value = json.load(sys.stdin)
print("got", json.dumps(value, sort_keys=True), flush=True)
sys.exit(3)
