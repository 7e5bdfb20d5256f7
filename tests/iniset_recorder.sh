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
