# hop_guard: the release this cloud last deployed (DEPLOYED_MARKER, written by a successful deploy or upgrade) may move
# to RELEASE only along kolla's SLURP path (UPGRADE_PATH), one hop at a time, never back; and once a hop has begun
# changing the cloud (HOPS_DIR/<from>-<to>/started), only forward. Otherwise it stops here, before anything is written,
# with one line naming the next step. A fresh deploy host (no marker) may deploy any release.
hop_guard() {
    local deployed i from=-1 to=-1 next
    deployed=$(cat "$DEPLOYED_MARKER" 2>/dev/null || true)
    [ -n "$deployed" ] || return 0
    for i in "${!UPGRADE_PATH[@]}"; do
        [ "${UPGRADE_PATH[$i]}" != "$deployed" ] || from=$i
        [ "${UPGRADE_PATH[$i]}" != "$RELEASE" ] || to=$i
    done
    next=${UPGRADE_PATH[$((from + 1))]:-}
    if [ "$deployed" = "$RELEASE" ]; then
        if [ -n "$next" ] && [ -e "$HOPS_DIR/$deployed-$next/started" ]; then
            echo "openstack-aio: the upgrade of this cloud from $deployed to $next has begun ($HOPS_DIR/$deployed-$next/started) and kolla-ansible cannot go back: set openstack-aio:release to $next and run pulumi up to finish it" >&2
            exit 1
        fi
        return 0
    fi
    if [ "$from" -lt 0 ]; then
        echo "openstack-aio: this cloud runs $deployed ($DEPLOYED_MARKER), a release this program does not know: set openstack-aio:release to $deployed with the program version that deployed it" >&2
        exit 1
    fi
    [ "$to" -ne $((from + 1)) ] || return 0
    if [ "$to" -ge 0 ] && [ "$to" -lt "$from" ]; then
        echo "openstack-aio: this cloud runs $deployed ($DEPLOYED_MARKER) and kolla-ansible cannot downgrade it to $RELEASE: set openstack-aio:release back to $deployed${next:+ (its next release is $next)}" >&2
    elif [ -n "$next" ]; then
        echo "openstack-aio: this cloud runs $deployed ($DEPLOYED_MARKER); $RELEASE is not its next release on kolla's SLURP path (${UPGRADE_PATH[*]}): set openstack-aio:release to $next first" >&2
    else
        echo "openstack-aio: this cloud runs $deployed ($DEPLOYED_MARKER), the last release on kolla's SLURP path (${UPGRADE_PATH[*]}): set openstack-aio:release back to $deployed" >&2
    fi
    exit 1
}
