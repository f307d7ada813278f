# Docker on the deploy host, from Ubuntu's own archive (docker.io): no third-party apt repo or key to trust, and the
# deploy host needs only a daemon for the registry and skopeo (kolla's bootstrap-servers installs docker-ce on targets).
if ! command -v docker >/dev/null 2>&1; then
    # A fresh host's cloud-init and unattended-upgrades hold the apt locks: wait for both, as deploy-prepare does.
    if command -v cloud-init >/dev/null 2>&1; then
        timeout 900 cloud-init status --wait >/dev/null 2>&1 || echo "docker-install: cloud-init reported a problem; continuing" >&2
    fi
    local apt=(sudo DEBIAN_FRONTEND=noninteractive timeout 1200 apt-get -o DPkg::Lock::Timeout=600 -q)
    "${apt[@]}" update >&2
    "${apt[@]}" install -y docker.io >&2
fi
sudo systemctl enable --now docker >&2
# The docker CLI of the machine running Pulumi connects as this user over ssh:// (new sessions get the group).
local groups
groups=" $(id -nG "$SSH_USER") "
if [[ $groups != *" docker "* ]]; then
    sudo usermod -aG docker "$SSH_USER"
fi
sudo docker version --format '{{.Server.Version}}'
