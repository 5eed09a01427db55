"""Files that are not notebooks: each gives a FormatError with a clear message."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from catalog.formats import FormatError, read_notebook_file
from tests.catalog.formats.factories import (
    code_cell,
    deepnote_bytes,
    deepnote_notebook,
    deepnote_project,
    ipynb_bytes,
    stream_output,
    v4_notebook,
)

VALID_IPYNB = ipynb_bytes(v4_notebook([code_cell("x = 1", cell_id="c")]))


def error_for(data: bytes, filename: str = "bad.ipynb") -> str:
    with pytest.raises(FormatError) as caught:
        read_notebook_file(data, filename)
    return str(caught.value)


# --- any file -------------------------------------------------------------------------


@pytest.mark.parametrize("filename", ["empty.ipynb", "empty.deepnote"])
def test_an_empty_file_is_refused(filename):
    assert error_for(b"", filename) == "File is empty"


def test_a_file_of_only_whitespace_is_refused_as_empty():
    assert error_for(b"  \n\t\n", "blank.deepnote") == "File is empty (only whitespace)"


def test_a_file_with_only_a_byte_order_mark_is_refused_as_empty():
    assert error_for(b"\xef\xbb\xbf") == "File is empty (only whitespace)"


@pytest.mark.parametrize("filename", ["notes.txt", "notebook.json", "script.py", "README"])
def test_a_wrong_extension_is_refused_before_reading(filename):
    message = error_for(VALID_IPYNB, filename)

    suffix = filename[filename.rfind(".") :] if "." in filename else None
    if suffix:
        assert message == f"Unsupported file type '{suffix}': expected .ipynb or .deepnote"
    else:
        assert message == "Unsupported file type (no extension): expected .ipynb or .deepnote"


def test_text_that_is_not_utf8_is_refused_saying_so():
    data = '{"cells": [], "metadata": {"author": "José"}}'.encode("latin-1")

    assert error_for(data) == (
        "File is not UTF-8 text: byte 0xe9 at offset 41 (line 1) cannot be decoded; "
        "save the notebook as UTF-8"
    )


def test_utf16_text_is_refused_saying_so():
    data = '{"cells": []}'.encode("utf-16")

    assert error_for(data) == "File is UTF-16 text; notebooks must be saved as UTF-8"


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00",
        bytes(range(256)) * 4,
    ],
    ids=["png", "zip", "every-byte"],
)
@pytest.mark.parametrize("filename", ["junk.ipynb", "junk.deepnote"])
def test_binary_junk_is_refused_as_binary(data, filename):
    assert error_for(data, filename).startswith("File looks binary")


def test_control_characters_without_nul_bytes_are_refused_as_binary():
    data = bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15]) * 100

    assert error_for(data) == "File looks binary, not like a notebook"


def test_bytes_of_a_wrong_type_are_a_programming_error_not_a_format_error():
    with pytest.raises(TypeError):
        read_notebook_file(VALID_IPYNB.decode(), "x.ipynb")


def test_a_bytearray_is_accepted_like_bytes():
    (parsed,) = read_notebook_file(bytearray(VALID_IPYNB), "x.ipynb")

    assert [b.source for b in parsed.blocks] == ["x = 1"]


# --- .ipynb ---------------------------------------------------------------------------


def test_invalid_json_is_refused_with_its_line_and_column():
    data = b'{\n  "cells": [],\n  "metadata": {,}\n}'

    assert error_for(data) == (
        "Invalid JSON at line 3, column 16: Expecting property name enclosed in double quotes"
    )


@pytest.mark.parametrize("cut", [0.3, 0.5, 0.9, 0.999])
def test_a_truncated_notebook_is_refused_as_truncated(cut):
    data = VALID_IPYNB.rstrip()[: int(len(VALID_IPYNB.rstrip()) * cut)]

    assert error_for(data).startswith("File is truncated: the JSON")


def test_a_notebook_cut_inside_a_string_says_which_string_never_ends():
    data = b'{"cells": [{"cell_type": "code", "source": "x = '

    assert error_for(data) == (
        "File is truncated: the JSON string starting at line 1, column 44 never ends"
    )


def test_an_unresolved_merge_conflict_is_named():
    data = b'{\n<<<<<<< HEAD\n "cells": []\n=======\n "cells": [1]\n>>>>>>> main\n}'

    assert error_for(data) == (
        "Invalid JSON at line 2, column 1: the file holds an unresolved git merge conflict"
    )


def test_two_notebooks_concatenated_are_refused():
    message = error_for(VALID_IPYNB + VALID_IPYNB)

    assert re.fullmatch(
        r"Invalid JSON at line \d+, column 1: unexpected text after the end of the notebook",
        message,
    )


@pytest.mark.parametrize(
    ("value", "described"),
    [("[]", "a list"), ('"notebook"', "a string"), ("42", "a number"), ("null", "null")],
)
def test_json_whose_top_level_is_not_an_object_is_not_a_notebook(value, described):
    assert error_for(value.encode()) == (
        f"JSON is not a Jupyter notebook: the top level is {described}, not an object"
    )


def test_a_json_object_that_is_not_a_notebook_is_refused():
    data = json.dumps({"name": "tributary", "version": "0.1.0"}).encode()

    assert error_for(data) == "JSON is not a Jupyter notebook: it has no 'nbformat' or 'cells' key"


def test_a_v4_notebook_without_cells_is_refused():
    data = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}}).encode()

    assert error_for(data) == "Notebook has no 'cells' list"


def test_a_v3_notebook_without_worksheets_is_refused():
    data = json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {}}).encode()

    assert error_for(data) == "nbformat 3 notebook has no 'worksheets' list"


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"a": 1}, "Notebook's 'cells' is an object, not a list"),
        (["x = 1"], "Notebook: cell 1 is a string, not an object"),
        (
            [{"cell_type": "code", "source": 42, "metadata": {}}],
            "Cell 1: 'source' must be text or a list of lines",
        ),
        (
            [{"cell_type": "code", "source": "", "outputs": ["text"], "metadata": {}}],
            "Cell 1: 'outputs' must be a list of objects",
        ),
        (
            [{"cell_type": "code", "source": "", "outputs": [{"data": []}]}],
            "Cell 1: an output's 'data' must be an object",
        ),
    ],
)
def test_cells_of_the_wrong_shape_are_refused_saying_where(cells, message):
    data = json.dumps({"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": cells})

    assert error_for(data.encode()) == message


@pytest.mark.parametrize(("major", "message"), [(5, "5"), (0, "0"), (-1, "-1")])
def test_an_unsupported_nbformat_version_is_refused(major, message):
    data = json.dumps({"nbformat": major, "nbformat_minor": 0, "cells": []}).encode()

    assert error_for(data) == f"Unsupported nbformat version {message}: expected 1 to 4"


def test_an_nbformat_version_that_is_not_a_number_is_refused():
    data = json.dumps({"nbformat": "four", "cells": []}).encode()

    assert error_for(data) == "Notebook's 'nbformat' is 'four', not a version number"


def test_an_old_notebook_nbformat_cannot_convert_is_refused_with_nbformat_s_reason():
    data = json.dumps({"nbformat": 3, "worksheets": [{"cells": [{"cell_type": "code"}]}]})

    assert error_for(data.encode()).startswith("nbformat cannot read this nbformat 3 notebook:")


def test_json_nested_too_deeply_is_refused():
    data = (
        b'{"nbformat": 4, "cells": [], "metadata": ' + b'{"a": ' * 100_000 + b"1" + b"}" * 100_001
    )

    assert error_for(data) == "Notebook JSON is nested too deeply to read"


def test_an_integer_too_long_to_convert_is_refused():
    data = b'{"nbformat": 4, "cells": [], "metadata": {"n": ' + b"9" * 5000 + b"}}"

    assert error_for(data).startswith("Invalid JSON: Exceeds the limit")


def test_a_50_mb_output_is_read_whole():
    line = "step {:>7}: loss=0.0123 accuracy=0.9876 " + "." * 30 + "\n"
    text = "".join(line.format(i) for i in range(700_000))
    notebook = v4_notebook(
        [code_cell("train()", cell_id="train", outputs=[stream_output(text)], execution_count=1)]
    )
    data = ipynb_bytes(notebook)
    assert len(data) > 50_000_000

    (parsed,) = read_notebook_file(data, "big.ipynb")

    # How fast: bench/big_inputs.py.
    assert parsed.blocks[0].outputs[0]["text"] == text
    assert parsed.warnings == ()


# --- .deepnote ------------------------------------------------------------------------


def test_a_yaml_syntax_error_is_refused_with_its_line_and_column():
    data = b"version: 1.0.0\nproject:\n  name: [unclosed\n  id: p1\n"

    assert error_for(data, "bad.deepnote") == (
        "YAML syntax error at line 4, column 5: did not find expected ',' or ']'"
    )


def test_a_billion_laughs_alias_bomb_is_refused_before_it_expands():
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 10):
        previous, name = chr(ord("a") + level - 1), chr(ord("a") + level)
        levels.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    data = ("\n".join(levels) + "\nproject: *j\n").encode()

    message = error_for(data, "bomb.deepnote")

    # Refused at the first alias (line 2), before anything expands; how fast: bench/big_inputs.py.
    assert message == (
        "YAML aliases are not allowed in a .deepnote file (alias *a at line 2, column 8): "
        "they can expand exponentially (an 'alias bomb')"
    )


def test_even_a_single_alias_is_refused():
    document = deepnote_bytes(deepnote_project([deepnote_notebook("Main", [])]))
    data = document.replace(b"metadata:\n", b"metadata: &meta\n", 1) + b"copy: *meta\n"

    assert "YAML aliases are not allowed" in error_for(data, "alias.deepnote")


def test_yaml_nested_past_our_limit_is_refused_with_where_it_happened():
    data = b"project: " + b"[" * 150 + b"]" * 150

    assert error_for(data, "deep.deepnote") == (
        "YAML is nested more than 100 levels deep (at line 1, column 109)"
    )


def test_yaml_nested_200000_deep_is_refused_without_crashing_the_process():
    # Whichever guard answers first (ours at 100 levels, or libyaml's own in PyYAML >= 6.0.4),
    # the reader must refuse the file with a FormatError about nesting, in a process that
    # survives it: run it in a child so that a crash of the parser would show as a signal.
    script = (
        "import sys\n"
        "from catalog.formats import FormatError, read_notebook_file\n"
        "data = b'project: ' + b'[' * 200_000 + b']' * 200_000\n"
        "try:\n"
        "    read_notebook_file(data, 'deep.deepnote')\n"
        "except FormatError as error:\n"
        "    print('refused:', error)\n"
        "else:\n"
        "    print('accepted')\n"
    )
    child = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[3],
    )

    assert child.returncode == 0, child.stderr
    assert child.stdout.startswith("refused: ")
    assert "nest" in child.stdout.lower()
    assert "line 1" in child.stdout


def test_a_yaml_tag_that_builds_objects_is_refused():
    data = b"project: !!python/object/apply:os.system ['echo pwned']\n"

    message = error_for(data, "evil.deepnote")

    assert message.startswith("YAML cannot be read at line 1, column 10: could not determine")


def test_binary_yaml_values_are_refused():
    data = b"project:\n  blob: !!binary aGVsbG8=\n"

    assert error_for(data, "binary.deepnote") == (
        "YAML cannot be read at line 2, column 9: "
        "the YAML tag 'tag:yaml.org,2002:binary' is not allowed here"
    )


def test_several_yaml_documents_are_refused():
    data = b"version: 1.0.0\n---\nversion: 2.0.0\n"

    assert error_for(data, "two.deepnote") == (
        "YAML holds several documents; a .deepnote file holds one"
    )


def test_a_yaml_file_of_only_comments_holds_no_document():
    assert error_for(b"# nothing here\n", "comments.deepnote") == (
        "This .deepnote file holds no YAML document"
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"- a\n- b\n",
            "This is not a Deepnote project: the YAML top level is a list, not a mapping",
        ),
        (
            b"just text\n",
            "This is not a Deepnote project: the YAML top level is text, not a mapping",
        ),
        (b"version: 1.0.0\n", "This .deepnote file has no 'project' mapping"),
        (b"project: [1]\n", "This .deepnote file's 'project' is a list, not a mapping"),
        (b"project: {name: P}\n", "This .deepnote file has no notebooks"),
        (b"project: {name: P, notebooks: []}\n", "This .deepnote file has no notebooks"),
        (
            b"project: {notebooks: {a: 1}}\n",
            "This .deepnote file's 'notebooks' is a mapping, not a list",
        ),
        (
            b"project: {notebooks: [42]}\n",
            "Notebook 1 of this .deepnote file is a number, not a mapping",
        ),
        (
            b"project: {notebooks: [{name: Main, blocks: 3}]}\n",
            "Notebook 'Main': 'blocks' is a number, not a list",
        ),
        (
            b"project: {notebooks: [{name: Main, blocks: [x]}]}\n",
            "Notebook 'Main': block 1 is text, not a mapping",
        ),
        (
            b"project: {notebooks: [{name: Main, blocks: [{id: b1, content: x}]}]}\n",
            "Notebook 'Main': block 1 has no 'type'",
        ),
        (
            b"project: {notebooks: [{name: Main, blocks: [{type: code, content: [1]}]}]}\n",
            "Notebook 'Main': block 1's 'content' is a list, not text",
        ),
    ],
)
def test_yaml_that_is_not_a_deepnote_project_is_refused_saying_why(data, message):
    assert error_for(data, "project.deepnote") == message


def test_a_yaml_integer_too_long_to_convert_is_refused():
    data = b"version: " + b"9" * 5000 + b"\n"

    assert error_for(data, "big.deepnote").startswith("YAML cannot be read: Exceeds the limit")


def test_a_deepnote_file_with_a_large_output_is_read_whole():
    text = "".join(f"row {i:>8}: value=0.0123\n" for i in range(1_000_000))
    indented = "".join(f"                {line}\n" for line in text.splitlines())
    # Written by hand: PyYAML's pure-Python emitter would take longer than the read.
    data = (
        "version: 1.0.0\n"
        "metadata: {createdAt: '2025-01-27T12:00:00Z'}\n"
        "project:\n"
        "  id: p1\n"
        "  name: Big\n"
        "  notebooks:\n"
        "    - id: n1\n"
        "      name: Main\n"
        "      blocks:\n"
        "        - id: b1\n"
        "          type: code\n"
        "          sortingKey: a0\n"
        "          content: print_rows()\n"
        "          outputs:\n"
        "            - output_type: stream\n"
        "              name: stdout\n"
        "              text: |\n" + indented
    ).encode()
    assert len(data) > 30_000_000

    (notebook,) = read_notebook_file(data, "big.deepnote")

    # How fast: bench/big_inputs.py.
    assert notebook.blocks[0].outputs[0]["text"] == text
