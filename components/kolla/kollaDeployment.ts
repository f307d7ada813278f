// Stage 6: the kolla-ansible lifecycle on the deploy host: one remote command per cloud-wide stage, one per scoped
// reconfigure, and one per target host (kolla's runbooks for adding and removing it).
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import type * as commandInputs from "@pulumi/command/types/input";
import { Settings } from "../../config/settings";
import { KnownHost, knownHostsScript } from "../../render/hosts";
import {
    requireCaCertificate,
    DESTROY_TIMEOUTS,
    destroyScript,
    HOST_TIMEOUTS,
    hostScript,
    reconfigureScopes,
    SCOPE_TIMEOUTS,
    scopeScript,
    STAGE_TIMEOUTS,
    StageName,
    stageNames,
    stageScript,
} from "../../render/kolla";
import { KollaImage } from "../../render/images";
import { kollaPaths } from "../../render/paths";
import {
    Hop,
    HOP_STEP_RESOURCE_TIMEOUT,
    hopQueuesScript,
    hopRabbitmqScript,
    hopVerifyScript,
} from "../../render/upgrade";
import { verifyImagesScript } from "../../render/verifyImages";
import { remoteCommand, runScriptCommand } from "../remote";

// Handles this stage passes to the next. Outputs carry the ordering: a value derived from a command's output
// makes everything built from it wait for that command.
/** What the cloud stage needs from the deployment (all derived from the post-deploy command's outputs). */
export interface CloudAccess {
    /** Keystone public endpoint, e.g. http://10.10.30.55:5000 (https with TLS). */
    readonly authUrl: pulumi.Output<string>;
    readonly region: pulumi.Output<string>;
    readonly adminUser: string;
    readonly adminProject: string;
    /** User and project domain. */
    readonly adminDomain: string;
    /** keystone_admin_password, a secret. */
    readonly adminPassword: pulumi.Output<string>;
    /** octavia_keystone_password (user `octavia`, project `service`), a secret; only with Octavia. */
    readonly octaviaPassword?: pulumi.Output<string>;
    /** With TLS: the PEM of the CA kolla's `certificates` stage made (public), which the provider trusts. */
    readonly caCertificate?: pulumi.Output<string>;
}

export interface KollaDeploymentArgs {
    /** What the stage scripts render from (release, stages enabled, VIP, region, TLS). */
    settings: Settings;
    /** The deploy host's connection, its host key pinned (DeployHost.connection). */
    connection: commandInputs.remote.ConnectionArgs;
    /** /etc/kolla complete and self-checked (DeployHost.ready). */
    deployHostReady: pulumi.Resource;
    /** keystone_admin_password and, with Octavia, octavia_keystone_password (DeployHost, secrets). */
    adminPassword: pulumi.Output<string>;
    octaviaPassword?: pulumi.Output<string>;
    /** Each target checked, the deploy key authorized (TargetHosts.ready). */
    targetsReady: readonly pulumi.Resource[];
    /** The targets' SSH host keys, for Ansible's known_hosts (TargetHosts.hostKeys). */
    targetHostKeys: pulumi.Input<KnownHost[]>;
    /** What `pull` waits for: every image in the local registry (KollaImageMirror). */
    imagesMirrored: pulumi.Resource;
    /** A release change on a deployed cloud (render/upgrade.ts): the hop's own steps join the stages. */
    hop?: Hop;
    /** Mirror mode: the images and the digests the mirror recorded (KollaImageMirror.digests), checked after pull. */
    mirroredDigests?: {
        images: readonly KollaImage[];
        digests: pulumi.Input<Record<string, string>>;
    };
}

/**
 * A kolla-ansible run on the deploy host (a stage, a hop's step, a scoped reconfigure, a host's own command): the
 * script's create and update modes (and delete, if given), ansible's progress streamed to the operator with a copy in
 * <logDir>, and its output secret in the state (the digest is redacted, and secret on top of that).
 */
function kollaRun(
    name: string,
    run: {
        connection: commandInputs.remote.ConnectionArgs;
        stdin: pulumi.Input<string>;
        withDelete?: boolean;
    },
    opts: {
        parent: pulumi.Resource;
        dependsOn: pulumi.Input<pulumi.Resource>[];
        customTimeouts: pulumi.CustomTimeouts;
    },
): command.remote.Command {
    return remoteCommand(
        name,
        {
            connection: run.connection,
            create: runScriptCommand("create"),
            update: runScriptCommand("update"),
            ...(run.withDelete ? { delete: runScriptCommand("delete") } : {}),
            stdin: run.stdin,
            logging: "stdoutAndStderr",
        },
        { ...opts, additionalSecretOutputs: ["stdout", "stderr"] },
    );
}

export class KollaDeployment extends pulumi.ComponentResource {
    readonly stages: Partial<Record<StageName, command.remote.Command>>;
    /** Mirror mode: the targets' images checked against the mirror's digests, between pull and deploy. */
    verifyImages?: command.remote.Command;
    /** On a hop: its own steps around the stages, by name (rabbitmq, queues, verify). */
    readonly hopSteps: Record<string, command.remote.Command> = {};
    /** One scoped reconfigure per scope the globals set (render/kolla.ts RECONFIGURE_SCOPES), by scope name. */
    readonly reconfigures: Record<string, command.remote.Command>;
    /** One command per target host, by host name: adds it to a running cloud, removes it when deleted. */
    readonly hosts: Record<string, command.remote.Command>;
    readonly postDeploy: command.remote.Command;
    /** Installs (allowDestroy) or removes the teardown command; its delete never runs `kolla-ansible destroy`. */
    readonly destroyGuard: command.remote.Command;
    readonly access: CloudAccess;
    readonly adminOpenrcPath: string;
    /** The release, once the deploy stage succeeded with it (derived from its output). */
    readonly deployedRelease: pulumi.Output<string>;

    constructor(name: string, args: KollaDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openstack-aio:kolla:KollaDeployment", name, {}, opts);
        const { settings } = args;
        const { connection } = args;

        // Created before the first stage, so `pulumi destroy` deletes it after every stage and everything built on
        // post-deploy (the cloud's own resources, deleted through the OpenStack API while it still runs), and
        // before the deploy host and targets it needs (no-op deletes). Being first also means a deployment that
        // failed half-way can still be torn down.
        this.destroyGuard = remoteCommand(
            `${name}-destroy-guard`,
            {
                connection,
                create: runScriptCommand("create"),
                update: runScriptCommand("update"),
                delete: runScriptCommand("delete"),
                stdin: destroyScript(settings).text,
            },
            {
                parent: this,
                additionalSecretOutputs: ["stdout", "stderr"],
                dependsOn: [args.deployHostReady, ...args.targetsReady],
                customTimeouts: { create: "5m", update: "5m", delete: DESTROY_TIMEOUTS.resource },
            },
        );

        // Ansible checks every target's SSH host key against what first contact recorded (ansible.cfg).
        const knownHosts = remoteCommand(
            `${name}-known-hosts`,
            {
                connection,
                create: runScriptCommand(),
                stdin: pulumi
                    .output(args.targetHostKeys)
                    .apply((keys) => knownHostsScript(keys).text),
            },
            {
                parent: this,
                dependsOn: [args.deployHostReady],
                customTimeouts: { create: "15m", update: "15m" },
            },
        );

        // A hop's own steps (render/upgrade.ts), each a command like the stages: create and update run the script,
        // which acts only while the cloud runs the release the hop starts from; no delete.
        const hopStep = (
            step: string,
            script: { text: string } | undefined,
            dependsOn: pulumi.Resource[],
        ): command.remote.Command[] => {
            if (!script) return [];
            const cmd = kollaRun(
                `${name}-hop-${step}`,
                { connection, stdin: script.text },
                {
                    parent: this,
                    dependsOn,
                    customTimeouts: {
                        create: HOP_STEP_RESOURCE_TIMEOUT,
                        update: HOP_STEP_RESOURCE_TIMEOUT,
                    },
                },
            );
            this.hopSteps[step] = cmd;
            return [cmd];
        };
        const { hop } = args;

        this.stages = {};
        let previous: pulumi.Resource[] = [this.destroyGuard];
        // First of all on a hop: RabbitMQ's version steps with the old release's CLI, on its images (mirrored ahead).
        if (hop) {
            const rabbitmq = hopStep("rabbitmq", hopRabbitmqScript(settings, hop), [
                ...previous,
                args.deployHostReady,
                knownHosts,
                ...args.targetsReady,
                args.imagesMirrored,
            ]);
            if (rabbitmq.length) previous = rabbitmq;
        }
        for (const stage of stageNames(settings)) {
            const cmd = kollaRun(
                `${name}-${stage}`,
                // Only what the stage depends on (render/kolla.ts stageHash): adding a host changes nothing here.
                { connection, stdin: stageScript(settings, stage).text },
                {
                    parent: this,
                    // kolla pulls from the local registry: pull waits for every mirrored image. bootstrap-servers
                    // needs /etc/kolla complete and the deploy key on every target (also through the guard).
                    dependsOn:
                        stage === "pull"
                            ? [...previous, args.imagesMirrored]
                            : stage === "bootstrap-servers"
                              ? [
                                    ...previous,
                                    args.deployHostReady,
                                    knownHosts,
                                    ...args.targetsReady,
                                ]
                              : previous,
                    customTimeouts: {
                        create: STAGE_TIMEOUTS[stage].resource,
                        update: STAGE_TIMEOUTS[stage].resource,
                    },
                },
            );
            this.stages[stage] = cmd;
            previous = [cmd];
            // After pull, before deploy: the targets' images are the mirror's, digest for digest (verify-images.sh).
            // It runs after every pull (its output is a trigger), and not when only the recorded digests changed.
            if (stage === "pull" && args.mirroredDigests) {
                const { images, digests } = args.mirroredDigests;
                this.verifyImages = remoteCommand(
                    `${name}-verify-images`,
                    {
                        connection,
                        create: runScriptCommand(),
                        update: "true",
                        stdin: pulumi
                            .output(digests)
                            .apply((d) => verifyImagesScript(settings, images, d).text),
                        triggers: [cmd.stdout],
                    },
                    { parent: this, dependsOn: [cmd], customTimeouts: { create: "20m" } },
                );
                previous = [this.verifyImages];
            }
            // On a hop: the queue migration before `upgrade`; kolla's checks after it.
            if (hop && stage === "pull") {
                const queues = hopStep("queues", hopQueuesScript(settings, hop), previous);
                if (queues.length) previous = queues;
            }
            if (hop && stage === "deploy") {
                previous = hopStep("verify", hopVerifyScript(settings, hop), previous);
            }
        }
        const postDeploy = this.stages["post-deploy"];
        if (!postDeploy) throw new Error("stageNames() ends with post-deploy");
        this.postDeploy = postDeploy;
        const deploy = this.stages.deploy;
        if (!deploy) throw new Error("stageNames() has deploy");
        this.deployedRelease = pulumi.unsecret(deploy.stdout.apply(() => settings.release));

        // After the cloud-wide stages: each reconfigures what only it concerns, when the cloud does not run it yet.
        this.reconfigures = {};
        for (const scope of reconfigureScopes(settings)) {
            this.reconfigures[scope.name] = kollaRun(
                `${name}-reconfigure-${scope.name}`,
                { connection, stdin: scopeScript(settings, scope).text },
                {
                    parent: this,
                    dependsOn: [postDeploy],
                    customTimeouts: {
                        create: SCOPE_TIMEOUTS.resource,
                        update: SCOPE_TIMEOUTS.resource,
                    },
                },
            );
        }

        // One command per target host. Its delete runs when the host leaves the stack, with the inputs of its last
        // update, after deploy-config took the host out of the inventory: hence its own line and host key in stdin.
        this.hosts = {};
        for (const host of settings.hosts) {
            const keyOf = (keys: KnownHost[]): string => {
                const k = keys.find(
                    (e) => e.address === host.address && e.sshPort === host.sshPort,
                );
                if (!k) throw new Error(`no recorded host key for ${host.name}`);
                return k.hostKey;
            };
            this.hosts[host.name] = kollaRun(
                `${name}-host-${host.name}`,
                {
                    connection,
                    stdin: pulumi
                        .output(args.targetHostKeys)
                        .apply((keys) => hostScript(settings, host, keyOf(keys)).text),
                    withDelete: true,
                },
                {
                    parent: this,
                    // After the cloud-wide stages (so a fresh stack finds every host deployed), and deleted before
                    // them and the guard: on `pulumi destroy` each finds its host still in the inventory and does nothing.
                    dependsOn: [postDeploy],
                    customTimeouts: HOST_TIMEOUTS.resource,
                },
            );
        }

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
            adminPassword: pulumi.secret(afterPostDeploy(args.adminPassword)),
            ...(args.octaviaPassword
                ? { octaviaPassword: pulumi.secret(afterPostDeploy(args.octaviaPassword)) }
                : {}),
            ...(this.stages.certificates
                ? {
                      caCertificate: afterPostDeploy(
                          pulumi
                              .unsecret(this.stages.certificates.stdout)
                              .apply((out) => requireCaCertificate(out, settings)),
                      ),
                  }
                : {}),
        };
        this.adminOpenrcPath = kollaPaths(settings.release).adminOpenrc;
        this.registerOutputs({
            deployedRelease: this.deployedRelease,
            authUrl: this.access.authUrl,
            region: this.access.region,
            adminOpenrcPath: this.adminOpenrcPath,
        });
    }
}
