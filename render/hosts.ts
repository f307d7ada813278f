// What runs on every host at first contact, and what each target is checked and prepared with.
import { Host, Settings } from "../config/settings";
import { qualified } from "../config/keys";
import { UBUNTU_VERSIONS } from "../config/releases";
import { KNOWN_HOSTS_FILE, LOCK_VARS } from "./paths";
import { createHash } from "crypto";
import { renderScript, Script, scriptBody, shellQuote } from "./script";

/**
 * First contact with any host: cloud-init done, passwordless sudo, python3; prints the OS and, last, the host key.
 * The release and hostOs are in the script, so a change of either contacts every host again and checks its OS as it is
 * then (after the hosts moved from jammy to noble, `hostOs: noble` is that change).
 */
export function waitReadyScript(settings: Settings): Script {
    // sshd's own ed25519 key (openssh-server makes it on Ubuntu; ssh-keygen -A otherwise).
    return renderScript(
        "wait-ready.sh",
        {
            HOST_KEY_FILE: "/etc/ssh/ssh_host_ed25519_key.pub",
            OS_RELEASE: "/etc/os-release",
            RELEASE: settings.release,
            HOST_OS: settings.hostOs,
        },
        scriptBody("wait-ready.sh"),
    );
}

const OS_LINE = /^os: (\S*) (\S*)$/m;

/**
 * Why a host whose first contact printed `stdout` cannot be used, or undefined: it must run the Ubuntu release the
 * stack says its hosts run (hostOs), which the release supports (config/checks.ts); kolla's own prechecks would say so
 * only after bootstrap-servers has changed every host. `host` names the host for the message.
 */
export function hostOsProblem(
    stdout: string,
    host: string,
    settings: Settings,
): string | undefined {
    const m = OS_LINE.exec(stdout);
    const [id, codename] = m ? [m[1], m[2]] : ["", ""];
    if (id === "ubuntu" && codename === settings.hostOs) return undefined;
    const runs = !m
        ? "an OS it did not name"
        : id === "ubuntu"
          ? `Ubuntu ${codename}`
          : `${id} ${codename}`.trim();
    const want = `Ubuntu ${UBUNTU_VERSIONS[settings.hostOs]} (${settings.hostOs})`;
    const supported = settings.pins.hostOs;
    const fix =
        id === "ubuntu" && (supported as readonly string[]).includes(codename)
            ? `set ${qualified("hostOs")} to ${codename} once every host runs it, or finish moving this host to ${settings.hostOs}`
            : `reinstall it with ${want}`;
    return `${host} runs ${runs}; ${qualified("hostOs")} says its hosts run ${want}, one OpenStack ${settings.release} supports (${supported.join(", ")}): ${fix}`;
}

const HOST_KEY_LINE = /^host-key: (ssh-ed25519 [A-Za-z0-9+/]+={0,2})$/m;

/** The `<type> <base64>` wait-ready.sh printed; a clear error when it printed none. */
export function hostKeyFromFirstContact(stdout: string, host: string): string {
    const m = HOST_KEY_LINE.exec(stdout);
    if (!m)
        throw new Error(
            `first contact with ${host} printed no host key (host-key: ssh-ed25519 …); set its hostKey in the stack config`,
        );
    return m[1];
}

/** OpenSSH's fingerprint of a key (`ssh-keygen -lf`): SHA256: and the unpadded base64 of the key data's sha256. */
export function hostKeyFingerprint(key: string): string {
    const blob = Buffer.from(key.trim().split(/\s+/)[1] ?? "", "base64");
    return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/**
 * The command of the deploy host's confirmation gate while its key is only recorded (not configured): it fails, showing
 * the recorded key and how to confirm it. Nothing secret reaches the deploy host, and no target trusts it, before that.
 */
export function unconfirmedHostKeyCommand(host: SshEndpointLike, key: string): string {
    const message =
        `the deploy host ${host.address}:${host.sshPort} answered first contact with ${key} (${hostKeyFingerprint(key)}). ` +
        `Nothing secret is sent to it, and no target trusts it, until you confirm that this is its own key: compare the ` +
        `fingerprint with \`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub\` on its console, then run ` +
        `pulumi config set --path deployHost.hostKey '${key}' and pulumi up again`;
    return `printf '%s\\n' ${shellQuote(message)} >&2; exit 1`;
}

interface SshEndpointLike {
    readonly address: string;
    readonly sshPort: number;
}

export interface KnownHost {
    readonly address: string;
    readonly sshPort: number;
    readonly hostKey: string;
}

/** known_hosts lines (OpenSSH's format: `[addr]:port` when the port is not 22) for the given hosts. */
export function knownHostsLines(entries: readonly KnownHost[]): string {
    return entries
        .map(
            (e) => `${e.sshPort === 22 ? e.address : `[${e.address}]:${e.sshPort}`} ${e.hostKey}\n`,
        )
        .join("");
}

/** The targets' host keys for Ansible on the deploy host (`keys`: as recorded on first contact or configured). */
export function knownHostsScript(keys: readonly KnownHost[]): Script {
    return renderScript(
        "known-hosts.sh",
        { KNOWN_HOSTS_FILE, KNOWN_HOSTS: knownHostsLines(keys), ...LOCK_VARS },
        scriptBody("deploy-lock.sh") + scriptBody("known-hosts.sh"),
    );
}

/** What the review copy (`npm run render`) shows for a host key recorded only at `pulumi up`. */
export const HOST_KEY_PLACEHOLDER = "ssh-ed25519 <recorded-on-first-contact>";

/** The targets as known_hosts.sh receives them; for review, keys not configured show as the placeholder. */
export function configuredKnownHosts(settings: Settings): KnownHost[] {
    return settings.hosts.map((h) => ({
        address: h.address,
        sshPort: h.sshPort,
        hostKey: h.hostKey ?? HOST_KEY_PLACEHOLDER,
    }));
}

/** What the review copy (`npm run render`) shows in place of the key generated at `pulumi up`. */
export const PUBLIC_KEY_PLACEHOLDER =
    "ssh-ed25519 AAAA<deploy-public-key-generated-on-the-deploy-host> openstack-aio-deploy";

/** Checks one target and authorizes the deploy key; messages name the config key to fix. */
export function targetPrepareScript(
    settings: Settings,
    host: Host,
    deployPublicKey: string,
): Script {
    const index = settings.hosts.findIndex((h) => h.name === host.name);
    if (index < 0) throw new Error(`host ${host.name} is not in openstack-aio:hosts`);
    return renderScript(
        `target-prepare-${host.name}.sh`,
        {
            HOST_NAME: host.name,
            HOST_KEY: qualified(`hosts[${index}]`),
            HOST_ADDRESS: host.address,
            API_ADDRESS: host.apiAddress ?? "",
            MGMT_IF: host.interfaces.management,
            API_IF: host.interfaces.api,
            EXT_IF: host.interfaces.external,
            TUNNEL_IF: host.interfaces.tunnel,
            MGMT_CIDR: settings.networks.management.cidr,
            API_CIDR: settings.networks.api.cidr,
            DEPLOY_PUBKEY: deployPublicKey.trim(),
        },
        scriptBody("target-prepare.sh"),
    );
}
