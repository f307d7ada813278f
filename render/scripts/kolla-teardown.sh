# Tears the cloud on the hosts down: kolla-ansible destroy (containers, volumes, kolla's host config). Installed by the
# destroy guard while allowDestroy is true and never run by Pulumi: an operator runs it, after `pulumi destroy` has
# deleted the cloud's own resources through the OpenStack API (they cannot be deleted once the cloud is gone):
#   bash /opt/openstack-aio/kolla-teardown.sh --yes-i-really-really-mean-it
if [ "${1:-}" != --yes-i-really-really-mean-it ]; then
    echo "kolla-teardown: this destroys the cloud on every host (containers and volumes: all data). Run it after pulumi destroy, as: bash $0 --yes-i-really-really-mean-it" >&2
    exit 2
fi
hold_deploy_lock kolla-teardown "$LOG_DIR/destroy.log"
if [ ! -x "$VENV/bin/kolla-ansible" ] || [ ! -f "$INVENTORY" ]; then
    echo "kolla-teardown: no kolla-ansible or inventory on this host: nothing was deployed from here"
    exit 0
fi
digest_output_to "$LOG_DIR/destroy.log"
# kolla-ansible finds its playbooks through VIRTUAL_ENV (tools/kolla-ansible `find_base_dir` at 2023.1-eol).
export VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$VENV/share/ansible/collections"
echo "== $(date -Is) kolla-ansible destroy (kolla-teardown, run by $(id -un))"
run_kolla "$DESTROY_TIMEOUT" destroy --yes-i-really-really-mean-it
rm -f "$DEPLOYED_MARKER"
echo "== $(date -Is) kolla-ansible destroy done: containers, volumes and kolla's host config removed; the next pulumi up deploys afresh"
