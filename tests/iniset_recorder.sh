#!/bin/bash
#
# Sourced by the tests after devstack's own functions: keeps devstack's
# iniset and appends each call to $INISET_CALL_LOG, one line a call
# ("iniset<TAB>FILE<TAB>SECTION<TAB>OPTION<TAB>VALUE").
#
# Why: devstack keeps no record of its iniset calls, and the tests must see
# a write to another file or the same option written twice, which the
# resulting files alone do not show.

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
