import * as ipaddr from "ipaddr.js";
import { z } from "zod";
import { KEYS, ConfigKey, KeySpec, qualified } from "./keys";
import { OWNED_GLOBAL_SETTINGS, refusedGlobal } from "./globalsKeys";
import { KOLLA_INVENTORY_GROUPS } from "./inventoryGroups";
import { RELEASES, ReleasePins, SUPPORTED_RELEASES } from "./releases";

export const ROLES = ["control", "network", "compute", "monitoring", "storage"] as const;
export type Role = (typeof ROLES)[number];

export interface HostInterfaces {
    /** network_interface: management network (kolla's internal traffic, SSH from the deploy host). */
    readonly management: string;
    /** api_interface: carries the VIP; equals management when the API shares that network. */
    readonly api: string;
    /** neutron_external_interface: handed to br-ex, must carry no address the cloud needs. */
    readonly external: string;
    /** tunnel_interface: tenant overlay traffic; defaults to the management interface. */
    readonly tunnel: string;
}

export interface Host {
    readonly name: string;
    /** Management address: SSH target and ansible_host. */
    readonly address: string;
    /** Address on the API network, if the host has one. */
    readonly apiAddress?: string;
    readonly roles: readonly Role[];
    readonly interfaces: HostInterfaces;
    readonly sshUser: string;
    readonly sshPort: number;
    /** The host's SSH key (`<type> <base64>`); absent: recorded on first contact, then enforced. */
    readonly hostKey?: string;
}

export interface DeployHost {
    readonly name: string;
    /** Where Pulumi reaches it over SSH. */
    readonly address: string;
    /** Its address on the management network: targets pull images from `<managementAddress>:<registryPort>`. */
    readonly managementAddress: string;
    readonly sshUser: string;
    readonly sshPort: number;
    /** Key file on the machine running Pulumi for the docker CLI's ssh:// transport (else ssh-agent). */
    readonly dockerSshKeyPath?: string;
    /** The host's SSH key (`<type> <base64>`); absent: recorded on first contact, then enforced. */
    readonly hostKey?: string;
}

export interface Networks {
    readonly management: { readonly cidr: string };
    readonly api: { readonly cidr: string };
    readonly external: {
        readonly name: string;
        readonly subnetName: string;
        readonly physicalNetwork: string;
        readonly cidr: string;
        readonly gateway: string;
        readonly poolStart: string;
        readonly poolEnd: string;
    };
    readonly tenant: {
        readonly name: string;
        readonly subnetName: string;
        readonly routerName: string;
        readonly cidr: string;
        readonly gateway: string;
        readonly dnsServers: readonly string[];
    };
}

export type RegistryMode = "mirror" | "pull-through";

export interface Settings {
    readonly release: string;
    readonly pins: ReleasePins;
    readonly baseDistro: "ubuntu";
    readonly vip: string;
    readonly deployHost: DeployHost;
    readonly hosts: readonly Host[];
    readonly networks: Networks;
    readonly registry: {
        readonly port: number;
        readonly mode: RegistryMode;
        readonly source: string;
        readonly namespace: string;
        /** What kolla's docker_registry is set to: `<deploy management address>:<port>`. */
        readonly address: string;
    };
    readonly services: {
        readonly octavia: boolean;
        readonly heat: boolean;
        readonly horizon: boolean;
    };
    readonly octaviaNetworkType: "tenant" | "provider";
    readonly novaVirtType: "kvm" | "qemu";
    readonly enableTls: boolean;
    readonly region: string;
    readonly keypair: { readonly name: string; readonly publicKey?: string };
    readonly cirros: { readonly version: string; readonly url: string };
    readonly imageWebDownload: boolean;
    readonly amphora: { readonly source: "build" | "url"; readonly url?: string };
    readonly smokeTest: boolean;
    readonly allowDestroy: boolean;
    readonly extraGlobals: Readonly<Record<string, unknown>>;
}

/** Thrown with every problem found, one per line, each naming its config key. */
export class SettingsError extends Error {
    constructor(public readonly problems: readonly string[]) {
        super(`invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
            problems.map((p) => `  - ${p}`).join("\n"));
        this.name = "SettingsError";
    }
}

// ---------- shapes (zod): types, required fields, enums ----------

/** A value for a message: JSON-quoted (so a line break shows as \n and never splits the problem list), cut at 60. */
export function show(value: unknown): string {
    const s = JSON.stringify(value) ?? String(value);
    return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

// zod's own wording for a wrong type, plus how to write the value in the stack file.
const typeError = (want: string, example: string) => (iss: { input?: unknown }) =>
    iss.input === undefined ? undefined : `must be ${want}, not ${show(iss.input)} (a ${typeof iss.input}); write it as e.g. ${example}`;

const name = z.string({ error: typeError("a name", "demo-net") })
    .max(255, "is longer than 255 characters (the OpenStack API's name limit); shorten it")
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "must be a hostname-like name (letters, digits, . _ -)");
// Linux accepts up to 15 characters without '/', ':' or blanks (net/core/dev.c dev_valid_name); a lowercase letter
// first keeps Ansible's INI inventory from reading the value as a number or True/False/None (ansible-core 2.14
// plugins/inventory/ini.py _parse_value: ast.literal_eval of each host var).
const iface = z.string({ error: typeError("an interface name", "eth1") })
    .regex(/^[a-z][A-Za-z0-9._-]{0,14}$/, "must be a Linux interface name: a lowercase letter, then at most 14 letters, digits, '.', '_' or '-', such as eth1 or ens3");
const text = z.string({ error: typeError("a string", "\"value\" (quote it)") }).min(1);
const port = z.number({ error: typeError("a whole number", "22") }).int("must be a whole number").min(1, "must be a TCP port from 1 to 65535").max(65535, "must be a TCP port from 1 to 65535");
const flag = z.boolean({ error: typeError("true or false", "true (yes/no/on/off are not booleans here)") });

// RFC 1123 section 2.1 host names: dot-separated labels of letters, digits and '-', not starting or ending with '-',
// at most 63 characters a label and 253 in all; a valid name never has the dotted-decimal form of an address.
const HOST_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
// Names that mean the machine itself: Ansible's implicit localhost (ansible-core 2.14 constants.py LOCALHOST), Ubuntu's
// /etc/hosts loopback names, and RFC 6761 section 6.3 (.localhost).
const LOOPBACK_NAMES = ["localhost", "localhost.localdomain", "localhost4", "localhost4.localdomain4", "localhost6",
    "localhost6.localdomain6", "ip6-localhost", "ip6-loopback"];
// Ansible's implicit all/ungrouped and every group of the spliced inventory: a host of the same name makes patterns
// such as `hosts: nova` pick the group, not the host (ansible-core 2.14 inventory/manager.py _enumerate_matches).
const RESERVED_GROUPS = ["all", "ungrouped", ...KOLLA_INVENTORY_GROUPS];

/** Why `value` is not a usable host name, or undefined. */
export function hostNameProblem(value: string): string | undefined {
    const fix = "use a host name of letters, digits and '-' in dot-separated labels, such as aio1 or node1.example.com";
    if (value.length > 253) return `${show(value)} is ${value.length} characters long; a host name has at most 253 (RFC 1123): shorten it, e.g. aio1`;
    const labels = value.split(".");
    const long = labels.find((l) => l.length > 63);
    if (long) return `${show(value)} has a label of ${long.length} characters; each dot-separated label has at most 63 (RFC 1123): shorten it, e.g. aio1`;
    if (!labels.every((l) => HOST_LABEL.test(l))) return `${show(value)} is not a host name: ${fix}`;
    if (/^[0-9]+$/.test(labels[labels.length - 1])) return `${show(value)} reads as an address, not a name (RFC 1123: the last label is never all digits); ${fix}`;
    return undefined;
}

const hostName = z.string({ error: typeError("a host name", "aio1") }).superRefine((value, ctx) => {
    const problem = hostNameProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
});

// shadow's useradd (libmisc/chkname.c is_valid_user_name, Ubuntu 22.04 shadow 4.8.1): ^[a-z_][a-z0-9_-]*[$]?$, at most
// 32 characters. The trailing '$' (machine accounts) is refused too. A lowercase or '_' start also keeps Ansible's INI
// parser from reading the value as anything but a string (plugins/inventory/ini.py _parse_value).
const userName = z.string({ error: typeError("a user name", "ubuntu") }).superRefine((value, ctx) => {
    if (!/^[a-z_][a-z0-9_-]*$/.test(value) || value.length > 32) {
        ctx.addIssue({ code: "custom", message: `${show(value)} is not a Linux user name: useradd accepts a lowercase letter or '_' then lowercase letters, digits, '_' or '-', at most 32 characters; use the login name on the hosts such as ubuntu` });
    }
});

// openstack_region_name reaches globals.yml and, through kolla's templates (roles/nova/templates/nova.conf.j2:
// `region_name = {{ openstack_region_name }}`), every service's INI file: letters, digits, '.', '_', '-' only.
const YAML11_WORDS = /^(y|n|yes|no|true|false|on|off|null|none|~)$/i;
const region = z.string({ error: typeError("a region name", "RegionOne") }).superRefine((value, ctx) => {
    if (!/^[A-Za-z][A-Za-z0-9._-]{0,63}$/.test(value)) {
        ctx.addIssue({ code: "custom", message: `${show(value)} is not a region name: use a letter then at most 63 letters, digits, '.', '_' or '-', such as RegionOne (the name is written into globals.yml and every service's INI file)` });
    } else if (YAML11_WORDS.test(value)) {
        // PyYAML (YAML 1.1) reads yes/no/on/off/y/n as booleans; Ansible turns a templated "True"/"False" into a bool
        // (ansible-core 2.14 template/native_helpers.py ansible_eval_concat).
        ctx.addIssue({ code: "custom", message: `${show(value)} reads back as a boolean or null in YAML 1.1 and Ansible; choose a region name such as RegionOne` });
    }
});

// The host's own SSH key as `ssh-keyscan` or /etc/ssh/ssh_host_*_key.pub prints it (type and base64, comment
// optional). golang.org/x/crypto/ssh ParseAuthorizedKey reads it for @pulumi/command's connection.hostKey.
const hostKey = z.string().regex(/^(ssh-ed25519|ecdsa-sha2-nistp(256|384|521)|ssh-rsa) [A-Za-z0-9+/]+={0,2}( [^\n]*)?$/,
    "must be the host's public SSH key as /etc/ssh/ssh_host_ed25519_key.pub holds it (ssh-ed25519 AAAA…); leave it out to record it on first contact");

const hostShape = z.object({
    name: hostName,
    address: text,
    apiAddress: text.optional(),
    roles: z.array(z.enum(ROLES)).min(1, `must list at least one role of ${ROLES.join(", ")}`),
    interfaces: z.object({
        management: iface,
        api: iface.optional(),
        external: iface,
        tunnel: iface.optional(),
    }).strict(),
    sshUser: userName.optional(),
    sshPort: port.optional(),
    hostKey: hostKey.optional(),
}).strict();

const deployHostShape = z.object({
    name: hostName.optional(),
    address: text,
    managementAddress: text.optional(),
    sshUser: userName.optional(),
    sshPort: port.optional(),
    dockerSshKeyPath: text.optional(),
    hostKey: hostKey.optional(),
}, { error: typeError("a map", "{name: deploy, address: 10.10.10.50} (JSON from the CLI)") }).strict();

const networksShape = z.object({
    management: z.object({ cidr: text }).strict(),
    api: z.object({ cidr: text }).strict(),
    external: z.object({
        name: name.optional(),
        subnetName: name.optional(),
        physicalNetwork: name.optional(),
        cidr: text,
        gateway: text,
        poolStart: text,
        poolEnd: text,
    }).strict(),
    tenant: z.object({
        name: name.optional(),
        subnetName: name.optional(),
        routerName: name.optional(),
        cidr: text,
        gateway: text.optional(),
        dnsServers: z.array(text).optional(),
    }).strict(),
}, { error: typeError("a map", "{management: {cidr: ...}, api: ..., external: ..., tenant: ...} (JSON from the CLI)") }).strict();

const scalarShapes: Record<string, z.ZodTypeAny> = {
    release: text,
    baseDistro: text,
    vip: text,
    sshUser: userName,
    sshPort: port,
    registryPort: z.number({ error: typeError("a whole number", "5000") }).int("must be a whole number"),
    registryMode: z.enum(["mirror", "pull-through"]),
    registrySource: z.string().regex(/^[a-z0-9.-]+(:[0-9]+)?$/, "must be a registry host such as quay.io"),
    dockerNamespace: z.string().regex(/^[a-z0-9._-]+$/, "must be a registry namespace such as openstack.kolla"),
    enableOctavia: flag,
    enableHeat: flag,
    enableHorizon: flag,
    octaviaNetworkType: z.enum(["tenant", "provider"]),
    novaVirtType: z.enum(["kvm", "qemu"]),
    enableTls: flag,
    region,
    keypairName: name,
    keypairPublicKey: z.string().regex(/^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/=]+( .*)?$/, "must be an OpenSSH public key line (ssh-ed25519 AAAA… comment)"),
    cirrosVersion: z.string().regex(/^\d+\.\d+\.\d+$/, "must be a cirros version such as 0.6.1"),
    cirrosUrl: z.url({ protocol: /^https?$/ }),
    imageWebDownload: flag,
    amphoraSource: z.enum(["build", "url"]),
    amphoraImageUrl: z.url({ protocol: /^https?$/ }),
    smokeTest: flag,
    allowDestroy: flag,
    deployHost: deployHostShape,
    hosts: z.array(hostShape, { error: typeError("a list of hosts", "[{name: aio1, address: ..., roles: [...], interfaces: {...}}] (JSON from the CLI)") }).min(1, "must list at least one host"),
    networks: networksShape,
    extraGlobals: z.record(z.string(), z.unknown(), { error: typeError("a map of kolla variables", "{nova_console: novnc} (JSON from the CLI)") }),
};

// ---------- coercion: Pulumi hands every value over as a string ----------

function coerce(key: ConfigKey, value: unknown): unknown {
    const spec: KeySpec = KEYS[key];
    if (typeof value !== "string") return value;
    switch (spec.kind) {
        case "integer":
            return /^-?\d+$/.test(value.trim()) ? Number(value) : value;
        case "boolean":
            return value === "true" ? true : value === "false" ? false : value;
        case "array":
        case "object":
            try { return JSON.parse(value); } catch { return value; }
        default:
            return value;
    }
}

function pathOf(key: string, path: readonly PropertyKey[]): string {
    let out = key;
    for (const p of path) out += typeof p === "number" ? `[${p}]` : `.${String(p)}`;
    return out;
}

// ---------- semantic checks (ipaddr.js for the address maths) ----------

type V4 = ipaddr.IPv4;
type Cidr = [V4, number];

class Checker {
    readonly problems: string[] = [];
    /** One line per problem whatever a key or value holds: line breaks and control characters are escaped. */
    add(path: string, problem: string): void {
        this.problems.push(`${qualified(path)}: ${problem}`.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
            (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
    }

    ip(path: string, value: string | undefined): V4 | undefined {
        if (value === undefined) return undefined;
        if (!ipaddr.IPv4.isValidFourPartDecimal(value)) {
            this.add(path, `${show(value)} is not an IPv4 address; write it as four decimal parts, e.g. 10.10.10.50`);
            return undefined;
        }
        return ipaddr.IPv4.parse(value);
    }

    cidr(path: string, value: string | undefined): Cidr | undefined {
        if (value === undefined) return undefined;
        let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
        try {
            parsed = ipaddr.parseCIDR(value);
        } catch {
            this.add(path, `${show(value)} is not a CIDR; write it as network/prefix, e.g. 10.10.10.0/24`);
            return undefined;
        }
        const [addr, len] = parsed;
        if (addr.kind() !== "ipv4" || !ipaddr.IPv4.isValidFourPartDecimal(value.split("/")[0])) {
            this.add(path, `${show(value)} is not an IPv4 CIDR; only IPv4 networks are supported, e.g. 10.10.10.0/24`);
            return undefined;
        }
        const network = ipaddr.IPv4.networkAddressFromCIDR(value);
        if (network.toString() !== addr.toString()) {
            this.add(path, `${show(value)} has host bits set; use the network address ${network.toString()}/${len}`);
            return undefined;
        }
        return [addr as V4, len];
    }
}

const inside = (a: V4 | undefined, c: Cidr | undefined): boolean => !a || !c || a.match(c);
const overlaps = (a: Cidr, b: Cidr): boolean => a[0].match(b) || b[0].match(a);
const toNum = (a: V4): number => a.toByteArray().reduce((n, b) => n * 256 + b, 0);
const fromNum = (n: number): string => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
/** First and last address of a network (its network and broadcast addresses). */
const bounds = (c: Cidr): [number, number] => {
    const first = toNum(ipaddr.IPv4.networkAddressFromCIDR(`${c[0]}/${c[1]}`));
    return [first, first + 2 ** (32 - c[1]) - 1];
};
/** "the network address" / "the broadcast address" when `a` is one of them, else undefined. */
function networkOrBroadcast(a: V4, c: Cidr): string | undefined {
    const [first, last] = bounds(c);
    const n = toNum(a);
    return n === first ? "the network address" : n === last ? "the broadcast address" : undefined;
}
/** The first usable address of a network, for "such as" hints. */
const firstUsable = (c: Cidr): string => fromNum(bounds(c)[0] + 1);

// Ports this program runs on the deploy host next to the registry (components/amphora.ts IMAGE_SERVER_PORT; sshd).
export const AMPHORA_IMAGE_SERVER_PORT = 8090;
const SSH_PORT = 22;

/** Why an extraGlobals value cannot be written literally into globals.yml, or undefined. */
function globalsValueProblem(value: unknown): string | undefined {
    if (value === null || typeof value === "boolean") return undefined;
    if (typeof value === "number") {
        // JSON writes 1e21 as 1e+21 and 1e-7 as such: PyYAML's float pattern needs a '.' (resolver.py), so it reads a string.
        return Number.isFinite(value) && /^-?\d+(\.\d+)?$/.test(String(value)) ? undefined
            : `${show(value)} is not a plain number; write it as a whole or decimal number, or quote it`;
    }
    if (typeof value === "string") {
        // ansible-core 2.14 template/__init__.py is_possibly_template: any of {{ {% {# makes Ansible template the value.
        if (/\{\{|\{%|\{#/.test(value)) return `${show(value)} contains a Jinja marker ({{, {% or {#); Ansible would evaluate it on the deploy host (globals.yml is extra vars), so write the literal value`;
        // A line break in a value kolla templates into an INI file starts a new line or section there; PyYAML also
        // reads U+0085, U+2028 and U+2029 as line breaks and refuses characters outside its printable set
        // (reader.py NON_PRINTABLE: anything but tab, LF, CR, 0x20-0x7E, 0x85, 0xA0-0xD7FF, 0xE000-0xFFFD, astral).
        if (/[^\u0020-\u007e\u00a0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]|[\u2028\u2029]/u.test(value)) return `${show(value)} contains a line break or control character, which would start a new line in the INI files kolla renders; write it on one line`;
        return undefined;
    }
    if (Array.isArray(value)) {
        for (const item of value) {
            const p = globalsValueProblem(item);
            if (p) return p;
        }
        return undefined;
    }
    if (typeof value === "object") {
        for (const [k, item] of Object.entries(value as Record<string, unknown>)) {
            const p = globalsValueProblem(k) ?? globalsValueProblem(item);
            if (p) return p;
        }
        return undefined;
    }
    return `${show(value)} is not a YAML value; use a string, number, boolean, list or map`;
}

/**
 * Applies defaults, validates and returns frozen typed settings. `raw` maps unqualified config keys to values,
 * either as Pulumi hands them over (strings, JSON for objects) or already typed (YAML). Throws SettingsError
 * listing every problem, each naming its key and what would be valid.
 */
export function parseSettings(raw: Readonly<Record<string, unknown>>): Settings {
    const check = new Checker();
    const v: Record<string, unknown> = {};

    for (const key of Object.keys(raw)) {
        if (!(key in KEYS)) {
            check.add(key, `unknown key; known keys are ${Object.keys(KEYS).join(", ")}`);
        }
    }
    for (const key of Object.keys(KEYS) as ConfigKey[]) {
        const spec: KeySpec = KEYS[key];
        // Secrets never enter Settings: config/index.ts hands them over as Pulumi secrets.
        if (spec.secret) continue;
        const given = raw[key];
        if (given === undefined || given === null || given === "") {
            if (spec.required) {
                check.add(key, `is required: ${spec.description}`);
            } else if (spec.default !== undefined) {
                v[key] = structuredClone(spec.default);
            }
            continue;
        }
        const result = scalarShapes[key].safeParse(coerce(key, given));
        if (!result.success) {
            for (const issue of result.error.issues) {
                const message = issue.code === "unrecognized_keys"
                    ? `unknown field${issue.keys.length === 1 ? "" : "s"} ${issue.keys.map(show).join(", ")}: remove or correct ${issue.keys.length === 1 ? "it" : "them"}`
                    : issue.message;
                check.add(pathOf(key, issue.path), `${message} (${spec.description})`);
            }
            continue;
        }
        v[key] = result.data;
    }

    // Release and distro drive image tags and pins: only what has been verified is accepted.
    if (v.release !== undefined && !SUPPORTED_RELEASES.includes(v.release as string)) {
        check.add("release", `"${v.release}" is not supported; use one of ${SUPPORTED_RELEASES.join(", ")}`);
    }
    if (v.baseDistro !== undefined && v.baseDistro !== "ubuntu") {
        check.add("baseDistro", `"${v.baseDistro}" is not supported; use ubuntu (the images are <release>-ubuntu-<codename>)`);
    }
    if (typeof v.registryPort === "number" && (v.registryPort < 1 || v.registryPort > 65535)) {
        check.add("registryPort", `${v.registryPort} is out of range; use a TCP port from 1 to 65535 (default 5000)`);
    }

    const defaultUser = (v.sshUser as string | undefined) ?? "ubuntu";
    const defaultPort = (v.sshPort as number | undefined) ?? 22;

    // ---- networks
    const nets = v.networks as z.infer<typeof networksShape> | undefined;
    const mgmt = check.cidr("networks.management.cidr", nets?.management.cidr);
    const api = check.cidr("networks.api.cidr", nets?.api.cidr);
    const ext = check.cidr("networks.external.cidr", nets?.external.cidr);
    const tenant = check.cidr("networks.tenant.cidr", nets?.tenant.cidr);
    const extGw = check.ip("networks.external.gateway", nets?.external.gateway);
    const poolStart = check.ip("networks.external.poolStart", nets?.external.poolStart);
    const poolEnd = check.ip("networks.external.poolEnd", nets?.external.poolEnd);
    const tenantGw = check.ip("networks.tenant.gateway", nets?.tenant.gateway);
    nets?.tenant.dnsServers?.forEach((d, i) => check.ip(`networks.tenant.dnsServers[${i}]`, d));

    if (ext) {
        for (const [p, a] of [["networks.external.gateway", extGw], ["networks.external.poolStart", poolStart], ["networks.external.poolEnd", poolEnd]] as const) {
            if (!inside(a, ext)) check.add(p, `${a} is outside networks.external.cidr ${nets!.external.cidr}; pick an address inside it`);
        }
    }
    // Neutron 2023.1 ipam/utils.py check_gateway_invalid_in_subnet: an IPv4 gateway inside the subnet may not be its
    // network or broadcast address; db/ipam_backend_mixin.py validate_allocation_pools: a pool must lie within
    // [network + 1, broadcast - 1] ("Found pool larger than subnet CIDR").
    if (ext) {
        for (const [p, a] of [["networks.external.gateway", extGw], ["networks.external.poolStart", poolStart], ["networks.external.poolEnd", poolEnd]] as const) {
            const which = a && networkOrBroadcast(a, ext);
            if (which) check.add(p, `${a} is ${which} of networks.external.cidr ${nets!.external.cidr}, which Neutron refuses for a ${p.endsWith("gateway") ? "gateway" : "allocation pool"}; use an address such as ${firstUsable(ext)} inside it`);
        }
    }
    if (poolStart && poolEnd && toNum(poolStart) > toNum(poolEnd)) {
        check.add("networks.external.poolStart", `${poolStart} is after poolEnd ${poolEnd}; the pool must run from the lower address to the higher`);
    }
    if (extGw && poolStart && poolEnd && toNum(extGw) >= toNum(poolStart) && toNum(extGw) <= toNum(poolEnd)) {
        check.add("networks.external.gateway", `${extGw} lies inside the allocation pool ${poolStart}-${poolEnd}; move the gateway or the pool so they do not overlap`);
    }
    if (tenant) {
        for (const [label, other] of [["management", mgmt], ["api", api], ["external", ext]] as const) {
            if (other && overlaps(tenant, other)) {
                check.add("networks.tenant.cidr", `${nets!.tenant.cidr} overlaps networks.${label}.cidr ${nets![label].cidr}; choose a tenant range that overlaps none of management, api or external`);
            }
        }
        if (!inside(tenantGw, tenant)) check.add("networks.tenant.gateway", `${tenantGw} is outside networks.tenant.cidr ${nets!.tenant.cidr}; pick an address inside it`);
        const which = tenantGw && networkOrBroadcast(tenantGw, tenant);
        if (which) check.add("networks.tenant.gateway", `${tenantGw} is ${which} of networks.tenant.cidr ${nets!.tenant.cidr}, which Neutron refuses for a gateway; use an address such as ${firstUsable(tenant)}`);
    }
    if (ext) {
        for (const [label, other] of [["management", mgmt], ["api", api]] as const) {
            if (other && overlaps(ext, other)) {
                check.add("networks.external.cidr", `${nets!.external.cidr} overlaps networks.${label}.cidr ${nets![label].cidr}; neutron takes the external network over for floating IPs, so give it a range of its own`);
            }
        }
    }
    if (mgmt && api && overlaps(mgmt, api) && (mgmt[1] !== api[1] || mgmt[0].toString() !== api[0].toString())) {
        check.add("networks.api.cidr", `${nets!.api.cidr} partly overlaps networks.management.cidr ${nets!.management.cidr}; use the same CIDR for both (a shared network) or two that do not overlap`);
    }

    // ---- deploy host
    const dh = v.deployHost as z.infer<typeof deployHostShape> | undefined;
    const dhAddr = check.ip("deployHost.address", dh?.address);
    const dhMgmt = dh?.managementAddress ? check.ip("deployHost.managementAddress", dh.managementAddress) : dhAddr;
    if (dhMgmt && mgmt && !inside(dhMgmt, mgmt)) {
        check.add(dh?.managementAddress ? "deployHost.managementAddress" : "deployHost.address",
            `${dhMgmt} is outside networks.management.cidr ${nets!.management.cidr}; targets pull images from the registry at this address, so give the deploy host's management address (deployHost.managementAddress)`);
    }

    // ---- hosts
    const hosts = (v.hosts as z.infer<typeof hostShape>[] | undefined) ?? [];
    const vip = check.ip("vip", v.vip as string | undefined);
    if (vip && !inside(vip, api)) check.add("vip", `${vip} is outside networks.api.cidr ${nets!.api.cidr}; the VIP must be an unused address on the API network`);
    if (vip && ext && inside(vip, ext)) check.add("vip", `${vip} is inside networks.external.cidr; the VIP must be on the API network`);
    /** A host or VIP address may not be its network's network or broadcast address. */
    const notEdge = (a: V4 | undefined, c: Cidr | undefined, path: string, net: string) => {
        const which = a && c && a.match(c) ? networkOrBroadcast(a, c) : undefined;
        if (which) check.add(path, `${a} is ${which} of networks.${net}.cidr ${nets![net as "api"].cidr}, which no host can use; pick an unused address inside it such as ${firstUsable(c!)}`);
    };
    notEdge(vip, api, "vip", "api");
    notEdge(dhMgmt, mgmt, dh?.managementAddress ? "deployHost.managementAddress" : "deployHost.address", "management");
    const seenNames = new Map<string, number>();
    const deployName = (dh?.name ?? "deploy").toLowerCase();
    const seenAddrs = new Map<string, string>();
    const claim = (addr: V4 | undefined, path: string) => {
        if (!addr) return;
        const s = addr.toString();
        const prior = seenAddrs.get(s);
        if (prior) check.add(path, `${s} is already used by ${qualified(prior)}; every host address must be unique`);
        else seenAddrs.set(s, path);
        if (vip && s === vip.toString()) check.add("vip", `${s} is also ${qualified(path)}; the VIP must be an address no host uses`);
    };
    claim(dhMgmt, dh?.managementAddress ? "deployHost.managementAddress" : "deployHost.address");
    if (dhAddr && dhMgmt && dhAddr.toString() !== dhMgmt.toString()) claim(dhAddr, "deployHost.address");
    hosts.forEach((h, i) => {
        const at = `hosts[${i}]`;
        // Ansible host names are case-sensitive, DNS names are not: two spellings of one name are one machine.
        const lower = h.name.toLowerCase();
        if (seenNames.has(lower)) check.add(`${at}.name`, `"${h.name}" is already the name of hosts[${seenNames.get(lower)}]; host names must be unique`);
        else seenNames.set(lower, i);
        if (dh && deployName === lower) check.add(`${at}.name`, `"${h.name}" is also the deploy host's name; give the deploy host or this host another name`);
        if (LOOPBACK_NAMES.includes(lower) || lower.endsWith(".localhost")) {
            // kolla-ansible's inventory has `[deployment] localhost ansible_connection=local`: a target of that name
            // merges with it, and bootstrap-servers and deploy then run on the deploy host itself, as root.
            check.add(`${at}.name`, `"${h.name}" is reserved: it names the deploy host itself in kolla's inventory ([deployment] localhost ansible_connection=local), so kolla would run bootstrap-servers and deploy there as root; choose the host's own name such as aio1`);
        } else if (RESERVED_GROUPS.includes(lower) || (ROLES as readonly string[]).includes(lower)) {
            check.add(`${at}.name`, `"${h.name}" is also the name of a group in kolla's inventory, and Ansible's patterns pick the group over the host; choose the host's own name such as aio1`);
        }
        const a = check.ip(`${at}.address`, h.address);
        if (a && mgmt && !inside(a, mgmt)) check.add(`${at}.address`, `${a} is outside networks.management.cidr ${nets!.management.cidr}; use the host's management address`);
        notEdge(a, mgmt, `${at}.address`, "management");
        claim(a, `${at}.address`);
        const aa = check.ip(`${at}.apiAddress`, h.apiAddress);
        if (aa && api && !inside(aa, api)) check.add(`${at}.apiAddress`, `${aa} is outside networks.api.cidr ${nets!.api.cidr}; use the host's address on the API network`);
        notEdge(aa, api, `${at}.apiAddress`, "api");
        claim(aa, `${at}.apiAddress`);
        const ifs = h.interfaces;
        if (ifs.external === ifs.management) check.add(`${at}.interfaces.external`, `"${ifs.external}" is also the management interface; neutron takes the external interface over for br-ex, so give it a dedicated interface`);
        if (ifs.external === (ifs.api ?? ifs.management) && ifs.api !== undefined) check.add(`${at}.interfaces.external`, `"${ifs.external}" is also the API interface; give the external network a dedicated interface`);
        if (ifs.tunnel !== undefined && ifs.tunnel === ifs.external) check.add(`${at}.interfaces.tunnel`, `"${ifs.tunnel}" is also the external interface; use the management or a dedicated interface for tunnels`);
        if (new Set(h.roles).size !== h.roles.length) check.add(`${at}.roles`, `lists a role twice; list each of ${ROLES.join(", ")} at most once`);
    });
    if (v.hosts !== undefined) {
        for (const role of ["control", "network", "compute"] as const) {
            if (!hosts.some((h) => h.roles.includes(role))) check.add("hosts", `no host has role "${role}"; at least one control, one network and one compute host are needed`);
        }
    }

    // ---- cross-key rules
    if (v.smokeTest === true && v.keypairPublicKey === undefined && raw.keypairPublicKey === undefined) {
        check.add("keypairPublicKey", "is required when smokeTest is true (the demo instance boots with this keypair); set it to your OpenSSH public key");
    }
    if (v.amphoraSource === "url" && v.amphoraImageUrl === undefined && raw.amphoraImageUrl === undefined) {
        check.add("amphoraImageUrl", "is required when amphoraSource is url; set it to the URL of an amphora qcow2 or set amphoraSource to build");
    }
    if (v.registryMode === "pull-through" && v.registrySource !== undefined && !/^[a-z0-9.-]+$/.test(v.registrySource as string)) {
        check.add("registrySource", "must be a plain host name (https://<host> is proxied) when registryMode is pull-through");
    }

    // ---- ports on the deploy host: the registry binds <management address>:<registryPort> and 127.0.0.1 beside
    // the amphora image server and sshd. (The deploy host is never a target: its addresses and name are unique, so
    // kolla's own listeners never share it.)
    if (typeof v.registryPort === "number") {
        const dhSsh = dh?.sshPort ?? defaultPort;
        const clashes: [number, string][] = [
            [SSH_PORT, "SSH's port on the deploy host"],
            [dhSsh, `the deploy host's SSH port (${dh?.sshPort !== undefined ? "deployHost.sshPort" : "sshPort"})`],
            [AMPHORA_IMAGE_SERVER_PORT, "the port of the amphora image server this program runs on the deploy host"],
        ];
        const clash = clashes.find(([p]) => p === v.registryPort);
        if (clash) check.add("registryPort", `${v.registryPort} is ${clash[1]}; the registry could not bind it: choose another port such as ${v.registryPort === 5000 ? 5001 : 5000}`);
    }

    for (const [key, value] of Object.entries((v.extraGlobals as Record<string, unknown> | undefined) ?? {})) {
        const at = `extraGlobals.${/^[A-Za-z0-9_-]+$/.test(key) ? key : show(key)}`;
        if (key in OWNED_GLOBAL_SETTINGS) {
            check.add(at, `${key} is set from the typed settings; change the setting that owns it instead of overriding it here: ${OWNED_GLOBAL_SETTINGS[key]}`);
        } else if (!/^[a-z_][a-z0-9_]*$/.test(key)) {
            check.add(at, `${show(key)} is not a kolla variable name: use lower_snake_case such as nova_console`);
        } else {
            const refused = refusedGlobal(key);
            if (refused) check.add(at, refused);
        }
        const problem = globalsValueProblem(value);
        if (problem) check.add(at, problem);
    }

    if (check.problems.length > 0) throw new SettingsError(check.problems);

    const release = v.release as string;
    const pins = RELEASES[release];
    const deployMgmt = dhMgmt!.toString();
    const settings: Settings = {
        release,
        pins,
        baseDistro: "ubuntu",
        vip: vip!.toString(),
        deployHost: {
            name: dh!.name ?? "deploy",
            address: dh!.address,
            managementAddress: deployMgmt,
            sshUser: dh!.sshUser ?? defaultUser,
            sshPort: dh!.sshPort ?? defaultPort,
            ...(dh!.dockerSshKeyPath ? { dockerSshKeyPath: dh!.dockerSshKeyPath } : {}),
            ...(dh!.hostKey ? { hostKey: hostKeyOnly(dh!.hostKey) } : {}),
        },
        hosts: hosts.map((h) => ({
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
            sshUser: h.sshUser ?? defaultUser,
            sshPort: h.sshPort ?? defaultPort,
            ...(h.hostKey ? { hostKey: hostKeyOnly(h.hostKey) } : {}),
        })),
        networks: {
            management: { cidr: nets!.management.cidr },
            api: { cidr: nets!.api.cidr },
            external: {
                name: nets!.external.name ?? "public1",
                subnetName: nets!.external.subnetName ?? "public1-subnet",
                physicalNetwork: nets!.external.physicalNetwork ?? "physnet1",
                cidr: nets!.external.cidr,
                gateway: nets!.external.gateway,
                poolStart: nets!.external.poolStart,
                poolEnd: nets!.external.poolEnd,
            },
            tenant: {
                name: nets!.tenant.name ?? "demo-net",
                subnetName: nets!.tenant.subnetName ?? "demo-subnet",
                routerName: nets!.tenant.routerName ?? "demo-router",
                cidr: nets!.tenant.cidr,
                // init-runonce's convention: the first address of the range.
                gateway: nets!.tenant.gateway ?? firstHost(nets!.tenant.cidr),
                dnsServers: nets!.tenant.dnsServers ?? ["8.8.8.8"],
            },
        },
        registry: {
            port: v.registryPort as number,
            mode: v.registryMode as RegistryMode,
            source: v.registrySource as string,
            namespace: v.dockerNamespace as string,
            address: `${deployMgmt}:${v.registryPort}`,
        },
        services: {
            octavia: v.enableOctavia as boolean,
            heat: v.enableHeat as boolean,
            horizon: v.enableHorizon as boolean,
        },
        octaviaNetworkType: v.octaviaNetworkType as "tenant" | "provider",
        novaVirtType: v.novaVirtType as "kvm" | "qemu",
        enableTls: v.enableTls as boolean,
        region: v.region as string,
        keypair: {
            name: v.keypairName as string,
            ...(v.keypairPublicKey ? { publicKey: v.keypairPublicKey as string } : {}),
        },
        cirros: {
            version: v.cirrosVersion as string,
            url: (v.cirrosUrl as string | undefined) ??
                `https://github.com/cirros-dev/cirros/releases/download/${v.cirrosVersion}/cirros-${v.cirrosVersion}-x86_64-disk.img`,
        },
        imageWebDownload: v.imageWebDownload as boolean,
        amphora: {
            source: v.amphoraSource as "build" | "url",
            ...(v.amphoraImageUrl ? { url: v.amphoraImageUrl as string } : {}),
        },
        smokeTest: v.smokeTest as boolean,
        allowDestroy: v.allowDestroy as boolean,
        extraGlobals: v.extraGlobals as Record<string, unknown>,
    };
    return deepFreeze(settings);
}

function firstHost(cidr: string): string {
    const bytes = ipaddr.IPv4.networkAddressFromCIDR(cidr).toByteArray();
    bytes[3] += 1;
    return bytes.join(".");
}

function deepFreeze<T>(o: T): T {
    if (o && typeof o === "object" && !Object.isFrozen(o)) {
        Object.freeze(o);
        for (const value of Object.values(o as object)) deepFreeze(value);
    }
    return o;
}

/** `<type> <base64>` of a host key line: the comment is nobody's business. */
export function hostKeyOnly(line: string): string {
    return line.trim().split(/\s+/).slice(0, 2).join(" ");
}
