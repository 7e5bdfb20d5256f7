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

"""What the scenarios read of the cloud, and the evidence a failure carries.

The server as admin sees it, its migration, placement's views and the
instance actions: all admin's to read.
"""

from openstack import exceptions as sdk_exc

from resize_tempest_plugin import clients
from resize_tempest_plugin import evidence
from resize_tempest_plugin import verdicts


class CloudReads:
    """Reads through an admin connection and its placement calls.

    :param admin_conn: an openstack.connection.Connection as admin.
    :param placement: a resize_tempest_plugin.placement.Placement over it.
    """

    def __init__(self, admin_conn, placement):
        self.admin_conn = admin_conn
        self.placement = placement

    def admin_server(self, server_id):
        """The server as admin sees it (host, task state), None if gone."""
        try:
            return self.admin_conn.compute.get_server(server_id)
        except sdk_exc.NotFoundException:
            return None

    def migrations(self, server_id, move=None):
        """The server's migrations (of type ``move``, if given), oldest first.

        Listed by admin: os-migrations gives the migration uuid (a
        placement consumer) from compute microversion 2.59.
        """
        query = {'server_id': server_id}
        if move:
            query['migration_type'] = move
        return sorted(self.admin_conn.compute.migrations(**query),
                      key=_created)

    def migration(self, scene):
        """The server's latest migration of the scene's type, or None."""
        if not scene.move:
            return None  # a move that records no migration (a rebuild)
        migrations = self.migrations(scene.server_id, scene.move)
        return migrations[-1] if migrations else None

    def snapshot(self, scene):
        """The four placement views the verdicts read (see verdicts).

        Read side by side: read one after another, they were no more one
        moment's view, as placement has no snapshot across calls.
        """
        reads = {
            'server': lambda: self.placement.consumer_allocations(
                scene.server_id),
            'migration': lambda: (
                self.placement.consumer_allocations(scene.migration_id)
                if scene.migration_id else {'allocations': {}}),
            'source': lambda: self.placement.provider_allocations(
                scene.source_rp),
            'destination': lambda: self.placement.provider_allocations(
                scene.destination_rp),
        }
        return dict(zip(reads, clients.side_by_side(*reads.values())))

    def actions(self, server_id):
        """The server's instance actions with their events (admin)."""
        compute = self.admin_conn.compute
        return [evidence.action_summary(
            compute.get_server_action(action.request_id, server_id))
            for action in compute.server_actions(server_id)]

    def evidence(self, scene):
        """Everything a reader needs to tell why the scenario failed."""
        scene = self._with_migration(scene)
        consumers = (scene.server_id, scene.migration_id)
        probes = [
            ('server (admin view)',
             lambda: evidence.server_summary(
                 self.admin_server(scene.server_id))),
            ('%s migration' % (scene.move or 'no'),
             lambda: evidence.migration_summary(self.migration(scene))),
            ('instance actions and events',
             lambda: self.actions(scene.server_id)),
            ('allocations of server %s' % scene.server_id,
             lambda: verdicts.by_provider(
                 self.placement.consumer_allocations(scene.server_id))),
        ]
        if scene.migration_id:
            probes.append(
                ('allocations of migration %s' % scene.migration_id,
                 lambda: verdicts.by_provider(
                     self.placement.consumer_allocations(
                         scene.migration_id))))
        for role, host, rp in (
                ('source', scene.source_host, scene.source_rp),
                ('destination', scene.destination_host,
                 scene.destination_rp)):
            probes.append((
                '%s %s (%s): usages; allocations of the server and the '
                'migration' % (role, host, rp),
                lambda rp=rp: {
                    'usages': self.placement.provider_usages(rp),
                    'allocations': verdicts.held_on(
                        self.placement.provider_allocations(rp),
                        consumers)}))
        return evidence.render(evidence.gather(probes))

    def isolation_evidence(self, providers):
        """What isolates the canaries: nova's aggregates, placement's view.

        :param providers: the canaries' resource provider uuids.
        """
        probes = [('host aggregates (compute API)',
                   lambda: [evidence.aggregate_summary(aggregate)
                            for aggregate in
                            self.admin_conn.compute.aggregates()])]
        for rp in providers:
            probes.append((
                'resource provider %s: aggregates and traits in placement'
                % rp,
                lambda rp=rp: {
                    'aggregates': self.placement.provider_aggregates(rp),
                    'traits': self.placement.provider_traits(rp)}))
        return evidence.render(evidence.gather(probes))

    def _with_migration(self, scene):
        """The scene with its migration, which a failed wait may not know."""
        if scene.migration_id or not scene.server_id:
            return scene
        try:
            migration = self.migration(scene)
        except sdk_exc.SDKException:
            return scene  # the evidence's own probe of it says why
        return scene._replace(migration_id=migration and migration.uuid)


def _created(migration):
    return (migration.created_at or '', migration.id)
