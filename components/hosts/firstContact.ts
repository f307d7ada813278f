// First contact with a host, and the SSH host key that every later connection to it checks. The key is either
// given (hosts[].hostKey, deployHost.hostKey) or recorded on first contact: wait-ready.sh prints the host's own
// ed25519 key, and every later command of that host pins it (connection.hostKey: @pulumi/command 1.2.1 then uses
// ssh.FixedHostKey and offers only that key type; without it, it accepts any host).
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import type * as commandInputs from "@pulumi/command/types/input";
import { Settings } from "../../config/settings";
import { hostKeyFromFirstContact, hostOsProblem, waitReadyScript } from "../../render/hosts";
import { remoteCommand, runScriptCommand, SshEndpoint, sshConnection } from "../remote";

export interface FirstContact {
    readonly reachable: command.remote.Command;
    /** The connection every later command of this host uses: the host key pinned. */
    readonly connection: commandInputs.remote.ConnectionArgs;
    /** `<type> <base64>` of the host's key, as configured or as recorded on first contact. */
    readonly hostKey: pulumi.Output<string>;
}

export function firstContact(
    name: string,
    host: SshEndpoint & { readonly hostKey?: string },
    /** The release the host must be able to run (its OS is checked against it). */
    settings: Settings,
    /** The host as messages name it, e.g. `openstack-aio:hosts[0] (aio1)`. */
    label: string,
    privateKey: pulumi.Input<string>,
    opts: pulumi.CustomResourceOptions,
): FirstContact {
    const reachable = remoteCommand(
        name,
        {
            // A configured key is checked from the very first dial; the host may still be booting.
            connection: sshConnection(host, privateKey, host.hostKey, "first-contact"),
            create: runScriptCommand(),
            stdin: waitReadyScript(settings).text,
        },
        { customTimeouts: { create: "20m", update: "20m" }, ...opts },
    );
    // Every later command of this host connects with this key, so each waits for the OS check and none runs on a
    // host whose OS the release does not support.
    const hostKey = reachable.stdout.apply((out) => {
        const problem = hostOsProblem(out, label, settings);
        if (problem) throw new Error(problem);
        return host.hostKey ?? hostKeyFromFirstContact(out, `${host.address}:${host.sshPort}`);
    });
    return { reachable, connection: sshConnection(host, privateKey, hostKey), hostKey };
}
