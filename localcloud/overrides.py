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

"""``--nova-conf [HOST:]SECTION:OPTION=VALUE``: devstack's post-config for
nova, globally or for one compute host.
"""

import dataclasses


class OverrideError(ValueError):
    pass


@dataclasses.dataclass(frozen=True)
class NovaOverride:
    section: str
    option: str
    value: str
    host: str = None  # None: every nova service

    def __str__(self):
        target = '%s:' % self.host if self.host else ''
        return '%s%s:%s=%s' % (target, self.section, self.option, self.value)


def parse_nova_override(text, compute_hosts):
    """Parse one ``--nova-conf`` argument.

    The value may contain ``:`` and ``=`` (URLs, driver paths): only the
    first ``=`` ends the name.
    """
    usage = ('expected [HOST:]SECTION:OPTION=VALUE, for example '
             'host2:DEFAULT:compute_driver=fake.FakeDriver')
    name, sep, value = text.partition('=')
    if not sep:
        raise OverrideError('--nova-conf %r has no "=": %s' % (text, usage))
    parts = [part.strip() for part in name.split(':')]
    if len(parts) not in (2, 3) or not all(parts):
        raise OverrideError('--nova-conf %r: %s' % (text, usage))
    host = parts[0] if len(parts) == 3 else None
    if host is not None and host not in compute_hosts:
        raise OverrideError(
            '--nova-conf %r names host %r, which this cloud does not have: '
            'expected one of %s, or no host to change every nova service'
            % (text, host, ', '.join(compute_hosts)))
    return NovaOverride(section=parts[-2], option=parts[-1],
                        value=value.strip(), host=host)


def apply(overrides, sections, host=None):
    """Return ``sections`` with the overrides for ``host`` applied.

    ``sections`` is {section: {option: value}}; an override applies when it
    is global or names ``host``; later ones win. The input is not changed.
    """
    merged = {name: dict(options) for name, options in sections.items()}
    for override in overrides:
        if override.host in (None, host):
            merged.setdefault(override.section, {})[override.option] = (
                override.value)
    return merged
