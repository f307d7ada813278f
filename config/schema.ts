// The configuration's schema, in two halves: `configSchema` turns what Pulumi hands over into typed values (each key's
// type, required fields, enums and fixed defaults), and `toSettings` turns checked values into Settings (the defaults
// derived from other values) in the shape `settingsShape` describes. Every default is here: the stack-wide ones come
// from KEYS, which Pulumi.yaml and docs/configuration.md mirror. config/checks.ts checks how the values fit together, and
// config/settings.ts joins the three into settingsSchema.
import * as ipaddr from "ipaddr.js";
import { z } from "zod";
import { ConfigKey, isConfigKey, KeyKind, KEYS, keySpec } from "./keys";
import { Release, RELEASES, UBUNTU_CODENAMES } from "./releases";

export const ROLES = ["control", "network", "compute", "monitoring", "storage"] as const;
export type Role = (typeof ROLES)[number];

export const REGISTRY_MODES = ["mirror", "pull-through"] as const;
export const OCTAVIA_NETWORK_TYPES = ["tenant", "provider"] as const;
export const NOVA_VIRT_TYPES = ["kvm", "qemu"] as const;
export const AMPHORA_SOURCES = ["build", "url"] as const;

/** A value for a message: JSON-quoted (so a line break shows as \n and never splits the problem list), cut at 60. */
export function show(value: unknown): string {
    const s = JSON.stringify(value) ?? String(value);
    return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

// zod's own wording for a wrong type, plus how to write the value in the stack file.
const typeError = (want: string, example: string) => (iss: { input?: unknown }) =>
    iss.input === undefined
        ? undefined
        : `must be ${want}, not ${show(iss.input)} (a ${typeof iss.input}); write it as e.g. ${example}`;

const name = z
    .string({ error: typeError("a name", "demo-net") })
    .max(255, "is longer than 255 characters (the OpenStack API's name limit); shorten it")
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "must be a hostname-like name (letters, digits, . _ -)");
// Linux accepts up to 15 characters without '/', ':' or blanks (net/core/dev.c dev_valid_name); a lowercase letter
// first keeps Ansible's INI inventory from reading the value as a number or True/False/None (ansible-core 2.14
// plugins/inventory/ini.py _parse_value: ast.literal_eval of each host var).
const iface = z
    .string({ error: typeError("an interface name", "eth1") })
    .regex(
        /^[a-z][A-Za-z0-9._-]{0,14}$/,
        "must be a Linux interface name: a lowercase letter, then at most 14 letters, digits, '.', '_' or '-', such as eth1 or ens3",
    );
const text = z.string({ error: typeError("a string", '"value" (quote it)') }).min(1);
const port = z
    .number({ error: typeError("a whole number", "22") })
    .int("must be a whole number")
    .min(1, "must be a TCP port from 1 to 65535")
    .max(65535, "must be a TCP port from 1 to 65535");
const flag = z.boolean({
    error: typeError("true or false", "true (yes/no/on/off are not booleans here)"),
});
const httpUrl = z.url({ protocol: /^https?$/ });

// RFC 1123 section 2.1 host names: dot-separated labels of letters, digits and '-', not starting or ending with '-',
// at most 63 characters a label and 253 in all; a valid name never has the dotted-decimal form of an address.
const HOST_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Why `value` is not a usable host name, or undefined. */
export function hostNameProblem(value: string): string | undefined {
    const fix =
        "use a host name of letters, digits and '-' in dot-separated labels, such as aio1 or node1.example.com";
    if (value.length > 253)
        return `${show(value)} is ${value.length} characters long; a host name has at most 253 (RFC 1123): shorten it, e.g. aio1`;
    const labels = value.split(".");
    const long = labels.find((l) => l.length > 63);
    if (long)
        return `${show(value)} has a label of ${long.length} characters; each dot-separated label has at most 63 (RFC 1123): shorten it, e.g. aio1`;
    if (!labels.every((l) => HOST_LABEL.test(l)))
        return `${show(value)} is not a host name: ${fix}`;
    if (/^[0-9]+$/.test(labels[labels.length - 1]))
        return `${show(value)} reads as an address, not a name (RFC 1123: the last label is never all digits); ${fix}`;
    return undefined;
}

const hostName = z.string({ error: typeError("a host name", "aio1") }).superRefine((value, ctx) => {
    const problem = hostNameProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
});

// shadow's useradd (libmisc/chkname.c is_valid_user_name, Ubuntu 22.04 shadow 4.8.1): ^[a-z_][a-z0-9_-]*[$]?$, at most
// 32 characters. The trailing '$' (machine accounts) is refused too. A lowercase or '_' start also keeps Ansible's INI
// parser from reading the value as anything but a string (plugins/inventory/ini.py _parse_value).
const userName = z
    .string({ error: typeError("a user name", "ubuntu") })
    .superRefine((value, ctx) => {
        if (!/^[a-z_][a-z0-9_-]*$/.test(value) || value.length > 32) {
            ctx.addIssue({
                code: "custom",
                message: `${show(value)} is not a Linux user name: useradd accepts a lowercase letter or '_' then lowercase letters, digits, '_' or '-', at most 32 characters; use the login name on the hosts such as ubuntu`,
            });
        }
    });

// openstack_region_name reaches globals.yml and, through kolla's templates (roles/nova/templates/nova.conf.j2:
// `region_name = {{ openstack_region_name }}`), every service's INI file: letters, digits, '.', '_', '-' only.
const YAML11_WORDS = /^(y|n|yes|no|true|false|on|off|null|none|~)$/i;
const region = z
    .string({ error: typeError("a region name", "RegionOne") })
    .superRefine((value, ctx) => {
        if (!/^[A-Za-z][A-Za-z0-9._-]{0,63}$/.test(value)) {
            ctx.addIssue({
                code: "custom",
                message: `${show(value)} is not a region name: use a letter then at most 63 letters, digits, '.', '_' or '-', such as RegionOne (the name is written into globals.yml and every service's INI file)`,
            });
        } else if (YAML11_WORDS.test(value)) {
            // PyYAML (YAML 1.1) reads yes/no/on/off/y/n as booleans; Ansible turns a templated "True"/"False" into a bool
            // (ansible-core 2.14 template/native_helpers.py ansible_eval_concat).
            ctx.addIssue({
                code: "custom",
                message: `${show(value)} reads back as a boolean or null in YAML 1.1 and Ansible; choose a region name such as RegionOne`,
            });
        }
    });

// The host's own SSH key as `ssh-keyscan` or /etc/ssh/ssh_host_*_key.pub prints it (type and base64, comment optional),
// of a type @pulumi/command 1.2.1 can connect with: its connection.go parses connection.hostKey with golang.org/x/crypto/ssh
// ParseAuthorizedKey and offers the server exactly that key's Type() as its only host key algorithm
// (ClientConfig.HostKeyAlgorithms; x/crypto v0.48.0 handshake.go sends it as is). For ssh-rsa that is SHA-1 "ssh-rsa",
// which OpenSSH >= 8.8 refuses by default (release notes 8.8: "disables RSA signatures using the SHA-1 hash algorithm"),
// so such a key could never connect; ed25519 and ECDSA keys sign with the algorithm of their own name.
export const HOST_KEY_TYPES = [
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
] as const;

/** Why `line` is not a host key @pulumi/command can pin, or undefined. */
export function hostKeyProblem(line: string): string | undefined {
    const fix =
        "set it to the host's key as /etc/ssh/ssh_host_ed25519_key.pub holds it (ssh-ed25519 AAAA…), or leave it out to record it on first contact";
    const m = /^(\S+) ([A-Za-z0-9+/]+={0,2})( [^\n]*)?$/.exec(line);
    if (!m)
        return `${show(line)} is not an SSH public key line (type, base64, optional comment); ${fix}`;
    const [, type, blob] = m;
    if (!(HOST_KEY_TYPES as readonly string[]).includes(type))
        return `${show(type)} host keys cannot be pinned: @pulumi/command offers the server only the pinned key's own algorithm, and ${type === "ssh-rsa" ? "OpenSSH >= 8.8 refuses SHA-1 ssh-rsa signatures" : "that is not one it can verify"}; use the host's ed25519 or ECDSA key instead (${HOST_KEY_TYPES.join(", ")}): ${fix}`;
    // The blob begins with its own type as an SSH string (RFC 4253 section 6.6): a key pasted under another type's name
    // would fail to parse at the first dial.
    const bytes = Buffer.from(blob, "base64");
    const len = bytes.length >= 4 ? bytes.readUInt32BE(0) : -1;
    const inner =
        len > 0 && bytes.length >= 4 + len ? bytes.subarray(4, 4 + len).toString("latin1") : "";
    if (inner !== type)
        return `the key data is ${inner ? `a ${show(inner)} key` : "not an SSH key"}, not ${type}; ${fix}`;
    // ssh-ed25519: the type, then the 32-byte key as an SSH string (RFC 8709 section 4).
    if (type === "ssh-ed25519" && bytes.length !== 4 + 11 + 4 + 32)
        return `the key data is ${bytes.length} bytes, not the 51 of an ssh-ed25519 key: it was cut or altered; ${fix}`;
    return undefined;
}

const hostKey = z.string().superRefine((value, ctx) => {
    const problem = hostKeyProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
});

// Optional fields without a default here are derived from other values when Settings is built (toSettings below):
// a host's sshUser/sshPort from the stack's, interfaces.api/tunnel from interfaces.management,
// networks.tenant.gateway from its CIDR, deployHost.managementAddress from deployHost.address, cirrosUrl from
// cirrosVersion. The checks need to know whether they were given, so the shapes leave them unset.

const hostShape = z
    .object({
        name: hostName,
        address: text,
        apiAddress: text.optional(),
        roles: z.array(z.enum(ROLES)).min(1, `must list at least one role of ${ROLES.join(", ")}`),
        interfaces: z
            .object({
                management: iface,
                api: iface.optional(),
                external: iface,
                tunnel: iface.optional(),
            })
            .strict(),
        sshUser: userName.optional(),
        sshPort: port.optional(),
        hostKey: hostKey.optional(),
    })
    .strict();

const deployHostShape = z
    .object(
        {
            name: hostName.default("deploy"),
            address: text,
            managementAddress: text.optional(),
            sshUser: userName.optional(),
            sshPort: port.optional(),
            dockerSshKeyPath: text.optional(),
            hostKey: hostKey.optional(),
        },
        { error: typeError("a map", "{name: deploy, address: 10.10.10.50} (JSON from the CLI)") },
    )
    .strict();

// init-runonce's names and DNS server for the networks it creates.
const networksShape = z
    .object(
        {
            management: z.object({ cidr: text }).strict(),
            api: z.object({ cidr: text }).strict(),
            external: z
                .object({
                    name: name.default("public1"),
                    subnetName: name.default("public1-subnet"),
                    physicalNetwork: name.default("physnet1"),
                    cidr: text,
                    gateway: text,
                    poolStart: text,
                    poolEnd: text,
                })
                .strict(),
            tenant: z
                .object({
                    name: name.default("demo-net"),
                    subnetName: name.default("demo-subnet"),
                    routerName: name.default("demo-router"),
                    cidr: text,
                    gateway: text.optional(),
                    dnsServers: z.array(text).default(["8.8.8.8"]),
                })
                .strict(),
        },
        {
            error: typeError(
                "a map",
                "{management: {cidr: ...}, api: ..., external: ..., tenant: ...} (JSON from the CLI)",
            ),
        },
    )
    .strict();

/** Config keys whose values enter Settings: every key but the secrets (config/index.ts hands those over as Pulumi secrets). */
type PlainKey = {
    [K in ConfigKey]: (typeof KEYS)[K] extends { secret: true } ? never : K;
}[ConfigKey];

// One field per plain key, in KEYS order (the order problems are listed in); the stack-wide defaults are KEYS'
// (Pulumi.yaml declares the same, test/config.stackFile.test.ts keeps the two in step).
const configShape = z
    .object({
        release: text,
        // The release's first when unset (toSettings); checkSources checks it against the release.
        hostOs: z.enum(UBUNTU_CODENAMES).optional(),
        baseDistro: text.default(KEYS.baseDistro.default),
        vip: text,
        deployHost: deployHostShape,
        hosts: z
            .array(hostShape, {
                error: typeError(
                    "a list of hosts",
                    "[{name: aio1, address: ..., roles: [...], interfaces: {...}}] (JSON from the CLI)",
                ),
            })
            .min(1, "must list at least one host"),
        networks: networksShape,
        extraGlobals: z
            .record(z.string(), z.unknown(), {
                error: typeError(
                    "a map of kolla variables",
                    "{nova_console: novnc} (JSON from the CLI)",
                ),
            })
            .default(KEYS.extraGlobals.default),
        sshUser: userName.default(KEYS.sshUser.default),
        sshPort: port.default(KEYS.sshPort.default),
        // The range is a check of its own (config/checks.ts checkSources), which says what the default is.
        registryPort: z
            .number({ error: typeError("a whole number", "5000") })
            .int("must be a whole number")
            .default(KEYS.registryPort.default),
        registryMode: z.enum(REGISTRY_MODES).default(KEYS.registryMode.default),
        registrySource: z
            .string()
            .regex(/^[a-z0-9.-]+(:[0-9]+)?$/, "must be a registry host such as quay.io")
            .default(KEYS.registrySource.default),
        dockerNamespace: z
            .string()
            .regex(/^[a-z0-9._-]+$/, "must be a registry namespace such as openstack.kolla")
            .default(KEYS.dockerNamespace.default),
        mirrorNextRelease: flag.default(KEYS.mirrorNextRelease.default),
        enableOctavia: flag.default(KEYS.enableOctavia.default),
        octaviaJobboard: flag.default(KEYS.octaviaJobboard.default),
        enableHeat: flag.default(KEYS.enableHeat.default),
        enableHorizon: flag.default(KEYS.enableHorizon.default),
        octaviaNetworkType: z.enum(OCTAVIA_NETWORK_TYPES).default(KEYS.octaviaNetworkType.default),
        novaVirtType: z.enum(NOVA_VIRT_TYPES).default(KEYS.novaVirtType.default),
        enableTls: flag.default(KEYS.enableTls.default),
        region: region.default(KEYS.region.default),
        keypairName: name.default(KEYS.keypairName.default),
        keypairPublicKey: z
            .string()
            .regex(
                /^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/=]+( .*)?$/,
                "must be an OpenSSH public key line (ssh-ed25519 AAAA… comment)",
            )
            .optional(),
        cirrosVersion: z
            .string()
            .regex(/^\d+\.\d+\.\d+$/, "must be a cirros version such as 0.6.1")
            .default(KEYS.cirrosVersion.default),
        cirrosUrl: httpUrl.optional(),
        imageWebDownload: flag.default(KEYS.imageWebDownload.default),
        amphoraSource: z.enum(AMPHORA_SOURCES).default(KEYS.amphoraSource.default),
        // The deploy host downloads it and uploads it as Octavia's image: https only, and checked against its sha256.
        amphoraImageUrl: z
            .url({
                protocol: /^https$/,
                error: "must be an https URL (the amphora runs every load balancer; plain http could be swapped in transit)",
            })
            .optional(),
        amphoraImageSha256: z
            .string()
            .regex(
                /^[0-9a-f]{64}$/,
                "must be the image's sha256 as sha256sum prints it: 64 lowercase hex digits",
            )
            .optional(),
        smokeTest: flag.default(KEYS.smokeTest.default),
        allowDestroy: flag.default(KEYS.allowDestroy.default),
        forceRemoveHosts: z
            .array(hostName, {
                error: typeError("a list of host names", "[cmp2] (JSON from the CLI)"),
            })
            .default(() => [...KEYS.forceRemoveHosts.default]),
    } satisfies Record<PlainKey, z.ZodType>)
    .strict();

/** The configuration's values, typed, defaults applied (what the checks look at and Settings is built from). */
export type Config = z.output<typeof configShape>;

/** The plain keys, in KEYS order. */
export const CONFIG_KEYS = configShape.keyof().options;

/** A value the stack leaves unset: absent, null or "" (its default applies, or it is reported as required). */
export function isUnset(value: unknown): boolean {
    return value === undefined || value === null || value === "";
}

/** Pulumi hands every value over as a string: numbers, booleans and JSON objects are read back by the key's kind. */
function coerce(kind: KeyKind, value: unknown): unknown {
    if (typeof value !== "string") return value;
    switch (kind) {
        case "integer":
            return /^-?\d+$/.test(value.trim()) ? Number(value) : value;
        case "boolean":
            return value === "true" ? true : value === "false" ? false : value;
        case "array":
        case "object":
            try {
                return JSON.parse(value);
            } catch {
                return value;
            }
        default:
            return value;
    }
}

/** The raw values with unset keys and secrets left out and the rest coerced; unknown keys pass on to be reported. */
function normalize(raw: unknown): unknown {
    if (typeof raw !== "object" || raw === null) return raw;
    const entries: [string, unknown][] = [];
    for (const [key, value] of Object.entries(raw)) {
        if (!isConfigKey(key)) {
            entries.push([key, value]);
            continue;
        }
        const spec = keySpec(key);
        if (!spec.secret && !isUnset(value)) entries.push([key, coerce(spec.kind, value)]);
    }
    // fromEntries defines each key as its own property, `__proto__` included.
    return Object.fromEntries(entries);
}

/**
 * Raw configuration (unqualified keys, as Pulumi hands them over or already typed from YAML) to typed values with
 * every default applied. Only the shapes: config/settings.ts adds the checks and builds Settings.
 */
export const configSchema = z.preprocess(normalize, configShape);

// ---------- Settings: what the components receive ----------

const interfacesOut = z
    .object({
        /** network_interface: management network (kolla's internal traffic, SSH from the deploy host). */
        management: z.string(),
        /** api_interface: carries the VIP; equals management when the API shares that network. */
        api: z.string(),
        /** neutron_external_interface: handed to br-ex, must carry no address the cloud needs. */
        external: z.string(),
        /** tunnel_interface: tenant overlay traffic; defaults to the management interface. */
        tunnel: z.string(),
    })
    .readonly();

const hostOut = z
    .object({
        name: z.string(),
        /** Management address: SSH target and ansible_host. */
        address: z.string(),
        /** Address on the API network, if the host has one. */
        apiAddress: z.string().optional(),
        roles: z.array(z.enum(ROLES)).readonly(),
        interfaces: interfacesOut,
        sshUser: z.string(),
        sshPort: z.number(),
        /** The host's SSH key (`<type> <base64>`); absent: recorded on first contact, then enforced. */
        hostKey: z.string().optional(),
    })
    .readonly();

const deployHostOut = z
    .object({
        name: z.string(),
        /** Where Pulumi reaches it over SSH. */
        address: z.string(),
        /** Its address on the management network: targets pull images from `<managementAddress>:<registryPort>`. */
        managementAddress: z.string(),
        sshUser: z.string(),
        sshPort: z.number(),
        /** Key file on the machine running Pulumi for the docker CLI's ssh:// transport (else ssh-agent). */
        dockerSshKeyPath: z.string().optional(),
        /** The host's SSH key (`<type> <base64>`); absent: recorded on first contact, then enforced. */
        hostKey: z.string().optional(),
    })
    .readonly();

const networksOut = z
    .object({
        management: z.object({ cidr: z.string() }).readonly(),
        api: z.object({ cidr: z.string() }).readonly(),
        external: z
            .object({
                name: z.string(),
                subnetName: z.string(),
                physicalNetwork: z.string(),
                cidr: z.string(),
                gateway: z.string(),
                poolStart: z.string(),
                poolEnd: z.string(),
            })
            .readonly(),
        tenant: z
            .object({
                name: z.string(),
                subnetName: z.string(),
                routerName: z.string(),
                cidr: z.string(),
                gateway: z.string(),
                dnsServers: z.array(z.string()).readonly(),
            })
            .readonly(),
    })
    .readonly();

export const settingsShape = z
    .object({
        release: z.string(),
        /** Everything the release brings: pins, host OS, CLI, images, inventory groups (config/releases). */
        pins: z.custom<Release>(),
        /** The Ubuntu release every host runs (first contact checks each). */
        hostOs: z.enum(UBUNTU_CODENAMES),
        baseDistro: z.literal("ubuntu"),
        vip: z.string(),
        deployHost: deployHostOut,
        hosts: z.array(hostOut).readonly(),
        networks: networksOut,
        registry: z
            .object({
                port: z.number(),
                mode: z.enum(REGISTRY_MODES),
                source: z.string(),
                namespace: z.string(),
                /** What kolla's docker_registry is set to: `<deploy management address>:<port>`. */
                address: z.string(),
            })
            .readonly(),
        services: z
            .object({
                octavia: z.boolean(),
                heat: z.boolean(),
                horizon: z.boolean(),
            })
            .readonly(),
        /** Octavia's jobboard wanted where the release has one (render/images.ts jobboardStore decides). */
        octaviaJobboard: z.boolean(),
        octaviaNetworkType: z.enum(OCTAVIA_NETWORK_TYPES),
        novaVirtType: z.enum(NOVA_VIRT_TYPES),
        enableTls: z.boolean(),
        region: z.string(),
        keypair: z.object({ name: z.string(), publicKey: z.string().optional() }).readonly(),
        cirros: z.object({ version: z.string(), url: z.string() }).readonly(),
        imageWebDownload: z.boolean(),
        amphora: z
            .object({
                source: z.enum(AMPHORA_SOURCES),
                url: z.string().optional(),
                sha256: z.string().optional(),
            })
            .readonly(),
        smokeTest: z.boolean(),
        /** Mirror the next release's images (and its hop's) ahead of the release change. */
        mirrorNextRelease: z.boolean(),
        allowDestroy: z.boolean(),
        /** Hosts being removed whose removal may lose instances or skip stopping an unreachable host. */
        forceRemoveHosts: z.array(z.string()).readonly(),
        extraGlobals: z.record(z.string(), z.unknown()).readonly(),
    })
    .readonly();

// ---------- values derived from others ----------

/** `<type> <base64>` of a host key line: the comment is nobody's business. */
export function hostKeyOnly(line: string): string {
    return line.trim().split(/\s+/).slice(0, 2).join(" ");
}

/** A host's SSH login: its own sshUser and sshPort where given, else the stack's. */
export function inheritSsh<S extends { sshUser?: string; sshPort?: number }>(
    host: { sshUser?: string; sshPort?: number } | undefined,
    stack: S,
): { sshUser: string | S["sshUser"]; sshPort: number | S["sshPort"] } {
    return { sshUser: host?.sshUser ?? stack.sshUser, sshPort: host?.sshPort ?? stack.sshPort };
}

/** init-runonce's convention for the tenant gateway: the first address of the range. */
function firstHost(cidr: string): string {
    // checkNetworks has checked the CIDR, unless an unknown field beside it kept the checks off networks: then the
    // parse fails anyway and this value is never seen.
    if (!ipaddr.IPv4.isValidCIDR(cidr)) return cidr;
    const bytes = ipaddr.IPv4.networkAddressFromCIDR(cidr).toByteArray();
    bytes[3] += 1;
    return bytes.join(".");
}

/** Settings from checked values: the derived defaults filled in, the keys grouped as the components read them. */
export function toSettings(c: Config): z.input<typeof settingsShape> {
    const dh = c.deployHost;
    const t = c.networks.tenant;
    const deployManagementAddress = dh.managementAddress ?? dh.address;
    return {
        release: c.release,
        pins: RELEASES[c.release],
        hostOs: c.hostOs ?? RELEASES[c.release].hostOs[0],
        baseDistro: "ubuntu",
        vip: c.vip,
        deployHost: {
            name: dh.name,
            address: dh.address,
            managementAddress: deployManagementAddress,
            ...inheritSsh(dh, c),
            ...(dh.dockerSshKeyPath ? { dockerSshKeyPath: dh.dockerSshKeyPath } : {}),
            ...(dh.hostKey ? { hostKey: hostKeyOnly(dh.hostKey) } : {}),
        },
        hosts: c.hosts.map((h) => ({
            name: h.name,
            address: h.address,
            ...(h.apiAddress ? { apiAddress: h.apiAddress } : {}),
            roles: ROLES.filter((r) => h.roles.includes(r)),
            interfaces: {
                management: h.interfaces.management,
                api: h.interfaces.api ?? h.interfaces.management,
                external: h.interfaces.external,
                tunnel: h.interfaces.tunnel ?? h.interfaces.management,
            },
            ...inheritSsh(h, c),
            ...(h.hostKey ? { hostKey: hostKeyOnly(h.hostKey) } : {}),
        })),
        networks: {
            management: c.networks.management,
            api: c.networks.api,
            external: c.networks.external,
            tenant: { ...t, gateway: t.gateway ?? firstHost(t.cidr) },
        },
        registry: {
            port: c.registryPort,
            mode: c.registryMode,
            source: c.registrySource,
            namespace: c.dockerNamespace,
            address: `${deployManagementAddress}:${c.registryPort}`,
        },
        services: { octavia: c.enableOctavia, heat: c.enableHeat, horizon: c.enableHorizon },
        octaviaJobboard: c.octaviaJobboard,
        octaviaNetworkType: c.octaviaNetworkType,
        novaVirtType: c.novaVirtType,
        enableTls: c.enableTls,
        region: c.region,
        keypair: {
            name: c.keypairName,
            ...(c.keypairPublicKey ? { publicKey: c.keypairPublicKey } : {}),
        },
        cirros: {
            version: c.cirrosVersion,
            url:
                c.cirrosUrl ??
                `https://github.com/cirros-dev/cirros/releases/download/${c.cirrosVersion}/cirros-${c.cirrosVersion}-x86_64-disk.img`,
        },
        imageWebDownload: c.imageWebDownload,
        amphora: {
            source: c.amphoraSource,
            ...(c.amphoraImageUrl ? { url: c.amphoraImageUrl } : {}),
            ...(c.amphoraImageSha256 ? { sha256: c.amphoraImageSha256 } : {}),
        },
        smokeTest: c.smokeTest,
        mirrorNextRelease: c.mirrorNextRelease,
        allowDestroy: c.allowDestroy,
        forceRemoveHosts: c.forceRemoveHosts,
        extraGlobals: c.extraGlobals,
    };
}
