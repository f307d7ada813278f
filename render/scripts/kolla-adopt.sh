# The first run of a version that keeps records (APPLIED_DIR absent) on a cloud an earlier version deployed: when that
# version's last deploy stage succeeded with exactly the configuration rendered now (its `config <hash>` line in
# deploy.log is LEGACY_CONFIG_HASH, earlier versions' hash of globals.yml, the inventory, ansible.cfg and the splice),
# every record is written as the cloud already holds it, so the new stage scripts run nothing. Otherwise the records
# start empty and the next stages run as before: once, on every host.
adopt_running_cloud() {
    local last entry
    [ ! -d "$APPLIED_DIR" ] || return 0
    mkdir -p "$APPLIED_DIR"
    [ -s "$DEPLOYED_MARKER" ] || return 0
    # Earlier versions' kolla-stage.sh printed, into the stage's log: "== <date> kolla-ansible <action> (stage deploy,
    # <mode>; release <r>; config <hash>; limit <t>)", then "== <date> kolla-ansible <action> done" or "... failed".
    last=$(awk '
        / kolla-ansible (deploy|reconfigure|upgrade) \(stage deploy, / {
            run = ""; for (i = 1; i <= NF; i++) if ($i == "config") run = $(i + 1); sub(/;$/, "", run); state = "running"; next }
        / kolla-ansible (deploy|reconfigure|upgrade) .*\(within / { run = ""; state = "running"; next }
        / kolla-ansible (deploy|reconfigure|upgrade) done$/ { if (state == "running") state = "done"; next }
        / kolla-ansible (deploy|reconfigure|upgrade) failed / { state = "failed" }
        END { if (state == "done") print run }' "$DEPLOY_LOG" 2>/dev/null || true)
    if [ "$last" != "$LEGACY_CONFIG_HASH" ]; then
        echo "deploy-config: records start empty (the cloud's last deploy applied config ${last:-unknown}, this render is $LEGACY_CONFIG_HASH): the next stages run once on every host"
        return 0
    fi
    for entry in "${ADOPT_RECORDS[@]}"; do
        # post-deploy and certificates are adopted only with what they leave behind.
        case ${entry%% *} in
            stage/post-deploy) [ -s "$ADMIN_OPENRC" ] || continue ;;
            stage/certificates) [ -s "$CA_CERTIFICATE" ] || continue ;;
        esac
        record_put "${entry%% *}" "${entry#* }"
    done
    printf '%s' "$GLOBALS" > "$APPLIED_DIR/globals.yml"
    echo "deploy-config: the cloud runs this configuration (deployed with config $last): ${#ADOPT_RECORDS[@]} records written, no stage needs to run"
}
