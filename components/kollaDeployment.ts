// Stage 6: the kolla-ansible lifecycle, one remote command per stage on the deploy host.
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { Settings } from "../config/settings";
import { DeployHost, configHash } from "./deployHost";
import { KollaImageMirror } from "./imageMirror";
import { knownHostsLines } from "./firstContact";
import { KNOWN_HOSTS_FILE, kollaPaths, LOCK_VARS, LOG_DIR, PROGRESS_FILTER_FILE, STATE_DIR } from "./kolla/paths";
import { remoteCommand, runScriptCommand } from "./remote";
import { renderScript, Script, scriptBody } from "./script";
import { TargetHosts } from "./targetHosts";
import { CloudAccess } from "./types";

export type StageName = "bootstrap-servers" | "certificates" | "octavia-certificates" | "prechecks" | "pull" | "deploy" | "post-deploy";

/** Release of the last successful deploy/reconfigure/upgrade: decides deploy vs. upgrade. */
export const DEPLOYED_MARKER = `${STATE_DIR}/deployed-release`;
/** One line per live destroy guard (kolla-destroy.sh): only the delete that removes the last line may destroy. */
export const GUARDS_FILE = `${STATE_DIR}/destroy-guards`;
/** Where the guard of earlier versions kept its id; a guard's update replaces it with a GUARDS_FILE line. */
export const LEGACY_GUARD_ID_FILE = `${STATE_DIR}/destroy-guard.id`;

/** Provider timeout, and a shorter one inside the script (the command provider may not enforce its own). */
export const STAGE_TIMEOUTS: Readonly<Record<StageName, { resource: string; script: string }>> = {
    "bootstrap-servers": { resource: "60m", script: "50m" },
    certificates: { resource: "15m", script: "10m" },
    "octavia-certificates": { resource: "15m", script: "10m" },
    prechecks: { resource: "30m", script: "25m" },
    pull: { resource: "120m", script: "110m" },
    deploy: { resource: "240m", script: "230m" },
    "post-deploy": { resource: "20m", script: "15m" },
};
export const DESTROY_TIMEOUTS = { resource: "120m", script: "110m" } as const;

/**
 * The stages in order. With TLS, `certificates` makes kolla's CA and the haproxy certificates (kept on re-runs:
 * its tasks are `creates:`-guarded) before prechecks, which check them. octavia-certificates comes before prechecks: it needs only the deploy host (kolla-genpwd's
 * octavia_ca_password), and octavia's prechecks fail unless its certificate files exist.
 */
export function stageNames(settings: Settings): StageName[] {
    return [
        "bootstrap-servers",
        ...(settings.enableTls ? ["certificates" as const] : []),
        ...(settings.services.octavia ? ["octavia-certificates" as const] : []),
        "prechecks", "pull", "deploy", "post-deploy",
    ];
}

export function stageScript(settings: Settings, stage: StageName): Script {
    const p = kollaPaths(settings.release);
    return renderScript(`kolla-${stage}.sh`, {
        STAGE: stage,
        RELEASE: settings.release,
        // The content hash of globals/inventory/ansible.cfg: a config change is an input diff, i.e. an `update`.
        CONFIG_HASH: configHash(settings),
        VENV: p.venv,
        INVENTORY: p.inventory,
        LOG_DIR,
        DEPLOYED_MARKER,
        ADMIN_OPENRC: p.adminOpenrc,
        CA_CERTIFICATE: p.caCertificate,
        STAGE_TIMEOUT: STAGE_TIMEOUTS[stage].script,
        ...digestVars(p.passwords),
        ...LOCK_VARS,
    }, scriptBody("deploy-lock.sh") + scriptBody("output-digest.sh") + scriptBody("kolla-stage.sh"));
}

export function destroyScript(settings: Settings): Script {
    const p = kollaPaths(settings.release);
    return renderScript("kolla-destroy.sh", {
        ALLOW_DESTROY: settings.allowDestroy,
        VENV: p.venv,
        INVENTORY: p.inventory,
        LOG_DIR,
        DEPLOYED_MARKER,
        GUARDS_FILE,
        LEGACY_ID_FILE: LEGACY_GUARD_ID_FILE,
        DESTROY_TIMEOUT: DESTROY_TIMEOUTS.script,
        ...digestVars(p.passwords),
        ...LOCK_VARS,
    }, scriptBody("deploy-lock.sh") + scriptBody("output-digest.sh") + scriptBody("kolla-destroy.sh"));
}



/** What output-digest.sh needs: the digest filter itself, and the passwords it redacts. */
function digestVars(passwords: string): Record<string, string> {
    // The filter itself is installed once by deploy-config: editing it re-runs no stage.
    return { PROGRESS_FILTER: PROGRESS_FILTER_FILE, PASSWORDS: passwords };
}

export interface KollaDeploymentArgs {
    settings: Settings;
    deployHost: DeployHost;
    targets: TargetHosts;
    mirror: KollaImageMirror;
}

export class KollaDeployment extends pulumi.ComponentResource {
    readonly stages: Partial<Record<StageName, command.remote.Command>>;
    readonly postDeploy: command.remote.Command;
    /** The one resource whose delete may run `kolla-ansible destroy`. */
    readonly destroyGuard: command.remote.Command;
    readonly access: CloudAccess;
    readonly adminOpenrcPath: string;

    constructor(name: string, args: KollaDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openstack-aio:kolla:KollaDeployment", name, {}, opts);
        const { settings } = args;
        const connection = args.deployHost.connection;

        // Created before the first stage, so `pulumi destroy` deletes it after every stage and everything built on
        // post-deploy (the cloud's own resources, deleted through the OpenStack API while it still runs), and
        // before the deploy host and targets it needs (no-op deletes). Being first also means a deployment that
        // failed half-way can still be torn down.
        this.destroyGuard = remoteCommand(`${name}-destroy-guard`, {
            connection,
            create: runScriptCommand("create"),
            update: runScriptCommand("update"),
            delete: runScriptCommand("delete"),
            stdin: destroyScript(settings).text,
        }, {
            parent: this,
            additionalSecretOutputs: ["stdout", "stderr"],
            dependsOn: [args.deployHost.ready, ...args.targets.ready],
            customTimeouts: { create: "5m", update: "5m", delete: DESTROY_TIMEOUTS.resource },
        });

        // Ansible checks every target's SSH host key against what first contact recorded (ansible.cfg).
        const knownHosts = remoteCommand(`${name}-known-hosts`, {
            connection,
            create: runScriptCommand(),
            stdin: args.targets.hostKeys.apply((keys) => knownHostsScript(keys).text),
        }, { parent: this, dependsOn: [args.deployHost.ready], customTimeouts: { create: "15m", update: "15m" } });

        this.stages = {};
        let previous: pulumi.Resource[] = [this.destroyGuard];
        for (const stage of stageNames(settings)) {
            const cmd = remoteCommand(`${name}-${stage}`, {
                connection,
                create: runScriptCommand("create"),
                update: runScriptCommand("update"),
                stdin: stageScript(settings, stage).text,
                // ansible's progress streams to the operator; a copy stays in <logDir>/<stage>.log.
                logging: "stdoutAndStderr",
            }, {
                parent: this,
                // The state keeps a command's stdout: the digest is redacted, and secret on top of that.
                additionalSecretOutputs: ["stdout", "stderr"],
                // kolla pulls from the local registry: pull waits for every mirrored image. bootstrap-servers
                // needs /etc/kolla complete and the deploy key on every target (also through the guard).
                dependsOn: stage === "pull" ? [...previous, args.mirror]
                    : stage === "bootstrap-servers" ? [...previous, args.deployHost.ready, knownHosts, ...args.targets.ready]
                    : previous,
                customTimeouts: { create: STAGE_TIMEOUTS[stage].resource, update: STAGE_TIMEOUTS[stage].resource },
            });
            this.stages[stage] = cmd;
            previous = [cmd];
        }
        this.postDeploy = this.stages["post-deploy"]!;

        const scheme = settings.enableTls ? "https" : "http";
        // Derived from post-deploy's output, so whatever is built from them (the OpenStack provider) waits for it.
        // post-deploy's stdout is secret; only the ordering is taken from it, so the values keep their own secrecy.
        const afterPostDeploy = <T>(value: pulumi.Input<T>): pulumi.Output<T> =>
            pulumi.unsecret(pulumi.all([this.postDeploy.stdout, value]).apply(([, v]) => v as T));
        this.access = {
            authUrl: afterPostDeploy(`${scheme}://${settings.vip}:5000`),
            region: afterPostDeploy(settings.region),
            adminUser: "admin",
            adminProject: "admin",
            adminDomain: "Default",
            adminPassword: pulumi.secret(afterPostDeploy(args.deployHost.adminPassword)),
            ...(args.deployHost.octaviaPassword
                ? { octaviaPassword: pulumi.secret(afterPostDeploy(args.deployHost.octaviaPassword)) }
                : {}),
            ...(this.stages.certificates ? { caCertificate: afterPostDeploy(caCertificateOf(this.stages.certificates.stdout)) } : {}),
        };
        this.adminOpenrcPath = kollaPaths(settings.release).adminOpenrc;
        this.registerOutputs({ authUrl: this.access.authUrl, region: this.access.region, adminOpenrcPath: this.adminOpenrcPath });
    }
}

/** The CA the `certificates` stage printed ("== ca: " lines, past the digest): public, so not a secret. */
export function caCertificateOf(stdout: pulumi.Output<string>): pulumi.Output<string> {
    return pulumi.unsecret(stdout).apply((out) => {
        const pem = out.split("\n").filter((l) => l.startsWith("== ca: ")).map((l) => l.slice(7)).join("\n");
        return pem ? `${pem}\n` : "";
    });
}

/** The targets' host keys for Ansible on the deploy host (`keys`: as recorded on first contact or configured). */
export function knownHostsScript(keys: readonly { address: string; sshPort: number; hostKey: string }[]): Script {
    return renderScript("known-hosts.sh", { KNOWN_HOSTS_FILE, KNOWN_HOSTS: knownHostsLines(keys), ...LOCK_VARS },
        scriptBody("deploy-lock.sh") + scriptBody("known-hosts.sh"));
}

export function renderedScripts(settings: Settings): Script[] {
    // For review: the host keys are known only at `pulumi up` (or from hosts[].hostKey).
    const keys = settings.hosts.map((h) => ({ address: h.address, sshPort: h.sshPort, hostKey: h.hostKey ?? "ssh-ed25519 <recorded-on-first-contact>" }));
    return [knownHostsScript(keys), ...stageNames(settings).map((s) => stageScript(settings, s)), destroyScript(settings)];
}
