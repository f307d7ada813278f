# Deploy host: packages, a venv per release holding kolla-ansible, Ansible and the OpenStack clients from ONE pip
# resolution under immutable upper constraints (as kolla 2023.1's CI installs them), and the openstack.kolla
# collection from an immutable git ref. Re-runnable: apt and pip settle on the same state, the venv is created only
# when absent, the collection is reinstalled from the same ref.
local user
user=$(id -un)
sudo install -d -o "$user" -m 0755 "$STATE_DIR" "$CONFIG_DIR" "$VENV"
sudo install -d -o "$user" -m 0700 "$LOG_DIR"
# The venv changes under a running kolla-ansible otherwise.
hold_deploy_lock deploy-prepare
# Wait for apt locks (unattended-upgrades on fresh hosts) instead of failing.
local apt=(sudo DEBIAN_FRONTEND=noninteractive timeout 1200 apt-get -o DPkg::Lock::Timeout=600 -q)
"${apt[@]}" update
"${apt[@]}" install -y python3-dev python3-venv python3-pip libffi-dev gcc libssl-dev git
# A venv whose creation was cut off has python but no pip yet (ensurepip runs last): made again, since `pip` would
# otherwise be the system's and install into ~/.local.
if [ ! -x "$VENV/bin/python" ] || [ ! -x "$VENV/bin/pip" ] || [ ! -f "$VENV/pyvenv.cfg" ]; then
    python3 -m venv --clear "$VENV"
fi
# kolla-ansible's CLI finds its playbooks through VIRTUAL_ENV (tools/kolla-ansible `find_base_dir`: without it, it
# takes the venv for a source checkout and looks for $VENV/ansible/site.yml).
export VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH"
timeout 1200 pip install -q "${PIP_TOOLS[@]}"
# One resolution: ansible-core, the ansible bundle, kolla-ansible and the clients, all under the same constraints.
timeout 2400 pip install -q -c "$UPPER_CONSTRAINTS" "${PACKAGES[@]}"
# The openstack.kolla collection from an immutable ref (not `kolla-ansible install-deps`: its requirements.yml
# names a deleted branch). --force: the same ref is reinstalled, so a re-run converges on exactly that tree.
printf '%s' "$COLLECTIONS" > "$STATE_DIR/collections.yml.new"
mv -f "$STATE_DIR/collections.yml.new" "$STATE_DIR/collections.yml"
timeout 1200 ansible-galaxy collection install --force -r "$STATE_DIR/collections.yml"
echo "deploy-prepare: $(kolla-ansible --version 2>/dev/null | head -n 1 || true), $(ansible --version 2>/dev/null | sed -n 1p || true), $(openstack --version 2>&1 || true)"
