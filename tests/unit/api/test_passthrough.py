"""What the pass-through middleware takes from a query string."""

from ceilometer_proxy.api import passthrough


def _pairs(*items):
    return [tuple(i.split('=', 1)) for i in items]


def test_terms_pair_one_to_one():
    terms = passthrough._terms(_pairs(
        'q.field=resource_id', 'q.op=eq', 'q.type=', 'q.value=vm',
        'q.field=timestamp', 'q.op=ge', 'q.type=', 'q.value=2026-01-01'))
    assert terms == [
        {'field': 'resource_id', 'op': 'eq', 'type': '', 'value': 'vm'},
        {'field': 'timestamp', 'op': 'ge', 'type': '',
         'value': '2026-01-01'}]


def test_left_out_ops_and_types_are_eq_and_untyped():
    assert passthrough._terms(_pairs('q.field=resource_id',
                                     'q.value=vm')) == [
        {'field': 'resource_id', 'op': 'eq', 'type': '', 'value': 'vm'}]


def test_lists_that_do_not_pair_or_empty_ops_are_left_to_pecan():
    assert passthrough._terms(_pairs('q.field=a', 'q.field=b',
                                     'q.value=1')) is None
    assert passthrough._terms(_pairs('q.field=a', 'q.field=b', 'q.op=ge',
                                     'q.value=1', 'q.value=2')) is None
    assert passthrough._terms(_pairs('q.field=a', 'q.op=',
                                     'q.value=1')) is None


def test_a_scoped_caller_gets_its_project_added():
    terms = [{'field': 'resource_id', 'op': 'eq', 'type': '', 'value': 'v'}]
    assert passthrough._scoped(terms, 'p1') is True
    assert terms[-1] == {'field': 'project_id', 'op': 'eq', 'type': '',
                         'value': 'p1'}


def test_a_scoped_caller_naming_its_project_keeps_the_query():
    terms = [{'field': 'project', 'op': 'eq', 'type': '', 'value': 'p1'}]
    assert passthrough._scoped(terms, 'p1') is True
    assert len(terms) == 1


def test_a_scoped_caller_naming_another_project_is_left_to_pecan():
    terms = [{'field': 'project_id', 'op': 'eq', 'type': '', 'value': 'p2'}]
    assert passthrough._scoped(terms, 'p1') is False
