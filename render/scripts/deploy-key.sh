# The key kolla-ansible uses to reach the targets: generated here once (kept on later runs), the private half
# never leaves this host. Prints only the public half: it becomes the DeployHost's publicKey output.
[ -d "$STATE_DIR" ] || sudo install -d -o "$(id -un)" -m 0755 "$STATE_DIR"
install -d -m 0700 "$(dirname "$KEY")"
[ -f "$KEY" ] || ssh-keygen -q -t ed25519 -N '' -C "openstack-aio-deploy@$(hostname)" -f "$KEY"
[ -f "$KEY.pub" ] || ssh-keygen -y -f "$KEY" > "$KEY.pub"
chmod 0600 "$KEY"
cat "$KEY.pub"
