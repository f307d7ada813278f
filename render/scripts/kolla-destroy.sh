# The destroy guard. $1 = create | update | delete. A delete never runs kolla-ansible destroy: in @pulumi/command 1.2.1
# a replacement is created before the old resource is deleted, both run this same script with the same inputs, and a
# delete whose result never reached Pulumi (Ctrl-C, a dropped SSH session) is kept as a pending delete and run again
# on the next `up` - so no delete can tell whether it is the stack's last one. Tearing the cloud down is an explicit act
# instead: with allowDestroy=true, create and update install TEARDOWN_FILE on this host, which the operator runs by
# hand after `pulumi destroy` (docs/operations.md "Tearing down"); with allowDestroy=false they remove it.
local mode=${1:-}
case $mode in
    create | update | delete) ;;
    *) echo "destroy-guard: usage: bash -s -- create|update|delete" >&2; exit 2 ;;
esac
if [ "$mode" = delete ]; then
    if [ "$ALLOW_DESTROY" = true ]; then
        echo "destroy-guard: the cloud on the hosts was left untouched (a delete never tears it down). To tear it down, once pulumi destroy has finished: bash $TEARDOWN_FILE --yes-i-really-really-mean-it (on $(hostname))"
    else
        echo "destroy-guard: the cloud on the hosts was left untouched (a delete never tears it down). To tear it down: pulumi config set allowDestroy true and pulumi up (installs $TEARDOWN_FILE), then pulumi destroy and bash $TEARDOWN_FILE --yes-i-really-really-mean-it on $(hostname)"
    fi
    exit 0
fi
hold_deploy_lock "destroy-guard $mode"
# Earlier versions counted live guards in these files to pick the delete that destroys; nothing reads them now.
rm -f "$GUARDS_FILE" "$LEGACY_ID_FILE"
if [ "$ALLOW_DESTROY" = true ]; then
    printf '%s' "$TEARDOWN" > "$TEARDOWN_FILE.new"
    chmod 0700 "$TEARDOWN_FILE.new"
    mv -f "$TEARDOWN_FILE.new" "$TEARDOWN_FILE"
    echo "destroy-guard: allowDestroy=true: pulumi destroy leaves the cloud on the hosts running; tear it down afterwards with: bash $TEARDOWN_FILE --yes-i-really-really-mean-it (on $(hostname))"
else
    rm -f "$TEARDOWN_FILE"
    echo "destroy-guard: allowDestroy=false: pulumi destroy leaves the cloud on the hosts untouched, and this host keeps no teardown command"
fi
