# Deploy host: packages, a venv per release with pinned kolla-ansible and ansible-core, the Ansible collections
# (install-deps), and the OpenStack/Octavia clients under the release's upper constraints. Re-runnable: apt and pip
# settle on the same state, the venv is created only when absent.
local user
user=$(id -un)
sudo install -d -o "$user" -m 0755 "$STATE_DIR" "$CONFIG_DIR" "$VENV"
sudo install -d -o "$user" -m 0700 "$LOG_DIR"
# Wait for apt locks (unattended-upgrades on fresh hosts) instead of failing.
local apt=(sudo DEBIAN_FRONTEND=noninteractive timeout 1200 apt-get -o DPkg::Lock::Timeout=600 -q)
"${apt[@]}" update
"${apt[@]}" install -y python3-dev python3-venv python3-pip libffi-dev gcc libssl-dev git
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
export PATH="$VENV/bin:$PATH"
timeout 1200 pip install -q --upgrade 'pip<25' 'setuptools<70' wheel
# One resolution for both, so pip cannot pick an ansible-core outside kolla-ansible's supported range.
timeout 1800 pip install -q "$ANSIBLE_CORE" "$KOLLA_ANSIBLE"
timeout 1800 pip install -q -c "$UPPER_CONSTRAINTS" python-openstackclient python-octaviaclient
# Galaxy collections: ansible-collection-kolla at the branch the pinned kolla-ansible's requirements.yml names.
timeout 1200 kolla-ansible install-deps
echo "deploy-prepare: $(kolla-ansible --version 2>/dev/null | head -n 1), $(ansible --version | head -n 1), $(openstack --version 2>&1)"
