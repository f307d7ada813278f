# /etc/kolla/globals.yml, the inventory's top groups, ansible.cfg, and the host list and forceRemoveHosts the kolla
# commands read, each written atomically (same content gives the same files, so a re-run changes nothing).
hop_guard
hold_deploy_lock deploy-config
# On a hop, the old release's /etc/kolla is kept before the new release's files replace it.
backup_for_hop
put() {
    local dest=$1 content=$2 mode=$3 tmp
    tmp=$(mktemp "$dest.XXXXXX")
    printf '%s' "$content" > "$tmp"
    chmod "$mode" "$tmp"
    mv -f "$tmp" "$dest"
}
# Before anything is rewritten: a cloud an earlier version deployed with this very configuration keeps its records.
adopt_running_cloud
put "$GLOBALS_FILE" "$GLOBALS" 0640
put "$INVENTORY_TOP_FILE" "$INVENTORY_TOP" 0644
put "$HOSTS_FILE" "$(printf '%s\n' "${HOSTS[@]}")"$'\n' 0644
put "$FORCE_REMOVE_FILE" "$(printf '%s\n' "${FORCE_REMOVE[@]}")" 0644
put "$PROGRESS_FILTER_FILE" "$PROGRESS_FILTER" 0644
sudo install -d -m 0755 "$(dirname "$ANSIBLE_CFG_FILE")"
printf '%s' "$ANSIBLE_CFG" | sudo tee "$ANSIBLE_CFG_FILE.new" >/dev/null
sudo chmod 0644 "$ANSIBLE_CFG_FILE.new"
sudo mv -f "$ANSIBLE_CFG_FILE.new" "$ANSIBLE_CFG_FILE"
echo "deploy-config: wrote $GLOBALS_FILE, $INVENTORY_TOP_FILE, $ANSIBLE_CFG_FILE, $HOSTS_FILE (${#HOSTS[@]} hosts; config $CONFIG_HASH)"
