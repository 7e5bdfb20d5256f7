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

from tempest.common import utils
from tempest import config
from tempest.lib.common.utils import data_utils
from tempest.lib import decorators

from resize_tempest_plugin.scenario import base
from resize_tempest_plugin import verdicts

CONF = config.CONF


class CanaryIsolationTest(base.ScenarioTest):
    """No server of an ordinary flavor reaches the canary computes.

    On a shared cloud the test computes run nova's fake drivers, which
    "boot" a server without running it, and report so much free room that
    nova's weighers prefer them for every boot and move. They are kept
    apart by nova's isolated aggregates (``[resize_fail] canary_trait``,
    doc/operator.rst). The request filter behind it forbids the canaries'
    aggregate to every request whose flavor and image do not require the
    trait, a host asked for by name included.

    Steps:

    1. As admin, create a private flavor that requires no trait.
    2. As admin, boot a server of that flavor, asking for the source
       canary by name (compute microversion 2.74, ``host``).
    3. The same, asking for the destination canary.
    4. Check that each server ends ERROR on no host with NoValidHost: a
       server ACTIVE on a canary means the cloud does not isolate it.
    5. Delete the servers and wait until they are gone.
    """

    features = ()
    # The boot's "host" (a host asked for by name, through the scheduler).
    compute_min_microversion = '2.74'

    @classmethod
    def skip_checks(cls):
        super().skip_checks()
        if not CONF.resize_fail.canary_trait:
            raise cls.skipException(
                '[resize_fail] canary_trait is not set: the cloud has no '
                'isolated canary computes to check (doc/operator.rst).')

    @decorators.idempotent_id('44ad04e3-d0dd-477a-80dd-ca671d5a69b8')
    @decorators.attr(type=['slow', 'multinode'])
    @utils.services('compute')
    def test_canary_refuses_ordinary_flavor(self):
        # 1. A flavor that requires nothing, as a user's would.
        flavor = self.create_flavor('ordinary', base.OLD_FLAVOR,
                                    canary=False, access=False)
        # 2 and 3. Ask for each canary by name, both boots at once; 5.
        # the cleanups delete the servers.
        scenes = []
        for reverse in (False, True):
            scene = self.scene(None, base.OLD_FLAVOR, base.OLD_FLAVOR,
                               reverse=reverse, driver=None)
            server = self.admin_conn.compute.create_server(
                name=data_utils.rand_name(prefix=CONF.resource_name_prefix,
                                          name='resize-fail-canary'),
                flavor_id=flavor.id, image_id=CONF.compute.image_ref,
                networks='none', host=scene.source_host)
            self.addCleanup(self.waits.server_gone, server.id,
                            self.admin_conn)
            self.addCleanup(self.admin_conn.compute.delete_server,
                            server.id, ignore_missing=True)
            scenes.append(scene._replace(server_id=server.id))
        # 4. Each must be refused by the scheduler.
        trait = CONF.resize_fail.canary_trait
        for scene in scenes:
            def judge(server, canary=scene.source_host):
                return verdicts.judge_canary_refused(
                    canary, trait, server and server.status,
                    server and server.compute_host,
                    ((server and server.fault) or {}).get('message'))
            try:
                server = self.waits.server_status(scene, 'ERROR',
                                                  judge_end=judge)
                self.check_verdict(scene, judge(server))
            except AssertionError as exc:
                raise self.failureException('%s\n%s' % (
                    exc, self.reads.isolation_evidence(
                        (self.source_rp, self.destination_rp)))) from None
