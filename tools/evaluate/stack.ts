// Loads a stack file (and Pulumi.yaml defaults, which the mock runtime does not apply) into mock config.
import * as path from "path";
import { PROJECT } from "../../config/keys";
import { parseSettings, Settings } from "../../config/settings";
import { readStackConfig } from "../../config/stackFile";
import { RunOptions } from "./harness";

export const PROJECT_DIR = path.resolve(__dirname, "../..");

/** The mock runtime's key pair: known plaintexts, so tests can prove they never leak (graph and plan redact them). */
export const TEST_PRIVATE_KEY =
    "-----BEGIN OPENSSH PRIVATE KEY-----\nTESTKEYPLAINTEXT0123456789leakcanary\n-----END OPENSSH PRIVATE KEY-----\n";
export const TEST_PUBLIC_KEY =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHRlc3RrZXlmb3J0ZXN0c29ubHkwMTIzNDU2Nzg5 test@openstack-aio";

export interface StackOptions {
    /** Secret values the test supplies (the stack file holds none). */
    secrets?: Record<string, string>;
    /** Replace top-level values after the stack file (unqualified keys); undefined deletes. */
    overrides?: Record<string, unknown>;
    stack?: string;
}

/** Unqualified values of the stack, defaults applied, overrides last. */
export function stackValues(
    stack = "aio",
    overrides: Record<string, unknown> = {},
): Record<string, unknown> {
    const { values } = readStackConfig(stack, PROJECT_DIR);
    const out: Record<string, unknown> = { ...values };
    for (const [k, v] of Object.entries(overrides)) {
        if (v === undefined) delete out[k];
        else out[k] = v;
    }
    return out;
}

/** Typed settings of a stack file (secrets are not part of Settings). */
export function stackSettings(stack = "aio", overrides: Record<string, unknown> = {}): Settings {
    return parseSettings(stackValues(stack, overrides));
}

/** Mock-runtime options for a stack, loaded as the CLI loads it (its rules applied, every value a string or JSON). */
export function stackRunOptions(opts: StackOptions = {}): RunOptions {
    const stack = opts.stack ?? "aio";
    const { config: loaded } = readStackConfig(stack, PROJECT_DIR);
    const secrets = opts.secrets ?? { sshPrivateKey: TEST_PRIVATE_KEY };
    const config: Record<string, string> = { ...loaded };
    for (const [k, v] of Object.entries({ ...(opts.overrides ?? {}), ...secrets })) {
        if (v === undefined) delete config[`${PROJECT}:${k}`];
        else config[`${PROJECT}:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
    }
    return { config, secretKeys: Object.keys(secrets).map((k) => `${PROJECT}:${k}`), stack };
}
