# First contact (SSH dial retries come from the connection): wait until cloud-init has finished (it holds apt
# locks on fresh hosts), then check what every later step assumes: non-interactive sudo and python3.
if command -v cloud-init >/dev/null 2>&1; then
    timeout 900 cloud-init status --wait >/dev/null 2>&1 || echo "wait-ready: cloud-init reported a problem; continuing" >&2
fi
sudo -n true 2>/dev/null || { echo "wait-ready: $(id -un)@$(hostname) needs passwordless sudo (kolla-ansible and these scripts run sudo non-interactively); add a NOPASSWD sudoers rule for this user or set openstack-aio:sshUser to one that has it" >&2; exit 1; }
command -v python3 >/dev/null 2>&1 || { echo "wait-ready: python3 is missing on $(hostname); ansible needs it: apt-get install python3" >&2; exit 1; }
echo "ready: $(hostname) $(grep -m1 "^PRETTY_NAME=" "$OS_RELEASE" | cut -d= -f2- | tr -d "\"") (for OpenStack $RELEASE on Ubuntu $HOST_OS)"
# The OS as ID and codename: the program checks it against the Ubuntu releases OpenStack $RELEASE supports.
os_field() { sed -n "s/^$1=//p" "$OS_RELEASE" | tr -d '"' | head -n 1; }
echo "os: $(os_field ID || true) $(os_field VERSION_CODENAME || true)"
# The host's own key, last: later connections to this host accept only it (and so does Ansible on the deploy host).
[ -r "$HOST_KEY_FILE" ] || { echo "wait-ready: $HOST_KEY_FILE is missing on $(hostname): run 'sudo ssh-keygen -A' there, or set the host's hostKey in the stack config" >&2; exit 1; }
echo "host-key: $(cut -d' ' -f1,2 "$HOST_KEY_FILE")"
