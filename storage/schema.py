"""The article record contract: ``schemas/article.v1.json``, checked before anything is written.

Validators are compiled once per process (Draft 2020-12); publishing calls
:func:`validate_record` for every record and quarantines what fails with a
reason that names the offending JSON path.

Two libraries, one schema: ``jsonschema-rs`` (compiled, ~400x faster) answers
"valid?" for every record, which keeps publishing from being bound by
validation; only for a record it rejects does the reference implementation
``jsonschema`` pick the most relevant error, so paths and messages stay those of
the reference library. Without ``jsonschema-rs`` installed, ``jsonschema``
alone validates (correct, just slower).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from storage.errors import RecordInvalid

try:
    import jsonschema_rs
except ImportError:  # optional speed-up
    jsonschema_rs = None
from storage.layout import SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "load_schema", "validate_record"]


@cache
def load_schema() -> dict[str, Any]:
    """The JSON Schema of the current record version, as a dict."""
    text = resources.files("storage").joinpath(f"schemas/article.v{SCHEMA_VERSION}.json")
    return json.loads(text.read_text(encoding="utf-8"))


@cache
def _validator() -> Draft202012Validator:
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@cache
def _fast_validator() -> Any:
    if jsonschema_rs is None:
        return None
    return jsonschema_rs.Draft202012Validator(load_schema())


def _json_path(parts: Any) -> str:
    path = "$"
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def validate_record(record: Any) -> None:
    """Raise :class:`RecordInvalid` (JSON path + message) unless ``record`` fits the schema."""
    fast = _fast_validator()
    if fast is not None and fast.is_valid(record):
        return
    error = best_match(_validator().iter_errors(record))
    if error is None:
        if fast is None:
            return
        # The libraries disagree (e.g. regex dialects); the stricter verdict wins.
        first = next(iter(fast.iter_errors(record)))
        raise RecordInvalid(_json_path(first.instance_path), first.message)
    message = error.message
    if len(message) > 300:  # a whole record echoed back helps nobody in a quarantine row
        message = message[:300] + "…"
    raise RecordInvalid(_json_path(error.absolute_path), message)
