# The key kolla-ansible uses to reach the targets: generated here once, the private half never leaves this host.
install -d -m 0700 "$(dirname "$KEY")"
[ -f "$KEY" ] || ssh-keygen -q -t ed25519 -N '' -C "openstack-aio-deploy@$(hostname)" -f "$KEY"
chmod 0600 "$KEY"
cat "$KEY.pub"
