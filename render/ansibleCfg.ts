// /etc/ansible/ansible.cfg on the deploy host (the seed's settings, plus SSH connection reuse), with host key
// checking ON against the keys this program pinned (the seed turned it off: any host was accepted).
import { Settings } from "../config/settings";
import { KNOWN_HOSTS_FILE } from "./paths";

export function renderAnsibleCfg(settings: Settings): string {
    // Enough forks to reach every host at once, bounded like the seed's 100.
    const forks = Math.min(100, Math.max(10, settings.hosts.length * 5));
    return [
        "# Rendered by openstack-aio; do not edit on the host.",
        "[defaults]",
        "host_key_checking = True",
        "pipelining = True",
        `forks = ${forks}`,
        "timeout = 60",
        "",
        "[ssh_connection]",
        "pipelining = True",
        // ssh_args replaces Ansible's default (-C -o ControlMaster=auto -o ControlPersist=60s): keep reuse, and check
        // every target against the keys recorded on first contact (known-hosts.sh), never the user's own file.
        `ssh_args = -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=${KNOWN_HOSTS_FILE} -o StrictHostKeyChecking=yes`,
        "",
    ].join("\n");
}
