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
# With RESIZE_FAIL_CANARIES True (devstack/settings), the plugin also
# isolates the two computes as doc/operator.rst's canaries: in "stack
# post-config", [scheduler] enable_isolated_aggregate_filtering in
# $NOVA_CONF; in "stack test-config", cloud_shape.ini's canary trait on
# both computes' resource providers, its canary aggregate holding them and
# requiring the trait, and [resize_fail] canary_trait in $TEMPEST_CONFIG.
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
        compute-feature-enabled.cold_migration
        compute-feature-enabled.live_migration compute.max_microversion
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

# isolate_resize_fail_canaries() - doc/operator.rst's steps 3 and 4
function isolate_resize_fail_canaries {
    local trait=$1
    local aggregate
    local host uuid existing
    local placement=(openstack --os-cloud devstack-admin
        --os-placement-api-version 1.6)

    aggregate=$(iniget "$RESIZE_FAIL_CLOUD_SHAPE" compute canary_aggregate)
    "${placement[@]}" trait create "$trait"
    for host in "$RESIZE_FAIL_SOURCE_HOST" "$RESIZE_FAIL_DESTINATION_HOST"; do
        uuid=$("${placement[@]}" resource provider list --name "$host" \
            -f value -c uuid)
        if [[ -z $uuid ]]; then
            die $LINENO "resize-tempest-plugin: no resource provider" \
                "named $host: is its nova-compute up and mapped?"
        fi
        # "trait set" replaces the provider's traits: keep its own.
        existing=$("${placement[@]}" resource provider trait list "$uuid" \
            -f value | sed 's/^/--trait /')
        # shellcheck disable=SC2086
        "${placement[@]}" resource provider trait set "$uuid" \
            --trait "$trait" $existing
    done
    openstack --os-cloud devstack-admin aggregate create "$aggregate" \
        --property "trait:$trait=required"
    for host in "$RESIZE_FAIL_SOURCE_HOST" "$RESIZE_FAIL_DESTINATION_HOST"; do
        openstack --os-cloud devstack-admin aggregate add host \
            "$aggregate" "$host"
    done
}

if [[ "$1" == "stack" && $RESIZE_FAIL_CANARIES == True ]]; then
    if [[ "${2:-}" == "post-config" ]] && is_service_enabled n-sch; then
        iniset "$NOVA_CONF" scheduler enable_isolated_aggregate_filtering \
            True
    fi
    if [[ "${2:-}" == "test-config" ]] && is_service_enabled tempest; then
        echo_summary "Isolating the resize-tempest-plugin canaries"
        _canary_trait=$(iniget "$RESIZE_FAIL_CLOUD_SHAPE" compute \
            canary_trait)
        isolate_resize_fail_canaries "$_canary_trait"
        iniset "$TEMPEST_CONFIG" resize_fail canary_trait "$_canary_trait"
    fi
fi

if [[ "$1" == "stack" && "${2:-}" == "test-config" ]]; then
    if is_service_enabled tempest; then
        echo_summary "Configuring tempest for resize-tempest-plugin"
        configure_resize_fail_tempest
    fi
fi

# Restore xtrace
$_XTRACE_RESIZE_FAIL
