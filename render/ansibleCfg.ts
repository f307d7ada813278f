// /etc/ansible/ansible.cfg on the deploy host (the seed's settings, plus SSH connection reuse), with host key
// checking ON against the keys this program pinned (the seed turned it off: any host was accepted).
import { Settings } from "../config/settings";
import { KNOWN_HOSTS_FILE } from "./paths";

/** The seed's forks: Ansible starts at most one worker per host in a batch, so one fixed bound serves any size. */
export const FORKS = 100;

/**
 * Ansible's ssh_args: replaces Ansible's default (-C -o ControlMaster=auto -o ControlPersist=60s), keeping the
 * connection reuse, and checks every target against the keys recorded on first contact (known-hosts.sh), never the
 * user's own file. A host's removal passes the same arguments with its own copy of the file (render/kolla.ts).
 */
export function sshArgs(knownHostsFile: string = KNOWN_HOSTS_FILE): string {
    return `-o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=${knownHostsFile} -o StrictHostKeyChecking=yes`;
}

/** ansible.cfg. `forks` is fixed: nothing in it follows the host list (adding a host rewrites no stage's input). */
export function renderAnsibleCfg(_settings: Settings, forks: number = FORKS): string {
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
        `ssh_args = ${sshArgs()}`,
        "",
    ].join("\n");
}

/** What earlier versions wrote (forks grew with the host count): only to recognise what a running cloud applied. */
export function legacyForks(settings: Settings): number {
    return Math.min(100, Math.max(10, settings.hosts.length * 5));
}
