# After the upgrade to RELEASE: what kolla's CI checks once a hop is done (its queue precheck, validate-config), once
# per hop. It runs only when the deploy stage recorded that it upgraded this cloud from HOP_FROM.
hop_guard
if [ ! -e "$HOP_DIR/upgraded" ]; then
    echo "hop-verify: no upgrade from $HOP_FROM to $RELEASE to check: nothing to do"
    exit 0
fi
if [ -e "$HOP_DIR/verified" ]; then
    echo "hop-verify: the upgrade to $RELEASE was checked earlier"
    exit 0
fi
hold_deploy_lock "hop to $RELEASE: checks" "$LOG_DIR/hop-verify.log"
digest_output_to "$LOG_DIR/hop-verify.log"
export VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$VENV/share/ansible/collections"
local check
local -a argv
for check in "${CHECKS[@]}"; do
    read -ra argv <<<"$check"
    echo "== $(date -Is) kolla-ansible $check"
    run_kolla "$STEP_TIMEOUT" "${argv[@]}"
done
: > "$HOP_DIR/verified"
echo "== $(date -Is) the upgrade from $HOP_FROM to $RELEASE passed its checks"
