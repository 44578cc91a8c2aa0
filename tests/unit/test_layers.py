"""The package's layering: no import cycles, option gathering that does
not pull in the WSGI application, and the lower layers free of the HTTP
framework.

The import graph is read from the sources (module-level and function-level
imports alike), so a cycle hidden inside a function is found too.
"""

import ast
import os
import subprocess
import sys

import ceilometer_proxy

ROOT = os.path.dirname(os.path.abspath(ceilometer_proxy.__file__))
PACKAGE = 'ceilometer_proxy'
FRAMEWORK = ('pecan', 'wsme', 'wsmeext', 'webob', 'paste')
LOWER = ('cascading', 'storage', 'alarm', 'collector', 'pollsters')


def modules():
    """{module name: path} of the package."""
    found = {}
    for folder, _dirs, files in os.walk(ROOT):
        for name in files:
            if name.endswith('.py'):
                path = os.path.join(folder, name)
                rel = os.path.relpath(path[:-3], os.path.dirname(ROOT))
                module = rel.replace(os.sep, '.')
                if module.endswith('.__init__'):
                    module = module[:-len('.__init__')]
                found[module] = path
    return found


def imports(path):
    """Every absolute module name a source file imports."""
    names = set()
    for node in ast.walk(ast.parse(open(path).read())):
        if isinstance(node, ast.ImportFrom) and node.module and not (
                node.level):
            names.add(node.module)
            names.update('%s.%s' % (node.module, a.name) for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def graph():
    known = modules()
    return {module: {name for name in imports(path) if name in known
                     and name != module}
            for module, path in known.items()}


def cycles(edges):
    """The strongly connected components of more than one module."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in edges[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_package_has_no_import_cycle():
    assert cycles(graph()) == []


def test_the_cycle_finder_finds_one():
    assert cycles({'a': {'b'}, 'b': {'c'}, 'c': {'a'}, 'd': {'a'}}) == [
        ['a', 'b', 'c']]


def test_gathering_the_options_loads_no_application_code():
    code = ('import sys; import ceilometer_proxy.service; '
            'print(sorted(m for m in sys.modules if m.startswith('
            '"ceilometer_proxy.api")))')
    out = subprocess.run([sys.executable, '-c', code], check=True,
                         capture_output=True, text=True).stdout
    loaded = eval(out)
    assert not [m for m in loaded if m.startswith((
        'ceilometer_proxy.api.app', 'ceilometer_proxy.api.controllers',
        'ceilometer_proxy.api.hooks', 'ceilometer_proxy.api.middleware'))]


def test_lower_layers_import_neither_the_api_nor_the_framework():
    for module, path in modules().items():
        layer = module.split('.')[1] if '.' in module else ''
        if layer not in LOWER:
            continue
        for name in imports(path):
            assert not name.startswith(PACKAGE + '.api'), (module, name)
            assert name.split('.')[0] not in FRAMEWORK, (module, name)
