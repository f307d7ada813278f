# The key kolla-ansible uses to reach the targets: generated here once (kept on later runs), the private half
# never leaves this host. Prints only the public half: it becomes the DeployHost's publicKey output.
[ -d "$STATE_DIR" ] || sudo install -d -o "$(id -un)" -m 0755 "$STATE_DIR"
# One stack per deploy host: a second would share /etc/kolla, passwords.yml, this key, the guard and the lock unseen.
local owner=""
owner=$(cat "$OWNER_FILE" 2>/dev/null || true)
if [ -n "$owner" ] && [ "$owner" != "$STACK" ]; then
    echo "deploy-key: $(hostname) is the deploy host of stack $owner ($OWNER_FILE), so stack $STACK would share its /etc/kolla, passwords.yml, deploy key and lock: give this stack a deploy host of its own (openstack-aio:deployHost), or, only if stack $owner and its cloud are gone, remove $OWNER_FILE" >&2
    exit 1
fi
[ "$owner" = "$STACK" ] || printf '%s\n' "$STACK" > "$OWNER_FILE"
install -d -m 0700 "$(dirname "$KEY")"
[ -f "$KEY" ] || ssh-keygen -q -t ed25519 -N '' -C "openstack-aio-deploy@$(hostname)" -f "$KEY"
[ -f "$KEY.pub" ] || ssh-keygen -y -f "$KEY" > "$KEY.pub"
chmod 0600 "$KEY"
cat "$KEY.pub"
