// Stage 1: the deploy host ready to run kolla-ansible: venv with pinned kolla-ansible, /etc/kolla complete.
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import * as random from "@pulumi/random";
import type * as commandInputs from "@pulumi/command/types/input";
import { qualified } from "../../config/keys";
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
import { unconfirmedHostKeyCommand } from "../../render/hosts";
import { registryCertFingerprint, registryTlsScript } from "../../render/registryTls";
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
    /** The sha256 fingerprint of the registry's certificate (made on the deploy host by registry-tls.sh). */
    readonly registryTls: pulumi.Output<string>;
    /** The deploy host's confirmation gate (none when deployHost.hostKey is configured): secrets wait for it. */
    readonly confirmed: pulumi.Resource[];
    /** `value`, once the deploy host's key is confirmed: what the targets are to trust from the deploy host. */
    readonly trusted: <T>(value: pulumi.Input<T>) => pulumi.Output<T>;
    /** /etc/kolla/passwords.yml as the last merge left it (a secret): the copy to restore from. */
    readonly kollaPasswords: pulumi.Output<string>;
    /** Only with Octavia. */
    readonly octaviaPassword?: pulumi.Output<string>;

    constructor(name: string, args: DeployHostArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openstack-aio:deploy:DeployHost", name, {}, opts);
        const { settings } = args;
        const p = kollaPaths(settings.release);
        const prepare = deployPrepareScript(settings);
        const hash = configHash(settings);
        // Every command of the deploy host (and of the components it hands `connection` to) checks its host key.
        const contact = firstContact(
            `${name}-reachable`,
            settings.deployHost,
            settings,
            `the deploy host ${settings.deployHost.name} (${qualified("deployHost")})`,
            args.privateKey,
            { parent: this },
        );
        const { connection, reachable } = contact;
        this.connection = connection;
        this.hostKey = contact.hostKey;
        const child = (extra: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions => ({
            parent: this,
            ...extra,
        });
        // A key only recorded on first contact could be an impostor's: until deployHost.hostKey confirms it, this
        // gate fails (showing the key and its fingerprint), and nothing secret or trusted passes it: the stack's
        // passwords, the deploy key the targets authorize, and what else comes through `trusted`.
        const gate =
            settings.deployHost.hostKey === undefined
                ? new command.local.Command(
                      `${name}-host-key-unconfirmed`,
                      {
                          create: pulumi
                              .unsecret(contact.hostKey)
                              .apply((key) => unconfirmedHostKeyCommand(settings.deployHost, key)),
                      },
                      child(),
                  )
                : undefined;
        this.confirmed = gate ? [gate] : [];
        this.trusted = <T>(value: pulumi.Input<T>): pulumi.Output<T> =>
            pulumi.all([gate?.stdout ?? "", value]).apply(([, v]) => v as T);

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
                // The deploy host serves this stack only (deploy-key.sh records it, and refuses any other).
                stdin: deployKeyScript(settings, `${pulumi.getProject()}/${pulumi.getStack()}`)
                    .text,
            },
            child({ dependsOn: [reachable], customTimeouts: { create: "5m", update: "5m" } }),
        );
        this.publicKey = this.trusted(deployKey.stdout).apply(
            (s) => s.trim().split("\n").pop() ?? "",
        );

        // The registry's TLS from a CA this program owns, made here (private keys never leave the host). The
        // registry containers serve the certificate; bootstrap-servers copies the CA to the targets (the inventory's
        // docker_registry_ca), so /etc/kolla is complete only once it exists.
        const registryTls = remoteCommand(
            `${name}-registry-tls`,
            {
                connection,
                create: runScriptCommand(),
                stdin: registryTlsScript(settings).text,
            },
            child({ dependsOn: [deployKey], customTimeouts: { create: "5m", update: "5m" } }),
        );
        this.registryTls = registryTls.stdout.apply(registryCertFingerprint);

        this.toolsReady = remoteCommand(
            `${name}-prepare`,
            {
                connection,
                create: runScriptCommand(),
                stdin: prepare.text,
                // Above the sum of the script's own `timeout`s (apt 2×20m, pip 20m + 2×30m, install-deps 20m).
            },
            // After deploy-key, which refuses a deploy host that serves another stack.
            child({
                dependsOn: [reachable, deployKey],
                customTimeouts: { create: "150m", update: "150m" },
            }),
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
            child({
                dependsOn: [this.toolsReady, ...this.confirmed],
                additionalSecretOutputs: ["stdout", "stderr"],
            }),
        );
        // Its stdout is passwords.yml itself: the stack's encrypted copy, restorable when the deploy host loses it
        // (docs/security.md "Passwords"). An update (the command ran before) never generates passwords anew.
        const passwords = remoteCommand(
            `${name}-passwords`,
            {
                connection,
                create: runScriptCommand("create"),
                update: runScriptCommand("update"),
                stdin: passwordsMergeScript(settings).text,
                // Re-merge when the owned passwords change (a hash of a secret stays a secret).
                triggers: [pulumi.secret(overrides.apply((o) => sha256(o)))],
                logging: "stderr",
            },
            child({
                dependsOn: [passwordsFile, inventory],
                additionalSecretOutputs: ["stdout"],
            }),
        );
        this.kollaPasswords = pulumi.secret(passwords.stdout);
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
            child({
                dependsOn: [passwords, registryTls],
                customTimeouts: { create: "15m", update: "15m" },
            }),
        );

        this.configHash = pulumi.output(hash);
        this.registerOutputs({
            publicKey: this.publicKey,
            configHash: this.configHash,
            hostKey: this.hostKey,
            adminPassword: this.adminPassword,
            kollaPasswords: this.kollaPasswords,
            registryTls: this.registryTls,
            octaviaPassword: this.octaviaPassword,
        });
    }
}
