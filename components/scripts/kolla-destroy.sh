# The only place `kolla-ansible destroy` lives: it runs when this resource is deleted (`pulumi destroy`), and only
# if allowDestroy was true at the last `pulumi up`. Created and updated, it just says what a delete would do.
local mode=${1:-create}
if [ "$mode" != delete ]; then
    echo "destroy-guard: allowDestroy=$ALLOW_DESTROY; deleting this resource $([ "$ALLOW_DESTROY" = true ] && echo "RUNS kolla-ansible destroy" || echo "leaves the cloud untouched")"
    exit 0
fi
if [ "$ALLOW_DESTROY" != true ]; then
    echo "destroy-guard: allowDestroy is false: the cloud on the hosts was left untouched (set allowDestroy=true and run pulumi up first to tear it down)"
    exit 0
fi
install -d -m 0755 "$LOG_DIR"
exec > >(tee -a "$LOG_DIR/destroy.log") 2>&1
export PATH="$VENV/bin:$PATH"
timeout --foreground 3h kolla-ansible -i "$INVENTORY" destroy --yes-i-really-really-mean-it
rm -f "$STATE_DIR/deployed-release"
