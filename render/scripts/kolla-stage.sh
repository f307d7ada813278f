# One kolla-ansible stage on the deploy host. $1 = create (first run, or the resource was replaced) or update
# (an input changed: the config hash, the release or the pins). Only `deploy` varies its action, from the release
# it last deployed successfully (the marker below): none → deploy; another release → upgrade; the same release →
# reconfigure on update, deploy on create (both converge an existing cloud to the config).
local mode=${1:-create} action=$STAGE deployed="" rc=0
hold_deploy_lock "kolla-ansible $STAGE" "$LOG_DIR/$STAGE.log"
# Progress (plays, failures, the recap) streams to Pulumi; the full output stays in the stage's log on this host.
digest_output_to "$LOG_DIR/$STAGE.log"
# kolla-ansible finds its playbooks through VIRTUAL_ENV (tools/kolla-ansible `find_base_dir` at 2023.1-eol).
export VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$VENV/share/ansible/collections"
if [ "$STAGE" = deploy ]; then
    deployed=$(cat "$DEPLOYED_MARKER" 2>/dev/null || true)
    if [ -z "$deployed" ]; then
        action=deploy
    elif [ "$deployed" != "$RELEASE" ]; then
        action=upgrade
    elif [ "$mode" = update ]; then
        action=reconfigure
    fi
fi
echo "== $(date -Is) kolla-ansible $action (stage $STAGE, $mode; release $RELEASE${deployed:+, deployed $deployed}; config $CONFIG_HASH; limit $STAGE_TIMEOUT)"
run_kolla "$STAGE_TIMEOUT" "$action" || rc=$?
if [ "$rc" -ne 0 ]; then
    [ "$rc" -ne 124 ] || echo "== kolla-ansible $action did not finish within $STAGE_TIMEOUT" >&2
    echo "== $(date -Is) kolla-ansible $action failed (exit $rc); full log: $LOG_DIR/$STAGE.log on $(hostname)" >&2
    exit "$rc"
fi
if [ "$STAGE" = deploy ]; then
    printf '%s\n' "$RELEASE" > "$DEPLOYED_MARKER.new"
    mv -f "$DEPLOYED_MARKER.new" "$DEPLOYED_MARKER"
fi
if [ "$STAGE" = certificates ]; then
    # The CA is public: the OpenStack provider on the machine running Pulumi trusts it instead of `insecure`.
    [ -s "$CA_CERTIFICATE" ] || { echo "== certificates did not write $CA_CERTIFICATE" >&2; exit 1; }
    sed 's/^/== ca: /' "$CA_CERTIFICATE" >&8
fi
if [ "$STAGE" = post-deploy ]; then
    # post-deploy writes the admin credentials: keep them to this user.
    [ -s "$ADMIN_OPENRC" ] || { echo "== post-deploy did not write $ADMIN_OPENRC" >&2; exit 1; }
    chmod 0600 "$ADMIN_OPENRC"
    echo "== admin credentials: $ADMIN_OPENRC"
fi
echo "== $(date -Is) kolla-ansible $action done"
