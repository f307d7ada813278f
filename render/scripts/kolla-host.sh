# One target host's own command, kolla-ansible's runbooks for adding and removing a host (doc/source/user/
# adding-and-removing-hosts.rst, the same in 2023.1 and 2026.1). $1 = create | update: bring the host to what the
# stack describes, unless the deploy host recorded it deployed with exactly that (HOST_HASH): compute-only hosts with
# bootstrap-servers, pull and deploy limited to the host; a controller or network host with its own bootstrap and
# pull, every controller's bootstrap (each lists every controller in /etc/hosts, which RabbitMQ needs), a deploy of
# the whole cloud (a limit must include every controller) and the re-balancing of network agents onto it.
# $1 = delete: remove the host from the running cloud, once deploy-config took it out of the inventory: disable its
# nova-compute and live-migrate its instances, move routers and DHCP networks off its agents, stop its containers,
# deploy the remaining controllers, delete its agents and compute services. Every step may run again (a delete is
# retried after it ran); a step that would lose instances or cannot reach the host stops the removal unless the
# operator listed the host in forceRemoveHosts (deploy-config's FORCE_REMOVE_FILE, written in the same pulumi up).
local mode=${1:-}
case $mode in
    create | update | delete) ;;
    *) echo "== kolla-host $HOST: usage: bash -s -- create|update|delete" >&2; exit 2 ;;
esac
hold_deploy_lock "kolla-host $HOST ($mode)" "$LOG_DIR/host-$HOST.log"
KOLLA_LOG=$LOG_DIR/host-$HOST.log
digest_output_to "$KOLLA_LOG"
export VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$VENV/share/ansible/collections"
# run_kolla (kolla-cli.sh) reads INVENTORY: the stack's, or for a removal a copy that still has this host.
INVENTORY=$KOLLA_INVENTORY

# ---------- adding (create, update) ----------
add_host() {
    local recorded deployed_hash h limit
    local -a bootstrap=() controllers=()
    deployed_hash=$(inventory_host_hash "$HOST")
    if [ -z "$deployed_hash" ]; then
        echo "== kolla-host $HOST: $HOST is not in $HOSTS_FILE: deploy-config did not write this stack's inventory yet" >&2
        exit 1
    fi
    if [ "$deployed_hash" != "$HOST_HASH" ]; then
        echo "== kolla-host $HOST: $HOSTS_FILE describes $HOST as $deployed_hash, this command as $HOST_HASH: the deploy host's configuration is from another pulumi up; run pulumi up again" >&2
        exit 1
    fi
    recorded=$(record_get "hosts/$HOST")
    if [ "$recorded" = "$HOST_HASH" ]; then
        echo "== $HOST is deployed with these settings ($HOST_HASH, by the cloud-wide deploy or an earlier run of this command): nothing to do"
        return 0
    fi
    if [ ! -s "$DEPLOYED_MARKER" ]; then
        echo "== kolla-host $HOST: nothing was deployed from this deploy host ($DEPLOYED_MARKER is missing): the deploy stage deploys every host; run pulumi up again once it has succeeded" >&2
        exit 1
    fi
    echo "== $(date -Is) $HOST ${recorded:+changed}${recorded:-joins the cloud} (roles ${HOST_ROLES[*]}; settings $HOST_HASH)"
    # 1. bootstrap-servers where what it installs is not there yet: this host, and with a controller every controller.
    [ "$(record_get "bootstrap/$HOST")" = "$BOOTSTRAP_HASH" ] || bootstrap+=("$HOST")
    if [ "$CONTROL" = true ]; then
        mapfile -t controllers < <(hosts_with_role control)
        for h in "${controllers[@]}"; do
            [ "$h" = "$HOST" ] || [ -z "$(record_get "bootstrap/$h")" ] || bootstrap+=("$h")
        done
    fi
    bootstrap_hosts "${bootstrap[@]}"
    # 2. its images, 3. its containers.
    kolla "$PULL_TIMEOUT" pull --limit "$LIMIT"
    if [ "$COMPUTE_ONLY" = true ]; then
        kolla "$DEPLOY_TIMEOUT" deploy --limit "$LIMIT"
        record_put "hosts/$HOST" "$HOST_HASH"
    else
        limit=$(limit_without_joiners "")
        kolla "$DEPLOY_TIMEOUT" deploy ${limit:+--limit "$limit"}
        record_deployed_hosts
    fi
    echo "== $(date -Is) $HOST deployed ($HOST_HASH)"
    # 4. Routers and DHCP networks are not moved onto new agents by themselves: best effort, after the record.
    if [ "$NETWORK" = true ] && [ -z "$recorded" ]; then
        rebalance_agents || echo "== $HOST: re-balancing the network agents did not finish; the host is deployed (see $KOLLA_LOG)"
    fi
}

# ---------- the OpenStack API, as admin ----------
os() {
    openstack "$@"
}
use_admin_credentials() {
    if [ ! -s "$ADMIN_OPENRC" ]; then
        echo "== kolla-host $HOST: $ADMIN_OPENRC is missing (post-deploy writes it): cannot reach the OpenStack API" >&2
        return 1
    fi
    set +u
    # shellcheck disable=SC1090
    . "$ADMIN_OPENRC"
    set -u
}
# The name nova and neutron know this host by: kolla leaves their `host` to the host's own hostname, which may be
# the inventory name, its first label, or longer (kolla-ansible nova-cell/neutron templates, libvirt driver).
service_host() {
    local names
    names=$({ os compute service list -f value -c Host; os network agent list -f value -c Host; } | sort -u)
    awk -v h="$HOST" 'BEGIN { split(h, p, "."); s = p[1] } $0 == h { print; found = 1; exit }
        { split($0, q, "."); if (q[1] == s && !alt) alt = $0 } END { if (!found && alt) print alt }' <<< "$names"
}
agent_of() { # agent_of TYPE HOST: the id of HOST's agent of TYPE (l3, dhcp)
    local list
    list=$(os network agent list --host "$2" --agent-type "$1" -f value -c ID)
    head -n 1 <<< "$list"
}
agent_items() { # agent_items TYPE AGENT: the routers (l3) or networks (dhcp) it hosts
    local list
    if [ "$1" = l3 ]; then list=$(os router list --agent "$2" -f value -c ID); else list=$(os network list --agent "$2" -f value -c ID); fi
    grep . <<< "$list" || true
}
# (Callers test its status, which turns off errexit inside it: each step returns on failure itself.)
move_item() { # move_item TYPE ITEM FROM TO: a router leaves its agent first (it lives on one), a network joins first
    if [ "$1" = l3 ]; then
        os network agent remove router --l3 "$3" "$2" || return
        os network agent add router --l3 "$4" "$2" || return
    else
        os network agent add network --dhcp "$4" "$2" || return
        os network agent remove network --dhcp "$3" "$2" || return
    fi
    echo "== moved $([ "$1" = l3 ] && echo router || echo network) $2 from agent $3 to $4"
}

# After a network host joined: move routers and DHCP networks from the busiest agents onto its agents until none
# carries more than one above it (kolla: "Some resources may not be automatically balanced onto the new
# controllers ... networks hosted by Neutron DHCP agent, and routers hosted by Neutron L3 agent"). Each router moved
# is briefly unreachable.
rebalance_agents() {
    local type mine list a total count busiest most item i nh
    use_admin_credentials || return 1
    nh=$(service_host) || return 1
    [ -n "$nh" ] || { echo "== $HOST: no network agent of $HOST is registered yet: nothing to re-balance"; return 0; }
    for type in l3 dhcp; do
        mine=$(agent_of "$type" "$nh") || return 1
        [ -n "$mine" ] || continue
        list=$(os network agent list --agent-type "$type" -f value -c ID) || return 1
        local -A load=()
        total=0
        for a in $list; do
            count=$(agent_items "$type" "$a" | grep -c . || true)
            load[$a]=$count
            total=$((total + count))
        done
        # Until no agent carries more than one item above it (each move narrows that gap; at most `total` moves).
        for ((i = 0; i < total; i++)); do
            busiest="" most=0
            for a in "${!load[@]}"; do
                [ "$a" = "$mine" ] || [ "${load[$a]}" -le "$most" ] || { busiest=$a; most=${load[$a]}; }
            done
            if [ -z "$busiest" ] || [ "$most" -le $((load[$mine] + 1)) ]; then break; fi
            item=$(agent_items "$type" "$busiest") || return 1
            item=${item%%$'\n'*}
            move_item "$type" "$item" "$busiest" "$mine" || return 1
            load[$busiest]=$((most - 1)) load[$mine]=$((load[$mine] + 1))
        done
        echo "== $HOST: its $type agent carries ${load[$mine]} of $total"
    done
}

# ---------- removing (delete) ----------
force=no
refuse() { # refuse MESSAGE: stop the removal, unless the operator listed the host in forceRemoveHosts
    if [ "$force" = yes ]; then
        echo "== $HOST: $1; going on: forceRemoveHosts lists $HOST"
        return 0
    fi
    echo "== kolla-host $HOST: $1. The removal stopped here and runs again with the next pulumi up; to go on regardless, add $HOST to openstack-aio:forceRemoveHosts (pulumi config set --path 'forceRemoveHosts[0]' $HOST) and run pulumi up" >&2
    exit 1
}
drain_compute() {
    local nh=$1 servers left waited=0 s
    local svc
    svc=$(os compute service list --service nova-compute --host "$nh" -f value -c ID)
    if [ -z "$svc" ]; then
        echo "== $HOST: no nova-compute service of $nh is registered: no instances to move"
        return 0
    fi
    os compute service set --disable --disable-reason "openstack-aio: $HOST is being removed" "$nh" nova-compute
    echo "== $HOST: nova-compute disabled: no new instances are scheduled to it"
    servers=$(os server list --all-projects --host "$nh" -f value -c ID)
    for s in $servers; do
        # 2.30: block migration `auto` (2.25+), so instances on local disks move too (OSC 6.2.0 MigrateServer).
        os server migrate --os-compute-api-version 2.30 --live-migration "$s" || echo "== $HOST: the live migration of instance $s did not start"
    done
    while :; do
        left=$(os server list --all-projects --host "$nh" -f value -c ID -c Name -c Status)
        [ -n "$left" ] || break
        if [ "$waited" -ge "$DRAIN_SECONDS" ]; then
            refuse "instances remain on $nh after ${DRAIN_SECONDS}s of live migration: $(tr '\n' ';' <<< "$left")"
            return 0
        fi
        sleep 15
        waited=$((waited + 15))
    done
    echo "== $HOST: no instance left on $nh"
}
evacuate_agents() {
    local nh=$1 type mine item targets=() i=0
    for type in l3 dhcp; do
        mine=$(agent_of "$type" "$nh")
        [ -n "$mine" ] || continue
        mapfile -t targets < <(os network agent list --agent-type "$type" -f value -c ID -c Host | awk -v h="$nh" '$2 != h { print $1 }')
        if [ ${#targets[@]} -eq 0 ]; then
            refuse "no other $type agent can take over the $([ "$type" = l3 ] && echo routers || echo networks) $HOST's agent hosts"
            continue
        fi
        for item in $(agent_items "$type" "$mine"); do
            move_item "$type" "$item" "$mine" "${targets[i % ${#targets[@]}]}" || refuse "moving $item off $HOST failed"
            i=$((i + 1))
        done
        [ "$type" != l3 ] || os network agent set --disable "$mine"
    done
}
# Deletes this host's network agents and compute services (kolla's clean-up); again, there are none left to delete.
# Nova refuses to delete a compute service that still hosts instances (those forceRemoveHosts let stay).
clean_up_services() {
    local nh=$1 id
    for id in $(os network agent list --host "$nh" -f value -c ID); do
        if os network agent delete "$id"; then
            echo "== deleted network agent $id of $nh"
        else
            refuse "deleting network agent $id of $nh failed"
        fi
    done
    for id in $(os compute service list --os-compute-api-version 2.53 --host "$nh" -f value -c ID); do
        if os compute service delete --os-compute-api-version 2.53 "$id"; then
            echo "== deleted compute service $id of $nh"
        else
            refuse "deleting compute service $id of $nh failed (instances still on it: evacuate or delete them, then openstack compute service delete --os-compute-api-version 2.53 $id)"
        fi
    done
}
# The stack's inventory with this host back in its groups, and known_hosts with its key: for `stop --limit HOST`.
removal_inventory() {
    rm -rf "$REMOVAL_DIR"
    install -d -m 0700 "$REMOVAL_DIR"
    awk -v line="$HOST_LINE" -v groups=" ${HOST_ROLES[*]} " '{ print } /^\[[a-z]+\]$/ { g = substr($0, 2, length($0) - 2); if (index(groups, " " g " ")) print line }' \
        "$KOLLA_INVENTORY" > "$REMOVAL_DIR/inventory"
    { cat "$KNOWN_HOSTS_FILE" 2>/dev/null || true; printf '%s' "$HOST_KNOWN_HOSTS"; } > "$REMOVAL_DIR/known_hosts"
    INVENTORY=$REMOVAL_DIR/inventory
    export ANSIBLE_SSH_ARGS=$REMOVAL_SSH_ARGS
}
remove_host() {
    local nh rc=0 h
    if [ -n "$(inventory_host_hash "$HOST")" ]; then
        echo "== $HOST is still in the inventory: this delete is a replacement, a rename of the resource or pulumi destroy, not a removal: the host is left as it is"
        return 0
    fi
    h=$(awk -v a="$HOST_ADDRESS" '$3 == a { print $1 }' "$HOSTS_FILE" 2>/dev/null || true)
    if [ -n "$h" ]; then
        echo "== $HOST's address $HOST_ADDRESS belongs to $h now (renamed): its services are $h's; only $HOST's records are dropped"
        record_drop "hosts/$HOST"; record_drop "bootstrap/$HOST"
        return 0
    fi
    if [ -z "$(record_get "hosts/$HOST")$(record_get "bootstrap/$HOST")" ]; then
        echo "== $HOST was never deployed from this deploy host, or its removal finished already: nothing to do"
        return 0
    fi
    ! grep -qxF -- "$HOST" "$FORCE_REMOVE_FILE" 2>/dev/null || force=yes
    echo "== $(date -Is) removing $HOST (roles ${HOST_ROLES[*]}; forceRemoveHosts lists it: $force)"
    use_admin_credentials || refuse "the OpenStack API cannot be reached to move its workload"
    nh=$(service_host)
    [ -n "$nh" ] || echo "== $HOST: no compute service or network agent of $HOST is registered"
    # 1. Nothing left on it that the cloud still needs.
    if [ -n "$nh" ] && [ "$NETWORK" = true ]; then evacuate_agents "$nh"; fi
    if [ -n "$nh" ] && [ "$COMPUTE" = true ]; then drain_compute "$nh"; fi
    # 2. Its containers stopped (the host may be gone already: then only with forceRemoveHosts).
    removal_inventory
    echo "== $(date -Is) kolla-ansible stop --limit $HOST (within $STOP_TIMEOUT)"
    run_kolla "$STOP_TIMEOUT" stop --yes-i-really-really-mean-it --limit "$LIMIT" || rc=$?
    INVENTORY=$KOLLA_INVENTORY
    unset ANSIBLE_SSH_ARGS
    rm -rf "$REMOVAL_DIR"
    if [ "$rc" -ne 0 ]; then refuse "kolla-ansible stop --limit $HOST failed (exit $rc; $KOLLA_LOG)"; else echo "== $HOST: its containers are stopped"; fi
    # 3. The remaining controllers reconfigure the clusters (MariaDB, RabbitMQ) without it.
    if [ "$CONTROL" = true ]; then
        kolla "$DEPLOY_TIMEOUT" deploy --limit "$(limit_without_joiners control)"
    fi
    # 4. Its agents and services deleted, and its records.
    if [ -n "$nh" ]; then clean_up_services "$nh"; fi
    record_drop "hosts/$HOST"
    record_drop "bootstrap/$HOST"
    echo "== $(date -Is) $HOST removed from the cloud"
}

if [ "$mode" = delete ]; then remove_host; else add_host; fi
