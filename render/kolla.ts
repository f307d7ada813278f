// The kolla-ansible lifecycle on the deploy host: one script per cloud-wide stage, one scoped reconfigure per group of
// settings whose effect kolla confines to some services and hosts, one command per target host (kolla's runbooks for
// adding and removing a host), and the destroy guard's script. Each carries only what it depends on, as a hash; the
// deploy host records what it applied (APPLIED_DIR), so a script whose text alone changed runs nothing.
import { Host, Role, Settings } from "../config/settings";
import { sshArgs } from "./ansibleCfg";
import { globalsValues, INTERFACE_VARS } from "./globals";
import { knownHostsLines, KnownHost } from "./hosts";
import { kollaImages } from "./images";
import { ownHostLine } from "./inventory";
import {
    KNOWN_HOSTS_FILE,
    kollaPaths,
    LOCK_VARS,
    LOG_DIR,
    PROGRESS_FILTER_FILE,
    STATE_DIR,
} from "./paths";
import { renderScript, Script, scriptBody, sha256 } from "./script";
import { hopGuardVars } from "./upgrade";

export type StageName =
    | "bootstrap-servers"
    | "certificates"
    | "octavia-certificates"
    | "prechecks"
    | "pull"
    | "deploy"
    | "post-deploy";

/** Release of the last successful deploy/reconfigure/upgrade: decides deploy vs. upgrade. */
export const DEPLOYED_MARKER = `${STATE_DIR}/deployed-release`;
/** Where guards of earlier versions counted themselves (one line per live guard, and an id file); removed on update. */
export const GUARDS_FILE = `${STATE_DIR}/destroy-guards`;
export const LEGACY_GUARD_ID_FILE = `${STATE_DIR}/destroy-guard.id`;
/** The explicit tear-down (kolla-teardown.sh): installed by the guard while allowDestroy is true, run by an operator. */
export const TEARDOWN_FILE = `${STATE_DIR}/kolla-teardown.sh`;
/**
 * What this deploy host applied, written after each success (kolla-records.sh): `stage/<stage>` the hash a
 * cloud-wide stage last ran with, `bootstrap/<host>` what bootstrap-servers installed on a host, `hosts/<host>` the
 * host's settings it was last deployed with, `globals.yml` the globals the cloud runs (scoped reconfigures patch it).
 */
export const APPLIED_DIR = `${STATE_DIR}/applied`;
/** The inventory's hosts as deploy-config wrote them: `<name> <host hash> <address> <role,role>` a line. */
export const HOSTS_FILE = `${STATE_DIR}/hosts.list`;
/** forceRemoveHosts as deploy-config wrote it: a removal reads it (its own inputs are those of its last update). */
export const FORCE_REMOVE_FILE = `${STATE_DIR}/force-remove-hosts`;

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
/** A scoped reconfigure: the deploy stage's limits. */
export const SCOPE_TIMEOUTS = STAGE_TIMEOUTS.deploy;
/**
 * A host's own command. Adding: bootstrap-servers (of this host, and of every controller when it is one), pull,
 * deploy; removing: the live migrations, stop, the remaining controllers' deploy. Above the sum of the script's limits.
 */
export const HOST_TIMEOUTS = {
    resource: { create: "480m", update: "480m", delete: "420m" },
    /** How long a removal waits for the live migrations of its instances. */
    drainSeconds: 3600,
    stop: "30m",
} as const;

/**
 * The stages in order. With TLS, `certificates` makes kolla's CA and the haproxy certificates (kept on re-runs:
 * its tasks are `creates:`-guarded) before prechecks, which check them. octavia-certificates comes before prechecks:
 * it needs only the deploy host (kolla-genpwd's octavia_ca_password), and octavia's prechecks fail unless its
 * certificate files exist.
 */
export function stageNames(settings: Settings): StageName[] {
    const optional = (on: boolean, stage: StageName): StageName[] => (on ? [stage] : []);
    return [
        "bootstrap-servers",
        ...optional(settings.enableTls, "certificates"),
        ...optional(settings.services.octavia, "octavia-certificates"),
        "prechecks",
        "pull",
        "deploy",
        "post-deploy",
    ];
}

// ---------- what each command depends on ----------

/** JSON with sorted object keys: the same values give the same text whatever order they were built in. */
function canonical(v: unknown): string {
    if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
    if (v && typeof v === "object")
        return `{${Object.keys(v)
            .sort()
            .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
            .join(",")}}`;
    return JSON.stringify(v) ?? "null";
}
const digest = (v: unknown): string => sha256(canonical(v)).slice(0, 16);

/** What every kolla-ansible run depends on: the release and the kolla-ansible and collection installed for it. */
function kollaPins(settings: Settings) {
    const { deployHostPackages, kollaCollection, kollaCli } = settings.pins;
    return { release: settings.release, deployHostPackages, kollaCollection, kollaCli };
}

/**
 * A group of globals whose effect kolla confines to some services on some hosts: a change to them reconfigures those
 * (`reconfigure --tags <tags> --limit <group>`) and nothing else; the cloud-wide stages do not depend on them.
 */
export interface ReconfigureScope {
    /** Names the command (`kolla-reconfigure-<name>`) and its log. */
    readonly name: string;
    /** globals.yml keys. */
    readonly keys: readonly string[];
    /** kolla-ansible tags of the plays that apply them. */
    readonly tags: readonly string[];
    /** The inventory group (a role) of the hosts they concern. */
    readonly group: Role;
}

/**
 * nova_compute_virt_type: kolla-ansible 2023.1-eol and 22.1.0 read it in the nova-cell role only (nova.conf.d/
 * libvirt.conf.j2 `virt_type`, tasks/config-host.yml's kvm module checks, nova-compute.json.j2), which runs on the
 * `compute` group; group_vars derive enable_nova_libvirt_container and enable_prometheus_libvirt_exporter from
 * `in ['kvm', 'qemu']` (true for both values the settings accept) and ceilometer reads it only for `vmware`. Every
 * play of nova.yml is tagged `nova`, and site.yml's fact-gathering and grouping plays are tagged `always`.
 */
export const RECONFIGURE_SCOPES: readonly ReconfigureScope[] = [
    { name: "nova-compute", keys: ["nova_compute_virt_type"], tags: ["nova"], group: "compute" },
];
const SCOPED_KEYS = new Set(RECONFIGURE_SCOPES.flatMap((s) => s.keys));

/** The scopes this stack's globals set a key of. */
export function reconfigureScopes(settings: Settings): ReconfigureScope[] {
    const g = globalsValues(settings);
    return RECONFIGURE_SCOPES.filter((s) => s.keys.some((k) => k in g));
}

/**
 * globals.yml as the whole cloud depends on it: without the interface variables (each host's own interfaces are its
 * host command's input: whether a value sits in globals or on the host lines follows the host list) and without the
 * keys of a reconfigure scope.
 */
export function cloudGlobals(settings: Settings): Record<string, unknown> {
    return Object.fromEntries(
        Object.entries(globalsValues(settings)).filter(
            ([k]) => !(k in INTERFACE_VARS) && !SCOPED_KEYS.has(k),
        ),
    );
}

/** The cloud-wide stages (prechecks, deploy, post-deploy, the certificates): a change reconfigures every host. */
export function cloudHash(settings: Settings): string {
    return digest({ ...kollaPins(settings), globals: cloudGlobals(settings) });
}

// ansible-collection-kolla 2023.1-eol and 9.1.0, roles/*/defaults/main.yml: the variables of the roles
// bootstrap-servers (kolla-host.yml) applies: docker, docker_sdk, podman, packages, kolla_user, etc_hosts, baremetal...
const BOOTSTRAP_VARIABLE =
    /^(docker_|podman_|containerd_|ceph_(apt|yum)_|ceph_(url|version)$|epel_|apparmor_|virtualenv|git_https?_proxy$|kolla_(user|group)$|create_kolla_user|customize_etc_hosts$|disable_firewall$|enable_(docker_repo|multipathd|nova_libvirt_container)$|change_selinux$|selinux_state$|(ubuntu|redhat|openeuler)_pkg_|host_python_version$|node_config_directory$|apt_cache_valid_time$|container_engine$|package_action$|run_default_subdirectories$)/;

/** Whether an extraGlobals key is a variable of what bootstrap-servers installs. */
export function isBootstrapVariable(key: string): boolean {
    return BOOTSTRAP_VARIABLE.test(key);
}

/**
 * What bootstrap-servers installs on a host: the collection's roles at their pin, the Docker package pin, the Ubuntu
 * it installs for (Docker's apt source names the codename: after the hosts moved to noble, `hostOs: noble` runs it
 * again, host by host), the registry Docker is told about (daemon.json), and those extraGlobals that are variables
 * of those roles.
 */
export function bootstrapHash(settings: Settings): string {
    const g = globalsValues(settings);
    return digest({
        ...kollaPins(settings),
        dockerAptPin: settings.pins.dockerAptPin,
        hostOs: settings.hostOs,
        registry: g.docker_registry,
        insecure: g.docker_registry_insecure,
        extra: Object.fromEntries(
            Object.entries(settings.extraGlobals).filter(([k]) => isBootstrapVariable(k)),
        ),
    });
}

/** What `pull` fetches: the images of the enabled services, from the local registry. */
export function pullHash(settings: Settings): string {
    return digest({ ...kollaPins(settings), images: kollaImages(settings).map((i) => i.target) });
}

/** The hash a cloud-wide stage records after it succeeded; an update that finds it recorded runs nothing. */
export function stageHash(settings: Settings, stage: StageName): string {
    if (stage === "bootstrap-servers") return bootstrapHash(settings);
    if (stage === "pull") return pullHash(settings);
    return cloudHash(settings);
}

/**
 * A host as its own deployment depends on it: where it is, how it is reached, its roles and every interface kolla
 * uses on it (the effective ones, wherever the inventory writes them). Not the Docker pin: that is bootstrap-servers'.
 */
export function hostHash(host: Host): string {
    const { name, address, apiAddress, sshUser, sshPort, roles, interfaces } = host;
    return digest({
        name,
        address,
        apiAddress: apiAddress ?? null,
        sshUser,
        sshPort,
        roles,
        interfaces,
    });
}

/** The lines of deploy-config's HOSTS_FILE: `<name> <host hash> <address> <roles>`. */
export function hostsList(settings: Settings): string[] {
    return settings.hosts.map((h) => `${h.name} ${hostHash(h)} ${h.address} ${h.roles.join(",")}`);
}

/** Every record a running cloud deployed with exactly this render already holds (deploy-config's adoption). */
export function appliedRecords(settings: Settings): string[] {
    return [
        ...stageNames(settings)
            .filter((s) => s !== "bootstrap-servers")
            .map((s) => `stage/${s} ${stageHash(settings, s)}`),
        ...settings.hosts.map((h) => `bootstrap/${h.name} ${bootstrapHash(settings)}`),
        ...settings.hosts.map((h) => `hosts/${h.name} ${hostHash(h)}`),
    ];
}

// ---------- the scripts ----------

/** What every kolla script reads: the venv, logs, the output digest, the lock, the records. */
function commonVars(settings: Settings): Record<string, string | number> {
    const p = kollaPaths(settings.release);
    return {
        VENV: p.venv,
        LOG_DIR,
        DEPLOYED_MARKER,
        APPLIED_DIR,
        HOSTS_FILE,
        KOLLA_CLI: settings.pins.kollaCli,
        ...digestVars(p.passwords),
        ...LOCK_VARS,
    };
}

/** deploy-lock, output digest, kolla-cli and the records' functions, then the body. */
function kollaBody(body: string): string {
    return (
        scriptBody("deploy-lock.sh") +
        scriptBody("output-digest.sh") +
        scriptBody("kolla-cli.sh") +
        scriptBody("kolla-records.sh") +
        scriptBody(body)
    );
}

/** One cloud-wide stage: runs when what it depends on (STAGE_HASH) differs from what it last applied, or on create. */
export function stageScript(settings: Settings, stage: StageName): Script {
    const p = kollaPaths(settings.release);
    const hash = stageHash(settings, stage);
    return renderScript(
        `kolla-${stage}.sh`,
        {
            STAGE: stage,
            STAGE_HASH: hash,
            RELEASE: settings.release,
            INVENTORY: p.inventory,
            GLOBALS_FILE: p.globals,
            ADMIN_OPENRC: p.adminOpenrc,
            CA_CERTIFICATE: p.caCertificate,
            STAGE_TIMEOUT: STAGE_TIMEOUTS[stage].script,
            ...(stage === "bootstrap-servers"
                ? { BOOTSTRAP_HASH: hash, BOOTSTRAP_TIMEOUT: STAGE_TIMEOUTS[stage].script }
                : {}),
            // A release change is one hop (render/upgrade.ts): the guard refuses anything else; prechecks take the
            // hop's arguments while it runs; the deploy stage records the hop it upgraded.
            HOP_FROM: settings.pins.upgrade?.from ?? "",
            ...(stage === "prechecks"
                ? { HOP_PRECHECKS_ARGS: settings.pins.upgrade?.prechecksArgs ?? [] }
                : {}),
            ...hopGuardVars(settings),
            ...commonVars(settings),
        },
        scriptBody("hop-guard.sh") + kollaBody("kolla-stage.sh"),
    );
}

/** The globals.yml lines of a scope's keys, exactly as renderGlobals writes them. */
function globalsLines(settings: Settings, keys: readonly string[]): string[] {
    const g = globalsValues(settings);
    return keys.filter((k) => k in g).map((k) => `${k}: ${JSON.stringify(g[k])}`);
}

/** A scoped reconfigure: runs when the cloud does not run these lines yet (APPLIED_DIR/globals.yml). */
export function scopeScript(settings: Settings, scope: ReconfigureScope): Script {
    const p = kollaPaths(settings.release);
    return renderScript(
        `kolla-reconfigure-${scope.name}.sh`,
        {
            STAGE: "reconfigure",
            SCOPE: scope.name,
            TAGS: scope.tags,
            LIMIT: scope.group,
            LINES: globalsLines(settings, scope.keys),
            INVENTORY: p.inventory,
            STAGE_TIMEOUT: SCOPE_TIMEOUTS.script,
            ...commonVars(settings),
        },
        kollaBody("kolla-reconfigure.sh"),
    );
}

/**
 * One target host's own command (`kolla-host-<name>`): on create/update kolla's runbook for adding a host (nothing
 * when the deploy host recorded it deployed with these settings), on delete the runbook for removing it. The delete
 * runs with the inputs of the last update (@pulumi/command 1.2.1 provider/pkg/provider/remote/commandController.go
 * Delete runs the state's command with the state's stdin), by when deploy-config has taken the host out of the
 * inventory and known_hosts: so the host's own inventory line and host key are in this script.
 */
export function hostScript(settings: Settings, host: Host, hostKey: string): Script {
    const p = kollaPaths(settings.release);
    const removal = `${STATE_DIR}/removal-${host.name}`;
    const key: KnownHost = { address: host.address, sshPort: host.sshPort, hostKey };
    const roles = new Set(host.roles);
    return renderScript(
        `kolla-host-${host.name}.sh`,
        {
            // No STAGE: its value would name a kolla-ansible subcommand (kolla-check reads STAGE so for cliff releases).
            HOST: host.name,
            LIMIT: host.name,
            HOST_HASH: hostHash(host),
            HOST_ADDRESS: host.address,
            HOST_ROLES: host.roles,
            HOST_LINE: ownHostLine(host, p.deployKey),
            HOST_KNOWN_HOSTS: knownHostsLines([key]),
            COMPUTE_ONLY: host.roles.every((r) => r === "compute"),
            CONTROL: roles.has("control"),
            NETWORK: roles.has("network"),
            COMPUTE: roles.has("compute"),
            BOOTSTRAP_HASH: bootstrapHash(settings),
            KOLLA_INVENTORY: p.inventory,
            ADMIN_OPENRC: p.adminOpenrc,
            FORCE_REMOVE_FILE,
            REMOVAL_DIR: removal,
            REMOVAL_SSH_ARGS: sshArgs(`${removal}/known_hosts`),
            BOOTSTRAP_TIMEOUT: STAGE_TIMEOUTS["bootstrap-servers"].script,
            PULL_TIMEOUT: STAGE_TIMEOUTS.pull.script,
            DEPLOY_TIMEOUT: STAGE_TIMEOUTS.deploy.script,
            STOP_TIMEOUT: HOST_TIMEOUTS.stop,
            DRAIN_SECONDS: HOST_TIMEOUTS.drainSeconds,
            KNOWN_HOSTS_FILE,
            ...commonVars(settings),
        },
        kollaBody("kolla-host.sh"),
    );
}

/** The destroy guard: its delete never destroys; with allowDestroy it installs the teardown command (TEARDOWN_FILE). */
export function destroyScript(settings: Settings): Script {
    return renderScript(
        "kolla-destroy.sh",
        {
            ALLOW_DESTROY: settings.allowDestroy,
            GUARDS_FILE,
            LEGACY_ID_FILE: LEGACY_GUARD_ID_FILE,
            TEARDOWN_FILE,
            TEARDOWN: settings.allowDestroy ? teardownScript(settings).text : "",
            ...LOCK_VARS,
        },
        scriptBody("deploy-lock.sh") + scriptBody("kolla-destroy.sh"),
    );
}

/** `kolla-ansible destroy`, the one place it lives: a script an operator runs on the deploy host, never a delete. */
export function teardownScript(settings: Settings): Script {
    const p = kollaPaths(settings.release);
    return renderScript(
        "kolla-teardown.sh",
        {
            VENV: p.venv,
            INVENTORY: p.inventory,
            LOG_DIR,
            DEPLOYED_MARKER,
            DESTROY_TIMEOUT: DESTROY_TIMEOUTS.script,
            KOLLA_CLI: settings.pins.kollaCli,
            ...digestVars(p.passwords),
            ...LOCK_VARS,
        },
        scriptBody("deploy-lock.sh") +
            scriptBody("output-digest.sh") +
            scriptBody("kolla-cli.sh") +
            scriptBody("kolla-teardown.sh"),
    );
}

/** What output-digest.sh needs: the digest filter itself, and the passwords it redacts. */
function digestVars(passwords: string): Record<string, string> {
    // The filter itself is installed once by deploy-config: editing it re-runs no stage.
    return { PROGRESS_FILTER: PROGRESS_FILTER_FILE, PASSWORDS: passwords };
}

/**
 * The CA a TLS cloud's `certificates` stage printed, or an error naming where it should have been: without it the
 * OpenStack provider could only trust the cloud by turning verification off, which this program never does.
 */
export function requireCaCertificate(stdout: string, settings: Settings): string {
    const pem = caCertificateFromStdout(stdout);
    if (pem) return pem;
    const p = kollaPaths(settings.release);
    throw new Error(
        `kolla-ansible certificates printed no CA: ${p.caCertificate} is missing or empty on the deploy host ${settings.deployHost.name} (its log: ${LOG_DIR}/certificates.log). The provider cannot trust the cloud's TLS without it: find in that log why kolla made none, or put kolla's root CA back at that path, then run pulumi up again (the stage prints it on every run)`,
    );
}

/** The CA the `certificates` stage printed ("== ca: " lines, past the digest), as PEM; "" when it printed none. */
export function caCertificateFromStdout(stdout: string): string {
    const pem = stdout
        .split("\n")
        .filter((l) => l.startsWith("== ca: "))
        .map((l) => l.slice(7))
        .join("\n");
    return pem ? `${pem}\n` : "";
}
