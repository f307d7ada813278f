// Stage 1: the deploy host ready to run kolla-ansible: venv with pinned kolla-ansible, /etc/kolla complete.
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import * as random from "@pulumi/random";
import type * as commandInputs from "@pulumi/command/types/input";
import { Settings } from "../../config/settings";
import {
    configHash,
    deployConfigScript,
    deployKeyScript,
    deployPrepareScript,
    passwordsFileCommand,
    selfCheckScript,
} from "../../render/deployHost";
import { inventorySpliceScript } from "../../render/inventory";
import { passwordsMergeScript, renderPasswordOverrides } from "../../render/passwords";
import { kollaPaths } from "../../render/paths";
import { sha256 } from "../../render/script";
import { remoteCommand, runScriptCommand } from "../remote";
import { firstContact } from "./firstContact";

export interface DeployHostArgs {
    /** What the deploy host is prepared with: the deploy host itself, release pins, the kolla configuration. */
    settings: Settings;
    privateKey: pulumi.Input<string>;
}

export class DeployHost extends pulumi.ComponentResource {
    /** Public half of the deploy key generated on the deploy host. */
    readonly publicKey: pulumi.Output<string>;
    /** kolla-ansible installed, /etc/kolla complete (globals, inventory, passwords) and the self-check passed. */
    readonly ready: command.remote.Command;
    /** venv, kolla-ansible and the OpenStack clients installed: what the amphora build needs. */
    readonly toolsReady: command.remote.Command;
    readonly configHash: pulumi.Output<string>;
    /** The SSH connection to the deploy host, its host key pinned: every command on the deploy host uses it. */
    readonly connection: commandInputs.remote.ConnectionArgs;
    /** `<type> <base64>` of the deploy host's SSH key (configured or recorded on first contact). */
    readonly hostKey: pulumi.Output<string>;
    readonly adminPassword: pulumi.Output<string>;
    /** Only with Octavia. */
    readonly octaviaPassword?: pulumi.Output<string>;

    constructor(name: string, args: DeployHostArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openstack-aio:deploy:DeployHost", name, {}, opts);
        const { settings } = args;
        const p = kollaPaths(settings.release);
        const prepare = deployPrepareScript(settings);
        const hash = configHash(settings);
        // Every command of the deploy host (and of the components it hands `connection` to) checks its host key.
        const contact = firstContact(`${name}-reachable`, settings.deployHost, args.privateKey, {
            parent: this,
        });
        const { connection, reachable } = contact;
        this.connection = connection;
        this.hostKey = contact.hostKey;
        const child = (extra: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions => ({
            parent: this,
            ...extra,
        });

        const admin = new random.RandomPassword(
            `${name}-keystone-admin-password`,
            { length: 32, special: false },
            child(),
        );
        const octavia = settings.services.octavia
            ? new random.RandomPassword(
                  `${name}-octavia-keystone-password`,
                  { length: 32, special: false },
                  child(),
              )
            : undefined;
        this.adminPassword = pulumi.secret(admin.result);
        this.octaviaPassword = octavia ? pulumi.secret(octavia.result) : undefined;

        // Generated on the deploy host; only the public half comes back (the last line of stdout).
        const deployKey = remoteCommand(
            `${name}-deploy-key`,
            {
                connection,
                create: runScriptCommand(),
                stdin: deployKeyScript(settings).text,
            },
            child({ dependsOn: [reachable], customTimeouts: { create: "5m", update: "5m" } }),
        );
        this.publicKey = deployKey.stdout.apply((s) => s.trim().split("\n").pop() ?? "");

        this.toolsReady = remoteCommand(
            `${name}-prepare`,
            {
                connection,
                create: runScriptCommand(),
                stdin: prepare.text,
                // Above the sum of the script's own `timeout`s (apt 2×20m, pip 20m + 2×30m, install-deps 20m).
            },
            child({ dependsOn: [reachable], customTimeouts: { create: "150m", update: "150m" } }),
        );

        const config = remoteCommand(
            `${name}-kolla-config`,
            {
                connection,
                create: runScriptCommand(),
                stdin: deployConfigScript(settings).text,
            },
            child({ dependsOn: [this.toolsReady] }),
        );
        const inventory = remoteCommand(
            `${name}-inventory`,
            {
                connection,
                create: runScriptCommand(),
                stdin: inventorySpliceScript(settings).text,
                // The shipped service groups come from the installed kolla-ansible: re-splice when it or the top changes.
                triggers: [hash, prepare.sha256],
            },
            child({ dependsOn: [config] }),
        );

        // The stack's passwords reach the host only as stdin of this command, which writes them to a 0600 file.
        const overrides = pulumi.secret(
            pulumi
                .all([admin.result, octavia?.result])
                .apply(([keystoneAdminPassword, octaviaKeystonePassword]) =>
                    renderPasswordOverrides(
                        { keystoneAdminPassword, octaviaKeystonePassword },
                        settings,
                    ),
                ),
        );
        const passwordsFile = remoteCommand(
            `${name}-passwords-file`,
            {
                connection,
                create: passwordsFileCommand(p.passwordOverrides),
                stdin: overrides,
                logging: "none",
            },
            child({ dependsOn: [this.toolsReady], additionalSecretOutputs: ["stdout", "stderr"] }),
        );
        const passwords = remoteCommand(
            `${name}-passwords`,
            {
                connection,
                create: runScriptCommand(),
                stdin: passwordsMergeScript(settings).text,
                // Re-merge when the owned passwords change (a hash of a secret stays a secret).
                triggers: [pulumi.secret(overrides.apply((o) => sha256(o)))],
            },
            child({ dependsOn: [passwordsFile, inventory] }),
        );
        // Before any target is touched: kolla's playbooks parse and its variables template with what was installed.
        this.ready = remoteCommand(
            `${name}-self-check`,
            {
                connection,
                create: runScriptCommand(),
                stdin: selfCheckScript(settings).text,
                // Checks again whenever what it checks changed: the installed packages or the rendered config.
                triggers: [prepare.sha256, hash],
            },
            child({ dependsOn: [passwords], customTimeouts: { create: "15m", update: "15m" } }),
        );

        this.configHash = pulumi.output(hash);
        this.registerOutputs({
            publicKey: this.publicKey,
            configHash: this.configHash,
            hostKey: this.hostKey,
            adminPassword: this.adminPassword,
            octaviaPassword: this.octaviaPassword,
        });
    }
}
