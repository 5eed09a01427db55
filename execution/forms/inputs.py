"""An app's typed inputs: read from its blocks, checked, and shown as a form.

An input is a Deepnote input block (text, select, checkbox, date, slider...) or, for a
plain Jupyter notebook, one simple assignment in the cell tagged ``parameters``
(papermill's convention): its literal gives the default and the type, a ``# options: a, b``
comment makes it a select, and a ``YYYY-MM-DD`` string a date.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from django import forms
from django.conf import settings

from accounts.errors import InvalidInput
from accounts.text import has_surrogate

InputType = Literal["text", "number", "select", "checkbox", "date"]
INPUT_TYPES: tuple[str, ...] = ("text", "number", "select", "checkbox", "date")
PARAMETERS_TAG = "parameters"

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_OPTIONS_COMMENT = re.compile(r"#\s*options?\s*:\s*(?P<options>.+)$", re.IGNORECASE)
_TRUE = {"true", "on", "1", "yes"}
_FALSE = {"false", "off", "0", "no", ""}


@dataclass(frozen=True)
class InputSpec:
    """One input of an app.

    ``block_id`` is the input block, or for a parameter the ``parameters`` cell.
    """

    name: str
    type: InputType
    default: Any = None
    options: tuple[str, ...] = ()
    label: str = ""
    block_id: str = ""
    minimum: float | None = None
    maximum: float | None = None
    is_parameter: bool = False

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"name": self.name, "type": self.type, "default": self.default}
        if self.options:
            body["options"] = list(self.options)
        if self.label:
            body["label"] = self.label
        return body


@dataclass(frozen=True)
class Inputs:
    """Every input of an app, in notebook order."""

    specs: tuple[InputSpec, ...] = ()
    by_name: dict[str, InputSpec] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, specs: Iterable[InputSpec]) -> Inputs:
        specs = tuple(specs)
        return cls(specs, {spec.name: spec for spec in specs})

    def defaults(self) -> dict[str, Any]:
        return {spec.name: spec.default for spec in self.specs}


def is_parameters_block(kind: str, metadata: Mapping[str, Any]) -> bool:
    return kind == "code" and PARAMETERS_TAG in (metadata.get("tags") or ())


def read_inputs(blocks: Iterable[Any]) -> Inputs:
    """The inputs of a notebook's blocks (objects with id or block_id, kind, source,
    variable and metadata).

    Examples:
        >>> from types import SimpleNamespace as B
        >>> cell = B(block_id="p", kind="code", variable="", metadata={"tags": ["parameters"]},
        ...          source="email = 'a@b.example'\\ndry_run = True  # really delete?")
        >>> [(s.name, s.type, s.default) for s in read_inputs([cell]).specs]
        [('email', 'text', 'a@b.example'), ('dry_run', 'checkbox', True)]
    """
    specs: list[InputSpec] = []
    for block in blocks:
        block_id = str(getattr(block, "block_id", None) or getattr(block, "id", ""))
        metadata = block.metadata or {}
        if block.kind == "input" and block.variable:
            specs.append(_deepnote_input(block_id, block.variable, metadata))
        elif is_parameters_block(block.kind, metadata):
            specs.extend(parse_parameters(block.source, block_id=block_id))
    seen: dict[str, InputSpec] = {}
    for spec in specs:
        seen[spec.name] = spec  # a name declared twice: the later declaration wins, as in Python
    return Inputs.of(seen.values())


def _deepnote_input(block_id: str, name: str, metadata: Mapping[str, Any]) -> InputSpec:
    kind = str(metadata.get("input_type") or "text")
    default = metadata.get("default_value", metadata.get("deepnote_variable_value"))
    label = str(metadata.get("deepnote_input_label") or "")
    common = {"name": name, "label": label, "block_id": block_id}
    if kind == "select" and metadata.get("deepnote_variable_select_type") != "from-variable":
        options = tuple(str(o) for o in metadata.get("deepnote_variable_options") or ())
        options += tuple(
            str(o)
            for o in metadata.get("deepnote_variable_custom_options") or ()
            if o not in options
        )
        if options and not metadata.get("deepnote_allow_multiple_values"):
            return InputSpec(type="select", default=_text(default), options=options, **common)
    if kind == "checkbox":
        return InputSpec(type="checkbox", default=bool(default), **common)
    if kind == "slider":
        return InputSpec(
            type="number",
            default=_number_or_none(default),
            minimum=_number_or_none(metadata.get("deepnote_slider_min_value")),
            maximum=_number_or_none(metadata.get("deepnote_slider_max_value")),
            **common,
        )
    if kind == "date":
        text = _text(default)
        return InputSpec(type="date", default=text[:10] if text else None, **common)
    return InputSpec(type="text", default=_text(default), **common)


def parse_parameters(source: str, *, block_id: str = "") -> list[InputSpec]:
    """The simple assignments of a ``parameters`` cell as inputs.

    Only ``name = literal`` (or ``name: type = literal``) counts; anything else in the
    cell still runs but is not an input.

    Examples:
        >>> specs = parse_parameters("plan = 'pro'  # options: free, pro\\nday = '2024-06-01'")
        >>> [(s.name, s.type, s.options) for s in specs]
        [('plan', 'select', ('free', 'pro')), ('day', 'date', ())]
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    lines = source.splitlines()
    specs = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if not isinstance(target, ast.Name):
            continue
        try:
            default = ast.literal_eval(value)
        except ValueError:
            continue
        comment = _OPTIONS_COMMENT.search(lines[node.lineno - 1]) if node.lineno else None
        options = (
            tuple(o.strip() for o in comment["options"].split(",") if o.strip()) if comment else ()
        )
        specs.append(_parameter(target.id, default, options, block_id))
    return specs


def _parameter(name: str, default: Any, options: tuple[str, ...], block_id: str) -> InputSpec:
    common = {"name": name, "block_id": block_id, "is_parameter": True}
    if options:
        return InputSpec(type="select", default=default, options=options, **common)
    if isinstance(default, bool):
        return InputSpec(type="checkbox", default=default, **common)
    if isinstance(default, int | float):
        return InputSpec(type="number", default=default, **common)
    if isinstance(default, str) and _DATE.match(default):
        return InputSpec(type="date", default=default, **common)
    return InputSpec(type="text", default=default, **common)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _number_or_none(value: Any) -> int | float | None:
    try:
        return _number(value)
    except (TypeError, ValueError):
        return None


def _number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, int | float):
        return value
    text = str(value).strip()
    try:
        return int(text)
    except ValueError:
        number = float(text)
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError("not a finite number") from None
        return number


# -- checking values --------------------------------------------------------------------------


def coerce_value(spec: InputSpec, value: Any) -> Any:
    """``value`` as ``spec``'s type, or ``InvalidInput`` saying what is wrong.

    Values come from JSON (API) or from form text; both are accepted where unambiguous.

    Examples:
        >>> coerce_value(InputSpec("n", "number"), "42")
        42
        >>> coerce_value(InputSpec("b", "checkbox"), "on")
        True
    """
    name = spec.name
    limit = settings.APP_INPUT_MAX_CHARS
    if isinstance(value, str) and len(value) > limit:
        # Inputs are stored in the run and its audit event: no megabytes in either.
        raise InvalidInput(
            f"Input '{name}' is {len(value):,} characters long; the limit is {limit:,}.",
            field=name,
        )
    if spec.type == "checkbox":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise InvalidInput(f"Input '{name}' must be true or false, not {value!r}.", field=name)
    if spec.type == "number":
        try:
            number = _number(value)
        except (TypeError, ValueError):
            raise InvalidInput(
                f"Input '{name}' must be a number, not {value!r}.", field=name
            ) from None
        if spec.minimum is not None and number < spec.minimum:
            raise InvalidInput(f"Input '{name}' must be at least {spec.minimum:g}.", field=name)
        if spec.maximum is not None and number > spec.maximum:
            raise InvalidInput(f"Input '{name}' must be at most {spec.maximum:g}.", field=name)
        return number
    if not isinstance(value, str):
        raise InvalidInput(f"Input '{name}' must be text, not {value!r}.", field=name)
    if spec.type == "select":
        options = [str(o) for o in spec.options]
        if value not in options:
            raise InvalidInput(
                f"Input '{name}' must be one of {', '.join(options)}; got {value!r}.", field=name
            )
        return _option_value(spec, value)
    if spec.type == "date":
        try:
            return dt.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            raise InvalidInput(
                f"Input '{name}' must be a date as YYYY-MM-DD, not {value!r}.", field=name
            ) from None
    return value


def _option_value(spec: InputSpec, text: str) -> Any:
    # A parameter's options are written as text; keep the default's type (e.g. numbers).
    if spec.is_parameter and not isinstance(spec.default, str) and spec.default is not None:
        try:
            return type(spec.default)(ast.literal_eval(text))
        except (ValueError, SyntaxError, TypeError):
            return text
    return text


def coerce_inputs(inputs: Inputs, given: Mapping[str, Any] | None) -> dict[str, Any]:
    """Every input's value: the given ones checked, the others their defaults.

    Raises:
        InvalidInput: an unknown name (a typo must never run an app with its default) or a
            value of the wrong type; the message names the input.
    """
    given = dict(given or {})
    unknown = sorted(set(given) - set(inputs.by_name))
    if unknown:
        names = ", ".join(repr(n) for n in unknown)
        raise InvalidInput(f"This app has no input named {names}.", field=unknown[0])
    values = {}
    for spec in inputs.specs:
        if spec.name in given:
            values[spec.name] = coerce_value(spec, given[spec.name])
        else:
            values[spec.name] = spec.default
    return values


# -- the form -----------------------------------------------------------------------------------


class RunInputsForm(forms.Form):
    """The app page's form: one field per input, initial values the defaults (or last run's)."""

    def __init__(
        self, inputs: Inputs, *args, initial_values: Mapping[str, Any] | None = None, **kw
    ):
        super().__init__(*args, **kw)
        self.inputs = inputs
        initial_values = initial_values or {}
        for spec in inputs.specs:
            initial = initial_values.get(spec.name, spec.default)
            self.fields[spec.name] = _field(spec, initial)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        values = {}
        for spec in self.inputs.specs:
            raw = self.data.get(spec.name) if spec.type != "checkbox" else data.get(spec.name)
            if isinstance(raw, str) and has_surrogate(raw):
                self.add_error(spec.name, f"Input '{spec.name}' holds text that cannot be encoded.")
                continue
            if spec.type == "checkbox":
                values[spec.name] = bool(raw)
                continue
            try:
                values[spec.name] = coerce_value(spec, "" if raw is None else raw)
            except InvalidInput as exc:
                self.add_error(spec.name, exc.message)
        self.values = values
        return data


def _field(spec: InputSpec, initial: Any) -> forms.Field:
    label = spec.label or spec.name
    help_text = f"{spec.type}, default {spec.default!r}"
    if spec.type == "checkbox":
        return forms.BooleanField(
            label=label, required=False, initial=bool(initial), help_text=help_text
        )
    if spec.type == "select":
        choices = [(o, o) for o in spec.options]
        return forms.ChoiceField(label=label, choices=choices, initial=initial, help_text=help_text)
    if spec.type == "date":
        widget = forms.DateInput(attrs={"type": "date"})
        return forms.CharField(label=label, initial=initial, widget=widget, help_text=help_text)
    if spec.type == "number":
        widget = forms.NumberInput(attrs={"step": "any"})
        return forms.CharField(label=label, initial=initial, widget=widget, help_text=help_text)
    return forms.CharField(
        label=label,
        initial=initial,
        required=False,
        help_text=help_text,
        # The browser stops at the limit too; the check itself is coerce_value's.
        widget=forms.TextInput(attrs={"maxlength": settings.APP_INPUT_MAX_CHARS}),
    )
