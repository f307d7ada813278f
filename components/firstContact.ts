// First contact with a host, and the SSH host key that every later connection to it checks. The key is either
// given (hosts[].hostKey, deployHost.hostKey) or recorded on first contact: wait-ready.sh prints the host's own
// ed25519 key, and every later command of that host pins it (connection.hostKey: @pulumi/command 1.2.1 then uses
// ssh.FixedHostKey and offers only that key type; without it, it accepts any host).
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import type * as commandInputs from "@pulumi/command/types/input";
import { remoteCommand, runScriptCommand, SshEndpoint, sshConnection } from "./remote";
import { renderScript, Script, scriptBody } from "./script";

/** First contact with any host: cloud-init done, passwordless sudo, python3; prints the host key last. */
export function waitReadyScript(): Script {
    // sshd's own ed25519 key (openssh-server makes it on Ubuntu 22.04; ssh-keygen -A otherwise).
    return renderScript("wait-ready.sh", { HOST_KEY_FILE: "/etc/ssh/ssh_host_ed25519_key.pub" }, scriptBody("wait-ready.sh"));
}

const HOST_KEY_LINE = /^host-key: (ssh-ed25519 [A-Za-z0-9+/]+={0,2})$/m;

/** The `<type> <base64>` wait-ready.sh printed; a clear error when it printed none. */
export function hostKeyFromFirstContact(stdout: string, host: string): string {
    const m = HOST_KEY_LINE.exec(stdout);
    if (!m) throw new Error(`first contact with ${host} printed no host key (host-key: ssh-ed25519 …); set its hostKey in the stack config`);
    return m[1];
}

export interface FirstContact {
    readonly reachable: command.remote.Command;
    /** The connection every later command of this host uses: the host key pinned. */
    readonly connection: commandInputs.remote.ConnectionArgs;
    /** `<type> <base64>` of the host's key, as configured or as recorded on first contact. */
    readonly hostKey: pulumi.Output<string>;
}

export function firstContact(name: string, host: SshEndpoint & { readonly hostKey?: string }, privateKey: pulumi.Input<string>,
    opts: pulumi.CustomResourceOptions): FirstContact {
    const reachable = remoteCommand(name, {
        // A configured key is checked from the very first dial.
        connection: sshConnection(host, privateKey, host.hostKey),
        create: runScriptCommand(), stdin: waitReadyScript().text,
    }, { customTimeouts: { create: "20m", update: "20m" }, ...opts });
    const hostKey = host.hostKey !== undefined
        ? pulumi.output(host.hostKey)
        : reachable.stdout.apply((out) => hostKeyFromFirstContact(out, `${host.address}:${host.sshPort}`));
    return { reachable, connection: sshConnection(host, privateKey, hostKey), hostKey };
}

/** known_hosts lines (OpenSSH's format: `[addr]:port` when the port is not 22) for the given hosts. */
export function knownHostsLines(entries: readonly { address: string; sshPort: number; hostKey: string }[]): string {
    return entries.map((e) => `${e.sshPort === 22 ? e.address : `[${e.address}]:${e.sshPort}`} ${e.hostKey}\n`).join("");
}
