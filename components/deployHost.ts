// Stage 5: the deploy host ready to run kolla-ansible: venv with pinned kolla-ansible, /etc/kolla complete.
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import * as random from "@pulumi/random";
import * as YAML from "yaml";
import { Settings } from "../config/settings";
import { renderAnsibleCfg } from "./kolla/ansibleCfg";
import { renderGlobals } from "./kolla/globals";
import { inventorySpliceScript, renderInventory } from "./kolla/inventory";
import { passwordsMergeScript, renderPasswordOverrides } from "./kolla/passwords";
import { kollaPaths, LOCK_VARS, LOG_DIR, PROGRESS_FILTER_FILE, STATE_DIR } from "./kolla/paths";
import type * as commandInputs from "@pulumi/command/types/input";
import { remoteCommand, runScriptCommand } from "./remote";
import { renderScript, Script, scriptBody, sha256, shellQuote } from "./script";
import { firstContact } from "./firstContact";

export interface DeployHostArgs {
    settings: Settings;
    privateKey: pulumi.Input<string>;
}

export function deployPrepareScript(settings: Settings): Script {
    const p = kollaPaths(settings.release);
    return renderScript("deploy-prepare.sh", {
        STATE_DIR, LOG_DIR, CONFIG_DIR: p.configDir, VENV: p.venv,
        PIP_TOOLS: settings.pins.pipTools,
        PACKAGES: settings.pins.deployHostPackages,
        UPPER_CONSTRAINTS: settings.pins.upperConstraints,
        COLLECTIONS: collectionsFile(settings),
        ...LOCK_VARS,
    }, scriptBody("deploy-lock.sh") + scriptBody("deploy-prepare.sh"));
}

/** ansible-galaxy's requirements file for the openstack.kolla collection, at the pinned ref (kolla's own format). */
export function collectionsFile(settings: Settings): string {
    const { repo, ref } = settings.pins.kollaCollection;
    return YAML.stringify({ collections: [{ name: repo, type: "git", version: ref }] });
}

/** The kolla-ansible playbooks this stack's stages run (tools/kolla-ansible at 2023.1-eol maps each command). */
export function stagePlaybooks(settings: Settings): string[] {
    return [
        "kolla-host.yml",                                                   // bootstrap-servers
        ...(settings.enableTls ? ["certificates.yml"] : []),                // certificates
        ...(settings.services.octavia ? ["octavia-certificates.yml"] : []), // octavia-certificates
        "site.yml",                                                         // prechecks, pull, deploy, reconfigure, upgrade
        "post-deploy.yml",                                                  // post-deploy
        ...(settings.allowDestroy ? ["destroy.yml"] : []),                  // the guard's delete
    ];
}

export function selfCheckScript(settings: Settings): Script {
    const p = kollaPaths(settings.release);
    const probe = settings.hosts.find((h) => h.roles.includes("control")) ?? settings.hosts[0];
    return renderScript("deploy-self-check.sh", {
        VENV: p.venv, LOG_DIR, CONFIG_DIR: p.configDir, INVENTORY: p.inventory, GLOBALS_FILE: p.globals,
        PASSWORDS: p.passwords, PLAYBOOKS: stagePlaybooks(settings), PROBE_HOST: probe.name,
        ...LOCK_VARS,
    }, scriptBody("deploy-lock.sh") + scriptBody("deploy-self-check.sh"));
}

export function deployKeyScript(settings: Settings): Script {
    return renderScript("deploy-key.sh", { STATE_DIR, KEY: kollaPaths(settings.release).deployKey }, scriptBody("deploy-key.sh"));
}

/** The files kolla-ansible reads, as rendered for this stack. */
export function kollaFiles(settings: Settings) {
    const p = kollaPaths(settings.release);
    return {
        globals: renderGlobals(settings),
        inventoryTop: renderInventory(settings, { privateKeyFile: p.deployKey }),
        ansibleCfg: renderAnsibleCfg(settings),
    };
}

export function deployConfigScript(settings: Settings): Script {
    const p = kollaPaths(settings.release);
    const f = kollaFiles(settings);
    return renderScript("deploy-config.sh", {
        GLOBALS_FILE: p.globals, GLOBALS: f.globals,
        INVENTORY_TOP_FILE: p.inventoryTop, INVENTORY_TOP: f.inventoryTop,
        ANSIBLE_CFG_FILE: p.ansibleCfg, ANSIBLE_CFG: f.ansibleCfg,
        CONFIG_HASH: configHash(settings),
        // The stages' output digest, installed here once so that editing it changes no stage's inputs.
        PROGRESS_FILTER_FILE, PROGRESS_FILTER: scriptBody("ansible-progress.py"),
        ...LOCK_VARS,
    }, scriptBody("deploy-lock.sh") + scriptBody("deploy-config.sh"));
}

/**
 * Writes stdin (the secret overrides) to `file`, mode 0600 from the start, replaced atomically. The command text
 * holds only the path; the secret is the whole stdin.
 */
export function passwordsFileCommand(file: string): string {
    const f = shellQuote(file), tmp = shellQuote(`${file}.new`);
    return `umask 077 && cat > ${tmp} && chmod 0600 ${tmp} && mv -f ${tmp} ${f}`;
}

/** Content hash of everything kolla-ansible reads except passwords: a change means `reconfigure`. */
export function configHash(settings: Settings): string {
    const f = kollaFiles(settings);
    return sha256([settings.release, f.globals, f.inventoryTop, f.ansibleCfg, inventorySpliceScript(settings).text].join("\0")).slice(0, 16);
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
        // Every command of the deploy host (and of the components it hands `connection` to) checks its host key.
        const contact = firstContact(`${name}-reachable`, settings.deployHost, args.privateKey, { parent: this });
        const { connection, reachable } = contact;
        this.connection = connection;
        this.hostKey = contact.hostKey;
        const child = (extra: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions => ({ parent: this, ...extra });

        const admin = new random.RandomPassword(`${name}-keystone-admin-password`, { length: 32, special: false }, child());
        const octavia = settings.services.octavia
            ? new random.RandomPassword(`${name}-octavia-keystone-password`, { length: 32, special: false }, child())
            : undefined;
        this.adminPassword = pulumi.secret(admin.result);
        this.octaviaPassword = octavia ? pulumi.secret(octavia.result) : undefined;

        // Generated on the deploy host; only the public half comes back (the last line of stdout).
        const deployKey = remoteCommand(`${name}-deploy-key`, {
            connection, create: runScriptCommand(), stdin: deployKeyScript(settings).text,
        }, child({ dependsOn: [reachable], customTimeouts: { create: "5m", update: "5m" } }));
        this.publicKey = deployKey.stdout.apply((s) => s.trim().split("\n").pop() ?? "");

        this.toolsReady = remoteCommand(`${name}-prepare`, {
            connection, create: runScriptCommand(), stdin: deployPrepareScript(settings).text,
            // Above the sum of the script's own `timeout`s (apt 2×20m, pip 20m + 2×30m, install-deps 20m).
        }, child({ dependsOn: [reachable], customTimeouts: { create: "150m", update: "150m" } }));

        const config = remoteCommand(`${name}-kolla-config`, {
            connection, create: runScriptCommand(), stdin: deployConfigScript(settings).text,
        }, child({ dependsOn: [this.toolsReady] }));
        const inventory = remoteCommand(`${name}-inventory`, {
            connection, create: runScriptCommand(), stdin: inventorySpliceScript(settings).text,
            // The shipped service groups come from the installed kolla-ansible: re-splice when it or the top changes.
            triggers: [configHash(settings), deployPrepareScript(settings).sha256],
        }, child({ dependsOn: [config] }));

        // The stack's passwords reach the host only as stdin of this command, which writes them to a 0600 file.
        const overrides = pulumi.secret(pulumi.all([admin.result, octavia?.result]).apply(([keystoneAdminPassword, octaviaKeystonePassword]) =>
            renderPasswordOverrides({ keystoneAdminPassword, octaviaKeystonePassword }, settings)));
        const passwordsFile = remoteCommand(`${name}-passwords-file`, {
            connection,
            create: passwordsFileCommand(p.passwordOverrides),
            stdin: overrides,
            logging: "none",
        }, child({ dependsOn: [this.toolsReady], additionalSecretOutputs: ["stdout", "stderr"] }));
        const passwords = remoteCommand(`${name}-passwords`, {
            connection, create: runScriptCommand(), stdin: passwordsMergeScript(settings).text,
            // Re-merge when the owned passwords change (a hash of a secret stays a secret).
            triggers: [pulumi.secret(overrides.apply((o) => sha256(o)))],
        }, child({ dependsOn: [passwordsFile, inventory] }));
        // Before any target is touched: kolla's playbooks parse and its variables template with what was installed.
        this.ready = remoteCommand(`${name}-self-check`, {
            connection, create: runScriptCommand(), stdin: selfCheckScript(settings).text,
            // Checks again whenever what it checks changed: the installed packages or the rendered config.
            triggers: [deployPrepareScript(settings).sha256, configHash(settings)],
        }, child({ dependsOn: [passwords], customTimeouts: { create: "15m", update: "15m" } }));

        this.configHash = pulumi.output(configHash(settings));
        this.registerOutputs({
            publicKey: this.publicKey, configHash: this.configHash,
            adminPassword: this.adminPassword, octaviaPassword: this.octaviaPassword,
        });
    }
}

export function renderedScripts(settings: Settings): Script[] {
    return [deployKeyScript(settings), deployPrepareScript(settings), deployConfigScript(settings), inventorySpliceScript(settings), passwordsMergeScript(settings), selfCheckScript(settings)];
}
