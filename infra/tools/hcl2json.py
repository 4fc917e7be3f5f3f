"""Print the Terraform under the given directories as JSON: {relative path: parsed file}.

Run with infra/.venv-hcl2/bin/python (python-hcl2). Quoted string literals are unquoted and
python-hcl2's `__is_block__` and `__comments__` entries dropped, so tests compare plain values; expressions stay as
written (`${var.region}`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import hcl2


def clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {clean(key): clean(item) for key, item in value.items() if key not in ("__is_block__", "__comments__")}
    if isinstance(value, list):
        return [clean(item) for item in value]
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def main(roots: list[str]) -> None:
    parsed: dict[str, Any] = {}
    for root in map(Path, roots):
        for path in sorted(root.rglob("*.tf")):
            if ".terraform" in path.parts:
                continue
            with path.open(encoding="utf-8") as handle:
                parsed[path.relative_to(root).as_posix()] = clean(hcl2.load(handle))
    json.dump(parsed, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
