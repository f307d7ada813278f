// Docker on the deploy host, and the ssh options of the docker CLI that reaches it.
import { DeployHost } from "../config/settings";
import { renderScript, Script, scriptBody } from "./script";

export function dockerInstallScript(host: DeployHost): Script {
    return renderScript(
        "docker-install.sh",
        { SSH_USER: host.sshUser },
        scriptBody("docker-install.sh"),
    );
}

/**
 * ssh options for the docker CLI, which runs on the machine running Pulumi and authenticates with ssh-agent or
 * deployHost.dockerSshKeyPath. It accepts only the deploy host's pinned key, whatever the operator's known_hosts
 * holds: KnownHostsCommand (OpenSSH >= 8.5) answers with that key, UserKnownHostsFile /dev/null, strict checking.
 * %H is the host as known_hosts names it ("addr", or "[addr]:port" off port 22), so the line always matches.
 */
export function dockerSshOpts(host: DeployHost, hostKey: string): string[] {
    const opts = [
        // Never a prompt (a key's passphrase, a password): `pulumi up` has the operator's terminal, and the provider
        // would wait there for good (ssh_config(5) BatchMode: "user interaction such as password prompts ... will be
        // disabled"). Load a protected key into ssh-agent instead.
        "-o",
        "BatchMode=yes",
        "-o",
        "StrictHostKeyChecking=yes",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        `KnownHostsCommand=/bin/echo %H ${hostKey}`,
        "-o",
        "ConnectTimeout=15",
        "-o",
        "ServerAliveInterval=30",
    ];
    return host.dockerSshKeyPath
        ? [...opts, "-i", host.dockerSshKeyPath, "-o", "IdentitiesOnly=yes"]
        : opts;
}
