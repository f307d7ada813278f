# What this deploy host applied (APPLIED_DIR), and the hosts deploy-config wrote into the inventory (HOSTS_FILE:
# `<name> <host hash> <address> <role,role>` a line). A record is written only after the run it describes succeeded,
# so a command that finds its own hash recorded has nothing to do: an update of its script text alone runs nothing.
record_get() {
    cat "$APPLIED_DIR/$1" 2>/dev/null || true
}
record_put() {
    local file=$APPLIED_DIR/$1
    mkdir -p "$(dirname "$file")"
    printf '%s\n' "$2" > "$file.new"
    mv -f "$file.new" "$file"
}
record_drop() {
    rm -f "$APPLIED_DIR/$1"
}
# The inventory's hosts, in the stack's order.
inventory_hosts() {
    hosts_with_role ""
}
# hosts_with_role ROLE: the inventory's hosts that have ROLE ("": every host).
hosts_with_role() {
    local list
    list=$(cat "$HOSTS_FILE" 2>/dev/null || true)
    awk -v role="$1" 'NF >= 4 && (role == "" || index("," $4 ",", "," role ",")) { print $1 }' <<< "$list"
}
# The host-hash deploy-config wrote for a host ("" when it is not in the inventory).
inventory_host_hash() {
    local list
    list=$(cat "$HOSTS_FILE" 2>/dev/null || true)
    awk -v h="$1" '$1 == h { print $2 }' <<< "$list"
}
# Hosts joining a running cloud: in the inventory, never bootstrapped from here, while other hosts were. Each is
# brought in by its own command (kolla-host-<name>); every other kolla-ansible run leaves it out until then, since
# it has no Docker yet. Before any host was bootstrapped, there are none: the stages take every host.
joining_hosts() {
    local h any=no
    local -a hosts
    mapfile -t hosts < <(inventory_hosts)
    for h in "${hosts[@]}"; do
        [ -z "$(record_get "bootstrap/$h")" ] || any=yes
    done
    [ "$any" = yes ] || return 0
    for h in "${hosts[@]}"; do
        [ -n "$(record_get "bootstrap/$h")" ] || echo "$h"
    done
}
# The --limit of a run on BASE (an inventory pattern; empty = every host) without the joining hosts: empty when
# that is every host (no --limit at all), else e.g. `all:!cmp3` or `compute:!cmp3` (Ansible's `:!` excludes).
limit_without_joiners() {
    local out=${1:-all} h
    for h in $(joining_hosts); do out+=":!$h"; done
    [ "$out" = all ] || printf '%s' "$out"
}
# kolla TIMEOUT ACTION [ARGS...]: one kolla-ansible run, with the lines every run prints (start, done, or the failure
# naming the full log); a failure ends the script with kolla-ansible's exit code.
kolla() {
    local limit=$1 rc=0
    shift
    echo "== $(date -Is) kolla-ansible $* (within $limit)"
    run_kolla "$limit" "$@" || rc=$?
    if [ "$rc" -ne 0 ]; then
        [ "$rc" -ne 124 ] || echo "== kolla-ansible $1 did not finish within $limit" >&2
        echo "== $(date -Is) kolla-ansible $1 failed (exit $rc); full log: $KOLLA_LOG on $(hostname)" >&2
        exit "$rc"
    fi
    echo "== $(date -Is) kolla-ansible $1 done"
}
# bootstrap_hosts HOST...: bootstrap-servers (kolla-host.yml) on these hosts, recording BOOTSTRAP_HASH for each. On a
# running cloud one host at a time: a Docker engine update restarts every container of its host, and kolla's
# "Subsequent bootstrap considerations" (doc/source/reference/deployment-and-bootstrapping/bootstrap-servers.rst,
# 2023.1 and 2026.1) has --limit batches keep the quorum of clustered services. Before the first deploy, at once.
bootstrap_hosts() {
    local h all
    [ $# -gt 0 ] || return 0
    if [ -s "$DEPLOYED_MARKER" ]; then
        for h in "$@"; do
            echo "== bootstrap-servers on $h alone: the cloud is running (one host at a time keeps its quorum)"
            kolla "$BOOTSTRAP_TIMEOUT" bootstrap-servers --limit "$h"
            record_put "bootstrap/$h" "$BOOTSTRAP_HASH"
        done
        return 0
    fi
    all=$(inventory_hosts | paste -sd, -)
    if [ "$(printf '%s\n' "$@" | paste -sd, -)" = "$all" ]; then
        kolla "$BOOTSTRAP_TIMEOUT" bootstrap-servers
    else
        kolla "$BOOTSTRAP_TIMEOUT" bootstrap-servers --limit "$(printf '%s\n' "$@" | paste -sd, -)"
    fi
    for h in "$@"; do record_put "bootstrap/$h" "$BOOTSTRAP_HASH"; done
}
# After a deploy that ran on every host but the joining ones: each such host is deployed with its current settings.
record_deployed_hosts() {
    local h joining
    joining=" $(joining_hosts | tr '\n' ' ') "
    for h in $(inventory_hosts); do
        [[ $joining == *" $h "* ]] || record_put "hosts/$h" "$(inventory_host_hash "$h")"
    done
}
