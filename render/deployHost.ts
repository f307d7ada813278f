// The deploy host made ready to run kolla-ansible: the venv, the collection, /etc/kolla, the deploy key, the
// self-check; and the hash of everything kolla-ansible reads, which decides when a deployment is reconfigured.
import * as YAML from "yaml";
import { Settings } from "../config/settings";
import { legacyForks, renderAnsibleCfg } from "./ansibleCfg";
import { renderGlobals } from "./globals";
import { inventorySpliceScript, renderInventory } from "./inventory";
import { APPLIED_DIR, appliedRecords, FORCE_REMOVE_FILE, HOSTS_FILE, hostsList } from "./kolla";
import { kollaPaths, LOCK_VARS, LOG_DIR, PROGRESS_FILTER_FILE, STATE_DIR } from "./paths";
import { renderScript, Script, scriptBody, sha256, shellQuote } from "./script";
import { hopBackupVars, hopGuardVars } from "./upgrade";

export function deployPrepareScript(settings: Settings): Script {
    const p = kollaPaths(settings.release);
    return renderScript(
        "deploy-prepare.sh",
        {
            STATE_DIR,
            LOG_DIR,
            CONFIG_DIR: p.configDir,
            VENV: p.venv,
            APT_PACKAGES: settings.pins.deployHostAptPackages,
            HOST_OS: settings.hostOs,
            PIP_TOOLS: settings.pins.pipTools,
            PACKAGES: settings.pins.deployHostPackages,
            UPPER_CONSTRAINTS: settings.pins.upperConstraints,
            COLLECTIONS: collectionsFile(settings),
            ...hopGuardVars(settings),
            ...LOCK_VARS,
        },
        scriptBody("deploy-lock.sh") + scriptBody("hop-guard.sh") + scriptBody("deploy-prepare.sh"),
    );
}

/**
 * ansible-galaxy's requirements file (kolla's own requirements.yml format): the openstack.kolla collection from git at
 * the release's ref, then the Galaxy collections kolla's requirements-core.yml caps, at exact versions (a bare version
 * is an exact requirement to ansible-galaxy: galaxy/dependency_resolution/versioning.py meets_requirements).
 */
export function collectionsFile(settings: Settings): string {
    const { repo, ref } = settings.pins.kollaCollection;
    return YAML.stringify({
        collections: [
            { name: repo, type: "git", version: ref },
            ...settings.pins.galaxyCollections.map(({ name, version }) => ({
                name,
                source: "https://galaxy.ansible.com",
                version,
            })),
        ],
    });
}

/** The kolla-ansible playbooks this stack's stages run (tools/kolla-ansible at 2023.1-eol and kolla_ansible/cli/commands.py at 22.1.0 map each command alike). */
export function stagePlaybooks(settings: Settings): string[] {
    return [
        "kolla-host.yml", // bootstrap-servers
        ...(settings.enableTls ? ["certificates.yml"] : []), // certificates
        ...(settings.services.octavia ? ["octavia-certificates.yml"] : []), // octavia-certificates
        "site.yml", // prechecks, pull, deploy, reconfigure, upgrade
        "post-deploy.yml", // post-deploy
        ...(settings.allowDestroy ? ["destroy.yml"] : []), // kolla-teardown.sh
    ];
}

export function selfCheckScript(settings: Settings): Script {
    const p = kollaPaths(settings.release);
    const probe = settings.hosts.find((h) => h.roles.includes("control")) ?? settings.hosts[0];
    return renderScript(
        "deploy-self-check.sh",
        {
            VENV: p.venv,
            LOG_DIR,
            CONFIG_DIR: p.configDir,
            INVENTORY: p.inventory,
            GLOBALS_FILE: p.globals,
            PASSWORDS: p.passwords,
            PLAYBOOKS: stagePlaybooks(settings),
            PROBE_HOST: probe.name,
            ...LOCK_VARS,
        },
        scriptBody("deploy-lock.sh") + scriptBody("deploy-self-check.sh"),
    );
}

/** Which stack a deploy host serves (deploy-key.sh): `<project>/<stack>`. */
export const OWNER_FILE = `${STATE_DIR}/stack`;

/** `stack`: `<project>/<stack>`, recorded on the deploy host, which then refuses any other stack. */
export function deployKeyScript(settings: Settings, stack: string): Script {
    return renderScript(
        "deploy-key.sh",
        { STATE_DIR, KEY: kollaPaths(settings.release).deployKey, OWNER_FILE, STACK: stack },
        scriptBody("deploy-key.sh"),
    );
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
    return renderScript(
        "deploy-config.sh",
        {
            GLOBALS_FILE: p.globals,
            GLOBALS: f.globals,
            INVENTORY_TOP_FILE: p.inventoryTop,
            INVENTORY_TOP: f.inventoryTop,
            ANSIBLE_CFG_FILE: p.ansibleCfg,
            ANSIBLE_CFG: f.ansibleCfg,
            CONFIG_HASH: configHash(settings),
            // The stages' output digest, installed here once so that editing it changes no stage's inputs.
            PROGRESS_FILTER_FILE,
            PROGRESS_FILTER: scriptBody("ansible-progress.py"),
            // What the kolla commands read from the deploy host rather than from their own inputs (render/kolla.ts):
            // the hosts with their settings' hashes, and the hosts whose removal may go on regardless.
            HOSTS_FILE,
            HOSTS: hostsList(settings),
            FORCE_REMOVE_FILE,
            FORCE_REMOVE: settings.forceRemoveHosts,
            // A cloud an earlier version deployed with this configuration keeps its records (kolla-adopt.sh).
            APPLIED_DIR,
            ADOPT_RECORDS: appliedRecords(settings),
            LEGACY_CONFIG_HASH: legacyConfigHash(settings),
            DEPLOY_LOG: `${LOG_DIR}/deploy.log`,
            ADMIN_OPENRC: p.adminOpenrc,
            CA_CERTIFICATE: p.caCertificate,
            // The hop guard, and the backup of /etc/kolla before a hop (render/upgrade.ts); DEPLOYED_MARKER with them.
            ...hopGuardVars(settings),
            ...hopBackupVars(settings),
            ...LOCK_VARS,
        },
        scriptBody("deploy-lock.sh") +
            scriptBody("hop-guard.sh") +
            scriptBody("hop-backup.sh") +
            scriptBody("kolla-records.sh") +
            scriptBody("kolla-adopt.sh") +
            scriptBody("deploy-config.sh"),
    );
}

/**
 * Writes stdin (the secret overrides) to `file`, mode 0600 from the start, replaced atomically. The command text
 * holds only the path; the secret is the whole stdin.
 */
export function passwordsFileCommand(file: string): string {
    const f = shellQuote(file),
        tmp = shellQuote(`${file}.new`);
    return `umask 077 && cat > ${tmp} && chmod 0600 ${tmp} && mv -f ${tmp} ${f}`;
}

/**
 * Content hash of every file the deploy host's kolla configuration consists of (except passwords): the inventory is
 * re-spliced and the self-check runs again when it changes. The kolla stages depend on narrower hashes (render/kolla.ts).
 */
export function configHash(settings: Settings): string {
    return filesHash(settings, kollaFiles(settings).ansibleCfg);
}

function filesHash(settings: Settings, ansibleCfg: string): string {
    const f = kollaFiles(settings);
    return sha256(
        [
            settings.release,
            f.globals,
            f.inventoryTop,
            ansibleCfg,
            inventorySpliceScript(settings).text,
        ].join("\0"),
    ).slice(0, 16);
}

/**
 * The `config` hash earlier versions' stage scripts carried and printed into deploy.log for this configuration:
 * configHash over the ansible.cfg they wrote (forks followed the host count). deploy-config compares it with the
 * last deploy's to adopt a running cloud (kolla-adopt.sh).
 */
export function legacyConfigHash(settings: Settings): string {
    return filesHash(settings, renderAnsibleCfg(settings, legacyForks(settings)));
}
