# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""Options of the plugin, with defaults read from cloud_shape.ini.

cloud_shape.ini (shipped beside this module) describes, once, the cloud the
scenario needs; the devstack plugin and the local cloud read the same file.
Tempest's own options are reused rather than redefined:
compute-feature-enabled.resize, compute.min_compute_nodes,
compute.build_timeout/build_interval, resource_name_prefix, compute.image_ref
and the identity settings.
"""

import configparser
import os

from oslo_config import cfg

SHAPE_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          'cloud_shape.ini')


def load_shape(path=SHAPE_FILE):
    """Read cloud_shape.ini and return it as a ConfigParser.

    A missing file gives an empty shape rather than an error: tempest
    loads every plugin for every command, so an install without its data
    files must not break them all. The options whose defaults it gives are
    then unset, and the tests say so (ScenarioTest.skip_checks).
    """
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path)
    return parser


SHAPE = load_shape()


def _shape(section, key):
    return SHAPE.get(section, key, fallback=None)


DESTINATION_DRIVER = _shape('compute', 'destination_driver')
TEST_REGEX = _shape('tempest', 'test_regex')

resize_fail_group = cfg.OptGroup(
    name='resize_fail',
    title='Resize failing on the destination host',
    help='Options of resize_tempest_plugin: the two nova-compute hosts of '
         'the scenario and the fault it expects. The scenario also uses '
         'tempest\'s compute-feature-enabled.resize (must be True), '
         'compute.min_compute_nodes (must be at least 2), '
         'compute.image_ref, compute.build_timeout and '
         'compute.build_interval.')

ResizeFailGroup = [
    cfg.StrOpt('source_host',
               default=_shape('compute', 'source_host'),
               help='Host name of the nova-compute service that the test '
                    'boots its server on, as "openstack compute service '
                    'list --service nova-compute" shows it. Any enabled '
                    'and up compute with a working virt driver will do. '
                    'Set it when your computes are not named like the '
                    'devstack job\'s and the local cloud\'s. Must differ '
                    'from destination_host.'),
    cfg.StrOpt('destination_host',
               default=_shape('compute', 'destination_host'),
               help='Host name of the nova-compute service whose '
                    'compute_driver is %s: the test resizes its server '
                    'there and expects finish_migration to fail. Set it to '
                    'the compute you configured with that driver; the test '
                    'fails, naming the driver, if the resize does not fail '
                    'there.' % DESTINATION_DRIVER),
    cfg.StrOpt('expected_fault',
               default=_shape('compute', 'expected_fault'),
               help='Text that the server\'s fault message must contain '
                    'after the failed resize: what nova records for the '
                    'VirtualInterfaceCreateException that the failing '
                    'driver raises. Change it only if your nova words that '
                    'message differently.'),
    cfg.StrOpt('canary_trait',
               help='A custom trait that isolates the test computes (the '
                    'canaries) from every other server on a shared cloud: '
                    'nova-scheduler has [scheduler] '
                    'enable_isolated_aggregate_filtering = True, the '
                    'canaries are in a host aggregate whose metadata is '
                    'trait:<this trait>=required, and their resource '
                    'providers have the trait. When it is set, every flavor '
                    'the tests create requires it too, and '
                    'test_canary_isolation checks that a server of a flavor '
                    'that does not require it cannot reach the canaries. '
                    'Unset (the default): the flavors are as they were and '
                    'that test skips. doc/operator.rst gives the recipe.'),
    cfg.BoolOpt('disruptive_tests',
                default=False,
                help='Run the regression tests that change the cloud for '
                     'everyone on it while they run: they force a compute '
                     'service down, disable one, or fill a host. Each puts '
                     'the service back in a cleanup and runs alone (tempest '
                     'runs no other test beside it). Turn it on for a '
                     'cloud of its own (devstack, the local cloud), not a '
                     'shared one.'),
]

#: (group, options) pairs: what plugin.register_opts registers and what
#: plugin.get_opt_lists and list_opts report, from one list.
OPT_GROUPS = [
    (resize_fail_group, ResizeFailGroup),
]


def list_opts():
    """Options for oslo-config-generator (oslo.config.opts entry point)."""
    return [(group, opts) for group, opts in OPT_GROUPS]
