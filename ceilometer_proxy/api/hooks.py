"""Pecan hooks: what every request carries into the controllers."""

from pecan import hooks


class ConfigHook(hooks.PecanHook):
    """Attach the service configuration (``request.cfg``)."""

    def __init__(self, conf):
        self.conf = conf

    def before(self, state):
        state.request.cfg = self.conf


class BackendHook(hooks.PecanHook):
    """Attach the metering backend (``request.storage_conn``).

    In local mode that is the MongoDB driver; in cascading mode it is the
    proxy, which serves the same interface.
    """

    def __init__(self, conn):
        self.conn = conn

    def before(self, state):
        state.request.storage_conn = self.conn


class TranslationHook(hooks.PecanHook):
    """Hand a ClientSideError's text to the error middleware."""

    def after(self, state):
        if hasattr(state.response, 'translatable_error'):
            state.request.environ['translatable_error'] = (
                state.response.translatable_error)
