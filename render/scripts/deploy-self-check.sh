# The deploy host checks itself before any target is touched: the installed kolla-ansible's own playbooks must parse
# with this host's Ansible, the rendered inventory, globals and passwords (every role, module and filter resolved),
# and kolla's group_vars must template for a target. A missing collection or filter fails here in seconds, naming
# what is missing, instead of in bootstrap-servers or deploy. Read-only: safe to run any number of times.
export VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$VENV/share/ansible/collections"
local share="$VENV/share/kolla-ansible/ansible" log="$LOG_DIR/self-check.log" playbook
install -d -m 0700 "$LOG_DIR"
hold_deploy_lock self-check "$log"
: > "$log"
chmod 0600 "$log"
local -a vars=(-i "$INVENTORY" -e "@$GLOBALS_FILE" -e "@$PASSWORDS" -e "CONFIG_DIR=$CONFIG_DIR")
explain() {
    local what=$1 missing
    missing=$(grep -oE "couldn't resolve module/action '[^']+'|[Nn]o filter named '[^']+'|[Nn]o test named '[^']+'|[Uu]nable to locate collection [^ ]+|requires the [a-z_.]+ (python )?(module|library)" "$log" | tail -n 1 || true)
    echo "self-check: $what failed${missing:+: $missing}" >&2
    grep -E '^ERROR|[Ee]rror was|original message' "$log" | tail -n 3 | cut -c1-800 >&2 || true
    echo "self-check: this deploy host's Ansible cannot run kolla-ansible's playbooks; the Python packages and the collections it installs are pinned in config/releases (deployHostPackages, kollaCollection, galaxyCollections). Full output: $log on $(hostname)" >&2
    exit 1
}
for playbook in "${PLAYBOOKS[@]}"; do
    echo "== ansible-playbook --syntax-check $playbook" >> "$log"
    timeout 300 ansible-playbook --syntax-check "${vars[@]}" "$share/$playbook" >> "$log" 2>&1 || explain "$playbook"
done
# kolla's group_vars/all.yml for one target, through the filters it uses (ansible.utils.ipaddr, kolla's own).
echo "== kolla variables for $PROBE_HOST" >> "$log"
timeout 300 ansible "$PROBE_HOST" "${vars[@]}" --playbook-dir "$share" -e ansible_connection=local -e ansible_become=false \
    -m debug -a "msg={{ [kolla_external_fqdn, keystone_public_url, keystone_internal_url, docker_registry, openstack_tag] }}" \
    >> "$log" 2>&1 || explain "templating kolla's variables for $PROBE_HOST"
echo "self-check: ${#PLAYBOOKS[@]} playbooks parse and kolla's variables template with $(ansible --version 2>/dev/null | sed -n 1p)"
