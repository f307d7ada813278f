# On a hop from HOP_FROM to RELEASE, before anything else changes the cloud: RabbitMQ moves one minor version at a
# time through RABBITMQ_STEPS with HOP_FROM's own CLI and configuration (its venv, and /etc/kolla as deploy-config kept
# it), as kolla's CI does before it installs the new release (tests/rabbitmq-version-upgrade.sh): RELEASE's upgrade
# refuses a jump of more than one minor version (roles/rabbitmq/tasks/version-check.yml), and only HOP_FROM ships
# the rabbitmq-<X-Y> images. Each step once; a re-run after an interruption goes on where it stopped.
hop_guard
local deployed version
deployed=$(cat "$DEPLOYED_MARKER" 2>/dev/null || true)
if [ "$deployed" != "$HOP_FROM" ]; then
    echo "hop-rabbitmq: no hop from $HOP_FROM under way (this cloud runs ${deployed:-nothing yet}): nothing to do"
    exit 0
fi
[ -f "$BACKUP/globals.yml" ] || { echo "hop-rabbitmq: $BACKUP/globals.yml is missing: deploy-config keeps $HOP_FROM's /etc/kolla there before the hop; run pulumi up again" >&2; exit 1; }
hold_deploy_lock "hop to $RELEASE: RabbitMQ" "$LOG_DIR/hop-rabbitmq.log"
digest_output_to "$LOG_DIR/hop-rabbitmq.log"
install -d -m 0700 "$HOP_DIR"
# From here the cloud runs what HOP_FROM's deploy would refuse to go back from (a newer RabbitMQ).
: > "$HOP_DIR/started"
# HOP_FROM's venv, with its collections (in the venv, or where that release's earlier deploys put them).
export VIRTUAL_ENV="$OLD_VENV" PATH="$OLD_VENV/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$OLD_VENV/share/ansible/collections:$HOME/.ansible/collections"
for version in "${RABBITMQ_STEPS[@]}"; do
    if [ -e "$HOP_DIR/rabbitmq-$version.done" ]; then
        echo "== RabbitMQ $version reached earlier"
        continue
    fi
    echo "== $(date -Is) RabbitMQ to $version with $HOP_FROM's rabbitmq-upgrade (configuration: $BACKUP)"
    run_kolla "$STEP_TIMEOUT" rabbitmq-upgrade "$version" --configdir "$BACKUP"
    : > "$HOP_DIR/rabbitmq-$version.done"
done
echo "== $(date -Is) RabbitMQ at ${RABBITMQ_STEPS[*]: -1}: ready for $RELEASE"
