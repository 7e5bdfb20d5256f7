#!/bin/bash
#
# Sourced by the tests after devstack's own functions: keeps devstack's
# iniset and appends each call to $INISET_CALL_LOG, one line a call
# ("iniset<TAB>FILE<TAB>SECTION<TAB>OPTION<TAB>VALUE").
# Why: devstack does not log iniset calls; the tests check every write.

INISET_CALL_LOG=${INISET_CALL_LOG:-/dev/null}

eval "$(declare -f iniset | sed '1s/^iniset /_devstack_iniset /')"

function iniset {
    {
        printf iniset
        printf '\t%s' "$@"
        printf '\n'
    } >> "$INISET_CALL_LOG"
    _devstack_iniset "$@"
}

# openstack, recorded the same way, answering as the cloud would what the
# plugin reads: a provider's uuid ("rp-<name>"), its traits (one).
function openstack {
    {
        printf openstack
        printf '\t%s' "$@"
        printf '\n'
    } >> "$INISET_CALL_LOG"
    case " $* " in
        *" resource provider list --name "*)
            local args=("$@") i
            for i in "${!args[@]}"; do
                if [[ ${args[$i]} == --name ]]; then
                    echo "rp-${args[$((i + 1))]}"
                fi
            done
            ;;
        *" resource provider trait list "*) echo COMPUTE_NODE ;;
    esac
}
