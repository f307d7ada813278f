// Shared conventions for every remote.Command in the program.
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import type * as commandInputs from "@pulumi/command/types/input";

export interface SshEndpoint {
    readonly address: string;
    readonly sshUser: string;
    readonly sshPort: number;
}

/** How long a connection keeps dialing: a host may be booting at first contact; after it, a failure is final. */
export type DialPolicy = "first-contact" | "reached";

/**
 * Strictly typed connection: the private key is always a secret; with a host key, only that host is accepted (see
 * firstContact.ts). @pulumi/command 1.2.1 retries every dial error alike, a host key mismatch too (connection.go
 * dialWithRetry), with a backoff growing to 5 s: first contact keeps dialing for ~10 minutes while a host boots, every
 * later command of a host that already answered gives up after 3 dials, so a changed host key fails within seconds.
 */
export function sshConnection(
    host: SshEndpoint,
    privateKey: pulumi.Input<string>,
    hostKey?: pulumi.Input<string>,
    dial: DialPolicy = "reached",
): commandInputs.remote.ConnectionArgs {
    return {
        ...(hostKey !== undefined ? { hostKey } : {}),
        host: host.address,
        port: host.sshPort,
        user: host.sshUser,
        privateKey: pulumi.secret(privateKey),
        dialErrorLimit: dial === "first-contact" ? 40 : 3,
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
