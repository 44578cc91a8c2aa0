"""Region drivers: how the cascading level speaks to one region.

The cascading logic (metering, alarms, reconciler) asks a region its
questions in this project's own terms, through the methods of
base.RegionDriver; only a driver knows the region's API. Drivers are
loaded by name from the ``ceilometer_proxy.region_drivers`` entry points:
``v2`` (a Ceilometer v2 API, such as this project in local mode) and
``gnocchi`` (Gnocchi for metering and Aodh for alarms). Each comes
wrapped in answers.Checked, so a region's unusable answer is that
region's failure, never the cascading level's.
"""

from stevedore import driver as stevedore_driver
from stevedore import exception as stevedore_exc

from ceilometer_proxy.cascading.drivers import answers
from ceilometer_proxy.cascading import errors

NAMESPACE = 'ceilometer_proxy.region_drivers'


def load(name, region, registry, conf):
    """A new driver ``name`` for ``region``.

    :param registry: the RegionRegistry giving the region's endpoints.
    :param conf: the service's ConfigOpts.
    """
    try:
        manager = stevedore_driver.DriverManager(
            NAMESPACE, name, invoke_on_load=True,
            invoke_args=(region, registry, conf))
    except (stevedore_exc.NoMatches, RuntimeError) as err:
        raise errors.InvalidRequest('Region %s: no region driver %r (%s)'
                                    % (region, name, err))
    return answers.Checked(manager.driver)
