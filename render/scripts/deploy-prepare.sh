# Deploy host: packages, a venv per release holding kolla-ansible, Ansible and the OpenStack clients from ONE pip
# resolution under immutable upper constraints (as kolla's CI installs them), and the Ansible collections kolla's
# playbooks use: openstack.kolla from an immutable git ref and, where the release takes them from Galaxy, exact
# versions. Re-runnable: apt and pip settle on the same state, the venv is created only when absent, the collections
# are reinstalled at the same versions. pip runs only inside the venv (Ubuntu 24.04's Python is externally managed,
# PEP 668).
# A skipped hop or a downgrade stops here, before anything is written (hop-guard.sh).
hop_guard
local user
user=$(id -un)
sudo install -d -o "$user" -m 0755 "$STATE_DIR" "$CONFIG_DIR" "$VENV"
sudo install -d -o "$user" -m 0700 "$LOG_DIR"
# The venv changes under a running kolla-ansible otherwise.
hold_deploy_lock deploy-prepare
# Wait for apt locks (unattended-upgrades on fresh hosts) instead of failing.
local apt=(sudo DEBIAN_FRONTEND=noninteractive timeout 1200 apt-get -o DPkg::Lock::Timeout=600 -q)
"${apt[@]}" update
"${apt[@]}" install -y "${APT_PACKAGES[@]}"
# A venv whose creation was cut off has python but no pip yet (ensurepip runs last): made again, since `pip` would
# otherwise be the system's and install into ~/.local. So is one built by another Python than the system's (a host
# moved from Ubuntu 22.04 to 24.04, HOST_OS: its packages sit in lib/python3.10, which Python 3.12 never reads).
local venv_python system_python
venv_python=$(sed -n 's/^version *= *\([0-9]*\.[0-9]*\).*/\1/p' "$VENV/pyvenv.cfg" 2>/dev/null || true)
system_python=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
if [ ! -x "$VENV/bin/python" ] || [ ! -x "$VENV/bin/pip" ] || [ "$venv_python" != "$system_python" ]; then
    echo "deploy-prepare: (re)building $VENV for Python $system_python on Ubuntu $HOST_OS${venv_python:+ (it was built for $venv_python)}"
    python3 -m venv --clear "$VENV"
fi
# kolla-ansible's CLI finds its playbooks through VIRTUAL_ENV (tools/kolla-ansible `find_base_dir`: without it, it
# takes the venv for a source checkout and looks for $VENV/ansible/site.yml).
# The collections go into the venv too (ANSIBLE_COLLECTIONS_PATH replaces ~/.ansible/collections, which every release
# would share): a new release's venv, built beside the old one, changes nothing the old one runs.
export VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$VENV/share/ansible/collections"
timeout 1200 pip install -q "${PIP_TOOLS[@]}"
# One resolution: ansible-core (and the ansible bundle where the release needs it), kolla-ansible and the clients,
# all under the same constraints.
timeout 2400 pip install -q -c "$UPPER_CONSTRAINTS" "${PACKAGES[@]}"
# The collections at immutable refs and versions (not `kolla-ansible install-deps`: its requirements.yml names a
# branch, deleted or moving, and requirements-core.yml only caps versions). --force: the same refs are reinstalled, so
# a re-run converges on exactly those trees.
printf '%s' "$COLLECTIONS" > "$STATE_DIR/collections.yml.new"
mv -f "$STATE_DIR/collections.yml.new" "$STATE_DIR/collections.yml"
timeout 1200 ansible-galaxy collection install --force -r "$STATE_DIR/collections.yml"
echo "deploy-prepare: $(kolla-ansible --version 2>/dev/null | head -n 1 || true), $(ansible --version 2>/dev/null | sed -n 1p || true), $(openstack --version 2>&1 || true)"
