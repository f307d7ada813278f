// Shared conventions for every remote.Command in the program.
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import type * as commandInputs from "@pulumi/command/types/input";

export interface SshEndpoint {
    readonly address: string;
    readonly sshUser: string;
    readonly sshPort: number;
}

/**
 * Strictly typed connection: the private key is always a secret; dialing retries while a host boots; with a host
 * key, only that host is accepted (see firstContact.ts).
 */
export function sshConnection(
    host: SshEndpoint,
    privateKey: pulumi.Input<string>,
    hostKey?: pulumi.Input<string>,
): commandInputs.remote.ConnectionArgs {
    return {
        ...(hostKey !== undefined ? { hostKey } : {}),
        host: host.address,
        port: host.sshPort,
        user: host.sshUser,
        privateKey: pulumi.secret(privateKey),
        // ~10 minutes of retries: hosts may still be booting when `pulumi up` starts.
        dialErrorLimit: 40,
        perDialTimeout: 15,
    };
}

/**
 * Arguments every remote command shares. `addPreviousOutputInEnv` is off because it passes the previous
 * stdout through SSH `setenv`, which fails unless the host's sshd has AcceptEnv for it (values reach
 * scripts through stdin or files instead).
 */
export const REMOTE_DEFAULTS = {
    addPreviousOutputInEnv: false,
} as const;

/** The command text of a script fed through stdin: short and stable, so only the script's content diffs. */
export function runScriptCommand(mode?: string): string {
    return mode ? `bash -s -- ${mode}` : "bash -s";
}

export type RemoteCommandArgs = Omit<command.remote.CommandArgs, "addPreviousOutputInEnv">;

/** A remote.Command with the shared defaults applied. */
export function remoteCommand(
    name: string,
    args: RemoteCommandArgs,
    opts?: pulumi.CustomResourceOptions,
): command.remote.Command {
    return new command.remote.Command(name, { ...REMOTE_DEFAULTS, ...args }, opts);
}
