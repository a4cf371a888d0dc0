"""The lark parser of the DSL and small helpers for reading its trees.

The grammar imports the expression rules of ``expr.lark``; lark prefixes imported rule and
token names with ``expr__``. :func:`expression_tree` strips that prefix so the very same
expression builder as the YAML path (``load.expr.tree.TreeBuilder``) reads the subtree unchanged.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from typing import Any

from lark import Lark, Token, Tree

from archctl.grammar_files import grammar_path

_PREFIX = "expr__"


@functools.lru_cache(maxsize=1)
def parser() -> Any:
    """The LALR parser, built once per process.

    Building takes about 0.15 s; lark's cache of the analysed grammar makes later processes
    load it in a fraction of that. The cache file is named after a hash of both grammar files
    (lark's own key ignores imported grammars), so editing ``expr.lark`` cannot reuse a stale one.
    """
    main = grammar_path("archctl.lark")
    digest = hashlib.sha256()
    for path in (main, grammar_path("expr.lark")):
        digest.update(path.read_bytes())
    cache = os.path.join(tempfile.gettempdir(), f".archctl-dsl-{digest.hexdigest()[:16]}.lark")
    return Lark.open(
        str(main),
        parser="lalr",
        propagate_positions=True,
        maybe_placeholders=False,
        cache=cache,
    )


def parse(text: str) -> Any:
    """Parse a whole DSL file; raises lark's ``UnexpectedInput`` on a syntax error."""
    return parser().parse(text)


def expression_tree(node: Any) -> Any:
    """Rename ``expr__*`` rules and tokens in place to the names of ``expr.lark``."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, Token):
            if item.type.startswith(_PREFIX):
                item.type = item.type[len(_PREFIX) :]
            continue
        if isinstance(item.data, str) and item.data.startswith(_PREFIX):
            item.data = item.data[len(_PREFIX) :]
        stack.extend(item.children)
    return node


def is_tree(item: Any, *names: str) -> bool:
    """Whether ``item`` is a subtree named one of ``names``."""
    return isinstance(item, Tree) and item.data in names


def is_token(item: Any, *types: str) -> bool:
    return isinstance(item, Token) and item.type in types


def child(tree: Any, name: str) -> Any:
    """The first child subtree named ``name`` (None when the optional part is absent)."""
    for item in tree.children:
        if is_tree(item, name):
            return item
    return None


def token(tree: Any, *types: str, start: int = 1) -> Any:
    """The first child token of one of ``types`` after the statement's name (None if absent).

    Names are tokens too (soft keywords make ``end success success`` legal), so the search
    starts after the name at ``children[0]``.
    """
    for item in tree.children[start:]:
        if is_token(item, *types):
            return item
    return None
