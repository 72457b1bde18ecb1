"""The article record contract: ``schemas/article.v1.json``, checked before anything is written.

The validator is compiled once per process (Draft 2020-12); publishing calls
:func:`validate_record` for every record and quarantines what fails with a
reason that names the offending JSON path.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from storage.errors import RecordInvalid
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


def _json_path(parts: Any) -> str:
    path = "$"
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def validate_record(record: Any) -> None:
    """Raise :class:`RecordInvalid` (JSON path + message) unless ``record`` fits the schema."""
    validator = _validator()
    error = best_match(validator.iter_errors(record))
    if error is None:
        return
    message = error.message
    if len(message) > 300:  # a whole record echoed back helps nobody in a quarantine row
        message = message[:300] + "…"
    raise RecordInvalid(_json_path(error.absolute_path), message)
