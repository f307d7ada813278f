# A target host: early checks that fail with a message naming the config key to fix, then the deploy host's
# public key authorized (idempotent: appended only when the exact line is absent). Safe to run any number of times,
# also after the deployment (br-ex keeps EXT_IF as a port, keepalived only adds the VIP to API_IF).
fail() { echo "target-prepare($HOST_NAME): $*" >&2; exit 1; }

# The interfaces the config names must exist (kolla-ansible looks them up by name on the host).
local role iface key
for role in management api external tunnel; do
    case $role in
        management) iface=$MGMT_IF ;;
        api) iface=$API_IF ;;
        external) iface=$EXT_IF ;;
        tunnel) iface=$TUNNEL_IF ;;
    esac
    key="$HOST_KEY.interfaces.$role"
    ip link show dev "$iface" >/dev/null 2>&1 ||
        fail "has no interface '$iface' ($key); it has: $(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | tr '\n' ' ')- set $key to one of them"
done

# IPv4 addresses (CIDR form) on an interface.
addrs() { ip -4 -o addr show dev "$1" | awk '{print $4}'; }
# True when the address (CIDR form) lies inside any of the networks that follow.
inside() {
    python3 - "$@" <<'PY'
import ipaddress, sys
ip = ipaddress.ip_interface(sys.argv[1]).ip
sys.exit(0 if any(ip in ipaddress.ip_network(n) for n in sys.argv[2:]) else 1)
PY
}

# ansible_host and network_interface must agree: the management interface carries the address Pulumi reaches.
# (Listed whole first: under pipefail a `grep -q` that stops at its match could fail the pipeline through SIGPIPE.)
local mgmt_addrs
mgmt_addrs=$(addrs "$MGMT_IF" | cut -d/ -f1)
grep -qxF "$HOST_ADDRESS" <<<"$mgmt_addrs" ||
    fail "interface $MGMT_IF ($HOST_KEY.interfaces.management) does not carry $HOST_ADDRESS ($HOST_KEY.address); name the interface that holds the management address"

# api_interface needs an address on the API network (the VIP and every API endpoint live there).
local addr found=""
for addr in $(addrs "$API_IF"); do
    if [ -n "$API_ADDRESS" ]; then
        [ "${addr%/*}" = "$API_ADDRESS" ] && found=$addr
    elif inside "$addr" "$API_CIDR"; then
        found=$addr
    fi
done
[ -n "$found" ] || fail "interface $API_IF ($HOST_KEY.interfaces.api) has no address ${API_ADDRESS:-inside $API_CIDR} (openstack-aio:networks.api.cidr); name the interface on the API network"

# neutron adds EXT_IF to br-ex, after which an address on it stops answering. An address the cloud needs
# (management or API network) would cut the host off: fail. Any other address (the seed's Vagrant lab puts
# 192.168.100.50 on eth3) only goes quiet: warn and continue.
for addr in $(addrs "$EXT_IF"); do
    if inside "$addr" "$MGMT_CIDR" "$API_CIDR"; then
        fail "external interface $EXT_IF ($HOST_KEY.interfaces.external) carries $addr, inside the management/API networks ($MGMT_CIDR, $API_CIDR); neutron takes this interface over for br-ex, so move that address to another interface or choose another external interface"
    fi
    echo "target-prepare($HOST_NAME): warning: $EXT_IF carries $addr; it stops answering once neutron adds $EXT_IF to br-ex" >&2
done

# The deploy key, authorized once.
case $DEPLOY_PUBKEY in
    ssh-ed25519\ AAAA*) ;;
    *) fail "the deploy host returned no ed25519 public key (got '${DEPLOY_PUBKEY:0:40}'); check the deploy-key step's output" ;;
esac
install -d -m 0700 "$HOME/.ssh"
chmod 0700 "$HOME/.ssh"
touch "$HOME/.ssh/authorized_keys"
chmod 0600 "$HOME/.ssh/authorized_keys"
if ! grep -qxF "$DEPLOY_PUBKEY" "$HOME/.ssh/authorized_keys"; then
    # A last line without its newline would have the key glued onto it (and both keys would stop working).
    if [ -s "$HOME/.ssh/authorized_keys" ] && [ -n "$(tail -c 1 "$HOME/.ssh/authorized_keys")" ]; then
        printf '\n' >> "$HOME/.ssh/authorized_keys"
    fi
    printf '%s\n' "$DEPLOY_PUBKEY" >> "$HOME/.ssh/authorized_keys"
fi
echo "target-prepare($HOST_NAME): checks passed, deploy key authorized for $(id -un)"
