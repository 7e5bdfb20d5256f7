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

"""The nova the cloud runs: the pinned release, a source tree, patches.

``--nova-source DIR`` runs nova's services from DIR, imported in place ahead
of the venv's nova (an edit there is live at the next ``restart``), with
every other package still the venv's, pinned by constraints.txt.
``--nova-patch FILE`` applies a unified diff (``git diff``,
``git format-patch``) to a copy of that nova's package in the state
directory, the overlay: the venv's install is never changed, so a later
cloud without the flag runs the pinned nova, and ``down --purge`` removes
every trace of the patch.
"""

import dataclasses
import hashlib
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys

from localcloud import errors

OVERLAY = 'nova-overlay'
# What a nova tree has, whatever its version.
NOVA_MARKERS = (os.path.join('nova', '__init__.py'),
                os.path.join('nova', 'compute', 'manager.py'))


class NovaTreeError(errors.CloudError):
    pass


@dataclasses.dataclass(frozen=True)
class NovaChoice:
    """Which nova: a tree (``source``, None for the venv's) and patches.

    The patches are applied to it in order.
    """

    source: str = None
    patches: tuple = ()

    @classmethod
    def from_args(cls, source=None, patches=()):
        """Validated, with absolute paths; NovaTreeError on bad input."""
        if source:
            source = os.path.abspath(source)
            check_source(source)
        patches = tuple(os.path.abspath(p) for p in patches or ())
        for patch in patches:
            check_patch_file(patch)
        return cls(source=source, patches=patches)

    @classmethod
    def from_record(cls, record):
        return cls(source=record.get('source'),
                   patches=tuple(record.get('patches') or ()))

    def as_record(self):
        return {'source': self.source, 'patches': list(self.patches)}

    @property
    def is_release(self):
        return not self.source and not self.patches


def check_source(path):
    if not os.path.isdir(path):
        raise NovaTreeError(
            '--nova-source %s: no such directory. Give a nova git checkout '
            'or an unpacked nova sdist (pip download --no-deps --no-binary '
            ':all: nova==VERSION, then tar xzf).' % path)
    missing = [m for m in NOVA_MARKERS
               if not os.path.isfile(os.path.join(path, m))]
    name = _distribution_name(path)
    if missing or name != 'nova':
        seen = ('it has no %s' % ' or '.join(missing) if missing else
                'its setup.cfg / PKG-INFO names %r, not nova' % name)
        raise NovaTreeError(
            '--nova-source %s is not a nova tree: %s. Give the top of a nova '
            'git checkout or of an unpacked nova sdist (where setup.cfg and '
            'the nova/ package are).' % (path, seen))


def _distribution_name(tree):
    """The name in a tree's setup.cfg ([metadata] name) or PKG-INFO."""
    for filename, pattern in (('setup.cfg', r'^name\s*=\s*(\S+)'),
                              ('PKG-INFO', r'^Name:\s*(\S+)')):
        try:
            with open(os.path.join(tree, filename)) as f:
                found = re.search(pattern, f.read(), re.MULTILINE)
        except OSError:
            continue
        if found:
            return found.group(1).lower()
    return None


def check_patch_file(path):
    try:
        with open(path, errors='replace') as f:
            text = f.read()
    except FileNotFoundError:
        raise NovaTreeError('--nova-patch %s: no such file. Give the path of '
                            'a unified diff of nova (git diff, git '
                            'format-patch).' % path)
    except OSError as exc:
        raise NovaTreeError('--nova-patch %s cannot be read: %s'
                            % (path, exc.strerror))
    if not re.search(r'^--- .*\n\+\+\+ .*\n@@ ', text, re.MULTILINE):
        raise NovaTreeError(
            '--nova-patch %s holds no unified diff (no "--- a/...", '
            '"+++ b/...", "@@" lines): give what git diff or git '
            'format-patch of nova write.' % path)


def venv_site_packages(venv):
    return os.path.join(venv, 'lib', 'python%d.%d' % sys.version_info[:2],
                        'site-packages')


def base_tree(choice, venv):
    """The directory whose nova/ package the choice starts from."""
    return choice.source or venv_site_packages(venv)


def import_path(choice, state):
    """Where nova's processes import nova from, or None for the venv's."""
    if choice.patches:
        return os.path.join(state, OVERLAY)
    return choice.source


def prepare(choice, venv, state):
    """Where nova's processes import nova from, or None for the venv's.

    With patches, a fresh overlay is built each time (a source tree may have
    changed since): its nova/ is a copy of the base's with every patch
    applied, checked all together before anything replaces the overlay in
    use. NovaTreeError names the patch and the hunk that does not apply.
    """
    overlay = import_path(choice, state)
    if not choice.patches:
        return overlay
    scratch = overlay + '.new'
    shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(scratch, mode=0o700)
    try:
        # Modification times are kept (copy2), so that the compiled
        # bytecode beside each unpatched module stays valid: only what a
        # patch changes is compiled again.
        shutil.copytree(os.path.join(base_tree(choice, venv), 'nova'),
                        os.path.join(scratch, 'nova'), symlinks=True)
        base = describe_base(choice, venv)
        for patch in choice.patches:
            _apply(patch, scratch, base)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    shutil.rmtree(overlay, ignore_errors=True)
    os.rename(scratch, overlay)
    return overlay


def remove_overlay(state):
    shutil.rmtree(os.path.join(state, OVERLAY), ignore_errors=True)


def _git(args, cwd, stdin=None):
    # The overlay may sit inside a git checkout (the default home is in the
    # repository): git must not treat it as a path of that repository.
    env = dict(os.environ, GIT_CEILING_DIRECTORIES=os.path.dirname(cwd))
    return subprocess.run(['git'] + args, cwd=cwd, env=env, input=stdin,
                          capture_output=True, text=True)


def _apply(patch, tree, base_description):
    with open(patch, errors='replace') as f:
        text = f.read()
    check = _git(['apply', '--check', '-p1', '-'], tree, stdin=text)
    if check.returncode == 0:
        _git(['apply', '-p1', '-'], tree, stdin=text)
        return
    raise NovaTreeError(explain_failure(patch, text, check.stderr, tree,
                                        base_description))


def explain_failure(patch, text, git_error, tree, base_description):
    """Why ``patch`` does not apply to ``tree``: git apply's own words.

    Plus what git cannot say: which of the files it changes this nova has
    at another version than the one it was written for.
    """
    sentence = '--nova-patch %s does not apply to %s: git apply says: %s' % (
        patch, base_description, git_error.strip())
    for path, base_blob in patch_base_blobs(text):
        if not os.path.exists(os.path.join(tree, path)):
            continue
        have = _git(['hash-object', path], tree).stdout.strip()
        if have and not have.startswith(base_blob):
            sentence += (
                '\nIt was written for another nova version: its %s is blob '
                '%s, this nova\'s is %s.' % (path, base_blob[:12], have[:12]))
    return sentence + ('\nRegenerate it against this nova (git diff or git '
                       'format-patch in a checkout of it), or run without it.')


def patched_files(patch):
    """The paths that the unified diff in file ``patch`` changes."""
    with open(patch) as f:
        return set(re.findall(r'^\+\+\+ b/(\S+)', f.read(), re.M))


def patch_base_blobs(text):
    """(path, pre-image blob id) of each file whose index line says it."""
    found = []
    for section in re.split(r'^(?=diff --git )', text, flags=re.MULTILINE):
        path = re.search(r'^\+\+\+ b/(\S+)$', section, re.MULTILINE)
        blob = re.search(r'^index ([0-9a-f]{7,40})\.\.', section,
                         re.MULTILINE)
        if path and blob:
            found.append((path.group(1), blob.group(1)))
    return found


def describe_base(choice, venv):
    """Which nova the choice starts from, for a person."""
    if not choice.source:
        return 'nova %s (the release in %s)' % (installed_version(), venv)
    return 'nova %s from %s' % (source_version(choice.source), choice.source)


def describe(choice, venv):
    """Which nova runs: version, where from, the patches applied."""
    text = describe_base(choice, venv)
    for patch in choice.patches:
        try:
            with open(patch, 'rb') as f:
                digest = 'sha256 %s' % hashlib.sha256(
                    f.read()).hexdigest()[:12]
        except OSError as exc:
            digest = 'unreadable now: %s' % exc.strerror
        text += ' + patch %s (%s)' % (patch, digest)
    return text


def installed_version():
    try:
        return importlib.metadata.version('nova')
    except importlib.metadata.PackageNotFoundError:
        return '(not installed)'


def source_version(tree):
    """``git describe`` of a checkout, or an sdist's PKG-INFO version."""
    if os.path.exists(os.path.join(tree, '.git')):
        described = subprocess.run(
            ['git', '-C', tree, 'describe', '--tags', '--always', '--dirty'],
            capture_output=True, text=True)
        if described.returncode == 0:
            return 'git %s' % described.stdout.strip()
    try:
        with open(os.path.join(tree, 'PKG-INFO')) as f:
            found = re.search(r'^Version:\s*(\S+)', f.read(), re.MULTILINE)
        if found:
            return '%s (sdist)' % found.group(1)
    except OSError:
        pass
    return '(version unknown)'
