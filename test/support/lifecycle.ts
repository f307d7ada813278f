// Shared by the lifecycle tests (targetHosts, deployHost, kollaDeployment): the program's stages on aio settings,
// and a way to run the rendered scripts for real, against fake `ip`/`sudo`/`kolla-ansible` on PATH.
import { strict as assert } from "assert";
import { spawnSync, SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { Deployment, deployOpenstack } from "../../deployment";
import { Script } from "../../render/script";
import { Graph, OutputsFor, Registration, runProgram } from "../../tools/evaluate/harness";
import { stackSettings, TEST_PRIVATE_KEY } from "../../tools/evaluate/stack";
import { tempDir } from "./tools";

export const ADMIN_PW = "mock-password-deploy-host-keystone-admin-password";
export const OCTAVIA_PW = "mock-password-deploy-host-octavia-keystone-password";
export const DEPLOY_PUB =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDeployKeyPublicHalf openstack-aio-deploy@deploy";
/** A line of the test private key that no rendering would produce by chance. */
export const PRIVATE_KEY_BODY = TEST_PRIVATE_KEY.split("\n")[1];

/** passwords.yml as the passwords merge prints it (its whole stdout). */
export const KOLLA_PASSWORDS = "database_password: mock-kolla-database-password\n";

/** A CA as the certificates stage prints it past the digest. */
export const TEST_CA =
    "-----BEGIN CERTIFICATE-----\nMIIBkolla-test-ca\n-----END CERTIFICATE-----\n";

/** Commands answer like the real scripts: the deploy key's public half last, the certificates stage its CA. */
export const lifecycleOutputs: OutputsFor = (a) => {
    if (a.type !== "command:remote:Command") return undefined;
    if (a.name === "deploy-host-deploy-key")
        return {
            stdout: `Generating public/private ed25519 key pair.\n${DEPLOY_PUB}\n`,
            stderr: "",
        };
    if (a.name === "deploy-host-passwords") return { stdout: KOLLA_PASSWORDS, stderr: "" };
    if (a.name === "kolla-certificates")
        return {
            stdout: `PLAY RECAP\n${TEST_CA.trim()
                .split("\n")
                .map((l) => `== ca: ${l}`)
                .join("\n")}\n== done\n`,
            stderr: "",
        };
    return undefined;
};

/**
 * The program's own stages (deployment.ts, as index.ts builds them) with the aio settings (or opts.stack's) plus
 * overrides. `extra` may add resources built from the deployment (e.g. a provider from `access`) and return values
 * to export.
 */
export function lifecycle(
    overrides: Record<string, unknown> = {},
    opts: {
        privateKey?: string;
        extra?: (d: Deployment) => Record<string, unknown>;
        /** Another committed stack than aio (e.g. multinode). */
        stack?: string;
    } = {},
): Promise<Graph> {
    const settings = stackSettings(opts.stack ?? "aio", overrides);
    return runProgram(
        () => {
            const deployment = deployOpenstack(settings, {
                sshPrivateKey: pulumi.secret(opts.privateKey ?? TEST_PRIVATE_KEY),
            });
            const { kolla, deployHost } = deployment;
            return {
                authUrl: kolla.access.authUrl,
                region: kolla.access.region,
                adminPassword: kolla.access.adminPassword,
                octaviaPassword: kolla.access.octaviaPassword,
                openrc: kolla.adminOpenrcPath,
                publicKey: deployHost.publicKey,
                ...(opts.extra ? opts.extra(deployment) : {}),
            };
        },
        { outputs: lifecycleOutputs },
    );
}

/** Inputs without the ones that arrived as secrets, as JSON (what a reviewer sees in plain text). */
export function plainInputs(r: Registration): string {
    const drop = (value: unknown, at: string): unknown => {
        if (r.secretPaths.includes(at)) return "[secret]";
        if (Array.isArray(value)) return value.map((v, i) => drop(v, `${at}[${i}]`));
        if (value && typeof value === "object") {
            return Object.fromEntries(
                Object.entries(value).map(([k, v]) => [k, drop(v, at ? `${at}.${k}` : k)]),
            );
        }
        return value;
    };
    return JSON.stringify(drop(r.inputs, ""));
}

/** Asserts no plaintext secret appears in any non-secret input, and every secret stdin is never logged. */
export function assertNoLeaks(g: Graph, secrets: readonly string[]): void {
    for (const r of g.resources) {
        const plain = plainInputs(r);
        for (const s of secrets)
            assert.ok(!plain.includes(s), `${r.name}: a secret appears in a non-secret input`);
        if (r.type !== "command:remote:Command") continue;
        assert.equal(
            r.inputs.environment,
            undefined,
            `${r.name}: uses environment (needs AcceptEnv on the host)`,
        );
        for (const k of ["create", "update", "delete"]) {
            assert.ok(
                !r.secretPaths.includes(k),
                `${r.name}: ${k} is secret, so it would hide the command from review`,
            );
        }
        if (r.secretPaths.includes("stdin")) {
            assert.equal(r.inputs.logging, "none", `${r.name}: secret stdin but output logged`);
            for (const o of ["stdout", "stderr"])
                assert.ok(r.additionalSecretOutputs.includes(o), `${r.name}: ${o} not secret`);
        }
    }
}

/** Replaces the rendered `readonly NAME=…` lines (each must exist), e.g. to point paths into a temp dir. */
export function withVars(script: Script | string, vars: Record<string, string>): string {
    let text = typeof script === "string" ? script : script.text;
    for (const [k, v] of Object.entries(vars)) {
        const re = new RegExp(`^readonly ${k}=.*$`, "m");
        assert.match(text, re, `script has no variable ${k}`);
        text = text.replace(re, `readonly ${k}='${v.replace(/'/g, `'\\''`)}'`);
    }
    return text;
}

/** Runs a script the way the command provider does: `bash -s -- <args>` with the script on stdin. */
export function runScript(
    text: string,
    args: string[],
    env: Record<string, string>,
    timeoutMs = 30000,
): SpawnSyncReturns<string> {
    return spawnSync("bash", ["-s", "--", ...args], {
        input: text,
        encoding: "utf8",
        env: { ...process.env, ...env },
        timeout: timeoutMs,
    });
}

/** A directory of fake commands to put first on PATH. */
export function fakeBin(commands: Record<string, string>): string {
    const dir = tempDir("fakebin-");
    for (const [name, body] of Object.entries(commands)) {
        fs.writeFileSync(path.join(dir, name), `#!/usr/bin/env bash\n${body}\n`, { mode: 0o755 });
    }
    return dir;
}

/** A PATH directory holding only these real tools (symlinks), for scripts that must not find anything else. */
export function onlyTools(tools: readonly string[]): string {
    const dir = tempDir("tools-");
    for (const tool of tools) {
        const real = spawnSync("sh", ["-c", `command -v ${tool}`], {
            encoding: "utf8",
        }).stdout.trim();
        assert.ok(real, `${tool} is not installed`);
        fs.symlinkSync(real, path.join(dir, tool));
    }
    return dir;
}

/** `sudo` that runs its command as the current user (options such as -n dropped, VAR=value honoured). */
export const FAKE_SUDO = `while [[ \${1:-} == -* ]]; do shift; done\nexec env "$@"`;

export function mode(file: string): string {
    return (fs.statSync(file).mode & 0o777).toString(8).padStart(4, "0");
}

/** A deploy host key the registry tests configure, so the docker CLI's options pin it. */
export const TEST_HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHRlc3RkZXBsb3lob3N0";

/** The whole program's graph (deployment.ts, as index.ts builds it), the deploy host's key configured. */
export async function registryGraph(overrides: Record<string, unknown> = {}): Promise<Graph> {
    const settings = stackSettings("aio", overrides);
    return runProgram(() => {
        const { registry, mirror } = deployOpenstack(
            { ...settings, deployHost: { ...settings.deployHost, hostKey: TEST_HOST_KEY } },
            { sshPrivateKey: pulumi.secret(TEST_PRIVATE_KEY) },
        );
        return { address: registry.address, count: mirror.count };
    });
}

/** The hosts the day-2 tests add to the multinode stack: a compute host and a controller (Pulumi.multinode.yaml's shape). */
export const CMP3 = {
    name: "cmp3",
    address: "10.20.0.23",
    roles: ["compute"],
    interfaces: { management: "ens3", external: "ens5", tunnel: "ens6" },
};
export const CTL4 = {
    name: "ctl4",
    address: "10.20.0.14",
    apiAddress: "10.20.1.14",
    roles: ["control", "network", "monitoring"],
    interfaces: { management: "ens3", api: "ens4", external: "ens5", tunnel: "ens6" },
};

/** The aio stack's kolla stages in the order they run (Octavia on, no TLS). */
export const AIO_STAGES = [
    "bootstrap-servers",
    "octavia-certificates",
    "prechecks",
    "pull",
    "deploy",
    "post-deploy",
];
