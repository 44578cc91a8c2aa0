"""/v2/query: complex queries (JSON filter and order-by expressions).

A filter is a tree of ``and``/``or``/``not`` nodes over leaves such as
``{">=": {"timestamp": "2013-12-01T18:00:00"}}`` or
``{"in": {"resource": ["a", "b"]}}``; it is validated against a JSON schema,
field names are mapped to storage names and a scoped caller's project is
forced into it.
"""

import json
import re

import jsonschema
import pecan
from pecan import rest
from wsme import types as wtypes
import wsmeext.pecan as wsme_pecan

from ceilometer_proxy.alarm.storage import models as alarm_models
from ceilometer_proxy.api.controllers.v2 import alarms
from ceilometer_proxy.api.controllers.v2 import base
from ceilometer_proxy.api.controllers.v2 import samples
from ceilometer_proxy.api import rbac
from ceilometer_proxy.storage import models


class ComplexQuery(base.Base):
    """Holds a sample query encoded in json."""

    filter = wtypes.text
    "The filter expression encoded in json."

    orderby = wtypes.text
    "List of single-element dicts for specifying the ordering of the results."

    limit = int
    "The maximum number of results to be returned."

    @classmethod
    def sample(cls):
        return cls(filter='{"and": [{"and": [{"=": {"counter_name": '
                          '"cpu_util"}}, {">": {"counter_volume": 0.23}}, '
                          '{"<": {"counter_volume": 0.26}}]}, {"or": [{"and": '
                          '[{">": {"timestamp": "2013-12-01T18:00:00"}}, '
                          '{"<": {"timestamp": "2013-12-01T18:15:00"}}]}, '
                          '{"and": [{">": {"timestamp": '
                          '"2013-12-01T18:30:00"}}, {"<": {"timestamp": '
                          '"2013-12-01T18:45:00"}}]}]}]}',
                   orderby='[{"counter_volume": "ASC"}, '
                           '{"timestamp": "DESC"}]',
                   limit=42)


def _alternatives(items, prefix=''):
    return prefix + '|'.join('^%s$' % re.escape(i) for i in items)


COMPLEX_OPS = ('and', 'or')
SIMPLE_OPS = ('=', '!=', '<', '>', '<=', '=<', '>=', '=>', '=~')
TIMESTAMP_FIELDS = ('timestamp', 'state_timestamp')


def _one_key(schema):
    return dict(schema, type='object', additionalProperties=False,
                minProperties=1, maxProperties=1)


class ValidatedComplexQuery(object):
    """A complex query checked against a model's fields.

    :param query: the ComplexQuery body.
    :param db_model: storage model whose fields may be queried.
    :param name_mapping: API field name -> storage field name.
    :param metadata_allowed: whether ``metadata.*`` fields are accepted.
    """

    def __init__(self, query, db_model, name_mapping=None,
                 metadata_allowed=False):
        self.name_mapping = {'user': 'user_id', 'project': 'project_id'}
        self.name_mapping.update(name_mapping or {})
        valid_keys = list(db_model.get_field_names()) + list(
            self.name_mapping)
        fields = _alternatives(valid_keys)
        filter_fields = fields + (r'|^metadata\.\S+$'
                                  if metadata_allowed else '')
        value = {'oneOf': [{'type': 'string'}, {'type': 'number'},
                           {'type': 'boolean'}]}
        value_list = {'type': 'array', 'minItems': 1,
                      'items': {'oneOf': [{'type': 'string'},
                                          {'type': 'number'}]}}
        simple = _one_key({'patternProperties': {
            _alternatives(SIMPLE_OPS, '(?i)'): _one_key(
                {'patternProperties': {filter_fields: value}})}})
        in_leaf = _one_key({'patternProperties': {
            '(?i)^in$': _one_key(
                {'patternProperties': {filter_fields: value_list}})}})
        and_or = _one_key({'patternProperties': {
            _alternatives(COMPLEX_OPS, '(?i)'): {
                'type': 'array', 'items': {'$ref': '#'}, 'minItems': 2}}})
        negation = _one_key({'patternProperties': {
            '(?i)^not$': {'$ref': '#'}}})
        self.schema = {
            'oneOf': [{'$ref': '#/definitions/leaf_simple_ops'},
                      {'$ref': '#/definitions/leaf_in'},
                      {'$ref': '#/definitions/and_or'},
                      {'$ref': '#/definitions/not'}],
            'minProperties': 1, 'maxProperties': 1,
            'definitions': {'leaf_simple_ops': simple, 'leaf_in': in_leaf,
                            'and_or': and_or, 'not': negation}}
        self.orderby_schema = {
            'type': 'array',
            'items': _one_key({'patternProperties': {fields: {
                'type': 'string',
                'pattern': _alternatives(('asc', 'desc'), '(?i)')}}})}
        self.original_query = query
        self.filter_expr = None
        self.orderby = None
        self.limit = None

    def validate(self, visibility_field):
        """Parse, check and normalise; force a scoped caller's project."""
        if self.original_query.filter not in (wtypes.Unset, None):
            try:
                self.filter_expr = json.loads(self.original_query.filter)
                jsonschema.Draft4Validator(self.schema).validate(
                    self.filter_expr)
            except (ValueError, RecursionError,
                    jsonschema.exceptions.ValidationError) as e:
                raise base.ClientSideError(
                    'Filter expression not valid: %s' % _short(e))
            self.filter_expr = self._normalise(self.filter_expr)
        self._force_visibility(visibility_field)
        if self.original_query.orderby not in (wtypes.Unset, None):
            try:
                orderby = json.loads(self.original_query.orderby)
                jsonschema.Draft4Validator(self.orderby_schema).validate(
                    orderby)
            except (ValueError, RecursionError,
                    jsonschema.exceptions.ValidationError) as e:
                raise base.ClientSideError(
                    'Order-by expression not valid: %s' % _short(e))
            self.orderby = [{self._field(k): v.lower()}
                            for item in orderby for k, v in item.items()]
        limit = self.original_query.limit
        self.limit = base.positive_limit(
            None if limit is wtypes.Unset else limit, pecan.request.cfg)

    def _field(self, name):
        name = self.name_mapping.get(name, name)
        if name.startswith('metadata.'):
            name = 'resource_' + name
        return name

    def _normalise(self, tree):
        """Lower-case operators, map field names, parse timestamps."""
        op, operand = list(tree.items())[0]
        op = op.lower()
        if op in COMPLEX_OPS:
            return {op: [self._normalise(child) for child in operand]}
        if op == 'not':
            return {op: self._normalise(operand)}
        field, value = list(operand.items())[0]
        if field.startswith('metadata.') and not all(field.split('.')[1:]):
            raise base.ClientSideError(
                'Filter expression not valid: empty metadata key in %s'
                % field)
        if field in TIMESTAMP_FIELDS:
            value = self._timestamp(value)
        elif op == '=~':
            value = self._regex(value)
        elif isinstance(value, list):
            value = [base.storable(v) for v in value]
        else:
            value = base.storable(value)
        return {op: {self._field(field): value}}

    @staticmethod
    def _regex(value):
        if not isinstance(value, str):
            raise base.ClientSideError(
                'Filter expression not valid: =~ needs a regular expression '
                'as text, not %r' % (value,))
        try:
            re.compile(value)
        except re.error as err:
            raise base.ClientSideError(
                'Filter expression not valid: bad regular expression %r: %s'
                % (value, err))
        return value

    @staticmethod
    def _timestamp(value):
        try:
            return base.parse_timestamp(value)
        except (ValueError, TypeError):
            raise base.ClientSideError(
                'Failed to parse the timestamp value %s' % value)

    def _force_visibility(self, visibility_field):
        project = rbac.get_limited_to_project(pecan.request.headers)
        if project is None:
            return
        self._check_cross_project(self.filter_expr, project,
                                  visibility_field)
        restriction = {'=': {visibility_field: project}}
        self.filter_expr = (restriction if self.filter_expr is None
                            else {'and': [restriction, self.filter_expr]})

    def _check_cross_project(self, tree, project, field):
        if tree is None:
            return
        op, operand = list(tree.items())[0]
        if op in COMPLEX_OPS:
            for child in operand:
                self._check_cross_project(child, project, field)
        elif op == 'not':
            self._check_cross_project(operand, project, field)
        elif field in operand and operand[field] != project:
            raise base.ProjectNotAuthorized(operand[field])


def _short(error):
    return getattr(error, 'message', None) or str(error).split('\n')[0]


SAMPLE_NAME_MAPPING = {'resource': 'resource_id',
                       'meter': 'counter_name',
                       'type': 'counter_type',
                       'unit': 'counter_unit',
                       'volume': 'counter_volume'}


class QuerySamplesController(rest.RestController):
    """Provides complex query possibilities for samples."""

    @wsme_pecan.wsexpose([samples.Sample], body=ComplexQuery)
    def post(self, body):
        """Define query for retrieving Sample data.

        :param body: Query rules for the samples to be returned.
        """
        rbac.enforce('query_sample', pecan.request)
        query = ValidatedComplexQuery(body, models.Sample,
                                      SAMPLE_NAME_MAPPING,
                                      metadata_allowed=True)
        query.validate(visibility_field='project_id')
        conn = pecan.request.storage_conn
        return [samples.Sample.from_db_model(s) for s in
                conn.query_samples(query.filter_expr, query.orderby,
                                   query.limit)]


class QueryAlarmHistoryController(rest.RestController):
    """Provides complex query possibilities for alarm history."""

    @wsme_pecan.wsexpose([alarms.AlarmChange], body=ComplexQuery)
    def post(self, body):
        """Define query for retrieving AlarmChange data.

        :param body: Query rules for the alarm history to be returned.
        """
        rbac.enforce('query_alarm_history', pecan.request)
        query = ValidatedComplexQuery(body, alarm_models.AlarmChange)
        query.validate(visibility_field='on_behalf_of')
        conn = pecan.request.alarm_storage_conn
        return [alarms.AlarmChange.from_db_model(c) for c in
                conn.query_alarm_history(query.filter_expr, query.orderby,
                                         query.limit)]


class QueryAlarmsController(rest.RestController):
    """Provides complex query possibilities for alarms."""

    history = QueryAlarmHistoryController()

    @wsme_pecan.wsexpose([alarms.Alarm], body=ComplexQuery)
    def post(self, body):
        """Define query for retrieving Alarm data.

        :param body: Query rules for the alarms to be returned.
        """
        rbac.enforce('query_alarm', pecan.request)
        query = ValidatedComplexQuery(body, alarm_models.Alarm)
        query.validate(visibility_field='project_id')
        conn = pecan.request.alarm_storage_conn
        return [alarms.Alarm.from_db_model(a) for a in
                conn.query_alarms(query.filter_expr, query.orderby,
                                  query.limit)]


class QueryController(rest.RestController):
    """Root of /v2/query."""

    samples = QuerySamplesController()
    alarms = QueryAlarmsController()
