# backup_for_hop: on a hop (this cloud runs HOP_FROM), before RELEASE's files replace it, /etc/kolla is kept as it
# was in HOPS_DIR/<from>-<to>/etc-kolla (kolla's upgrade procedure, operating-kolla.rst: back up /etc/kolla; the
# passwords are in it), once per hop, whole or not at all: copied beside, then renamed.
backup_for_hop() {
    local deployed backup=$HOPS_DIR/$HOP_FROM-$RELEASE/etc-kolla
    deployed=$(cat "$DEPLOYED_MARKER" 2>/dev/null || true)
    [ -n "$HOP_FROM" ] && [ "$deployed" = "$HOP_FROM" ] || return 0
    [ ! -d "$backup" ] || return 0
    install -d -m 0700 "$HOPS_DIR" "$(dirname "$backup")"
    sudo rm -rf "$backup.partial"
    # kolla's certificates stage may leave root-owned files there: copy as root, keeping owners and modes.
    sudo cp -a "$CONFIG_DIR" "$backup.partial"
    mv "$backup.partial" "$backup"
    echo "hop: /etc/kolla of $HOP_FROM kept in $backup before $RELEASE's files replace it"
}
