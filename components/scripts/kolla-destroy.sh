# The only place `kolla-ansible destroy` lives. $1 = create | update | delete, $2 = this guard's id (a hash of its
# SSH connection). The allowDestroy flag is baked in at the last `pulumi up`; the provider runs the delete with the
# stored script, so turning destruction on needs `pulumi up` with allowDestroy=true before `pulumi destroy`.
local mode=${1:-} id=${2:-} current=""
[ -n "$id" ] || { echo "destroy-guard: usage: bash -s -- create|update|delete <id>" >&2; exit 2; }
case $mode in
    create | update)
        # The newest guard records its id: a replaced guard (changed connection, e.g. a rotated SSH key) is
        # deleted after its replacement was created, sees another id, and leaves the cloud alone.
        printf '%s\n' "$id" > "$ID_FILE.new"
        mv -f "$ID_FILE.new" "$ID_FILE"
        if [ "$ALLOW_DESTROY" = true ]; then
            echo "destroy-guard($id): allowDestroy=true: pulumi destroy WILL run kolla-ansible destroy"
        else
            echo "destroy-guard($id): allowDestroy=false: pulumi destroy leaves the cloud on the hosts untouched"
        fi
        exit 0 ;;
    delete) ;;
    *) echo "destroy-guard: unknown mode '$mode'" >&2; exit 2 ;;
esac
if [ "$ALLOW_DESTROY" != true ]; then
    echo "destroy-guard($id): allowDestroy is false: the cloud on the hosts was left untouched (to tear it down: pulumi config set allowDestroy true, pulumi up, then pulumi destroy)"
    exit 0
fi
current=$(cat "$ID_FILE" 2>/dev/null || true)
if [ "$current" != "$id" ]; then
    echo "destroy-guard($id): replaced by guard '${current:-none}', not destroyed: the cloud was left untouched"
    exit 0
fi
if [ ! -x "$VENV/bin/kolla-ansible" ] || [ ! -f "$INVENTORY" ]; then
    echo "destroy-guard($id): no kolla-ansible or inventory on this host: nothing was deployed from here"
    rm -f "$ID_FILE"
    exit 0
fi
digest_output_to "$LOG_DIR/destroy.log"
# kolla-ansible finds its playbooks through VIRTUAL_ENV (tools/kolla-ansible `find_base_dir` at 2023.1-eol).
export VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH"
echo "== $(date -Is) kolla-ansible destroy (allowDestroy=true)"
timeout --kill-after=5m "$DESTROY_TIMEOUT" kolla-ansible -i "$INVENTORY" destroy --yes-i-really-really-mean-it
rm -f "$DEPLOYED_MARKER" "$ID_FILE"
echo "== $(date -Is) kolla-ansible destroy done: containers, volumes and kolla's host config removed"
