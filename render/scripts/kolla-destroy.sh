# The only place `kolla-ansible destroy` lives. $1 = create | update | delete. The allowDestroy flag is baked in at the
# last `pulumi up`; the provider runs the delete with the stored script, so turning destruction on needs `pulumi up`
# with allowDestroy=true before `pulumi destroy`.
# Which delete may destroy: the provider creates a replacement before it deletes the old resource, and in
# @pulumi/command 1.2.1 both run this same script with the same inputs (only `triggers` replace a command, and a
# rename, `--replace` or a re-parent keep every input), so no guard can tell itself apart by what it was given.
# The host keeps one line per live guard instead (GUARDS_FILE): create adds one with a fresh random id, update keeps
# the count, delete removes the oldest. Only the delete that removes the last one may destroy.
local mode=${1:-} id count
case $mode in
    create | update | delete) ;;
    *) echo "destroy-guard: usage: bash -s -- create|update|delete" >&2; exit 2 ;;
esac
hold_deploy_lock "destroy-guard $mode" "$LOG_DIR/destroy.log"
touch "$GUARDS_FILE"
count=$(grep -c . "$GUARDS_FILE" || true)
case $mode in
    create | update)
        # update: the guard exists; it is recorded already unless the record predates this file (the old id file).
        if [ "$mode" = create ] || [ "$count" -eq 0 ]; then
            id=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
            printf '%s %s %s\n' "$id" "$(date -Is)" "$mode" >> "$GUARDS_FILE"
            count=$((count + 1))
            rm -f "$LEGACY_ID_FILE"
        fi
        if [ "$ALLOW_DESTROY" = true ]; then
            echo "destroy-guard: allowDestroy=true: pulumi destroy WILL run kolla-ansible destroy ($count live guard record(s) in $GUARDS_FILE)"
        else
            echo "destroy-guard: allowDestroy=false: pulumi destroy leaves the cloud on the hosts untouched"
        fi
        exit 0 ;;
esac
if [ "$count" -gt 1 ]; then
    sed -i 1d "$GUARDS_FILE"
    echo "destroy-guard: a newer guard is live ($((count - 1)) left in $GUARDS_FILE): this was a replacement, the cloud was left untouched. (Only if no other guard exists, e.g. a create that failed half-way, remove the stale lines and run pulumi destroy again.)"
    exit 0
fi
if [ "$ALLOW_DESTROY" != true ]; then
    : > "$GUARDS_FILE"
    echo "destroy-guard: allowDestroy is false: the cloud on the hosts was left untouched (to tear it down: pulumi config set allowDestroy true, pulumi up, then pulumi destroy)"
    exit 0
fi
if [ "$count" -eq 0 ]; then
    echo "destroy-guard: no live guard is recorded in $GUARDS_FILE, so this delete cannot tell it is the last one: the cloud was left untouched. To tear it down by hand: kolla-ansible -i $INVENTORY destroy --yes-i-really-really-mean-it"
    exit 0
fi
if [ ! -x "$VENV/bin/kolla-ansible" ] || [ ! -f "$INVENTORY" ]; then
    echo "destroy-guard: no kolla-ansible or inventory on this host: nothing was deployed from here"
    : > "$GUARDS_FILE"
    exit 0
fi
digest_output_to "$LOG_DIR/destroy.log"
# kolla-ansible finds its playbooks through VIRTUAL_ENV (tools/kolla-ansible `find_base_dir` at 2023.1-eol).
export VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$VENV/share/ansible/collections"
echo "== $(date -Is) kolla-ansible destroy (allowDestroy=true, the last guard)"
run_kolla "$DESTROY_TIMEOUT" destroy --yes-i-really-really-mean-it
rm -f "$DEPLOYED_MARKER" "$GUARDS_FILE"
echo "== $(date -Is) kolla-ansible destroy done: containers, volumes and kolla's host config removed"
echo "== the registry's volume (the mirrored images) is protected: pulumi destroy stops on it; run pulumi destroy --exclude-protected to finish, the volume stays on the deploy host"
