# One cloud-wide kolla-ansible stage on the deploy host. $1 = create (first run, or the resource was replaced: it
# always runs) or update (an input changed: it runs only when what the stage depends on, STAGE_HASH, differs from
# what it last applied here, so a new version of this script alone runs nothing). Only `deploy` varies its action,
# from the release it last deployed successfully (the marker below): none → deploy; another release → upgrade; the
# same release → reconfigure on update, deploy on create (both converge an existing cloud to the config).
# Hosts joining a running cloud are left out (kolla-records.sh joining_hosts): their own command brings them in.
local mode=${1:-create} action=$STAGE deployed="" limit="" todo=() h rec recorded=no hop_dir="" hop_args=()
# A skipped hop or a downgrade stops here, before kolla-ansible runs (hop-guard.sh).
hop_guard
hold_deploy_lock "kolla-ansible $STAGE" "$LOG_DIR/$STAGE.log"
# Progress (plays, failures, the recap) streams to Pulumi; the full output stays in the stage's log on this host.
KOLLA_LOG=$LOG_DIR/$STAGE.log
digest_output_to "$KOLLA_LOG"
# kolla-ansible finds its playbooks through VIRTUAL_ENV (tools/kolla-ansible `find_base_dir` at 2023.1-eol).
export VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$VENV/share/ansible/collections"
if [ "$STAGE" = bootstrap-servers ]; then
    # Per host: each records what bootstrap-servers installed on it; it runs again only where that differs.
    for h in $(inventory_hosts); do
        [ -z "$(record_get "bootstrap/$h")" ] || recorded=yes
    done
    for h in $(inventory_hosts); do
        rec=$(record_get "bootstrap/$h")
        if [ "$mode" = create ] || { [ -n "$rec" ] && [ "$rec" != "$BOOTSTRAP_HASH" ]; }; then
            todo+=("$h")
        elif [ -z "$rec" ] && { [ "$recorded" = no ] || [ ! -s "$DEPLOYED_MARKER" ]; }; then
            todo+=("$h") # nothing recorded yet (a new cloud, or one deployed by an earlier version)
        fi
    done
    if [ ${#todo[@]} -eq 0 ]; then
        echo "== bootstrap-servers: every host already has what it installs ($BOOTSTRAP_HASH) or joins through its own command: nothing to do"
        exit 0
    fi
    echo "== $(date -Is) bootstrap-servers ($mode) on ${todo[*]}"
    bootstrap_hosts "${todo[@]}"
    echo "== $(date -Is) bootstrap-servers done"
    exit 0
fi
# The CA is public: the OpenStack provider on the machine running Pulumi trusts it instead of `insecure`. Printed on
# every run of the stage (the provider keeps only the last run's stdout); the program refuses a TLS cloud whose
# certificates stage printed none (components/kolla/kollaDeployment.ts), where it is used.
print_ca() {
    if [ -s "$CA_CERTIFICATE" ]; then
        sed 's/^/== ca: /' "$CA_CERTIFICATE" >&8
    else
        echo "== no CA at $CA_CERTIFICATE after kolla-ansible certificates" >&2
    fi
}
if [ "$mode" = update ] && [ "$(record_get "stage/$STAGE")" = "$STAGE_HASH" ]; then
    echo "== $STAGE: what it depends on ($STAGE_HASH) is what it last applied on this deploy host: nothing to do"
    [ "$STAGE" != certificates ] || print_ca
    exit 0
fi
deployed=$(cat "$DEPLOYED_MARKER" 2>/dev/null || true)
# On a hop (this cloud runs HOP_FROM), prechecks take the hop's arguments (kolla's CI: the queue precheck is skipped
# until the queues moved).
if [ "$STAGE" = prechecks ] && [ -n "$HOP_FROM" ] && [ "$deployed" = "$HOP_FROM" ]; then
    # shellcheck disable=SC2153 # HOP_PRECHECKS_ARGS is rendered for the prechecks stage only, as here
    hop_args=("${HOP_PRECHECKS_ARGS[@]}")
fi
if [ "$STAGE" = deploy ]; then
    if [ -z "$deployed" ]; then
        action=deploy
    elif [ "$deployed" != "$RELEASE" ]; then
        action=upgrade
        # The hop's record (render/upgrade.ts): from here it cannot go back; `upgraded` once it succeeded.
        hop_dir=$HOPS_DIR/$deployed-$RELEASE
        install -d -m 0700 "$HOPS_DIR" "$hop_dir"
        : > "$hop_dir/started"
    elif [ "$mode" = update ]; then
        action=reconfigure
    fi
    # What the cloud runs after this deploy: the globals it read (the scoped reconfigures compare with them).
    mkdir -p "$APPLIED_DIR"
    cp "$GLOBALS_FILE" "$APPLIED_DIR/globals.yml.new"
fi
case $STAGE in
    prechecks | pull | deploy) limit=$(limit_without_joiners "") ;;
esac
[ -z "$limit" ] || echo "== hosts joining the cloud are left to their own command: --limit $limit"
echo "== $(date -Is) $STAGE ($mode; release $RELEASE${deployed:+, deployed $deployed}; applies $STAGE_HASH)"
kolla "$STAGE_TIMEOUT" "$action" ${limit:+--limit "$limit"} "${hop_args[@]}"
[ -z "$hop_dir" ] || : > "$hop_dir/upgraded"
if [ "$STAGE" = deploy ]; then
    printf '%s\n' "$RELEASE" > "$DEPLOYED_MARKER.new"
    mv -f "$DEPLOYED_MARKER.new" "$DEPLOYED_MARKER"
    mv -f "$APPLIED_DIR/globals.yml.new" "$APPLIED_DIR/globals.yml"
    record_deployed_hosts
fi
[ "$STAGE" != certificates ] || print_ca
if [ "$STAGE" = post-deploy ]; then
    # post-deploy writes the admin credentials: keep them to this user.
    [ -s "$ADMIN_OPENRC" ] || { echo "== post-deploy did not write $ADMIN_OPENRC" >&2; exit 1; }
    chmod 0600 "$ADMIN_OPENRC"
    echo "== admin credentials: $ADMIN_OPENRC"
fi
record_put "stage/$STAGE" "$STAGE_HASH"
