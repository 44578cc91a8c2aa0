"""What can go wrong between the cascading level and the regions.

The API controllers map these to Ceilometer error bodies (see
api/controllers/v2/cascading): the caller's mistakes are 4xx, regions that
cannot answer are 503 naming them, and a region's own 4xx is passed on.
"""


class CascadingError(Exception):
    """Base class of the cascading errors."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class UnknownRegion(CascadingError):
    """A region (or availability zone) name no registry knows."""

    def __init__(self, region):
        super().__init__('Unknown region: %s' % region)
        self.region = region


class MissingService(CascadingError):
    """A region has no endpoint of a service a request needs (400): a
    Gnocchi region without Aodh cannot hold alarms, say."""

    def __init__(self, region, service):
        super().__init__('Region %s has no %s endpoint' % (region, service))
        self.region = region
        self.service = service


class RegionCannotAnswer(CascadingError):
    """A region whose kind cannot answer this question at all (Gnocchi
    keeps no raw samples): a 400 naming it, or, in a fan-out under
    ``partial_results = true``, a region left out and listed."""

    def __init__(self, region, reason):
        super().__init__('Region %s cannot answer: %s' % (region, reason))
        self.region = region
        self.reason = reason


class NoRoute(CascadingError):
    """The request does not say which region(s) should answer it."""


class RegionUnavailable(CascadingError):
    """One region could not answer: no connection, a timeout, a 5xx, or it
    is still in back-off after such a failure."""

    def __init__(self, region, reason):
        super().__init__('Region %s is unavailable: %s' % (region, reason))
        self.region = region
        self.reason = reason


class RegionHTTPError(CascadingError):
    """A region answered with a 4xx: the request was wrong for it."""

    def __init__(self, region, status, faultstring, body=None):
        super().__init__(faultstring or 'Region %s answered %s'
                         % (region, status))
        self.region = region
        self.status = status
        self.faultstring = faultstring
        self.body = body


class RegionsUnavailable(CascadingError):
    """Regions a request needed did not answer (fan-out, no partial
    results)."""

    def __init__(self, regions, reasons=None):
        self.regions = sorted(regions)
        self.reasons = reasons or {}
        super().__init__('Regions unavailable: %s' % ', '.join(self.regions))


class RegionsCannotAnswer(CascadingError):
    """Regions of a fan-out whose kind cannot answer the question (400,
    without partial results)."""

    def __init__(self, regions, reasons):
        self.regions = sorted(regions)
        self.reasons = reasons
        super().__init__('; '.join('Region %s cannot answer: %s'
                                   % (r, reasons[r]) for r in self.regions))


class UnknownResource(CascadingError):
    """A resource id the resource map does not hold (404)."""

    def __init__(self, resource_id):
        super().__init__('Resource %s Not Found' % resource_id)
        self.resource_id = resource_id


class NotAuthorized(CascadingError):
    """The caller may not do this (registration by a non-admin: 401, as
    the original proxy answered)."""


class InvalidRequest(CascadingError):
    """A request cascading mode cannot serve as asked (400)."""
