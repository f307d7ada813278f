# One lock on the deploy host around every kolla-ansible run and every write under /etc/kolla: an interrupted
# `pulumi up` leaves its remote session running (the command provider does not cancel it), and two runs started
# together would otherwise both deploy. The lock is held on fd 9 for the rest of the script and by everything it
# starts, so a kolla-ansible that outlives its session keeps it until it ends; the next run waits for it.
hold_deploy_lock() {
    local what=$1 log=${2:-} holder
    exec 9>>"$LOCK_FILE"
    if ! flock -w "$LOCK_WAIT" 9; then
        holder=$(cat "$LOCK_FILE.holder" 2>/dev/null || echo "unknown holder")
        echo "$what: the deploy host is busy: $LOCK_FILE is held by $holder; waited ${LOCK_WAIT}s. Let that run finish (its log tells how it went), then run pulumi up again." >&2
        exit 75
    fi
    printf 'pid %s (%s, since %s, log %s)\n' "$$" "$what" "$(date -Is)" "${log:-none}" > "$LOCK_FILE.holder"
}
