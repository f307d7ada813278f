# Early checks that fail with a clear message, then the deploy key authorized (idempotent).
local iface
for iface in "$MGMT_IF" "$API_IF" "$EXT_IF"; do
    ip link show dev "$iface" >/dev/null 2>&1 || { echo "target-prepare: $(hostname) has no interface $iface" >&2; exit 1; }
done
# neutron hands EXT_IF to br-ex: an address on it the cloud needs (management or API) would be cut off.
local addr
for addr in $(ip -4 -o addr show dev "$EXT_IF" | awk '{print $4}'); do
    if python3 - "$addr" "$MGMT_CIDR" "$API_CIDR" <<'PY'
import ipaddress, sys
ip = ipaddress.ip_interface(sys.argv[1]).ip
sys.exit(0 if any(ip in ipaddress.ip_network(n) for n in sys.argv[2:]) else 1)
PY
    then
        echo "target-prepare: $EXT_IF on $(hostname) carries $addr, inside the management/API networks; neutron takes this interface over, so move that address to another interface" >&2
        exit 1
    fi
    echo "target-prepare: warning: $EXT_IF carries $addr; it stops answering once neutron adds $EXT_IF to br-ex" >&2
done
install -d -m 0700 "$HOME/.ssh"
touch "$HOME/.ssh/authorized_keys"
chmod 0600 "$HOME/.ssh/authorized_keys"
grep -qxF "$DEPLOY_PUBKEY" "$HOME/.ssh/authorized_keys" || printf '%s\n' "$DEPLOY_PUBKEY" >> "$HOME/.ssh/authorized_keys"
echo "target-prepare: $(hostname) ready, deploy key authorized"
