# One kolla-ansible stage. $1 = create (first run) or update (inputs changed: config hash, release, pins).
# On update, `deploy` becomes `reconfigure`, or `upgrade` when the release differs from the one last deployed.
local mode=${1:-create} action=$STAGE deployed=""
install -d -m 0755 "$LOG_DIR"
exec > >(tee -a "$LOG_DIR/$STAGE.log") 2>&1
export PATH="$VENV/bin:$PATH"
if [ "$STAGE" = deploy ] && [ "$mode" = update ]; then
    deployed=$(cat "$STATE_DIR/deployed-release" 2>/dev/null || true)
    if [ -n "$deployed" ] && [ "$deployed" != "$RELEASE" ]; then action=upgrade; else action=reconfigure; fi
fi
echo "== $(date -Is) kolla-ansible $action (stage $STAGE, $mode; release $RELEASE, config $CONFIG_HASH)"
timeout --foreground "$STAGE_TIMEOUT" kolla-ansible -i "$INVENTORY" "$action"
if [ "$STAGE" = deploy ]; then
    printf '%s\n' "$RELEASE" > "$STATE_DIR/deployed-release"
fi
echo "== $(date -Is) kolla-ansible $action done"
