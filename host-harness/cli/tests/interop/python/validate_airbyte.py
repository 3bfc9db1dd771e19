"""Validates Airbyte protocol messages (one JSON object per line, on stdin) against the official
models of PyPI `airbyte-protocol-models`.

The models accept undeclared fields (pydantic `Extra.allow`), so a misspelt field would pass:
this script also reports every field that no model declares, except inside the free-form
objects (record data, stream state, JSON schemas).

Prints a JSON summary on stdout: {"messages": n, "types": {...}, "errors": [...]}; exits 1 when
any line is invalid.
"""

import json
import sys

from airbyte_protocol.models import AirbyteMessage
from pydantic import BaseModel, ValidationError


def undeclared(model, raw, path):
    """Paths of fields present in `raw` that `model` does not declare (recursively)."""
    if isinstance(model, BaseModel) and isinstance(raw, dict):
        fields = type(model).__fields__
        if not fields:  # a free-form blob (AirbyteStateBlob)
            return []
        by_alias = {f.alias: name for name, f in fields.items()}
        found = []
        for key, value in raw.items():
            name = by_alias.get(key)
            if name is None:
                found.append(f"{path}.{key}")
                continue
            found += undeclared(getattr(model, name), value, f"{path}.{key}")
        return found
    if isinstance(model, list) and isinstance(raw, list):
        return [p for i, (m, r) in enumerate(zip(model, raw)) for p in undeclared(m, r, f"{path}[{i}]")]
    return []


def main():
    summary = {"messages": 0, "types": {}, "errors": []}
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            message = AirbyteMessage.parse_obj(raw)
        except (ValueError, ValidationError) as e:
            summary["errors"].append({"line": number, "error": str(e), "text": line[:300]})
            continue
        extra = undeclared(message, raw, "$")
        if extra:
            summary["errors"].append({"line": number, "error": f"undeclared fields {extra}", "text": line[:300]})
            continue
        kind = message.type.value
        if kind == "TRACE":
            kind += "/" + message.trace.type.value
            status = message.trace.stream_status
            if status is not None and status.reasons:
                kind += "/" + "+".join(r.type.value for r in status.reasons)
        if kind == "STATE":
            kind += "/" + message.state.type.value
        summary["messages"] += 1
        summary["types"][kind] = summary["types"].get(kind, 0) + 1
    json.dump(summary, sys.stdout)
    sys.exit(1 if summary["errors"] else 0)


if __name__ == "__main__":
    main()
