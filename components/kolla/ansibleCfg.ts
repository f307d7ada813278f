// /etc/ansible/ansible.cfg on the deploy host (the seed's settings, plus SSH connection reuse).
import { Settings } from "../../config/settings";

export function renderAnsibleCfg(settings: Settings): string {
    // Enough forks to reach every host at once, bounded like the seed's 100.
    const forks = Math.min(100, Math.max(10, settings.hosts.length * 5));
    return [
        "# Rendered by openstack-aio; do not edit on the host.",
        "[defaults]",
        "host_key_checking = False",
        "pipelining = True",
        `forks = ${forks}`,
        "timeout = 60",
        "",
        "[ssh_connection]",
        "pipelining = True",
        "ssh_args = -o ControlMaster=auto -o ControlPersist=60s",
        "",
    ].join("\n");
}
