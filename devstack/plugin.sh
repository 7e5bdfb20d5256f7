#!/bin/bash
#
# devstack/plugin.sh - DevStack plugin of resize-tempest-plugin
#
# DevStack sources this file as "plugin.sh <mode> [<phase>]" (devstack's
# doc/source/plugins.rst); devstack/settings has been sourced before.
#
# The plugin only configures tempest. In "stack test-config", and only when
# the tempest service is enabled, it writes into $TEMPEST_CONFIG:
#
# * [resize_fail] source_host and destination_host, from devstack/settings;
# * every tempest option listed in the [tempest] section of
#   resize_tempest_plugin/cloud_shape.ini (compute.min_compute_nodes,
#   compute-feature-enabled.resize), read with iniget.
#
# [resize_fail] expected_fault is not written: the plugin's default is read
# from the same cloud_shape.ini. devstack's configure_tempest already sets
# compute-feature-enabled.resize True for the fake driver; it is written
# again so that tempest.conf carries every value of the shape.
#
# The plugin does not shape the cloud (two computes, the destination on the
# failing virt driver): which compute is broken on purpose is spelled out in
# local.conf's post-config or the Zuul job, where a reader sees it; enabling
# a test plugin must not quietly break a compute. See doc/devstack.rst.
#
# This runs in the same phase as devstack's own configure_tempest (which runs
# first) and before local.conf's [[test-config|$TEMPEST_CONFIG]] is merged,
# so anything set there wins over what is written here.

# Save trace setting
_XTRACE_RESIZE_FAIL=$(set +o | grep xtrace)
set +o xtrace

# configure_resize_fail_tempest() - write the scenario's tempest options
function configure_resize_fail_tempest {
    local shape=$RESIZE_FAIL_CLOUD_SHAPE
    local src=$RESIZE_FAIL_SOURCE_HOST
    local dest=$RESIZE_FAIL_DESTINATION_HOST
    # The tempest options (<group>.<option>) that cloud_shape.ini's
    # [tempest] section gives values for: only their names are here.
    local options="compute.min_compute_nodes compute-feature-enabled.resize
        compute-feature-enabled.cold_migration compute.max_microversion
        placement.max_microversion resize_fail.disruptive_tests"
    local option value

    if [[ ! -r $shape ]]; then
        die $LINENO "resize-tempest-plugin: cannot read $shape" \
            "(RESIZE_FAIL_CLOUD_SHAPE)"
    fi
    if [[ -z $src || -z $dest || $src == "$dest" ]]; then
        die $LINENO "resize-tempest-plugin: RESIZE_FAIL_SOURCE_HOST" \
            "('$src') and RESIZE_FAIL_DESTINATION_HOST ('$dest') must" \
            "name two different nova-compute hosts"
    fi

    iniset "$TEMPEST_CONFIG" resize_fail source_host "$src"
    iniset "$TEMPEST_CONFIG" resize_fail destination_host "$dest"

    for option in $options; do
        value=$(iniget "$shape" tempest "$option")
        if [[ -z $value ]]; then
            die $LINENO "resize-tempest-plugin: $shape has no value" \
                "for $option in its [tempest] section"
        fi
        iniset "$TEMPEST_CONFIG" "${option%%.*}" "${option#*.}" "$value"
    done
}

if [[ "$1" == "stack" && "${2:-}" == "test-config" ]]; then
    if is_service_enabled tempest; then
        echo_summary "Configuring tempest for resize-tempest-plugin"
        configure_resize_fail_tempest
    fi
fi

# Restore xtrace
$_XTRACE_RESIZE_FAIL
