# The targets' SSH host keys for Ansible on the deploy host (ansible.cfg: UserKnownHostsFile, strict checking): each
# as configured or as recorded on first contact. Written atomically; the same keys give the same file.
hold_deploy_lock known-hosts
KNOWN_HOSTS_TMP=$(mktemp "$KNOWN_HOSTS_FILE.XXXXXX")
trap 'rm -f "$KNOWN_HOSTS_TMP"' EXIT
printf '%s' "$KNOWN_HOSTS" > "$KNOWN_HOSTS_TMP"
chmod 0644 "$KNOWN_HOSTS_TMP"
mv -f "$KNOWN_HOSTS_TMP" "$KNOWN_HOSTS_FILE"
trap - EXIT
echo "known-hosts: $(grep -c . "$KNOWN_HOSTS_FILE") target host keys in $KNOWN_HOSTS_FILE"
