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

"""Pinning a move through the API alone: custom traits and flavors.

A private flavor requires a trait unique to the test, set on one resource
provider only, so the scheduler can only choose that provider's host,
whatever its settings (such as ``allow_resize_to_same_host``).
"""

import uuid

from tempest import config
from tempest.lib.common.utils import data_utils

CONF = config.CONF

# The two flavors differ in VCPU, MEMORY_MB and DISK_GB, so that an
# allocation tells which flavor it was made for.
OLD_FLAVOR = {'vcpus': 1, 'ram': 128, 'disk': 1}
NEW_FLAVOR = {'vcpus': 2, 'ram': 192, 'disk': 2}


class PinningMixin:
    """Traits and flavors, each undone by a cleanup registered first.

    Needs ``self.placement`` and ``self.admin_conn`` (admin: traits,
    placement and flavors are admin's), and ``self.os_primary``.
    """

    def create_trait(self, role):
        """A custom trait unique to this test, on no provider yet."""
        trait = 'CUSTOM_RESIZE_FAIL_%s_%s' % (role, uuid.uuid4().hex.upper())
        self.placement.create_trait(trait)
        self.addCleanup(self.placement.delete_trait, trait)
        return trait

    def set_trait(self, provider, trait):
        """Set ``trait`` on ``provider``, removed again at cleanup."""
        # Registered before the change, so that a half-done change is
        # undone too; the removal leaves every other trait in place.
        self.addCleanup(self.placement.remove_provider_trait, provider, trait)
        self.placement.add_provider_trait(provider, trait)

    def pin_trait(self, provider, role):
        """A trait unique to this test, set on ``provider`` only."""
        trait = self.create_trait(role)
        self.set_trait(provider, trait)
        return trait

    def move_trait(self, trait, from_provider, to_provider):
        """Move ``trait`` so that only ``to_provider`` has it."""
        self.set_trait(to_provider, trait)
        self.placement.remove_provider_trait(from_provider, trait)

    def create_flavor(self, label, sizes, trait):
        """A private flavor for the primary project, requiring ``trait``."""
        compute = self.admin_conn.compute
        flavor = compute.create_flavor(
            name=data_utils.rand_name(prefix=CONF.resource_name_prefix,
                                      name='resize-fail-%s' % label),
            is_public=False, **sizes)
        self.addCleanup(compute.delete_flavor, flavor, ignore_missing=True)
        compute.create_flavor_extra_specs(
            flavor, {'trait:%s' % trait: 'required'})
        compute.flavor_add_tenant_access(
            flavor, self.os_primary.credentials.project_id)
        return flavor

    def pin_resize(self, scene):
        """The old and the new flavor, each pinned by a trait of its own.

        The old one pins the boot to the scene's source, the new one the
        resize to its destination.
        """
        return (
            self.create_flavor('old', OLD_FLAVOR,
                               self.pin_trait(scene.source_rp, 'SRC')),
            self.create_flavor('new', NEW_FLAVOR,
                               self.pin_trait(scene.destination_rp, 'DST')))
