#!/bin/bash
#
# A minimal stand-in for the devstack functions that devstack/settings and
# devstack/plugin.sh call, so that tests can source them without devstack.
# Written for these tests; semantics follow devstack's documented behaviour:
#
# * iniset FILE SECTION OPTION VALUE: set OPTION in [SECTION], adding the
#   section or the option when missing. Each call is also appended to
#   $SHIM_CALL_LOG as "iniset<TAB>FILE<TAB>SECTION<TAB>OPTION<TAB>VALUE".
# * iniget FILE SECTION OPTION: print the value of the first OPTION line of
#   [SECTION] (text after the first "=", blanks trimmed); nothing if absent.
# * is_service_enabled SERVICE...: true if any is in $ENABLED_SERVICES
#   (comma separated).
# * die LINENO MESSAGE...: print the message to stderr, exit 1.
# * echo_summary, define_plugin: log, do nothing else.

#
# Sourced with --log-only after devstack's own functions-common and
# inc/ini-config, it keeps devstack's functions and only wraps iniset to log
# its calls (and adds echo_summary, which devstack defines in stack.sh).

SHIM_CALL_LOG=${SHIM_CALL_LOG:-/dev/null}

function _shim_log {
    local IFS=$'\t'
    echo "$*" >> "$SHIM_CALL_LOG"
}

function echo_summary {
    _shim_log echo_summary "$*"
}

if [[ ${1:-} == --log-only ]]; then
    eval "$(declare -f iniset | sed '1s/^iniset /_shim_devstack_iniset /')"
    function iniset {
        _shim_log iniset "$@"
        _shim_devstack_iniset "$@"
    }
    return 0
fi

function iniset {
    local file=$1 section=$2 option=$3 value=$4
    _shim_log iniset "$file" "$section" "$option" "$value"
    if [[ -z $section || -z $option ]]; then
        return 0
    fi
    touch "$file"
    awk -v header="[$section]" -v option="$option" -v value="$value" '
        function put() { print option " = " value; done = 1 }
        function flush() { for (; blanks > 0; blanks--) print "" }
        /^[ \t]*$/ { blanks++; next }
        /^\[.*\]/ {
            if (in_section && !done) put()
            flush()
            in_section = ($0 == header)
            if (in_section) seen = 1
            print
            next
        }
        in_section && !done {
            eq = index($0, "=")
            key = substr($0, 1, eq - 1)
            sub(/[ \t]+$/, "", key)
            if (eq > 0 && key == option) { flush(); put(); next }
        }
        { flush(); print }
        END {
            if (in_section && !done) put()
            flush()
            if (!seen) { print ""; print header; put() }
        }
    ' "$file" > "$file.shim" && mv "$file.shim" "$file"
}

function iniget {
    local file=$1 section=$2 option=$3
    awk -v header="[$section]" -v option="$option" '
        /^\[.*\]/ { in_section = ($0 == header); next }
        in_section {
            eq = index($0, "=")
            if (eq == 0) next
            key = substr($0, 1, eq - 1)
            sub(/[ \t]+$/, "", key)
            if (key != option) next
            value = substr($0, eq + 1)
            gsub(/^[ \t]+|[ \t]+$/, "", value)
            print value
            exit
        }
    ' "$file"
}

function is_service_enabled {
    local service
    for service in "$@"; do
        if [[ ,${ENABLED_SERVICES:-}, == *,${service},* ]]; then
            return 0
        fi
    done
    return 1
}

function die {
    shift
    echo "die: $*" >&2
    exit 1
}

function define_plugin {
    _shim_log define_plugin "$*"
}
