# A scoped reconfigure: globals whose effect kolla confines to some services (TAGS) on some hosts (the inventory group
# LIMIT) reconfigure only those. $1 = create | update, the same either way: it runs when the globals the cloud runs
# (APPLIED_DIR/globals.yml: the last deploy's, patched by these runs) lack one of its LINES, so the run that deploys
# the cloud, or the first one after a change that also reconfigured everything, leaves nothing for it to do.
local line key missing=() limit tags
hold_deploy_lock "kolla-ansible $STAGE ($SCOPE)" "$LOG_DIR/reconfigure-$SCOPE.log"
KOLLA_LOG=$LOG_DIR/reconfigure-$SCOPE.log
digest_output_to "$KOLLA_LOG"
export VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$VENV/share/ansible/collections"
for line in "${LINES[@]}"; do
    grep -qxF -- "$line" "$APPLIED_DIR/globals.yml" 2>/dev/null || missing+=("$line")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "== reconfigure $SCOPE: the cloud already runs ${LINES[*]}: nothing to do"
    exit 0
fi
if [ ! -s "$DEPLOYED_MARKER" ]; then
    echo "== reconfigure $SCOPE: nothing was deployed from this deploy host ($DEPLOYED_MARKER is missing); the deploy stage applies ${missing[*]}: run pulumi up again once it has succeeded" >&2
    exit 1
fi
limit=$(limit_without_joiners "$LIMIT")
tags=$(IFS=,; echo "${TAGS[*]}")
echo "== $(date -Is) reconfigure $SCOPE for ${missing[*]}: tags $tags, hosts $limit"
kolla "$STAGE_TIMEOUT" "$STAGE" --tags "$tags" --limit "$limit"
mkdir -p "$APPLIED_DIR"
touch "$APPLIED_DIR/globals.yml"
for line in "${LINES[@]}"; do
    key=${line%%:*}
    awk -v key="$key: " -v line="$line" 'index($0, key) == 1 { print line; done = 1; next } { print } END { if (!done) print line }' \
        "$APPLIED_DIR/globals.yml" > "$APPLIED_DIR/globals.yml.new"
    mv -f "$APPLIED_DIR/globals.yml.new" "$APPLIED_DIR/globals.yml"
done
echo "== reconfigure $SCOPE: the cloud runs ${LINES[*]}"
