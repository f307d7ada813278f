import * as ipaddr from "ipaddr.js";
import { z } from "zod";
import { KEYS, ConfigKey, KeySpec, qualified } from "./keys";
import { OWNED_GLOBALS } from "./globalsKeys";
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

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "must be a hostname-like name (letters, digits, . _ -)");
const iface = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,14}$/, "must be a Linux interface name such as eth1 or ens3");
const text = z.string().min(1);
const port = z.number().int().min(1).max(65535);

const hostShape = z.object({
    name,
    address: text,
    apiAddress: text.optional(),
    roles: z.array(z.enum(ROLES)).min(1, `must list at least one role of ${ROLES.join(", ")}`),
    interfaces: z.object({
        management: iface,
        api: iface.optional(),
        external: iface,
        tunnel: iface.optional(),
    }).strict(),
    sshUser: text.optional(),
    sshPort: port.optional(),
}).strict();

const deployHostShape = z.object({
    name: name.optional(),
    address: text,
    managementAddress: text.optional(),
    sshUser: text.optional(),
    sshPort: port.optional(),
    dockerSshKeyPath: text.optional(),
}).strict();

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
}).strict();

const scalarShapes: Record<string, z.ZodTypeAny> = {
    release: text,
    baseDistro: text,
    vip: text,
    sshUser: text,
    sshPort: port,
    registryPort: z.number().int(),
    registryMode: z.enum(["mirror", "pull-through"]),
    registrySource: z.string().regex(/^[a-z0-9.-]+(:[0-9]+)?$/, "must be a registry host such as quay.io"),
    dockerNamespace: z.string().regex(/^[a-z0-9._-]+$/, "must be a registry namespace such as openstack.kolla"),
    enableOctavia: z.boolean(),
    enableHeat: z.boolean(),
    enableHorizon: z.boolean(),
    octaviaNetworkType: z.enum(["tenant", "provider"]),
    novaVirtType: z.enum(["kvm", "qemu"]),
    enableTls: z.boolean(),
    region: text,
    keypairName: name,
    keypairPublicKey: z.string().regex(/^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/=]+( .*)?$/, "must be an OpenSSH public key line (ssh-ed25519 AAAA… comment)"),
    cirrosVersion: z.string().regex(/^\d+\.\d+\.\d+$/, "must be a cirros version such as 0.6.1"),
    cirrosUrl: z.url({ protocol: /^https?$/ }),
    imageWebDownload: z.boolean(),
    amphoraSource: z.enum(["build", "url"]),
    amphoraImageUrl: z.url({ protocol: /^https?$/ }),
    smokeTest: z.boolean(),
    allowDestroy: z.boolean(),
    deployHost: deployHostShape,
    hosts: z.array(hostShape).min(1, "must list at least one host"),
    networks: networksShape,
    extraGlobals: z.record(z.string(), z.unknown()),
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
    add(path: string, problem: string): void { this.problems.push(`${qualified(path)}: ${problem}`); }

    ip(path: string, value: string | undefined): V4 | undefined {
        if (value === undefined) return undefined;
        if (!ipaddr.IPv4.isValidFourPartDecimal(value)) {
            this.add(path, `"${value}" is not an IPv4 address; write it as four decimal parts, e.g. 10.10.10.50`);
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
            this.add(path, `"${value}" is not a CIDR; write it as network/prefix, e.g. 10.10.10.0/24`);
            return undefined;
        }
        const [addr, len] = parsed;
        if (addr.kind() !== "ipv4" || !ipaddr.IPv4.isValidFourPartDecimal(value.split("/")[0])) {
            this.add(path, `"${value}" is not an IPv4 CIDR; only IPv4 networks are supported, e.g. 10.10.10.0/24`);
            return undefined;
        }
        const network = ipaddr.IPv4.networkAddressFromCIDR(value);
        if (network.toString() !== addr.toString()) {
            this.add(path, `"${value}" has host bits set; use the network address ${network.toString()}/${len}`);
            return undefined;
        }
        return [addr as V4, len];
    }
}

const inside = (a: V4 | undefined, c: Cidr | undefined): boolean => !a || !c || a.match(c);
const overlaps = (a: Cidr, b: Cidr): boolean => a[0].match(b) || b[0].match(a);
const toNum = (a: V4): number => a.toByteArray().reduce((n, b) => n * 256 + b, 0);

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
                check.add(pathOf(key, issue.path), `${issue.message} (${spec.description})`);
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
    const seenNames = new Map<string, number>();
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
        if (seenNames.has(h.name)) check.add(`${at}.name`, `"${h.name}" is already the name of hosts[${seenNames.get(h.name)}]; host names must be unique`);
        else seenNames.set(h.name, i);
        if (dh && (dh.name ?? "deploy") === h.name) check.add(`${at}.name`, `"${h.name}" is also the deploy host's name; give the deploy host or this host another name`);
        const a = check.ip(`${at}.address`, h.address);
        if (a && mgmt && !inside(a, mgmt)) check.add(`${at}.address`, `${a} is outside networks.management.cidr ${nets!.management.cidr}; use the host's management address`);
        claim(a, `${at}.address`);
        const aa = check.ip(`${at}.apiAddress`, h.apiAddress);
        if (aa && api && !inside(aa, api)) check.add(`${at}.apiAddress`, `${aa} is outside networks.api.cidr ${nets!.api.cidr}; use the host's address on the API network`);
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

    for (const key of Object.keys((v.extraGlobals as Record<string, unknown> | undefined) ?? {})) {
        if (OWNED_GLOBALS.includes(key)) {
            check.add(`extraGlobals.${key}`, `${key} is set from the typed settings; change the setting that owns it instead of overriding it here`);
        } else if (!/^[a-z_][a-z0-9_]*$/.test(key)) {
            check.add(`extraGlobals.${key}`, "is not a kolla variable name (lower_snake_case)");
        }
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

/** Hosts holding a role, in config order. */
export function hostsWithRole(settings: Settings, role: Role): readonly Host[] {
    return settings.hosts.filter((h) => h.roles.includes(role));
}
