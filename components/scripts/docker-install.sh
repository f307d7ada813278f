# Docker on the deploy host, from Ubuntu's own archive (docker.io): no third-party apt repo or key to trust, and the
# deploy host needs only a daemon for the registry and skopeo (kolla's bootstrap-servers installs docker-ce on targets).
if ! command -v docker >/dev/null 2>&1; then
    sudo apt-get update -q
    sudo DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -q docker.io
fi
sudo systemctl enable --now docker >&2
# The docker CLI of the machine running Pulumi connects as this user over ssh:// (new sessions get the group).
if ! id -nG "$SSH_USER" | tr ' ' '\n' | grep -qxF docker; then
    sudo usermod -aG docker "$SSH_USER"
fi
sudo docker version --format '{{.Server.Version}}'
