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

"""What a cloud keeps in its state directory: the generated secrets, the
record of what ``up`` brought up, and which bootstrap steps are done.
"""

import json
import os
import secrets as secrets_mod
import threading

from localcloud import configs

SECRET_NAMES = (('database', 'rabbitmq', 'admin') + configs.SERVICE_USERS
                + tuple(name for name, _role in configs.TEST_ACCOUNTS))


class State:
    def __init__(self, paths):
        self.paths = paths
        self._secrets = None
        self._record_lock = threading.Lock()

    @property
    def secrets(self):
        """{name: secret}, generated on first use and kept 0600."""
        if self._secrets is None:
            try:
                with open(self.paths.secrets) as f:
                    self._secrets = json.load(f)
            except FileNotFoundError:
                self._secrets = {}
            # A state made before a name was added gets it now.
            missing = [n for n in SECRET_NAMES if n not in self._secrets]
            if missing:
                self._secrets.update(
                    (name, secrets_mod.token_urlsafe(24)) for name in missing)
                configs.write_private(self.paths.secrets,
                                      json.dumps(self._secrets))
        return self._secrets

    def redact(self, text):
        """``text`` with every generated secret masked, for logs."""
        for secret in self.secrets.values():
            text = text.replace(secret, '***')
        return text

    def load_record(self):
        try:
            with open(self.paths.cloud_record) as f:
                return json.load(f)
        except FileNotFoundError:
            return {}

    def save_record(self, **fields):
        self.update_record(lambda record: record.update(fields))

    def update_record(self, change):
        """Read, change and write the record as one step among threads."""
        with self._record_lock:
            record = self.load_record()
            change(record)
            configs.write_private(self.paths.cloud_record,
                                  json.dumps(record, indent=2))

    def remember_process(self, name, pid, started_as):
        """Record a started process with its command line.

        So that down can stop it even when supervisord is gone.
        """
        self.update_record(lambda record: record.setdefault(
            'processes', {}).update({name: [pid, started_as]}))

    def recorded_processes(self):
        """{name: (pid, command line at its start)}."""
        return {name: tuple(entry) for name, entry in
                (self.load_record().get('processes') or {}).items()}

    def is_done(self, step):
        """Whether the bootstrap step ``step`` ran to its end once."""
        return os.path.exists(self.paths.path('done', step))

    def mark_done(self, step):
        os.makedirs(self.paths.path('done'), exist_ok=True)
        open(self.paths.path('done', step), 'w').close()
