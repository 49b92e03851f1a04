"""The one reader of every file the twin opens: bytes with a size limit, text with one
encoding rule, and JSON or YAML documents with bounds on what a document may make the
twin do. Every refusal is one `InputError` naming the file and, where there is one, the
line; docs/limits.md lists the bounds and where they come from.

Encoding: UTF-8, or UTF-16/UTF-32 with a byte-order mark (Windows PowerShell's
`oc get nodes -o json > nodes.json` writes UTF-16 with a BOM); anything else is refused
with the offset of the first byte that is not UTF-8.

Bounds (each checked before the document is built into Python objects where it can be,
so neither a hang nor a memory blow-up happens first):

* size: `MAX_FILE_BYTES` (256 MiB) per file;
* nesting: `MAX_DEPTH` (100) levels of mappings and lists;
* strings: `MAX_STRING` (3 MiB) characters per string, key or scalar;
* integers: `MAX_INT_DIGITS` (4,300) characters per integer literal;
* YAML aliases: yaml.v2/v3's `allowedAliasRatio` rule on the decodes an alias expansion
  causes, and at most `max(MAX_ALIAS_CHARS, the file's own length)` characters of
  strings added by expansions; an alias inside its own anchor is refused;
* duplicate keys in a mapping (YAML or JSON) are refused, naming the line.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode

from twin.errors import InputError
from twin.model.quoting import clipped, shown

MAX_FILE_BYTES = 256 * 2**20
"""A NodeList of Kubernetes' largest supported cluster (5,000 nodes, kubernetes.io
"Considerations for large clusters") at about 30 KiB a node (50 images in status, managed
fields) is about 150 MiB; a PodList of tens of thousands of pods fits too. Bigger dumps
come split (must-gather writes one pods.yaml per namespace)."""

MAX_DEPTH = 100
"""Kubernetes' decoders stop at 10,000 levels (sigs.k8s.io/json `maxNestingDepth`, the
CBOR serializer's `MaxNestedLevels`, yaml.v3 `max_flow_level`/`max_indents`); Python's
recursion limit (1,000 frames) cannot go as deep through copy.deepcopy, pydantic and
json.dumps, which all recurse. Real manifests nest about 20 levels (managedFields)."""

MAX_STRING = 3 * 2**20
"""The apiserver refuses request bodies above 3 MiB (k8s.io/apiserver `MaxRequestBodyBytes`,
twice etcd's 1.5 MiB request limit), so no string of a real object is longer."""

MAX_INT_DIGITS = 4300
"""Python's own default (`sys.get_int_max_str_digits()`, CVE-2020-10735), enforced here
whatever the interpreter's setting; Kubernetes' int64 fields hold 19 digits."""

ALIAS_RATIO_LOW, ALIAS_RATIO_HIGH = 400_000, 4_000_000
"""gopkg.in/yaml.v2 and v3 `decode.go`: up to 400,000 decodes, 99 % may come from alias
expansion; from 4,000,000, 10 %; in between the allowance falls linearly ("document
contains excessive aliasing"). Only checked past 1,000 decodes and 100 alias decodes."""

MAX_ALIAS_CHARS = 2**20
"""Characters of strings alias expansion may add to a document, or the document's own
length if that is more: an anchored megabyte string repeated by aliases is refused."""

BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
"""Byte-order marks and their encodings (UTF-32 first: its little-endian mark starts with
UTF-16's)."""

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available, same results
_INT_TAG, _MERGE_TAG = "tag:yaml.org,2002:int", "tag:yaml.org,2002:merge"


# -- bytes and text -------------------------------------------------------------------

def read_bytes(file: str | Path, source: str | None = None, limit: int | None = None) -> bytes:
    """The file's bytes; an `InputError` if it cannot be read or holds more than `limit`
    (default `MAX_FILE_BYTES`) bytes, checked before reading, and again while reading: a
    pipe or /dev/zero has no size."""
    source = str(file) if source is None else source
    limit = MAX_FILE_BYTES if limit is None else limit
    try:
        with open(file, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > limit:
                raise InputError(source, "", too_big(limit, size))
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise InputError(source, "", f"cannot read file: {exc.strerror or exc}") from None
    except ValueError:  # a name from a file can hold what no path can: open() refuses a NUL byte
        raise InputError(source, "", "cannot read file: expected a path without a NUL byte") from None
    if len(raw) > limit:
        raise InputError(source, "", too_big(limit))
    return raw


def too_big(limit: int, size: int | None = None) -> str:
    got = f"{size / 2**20:.1f} MiB" if size is not None else "more"
    return f"expected a file of at most {limit // 2**20} MiB, got {got} (docs/limits.md)"


def read_text(file: str | Path, source: str | None = None, limit: int | None = None) -> str:
    """The file's text, read with `read_bytes` and decoded with `decode`."""
    source = str(file) if source is None else source
    return decode(read_bytes(file, source, limit), source)


def encoding_of(raw: bytes) -> tuple[str, int]:
    """(Python codec, length of the byte-order mark) for bytes that start a file."""
    for bom, name in BOMS:
        if raw.startswith(bom):
            return name, len(bom)
    return "utf-8", 0


def decode(raw: bytes, source: str) -> str:
    """The file's text: UTF-8, or UTF-16/UTF-32 with a byte-order mark."""
    encoding, _ = encoding_of(raw)
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(source, f"byte {exc.start}", f"expected UTF-8 text (or UTF-16 with a byte-order mark), "
                         f"found byte 0x{raw[exc.start]:02x}") from None


# -- documents ------------------------------------------------------------------------

def read_documents(file: str | Path, source: str | None = None) -> list[Any]:
    """The documents of a JSON or (multi-document) YAML file; empty documents dropped."""
    source = str(file) if source is None else source
    return parse_documents(read_text(file, source), source)


def parse_documents(text: str, source: str) -> list[Any]:
    """JSON (text starting with `{` or `[`) or YAML documents, within the bounds."""
    if text.lstrip().startswith(("{", "[")):
        return [parse_json(text, source)]
    return parse_yaml(text, source)


def parse_json(text: str, source: str) -> Any:
    """One JSON value within the bounds: duplicate keys, nesting, string and integer
    lengths refused naming the line where it can be found."""
    hook = None if 0 < sys.get_int_max_str_digits() <= MAX_INT_DIGITS else _bounded_int
    try:
        value = json.loads(text, object_pairs_hook=_unique_object, parse_int=hook)
    except json.JSONDecodeError as exc:
        raise InputError(source, f"line {exc.lineno} column {exc.colno}", f"malformed JSON: {exc.msg}") from None
    except _DuplicateKey as exc:
        raise InputError(source, _duplicate_line(text, exc.key), f"expected each key once in an object, found "
                         f"{shown(exc.key)} again") from None
    except RecursionError:
        raise InputError(source, _json_deep_line(text), _deep()) from None
    except ValueError as exc:
        if "integer string conversion" not in str(exc) and not isinstance(exc, _LongInt):
            raise
        raise InputError(source, _long_int_line(text), _long_int()) from None
    _check_json(value, text, source)
    return value


def parse_yaml(text: str, source: str, keep_empty: bool = False) -> list[Any]:
    """The documents of a YAML stream (empty ones dropped unless `keep_empty`), each
    checked against the bounds on its node graph before it is built."""
    loader = _YAML_LOADER(text)
    aliases = "&" in text and "*" in text  # an alias needs an anchor; without both, every node is a tree node
    documents = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            if aliases:
                _check_graph(node, len(text), source)
            else:
                _check_tree(node, source)
            try:
                document = loader.construct_document(node)
            except (ValueError, TypeError, IndexError, OverflowError) as exc:  # a value its explicit tag cannot hold
                if "integer string conversion" in str(exc):  # past the interpreter's digit limit (`!!int 0x...`)
                    raise InputError(source, "", _long_int()) from None
                raise _untaggable(loader, node, source, exc) from None
            if document is not None or keep_empty:
                documents.append(document)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if "maximum nesting depth" in problem:  # libyaml's own limit (1,000 levels)
            raise InputError(source, where, _deep()) from None
        raise InputError(source, where, f"malformed YAML: {problem}") from None
    except RecursionError:
        raise InputError(source, "", _deep()) from None
    finally:
        loader.dispose()
    return documents


def _untaggable(loader, root, source: str, error: Exception) -> InputError:
    """The error for a scalar its tag's constructor refuses with a Python error rather
    than a YAMLError (`!!int abc`, `!!float :`, `!!timestamp 2001-13-45`), at its line."""
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if not isinstance(node, ScalarNode):
            stack.extend(reversed(_children(node)))
            continue
        construct = loader.yaml_constructors.get(node.tag)
        try:
            if construct is not None:
                construct(loader, node)
        except (ValueError, TypeError, IndexError, OverflowError):
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            return InputError(source, _line(node), f"malformed YAML: expected a value {tag} can hold, got {shown(node.value)}")
    return InputError(source, "", f"malformed YAML: {clipped(str(error))}")


def parse_text(text: str, source: str) -> Any:
    """One YAML value written on the command line (`--param PATH=VALUE`), within the
    bounds; `text` itself when it is not YAML."""
    try:
        documents = parse_yaml(text, source, keep_empty=True)
    except InputError as error:
        if error.message.startswith("malformed YAML"):
            return text
        raise
    return documents[0] if len(documents) == 1 else text


# -- messages -------------------------------------------------------------------------

def _deep() -> str:
    return f"expected a document nested less deeply: at most {MAX_DEPTH} levels of mappings and lists (docs/limits.md)"


def _long_int() -> str:
    return f"expected an integer of at most {MAX_INT_DIGITS} digits, found a longer one"


def _long_string(value: str) -> str:
    return f"expected a string of at most {MAX_STRING // 2**20} MiB, got {shown(value)}"


def _line(node) -> str:
    return f"line {node.start_mark.line + 1}"


# -- YAML node graphs -----------------------------------------------------------------

def _check_scalar(node: ScalarNode, source: str) -> None:
    value = node.value
    if len(value) > MAX_STRING:
        raise InputError(source, _line(node), _long_string(value))
    if node.tag == _INT_TAG and len(value) > MAX_INT_DIGITS:
        raise InputError(source, _line(node), f"{_long_int()}: {shown(value)}")


def _check_keys(node: MappingNode, source: str) -> None:
    """yaml.v3 refuses a mapping key defined twice ("mapping key %q already defined at
    line %d"), as the apiserver's strict decoding (sigs.k8s.io/yaml `YAMLToJSONStrict`)
    and kubectl do; merged keys (`<<`) may be overridden, as YAML merges intend."""
    if len(node.value) < 2:
        return
    seen: dict[tuple[str, str], Any] = {}
    for key, _ in node.value:
        if not isinstance(key, ScalarNode) or key.tag == _MERGE_TAG:
            continue
        first = seen.setdefault((key.tag, key.value), key)
        if first is not key:
            raise InputError(source, _line(key), f"expected each mapping key once, found {shown(key.value)} again "
                             f"(first at line {first.start_mark.line + 1})")


def _check_tree(root, source: str) -> None:
    """A document without aliases: every node once, depth by level."""
    stack = [(root, 0)]
    pop, push = stack.pop, stack.append
    while stack:
        node, level = pop()
        if isinstance(node, ScalarNode):
            _check_scalar(node, source)
            continue
        level += 1
        if level > MAX_DEPTH:
            raise InputError(source, _line(node), _deep())
        if isinstance(node, MappingNode):
            _check_keys(node, source)
            for key, value in node.value:
                push((key, level))
                push((value, level))
        else:
            for item in node.value:
                push((item, level))


def _check_graph(root, text_length: int, source: str) -> None:
    """A document with aliases: the node graph (an alias is the anchored node itself)
    walked once per node, post-order, for each node's size with aliases expanded (decodes,
    string characters) and depth; a node met again while it is being walked is an alias
    inside its own anchor."""
    memo: dict[int, tuple[int, int, int]] = {}  # id -> (decodes, characters, depth), aliases expanded
    active: set[int] = set()
    distinct = distinct_chars = 0
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            children = _children(node)
            decodes = 1 + sum(memo[id(c)][0] for c in children)
            chars = sum(memo[id(c)][1] for c in children)
            depth = 1 + max((memo[id(c)][2] for c in children), default=0)
            if depth > MAX_DEPTH:
                raise InputError(source, _line(_deepest(node, memo)), _deep())
            memo[key] = (decodes, chars, depth)
            active.discard(key)
            continue
        if key in memo:
            continue
        if key in active:
            raise InputError(source, _line(node), "expected no alias inside its own anchor (a recursive structure)")
        distinct += 1
        if isinstance(node, ScalarNode):
            _check_scalar(node, source)
            memo[key] = (1, len(node.value), 0)
            distinct_chars += len(node.value)
            continue
        if isinstance(node, MappingNode):
            _check_keys(node, source)
        active.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node))
    decodes, chars, _ = memo[id(root)]
    _check_aliasing(decodes, decodes - distinct, chars - distinct_chars, text_length, root, memo, source)


def _children(node) -> list:
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return list(node.value)


def _deepest(node, memo: dict) -> Any:
    """Where a too-deep structure starting at `node` passes `MAX_DEPTH` levels (its
    subtree is walked: every descendant is in `memo`)."""
    for _ in range(MAX_DEPTH):
        children = [c for c in _children(node) if not isinstance(c, ScalarNode)]
        if not children:
            break
        node = max(children, key=lambda c: memo[id(c)][2])
    return node


def allowed_alias_ratio(decodes: int) -> float:
    """yaml.v2/v3 `allowedAliasRatio`."""
    if decodes <= ALIAS_RATIO_LOW:
        return 0.99
    if decodes >= ALIAS_RATIO_HIGH:
        return 0.10
    return 0.99 - 0.89 * (decodes - ALIAS_RATIO_LOW) / (ALIAS_RATIO_HIGH - ALIAS_RATIO_LOW)


def _check_aliasing(decodes: int, aliased: int, aliased_chars: int, text_length: int, root, memo: dict,
                    source: str) -> None:
    if aliased > 100 and decodes > 1000 and aliased / decodes > allowed_alias_ratio(decodes):
        raise InputError(source, _line(_heaviest(root, memo, 0)), f"expected a document without excessive aliasing: "
                         f"its aliases expand to {aliased:,} of its {decodes:,} nodes (the limit of yaml.v2/v3's "
                         f"decoder, docs/limits.md)")
    allowed = max(MAX_ALIAS_CHARS, text_length)
    if aliased_chars > allowed:
        raise InputError(source, _line(_heaviest(root, memo, 1)), f"expected a document whose aliases add at most "
                         f"{allowed:,} characters, found {aliased_chars:,} (docs/limits.md)")


def _heaviest(node, memo: dict, measure: int) -> Any:
    """Where the expansion happens: down from `node` through the child holding most of
    it, to the node whose expansion is spread over its children (the aliases)."""
    while not isinstance(node, ScalarNode):
        children = _children(node)
        if not children:
            break
        child = max(children, key=lambda c: memo[id(c)][measure])
        if memo[id(child)][measure] * 2 < memo[id(node)][measure]:
            break
        node = child
    return node


# -- JSON values ----------------------------------------------------------------------

class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class _LongInt(ValueError):
    pass


def _unique_object(pairs: list[tuple[str, Any]]) -> dict:
    """sigs.k8s.io/json `DisallowDuplicateFields`: the apiserver's strict decoding
    refuses a key given twice ("duplicate field")."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return obj


def _bounded_int(text: str) -> int:
    if len(text) > MAX_INT_DIGITS:
        raise _LongInt(text)
    return int(text)


def _check_json(value: Any, text: str, source: str) -> None:
    """Depth and string lengths of a parsed JSON value (a tree: no sharing)."""
    if not isinstance(value, (dict, list)):
        if isinstance(value, str) and len(value) > MAX_STRING:
            raise InputError(source, "", _long_string(value))
        return
    stack = [(value, 1)]
    pop, push = stack.pop, stack.append
    while stack:
        node, level = pop()
        if level > MAX_DEPTH:
            raise InputError(source, _json_deep_line(text), _deep())
        if type(node) is dict:
            for key, item in node.items():
                if len(key) > MAX_STRING:
                    raise InputError(source, _text_line(text, key), _long_string(key))
                kind = type(item)
                if kind is dict or kind is list:
                    push((item, level + 1))
                elif kind is str and len(item) > MAX_STRING:
                    raise InputError(source, _text_line(text, item), _long_string(item))
        else:
            for item in node:
                kind = type(item)
                if kind is dict or kind is list:
                    push((item, level + 1))
                elif kind is str and len(item) > MAX_STRING:
                    raise InputError(source, _text_line(text, item), _long_string(item))


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _json_deep_line(text: str) -> str:
    """The line where nesting first passes `MAX_DEPTH` (error path only)."""
    depth = 0
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return f"line {text.count(chr(10), 0, match.start()) + 1}"
        elif token in "]}":
            depth -= 1
    return ""


def _long_int_line(text: str) -> str:
    match = re.search(rf"(?<![0-9.\"])-?[0-9]{{{MAX_INT_DIGITS + 1},}}", text)
    return f"line {text.count(chr(10), 0, match.start()) + 1}" if match else ""


def _text_line(text: str, value: str) -> str:
    """The line of a long string's first characters (error path only; best effort)."""
    at = text.find(json.dumps(value[:40])[1:-1])
    return f"line {text.count(chr(10), 0, at) + 1}" if at >= 0 else ""


def _duplicate_line(text: str, key: str) -> str:
    """The line of a duplicated key, found by reading the JSON as YAML (JSON is YAML;
    error path only, and only for files YAML reads in a second or two)."""
    if len(text) > 8 * 2**20:
        return ""
    try:
        parse_yaml(text, "")
    except InputError as error:
        if error.message.startswith("expected each mapping key once"):
            return error.path
    return ""
