// First contact with a host, and the SSH host key that every later connection to it checks. The key is either
// given (hosts[].hostKey, deployHost.hostKey) or recorded on first contact: wait-ready.sh prints the host's own
// ed25519 key, and every later command of that host pins it (connection.hostKey: @pulumi/command 1.2.1 then uses
// ssh.FixedHostKey and offers only that key type; without it, it accepts any host).
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import type * as commandInputs from "@pulumi/command/types/input";
import { hostKeyFromFirstContact, waitReadyScript } from "../../render/hosts";
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
    privateKey: pulumi.Input<string>,
    opts: pulumi.CustomResourceOptions,
): FirstContact {
    const reachable = remoteCommand(
        name,
        {
            // A configured key is checked from the very first dial; the host may still be booting.
            connection: sshConnection(host, privateKey, host.hostKey, "first-contact"),
            create: runScriptCommand(),
            stdin: waitReadyScript().text,
        },
        { customTimeouts: { create: "20m", update: "20m" }, ...opts },
    );
    const hostKey =
        host.hostKey !== undefined
            ? pulumi.output(host.hostKey)
            : reachable.stdout.apply((out) =>
                  hostKeyFromFirstContact(out, `${host.address}:${host.sshPort}`),
              );
    return { reachable, connection: sshConnection(host, privateKey, hostKey), hostKey };
}
