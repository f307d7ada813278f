// Stage 6: the kolla-ansible lifecycle, one remote command per stage on the deploy host.
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { Settings } from "../config/settings";
import { DeployHost, configHash } from "./deployHost";
import { KollaImageMirror } from "./imageMirror";
import { kollaPaths, LOG_DIR, STATE_DIR } from "./kolla/paths";
import { remoteCommand, runScriptCommand, sshConnection } from "./remote";
import { renderScript, Script, scriptBody } from "./script";
import { TargetHosts } from "./targetHosts";
import { CloudAccess } from "./types";

export type StageName = "bootstrap-servers" | "prechecks" | "pull" | "octavia-certificates" | "deploy" | "post-deploy";

/** Provider timeout, and a shorter one inside the script (the command provider may not enforce its own). */
export const STAGE_TIMEOUTS: Readonly<Record<StageName, { resource: string; script: string }>> = {
    "bootstrap-servers": { resource: "60m", script: "55m" },
    prechecks: { resource: "30m", script: "25m" },
    pull: { resource: "120m", script: "115m" },
    "octavia-certificates": { resource: "15m", script: "10m" },
    deploy: { resource: "240m", script: "235m" },
    "post-deploy": { resource: "20m", script: "15m" },
};

export function stageNames(settings: Settings): StageName[] {
    return ["bootstrap-servers", "prechecks", "pull", ...(settings.services.octavia ? ["octavia-certificates" as const] : []), "deploy", "post-deploy"];
}

export function stageScript(settings: Settings, stage: StageName): Script {
    const p = kollaPaths(settings.release);
    return renderScript(`kolla-${stage}.sh`, {
        STAGE: stage,
        RELEASE: settings.release,
        // The content hash of globals/inventory/ansible.cfg: a change is an input diff, i.e. an `update`.
        CONFIG_HASH: configHash(settings),
        VENV: p.venv,
        INVENTORY: p.inventory,
        LOG_DIR,
        STATE_DIR,
        STAGE_TIMEOUT: STAGE_TIMEOUTS[stage].script,
    }, scriptBody("kolla-stage.sh"));
}

export function destroyScript(settings: Settings): Script {
    const p = kollaPaths(settings.release);
    return renderScript("kolla-destroy.sh", {
        ALLOW_DESTROY: settings.allowDestroy, VENV: p.venv, INVENTORY: p.inventory, LOG_DIR, STATE_DIR,
    }, scriptBody("kolla-destroy.sh"));
}

export interface KollaDeploymentArgs {
    settings: Settings;
    privateKey: pulumi.Input<string>;
    deployHost: DeployHost;
    targets: TargetHosts;
    mirror: KollaImageMirror;
}

export class KollaDeployment extends pulumi.ComponentResource {
    readonly stages: Partial<Record<StageName, command.remote.Command>>;
    readonly postDeploy: command.remote.Command;
    readonly destroyGuard: command.remote.Command;
    readonly access: CloudAccess;
    readonly adminOpenrcPath: string;

    constructor(name: string, args: KollaDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openstack-aio:kolla:KollaDeployment", name, {}, opts);
        const { settings } = args;
        const connection = sshConnection(settings.deployHost, args.privateKey);
        this.stages = {};
        const stage = (name_: StageName, dependsOn: pulumi.Resource[]) => remoteCommand(`${name}-${name_}`, {
            connection,
            create: runScriptCommand("create"),
            update: runScriptCommand("update"),
            stdin: stageScript(settings, name_).text,
            // Stream ansible's progress to the operator; a copy stays in /var/log/openstack-aio/<stage>.log.
            logging: "stdoutAndStderr",
        }, { parent: this, dependsOn, customTimeouts: { create: STAGE_TIMEOUTS[name_].resource, update: STAGE_TIMEOUTS[name_].resource } });

        let previous: pulumi.Resource[] = [args.deployHost.ready, ...args.targets.ready];
        for (const name_ of stageNames(settings).filter((s) => s !== "post-deploy")) {
            // pull also waits for the mirror: kolla pulls from the local registry.
            const cmd = stage(name_, [...previous, ...(name_ === "pull" ? [args.mirror] : [])]);
            this.stages[name_] = cmd;
            previous = [cmd];
        }
        // Created after deploy, and deleted by `pulumi destroy` only after everything built on post-deploy (the
        // cloud's resources): the one resource that may run `kolla-ansible destroy`.
        this.destroyGuard = remoteCommand(`${name}-destroy-guard`, {
            connection,
            create: runScriptCommand("create"),
            update: runScriptCommand("update"),
            delete: runScriptCommand("delete"),
            stdin: destroyScript(settings).text,
        }, { parent: this, dependsOn: previous, customTimeouts: { delete: "200m" } });
        this.postDeploy = stage("post-deploy", [...previous, this.destroyGuard]);
        this.stages["post-deploy"] = this.postDeploy;

        const scheme = settings.enableTls ? "https" : "http";
        // Derived from post-deploy's output, so whatever is built from them (the OpenStack provider) waits for it.
        const afterPostDeploy = <T>(value: T): pulumi.Output<T> => this.postDeploy.stdout.apply(() => value);
        this.access = {
            authUrl: afterPostDeploy(`${scheme}://${settings.vip}:5000`),
            region: afterPostDeploy(settings.region),
            adminUser: "admin",
            adminProject: "admin",
            adminDomain: "Default",
            adminPassword: pulumi.secret(pulumi.all([this.postDeploy.stdout, args.deployHost.adminPassword]).apply(([, pw]) => pw)),
            ...(args.deployHost.octaviaPassword
                ? { octaviaPassword: pulumi.secret(pulumi.all([this.postDeploy.stdout, args.deployHost.octaviaPassword]).apply(([, pw]) => pw)) }
                : {}),
            insecure: settings.enableTls,
        };
        this.adminOpenrcPath = kollaPaths(settings.release).adminOpenrc;
        this.registerOutputs({ authUrl: this.access.authUrl, adminOpenrcPath: this.adminOpenrcPath });
    }
}

export function renderedScripts(settings: Settings): Script[] {
    return [...stageNames(settings).map((s) => stageScript(settings, s)), destroyScript(settings)];
}
