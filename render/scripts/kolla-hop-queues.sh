# On a hop from HOP_FROM to RELEASE, after pull and before the upgrade: every RabbitMQ queue is recreated the way
# RELEASE declares its queues (quorum, durable), as kolla's CI does inside the hop with the new CLI (tests/upgrade.sh):
# the services that use RabbitMQ stop, their configuration is generated for RELEASE, RabbitMQ's state is reset. The
# APIs of those services are down until the upgrade starts them again. Once per hop.
hop_guard
local deployed
deployed=$(cat "$DEPLOYED_MARKER" 2>/dev/null || true)
if [ "$deployed" != "$HOP_FROM" ]; then
    echo "hop-queues: no hop from $HOP_FROM under way (this cloud runs ${deployed:-nothing yet}): nothing to do"
    exit 0
fi
if [ -e "$HOP_DIR/queues.done" ]; then
    echo "hop-queues: the queues were migrated for $RELEASE earlier"
    exit 0
fi
hold_deploy_lock "hop to $RELEASE: RabbitMQ queues" "$LOG_DIR/hop-queues.log"
digest_output_to "$LOG_DIR/hop-queues.log"
install -d -m 0700 "$HOP_DIR"
: > "$HOP_DIR/started"
export VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$VENV/share/ansible/collections"
echo "== $(date -Is) stopping $STOP_TAGS, then genconfig and rabbitmq-reset-state ($RELEASE's CLI)"
run_kolla "$STEP_TIMEOUT" stop --tags "$STOP_TAGS" --yes-i-really-really-mean-it "${STOP_ARGS[@]}"
run_kolla "$STEP_TIMEOUT" genconfig
run_kolla "$STEP_TIMEOUT" rabbitmq-reset-state
if [ "$PRECHECKS_AFTER" = true ]; then
    run_kolla "$STEP_TIMEOUT" prechecks
fi
: > "$HOP_DIR/queues.done"
echo "== $(date -Is) queues reset for $RELEASE"
