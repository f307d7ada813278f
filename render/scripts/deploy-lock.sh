# One lock on the deploy host around every kolla-ansible run and every write under /etc/kolla: an interrupted
# `pulumi up` leaves its remote session running (the command provider does not cancel it), and two runs started
# together would otherwise both deploy. The lock is held on fd 9 for the rest of the script and by everything it
# starts, so a kolla-ansible that outlives its session keeps it until it ends; the next run waits for it. The lock file
# is never stale (flock(2) locks end with the last process holding them): a run that finds it deleted or replaced
# still waits for every process holding the old one.
hold_deploy_lock() {
    local what=$1 log=${2:-} deadline users
    deadline=$((SECONDS + LOCK_WAIT))
    while :; do
        exec 9>>"$LOCK_FILE"
        if ! flock -w "$((deadline > SECONDS ? deadline - SECONDS : 0))" 9; then
            # Closed first: the subshells that build the message would otherwise hold it and be named as holders.
            exec 9>&-
            echo "$what: the deploy host is busy: $LOCK_FILE is held by $(lock_holder); waited ${LOCK_WAIT}s. Let that run finish (its log tells how it went), then run pulumi up again; do not delete the lock file, it is never stale." >&2
            exit 75
        fi
        # Ours only if the path still names the file we locked, and nobody holds a deleted one of that name.
        users=$(lock_users deleted 9>&-)
        if [ -z "$users" ] && [ "$(stat -L -c %d:%i /dev/fd/9)" = "$(stat -c %d:%i "$LOCK_FILE" 2>/dev/null)" ]; then
            break
        fi
        exec 9>&-
        if [ "$SECONDS" -ge "$deadline" ]; then
            echo "$what: the deploy host is busy: $LOCK_FILE was deleted while $(lock_describe "$users") held it; waited ${LOCK_WAIT}s. Let that run finish, then run pulumi up again; do not delete the lock file, it is never stale." >&2
            exit 75
        fi
        sleep 1
    done
    printf 'pid %s (%s, since %s, log %s)\n' "$$" "$what" "$(date -Is)" "${log:-none}" > "$LOCK_FILE.holder"
}
# lock_users [deleted]: the pids (of this user: /proc/PID/fd is readable to its owner) with the lock file open, or
# only those with a deleted lock file of that name open; never this shell. Run it with fd 9 closed (`9>&-`).
lock_users() {
    local -a names=(-lname "$LOCK_FILE (deleted)")
    [ "${1:-}" = deleted ] || names+=(-o -lname "$LOCK_FILE")
    { find /proc/[0-9]*/fd -maxdepth 1 \( "${names[@]}" \) -printf '%h\n' 2>/dev/null || true; } |
        cut -d/ -f3 | sort -un | { grep -vx "$$" || true; }
}
# "pid N (command), ..." for the given pids.
lock_describe() {
    local pid cmd out=""
    for pid in $1; do
        cmd=$(tr '\0' ' ' 2>/dev/null < "/proc/$pid/cmdline" | cut -c1-80) || true
        out+="${out:+, }pid $pid (${cmd% })"
    done
    echo "${out:-processes this user cannot see}"
}
# Who holds the lock: the run that took it, if it still runs; else what it started that still holds the lock.
lock_holder() {
    local holder pid
    holder=$(cat "$LOCK_FILE.holder" 2>/dev/null || echo "an unknown run")
    pid=$(sed -n 's/^pid \([0-9]*\) .*/\1/p' <<<"$holder")
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
        holder="the processes ${holder#pid "$pid" } left running after pid $pid exited: $(lock_describe "$(lock_users 9>&-)")"
    fi
    echo "$holder"
}
