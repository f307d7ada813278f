# Deploy host: packages, a venv per release with pinned kolla-ansible and ansible-core, install-deps, the clients.
local user
user=$(id -un)
sudo install -d -o "$user" -m 0755 "$STATE_DIR" "$LOG_DIR" "$CONFIG_DIR" "$VENV"
sudo apt-get update -q
sudo DEBIAN_FRONTEND=noninteractive timeout 1200 apt-get install -y -q python3-dev python3-venv libffi-dev gcc libssl-dev git
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
export PATH="$VENV/bin:$PATH"
timeout 1200 pip install -q --upgrade 'pip<25' 'setuptools<70' wheel
timeout 1800 pip install -q "$ANSIBLE_CORE" "$KOLLA_ANSIBLE"
timeout 1800 pip install -q -c "$UPPER_CONSTRAINTS" python-openstackclient python-octaviaclient
# Galaxy collections (ansible-collection-kolla at the branch the pinned kolla-ansible names).
timeout 1200 kolla-ansible install-deps
echo "deploy-prepare: $(kolla-ansible --version 2>/dev/null | head -n 1), $(ansible --version | head -n 1)"
