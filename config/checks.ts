// How the configuration's values fit together, one check a concern: each takes the keys that parsed (config/schema.ts
// Config, any key possibly absent because it is unset or malformed) and returns its problems, each naming the key to
// change. ipaddr.js does the address maths.
import * as ipaddr from "ipaddr.js";
import { OWNED_GLOBAL_SETTINGS, refusedGlobal } from "./globalsKeys";
import { qualified } from "./keys";
import { closestVariable, kollaVariables } from "./kollaVariables";
import {
    RECOMMENDED_RELEASE,
    releaseOf,
    SLURP_PATH,
    SUPPORTED_RELEASES,
    UBUNTU_VERSIONS,
} from "./releases";
import { Config, inheritSsh, ROLES, show } from "./schema";

/** What a check reads: the keys that parsed. A check says nothing about a key that is absent. */
export type ParsedConfig = Partial<Config>;

/** One problem: the key to change (unqualified, e.g. `hosts[0].address`) and what is wrong and how to fix it. */
export interface Problem {
    readonly key: string;
    readonly message: string;
}

export type Check = (config: ParsedConfig) => Problem[];

/** A problem list and a way to add to it. */
function collect(): { problems: Problem[]; add: (key: string, message: string) => void } {
    const problems: Problem[] = [];
    return {
        problems,
        add: (key, message) => {
            problems.push({ key, message });
        },
    };
}

// ---------- address maths ----------

type V4 = ipaddr.IPv4;
/** A parsed network: its CIDR as written, and its address and prefix length. */
interface Net {
    readonly cidr: string;
    readonly range: [V4, number];
}
type Report = (message: string) => void;

// ipaddr.js 2.5.0 IPv4 SpecialRanges: what no host, VIP, gateway or network of the cloud can be. A listener on 0.0.0.0
// binds every interface, 255.255.255.255 and multicast reach many hosts, loopback and link-local never leave the host
// or its link, and 240.0.0.0/4 (part of `reserved`) is not routed. The documentation and benchmarking ranges in
// `reserved` stay usable (labs use them).
const UNUSABLE_RANGES: Readonly<Record<string, string>> = {
    unspecified: "the unspecified range 0.0.0.0/8 (0.0.0.0 means every interface)",
    broadcast: "the limited broadcast address",
    multicast: "the multicast range 224.0.0.0/4",
    loopback: "the loopback range 127.0.0.0/8, which never leaves a host",
    linkLocal: "the link-local range 169.254.0.0/16",
};

/** Why no machine of the cloud can use this address, or undefined. */
export function unusableAddress(a: ipaddr.IPv4): string | undefined {
    const range = a.range();
    if (range in UNUSABLE_RANGES) return UNUSABLE_RANGES[range];
    if (range === "reserved" && a.octets[0] >= 240) return "the reserved range 240.0.0.0/4";
    return undefined;
}

/** An IPv4 address in four decimal parts that a machine can use; a problem goes to `report` when given. */
function ip(value: string | undefined, report?: Report): V4 | undefined {
    if (value === undefined) return undefined;
    if (!ipaddr.IPv4.isValidFourPartDecimal(value)) {
        report?.(
            `${show(value)} is not an IPv4 address; write it as four decimal parts, e.g. 10.10.10.50`,
        );
        return undefined;
    }
    const a = ipaddr.IPv4.parse(value);
    const unusable = unusableAddress(a);
    if (unusable) {
        report?.(
            `${value} is in ${unusable}; no host, VIP or gateway can use it: use a unicast address such as 10.10.10.50`,
        );
        return undefined;
    }
    return a;
}

/** An IPv4 network address/prefix; a problem goes to `report` when given. */
function net(value: string | undefined, report?: Report): Net | undefined {
    if (value === undefined) return undefined;
    let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
    try {
        parsed = ipaddr.parseCIDR(value);
    } catch {
        report?.(`${show(value)} is not a CIDR; write it as network/prefix, e.g. 10.10.10.0/24`);
        return undefined;
    }
    const [addr, len] = parsed;
    if (
        !(addr instanceof ipaddr.IPv4) ||
        !ipaddr.IPv4.isValidFourPartDecimal(value.split("/")[0])
    ) {
        report?.(
            `${show(value)} is not an IPv4 CIDR; only IPv4 networks are supported, e.g. 10.10.10.0/24`,
        );
        return undefined;
    }
    const network = ipaddr.IPv4.networkAddressFromCIDR(value);
    if (network.toString() !== addr.toString()) {
        report?.(
            `${show(value)} has host bits set; use the network address ${network.toString()}/${len}`,
        );
        return undefined;
    }
    // Its first and last address: a network reaching into an unusable range (0.0.0.0/0 reaches both ends) is refused.
    const last = ipaddr.IPv4.broadcastAddressFromCIDR(value);
    const unusable = unusableAddress(network) ?? unusableAddress(last);
    if (unusable) {
        report?.(
            `${value} reaches into ${unusable}; the cloud's networks hold unicast addresses only: use a private network such as 10.10.10.0/24`,
        );
        return undefined;
    }
    return { cidr: value, range: [addr, len] };
}

const inside = (a: V4 | undefined, n: Net | undefined): boolean => !a || !n || a.match(n.range);
const overlaps = (a: Net, b: Net): boolean =>
    a.range[0].match(b.range) || b.range[0].match(a.range);
const toNum = (a: V4): number => a.toByteArray().reduce((n, b) => n * 256 + b, 0);
const fromNum = (n: number): string =>
    [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
/** First and last address of a network (its network and broadcast addresses). */
const bounds = (n: Net): [number, number] => {
    const first = toNum(n.range[0]);
    return [first, first + 2 ** (32 - n.range[1]) - 1];
};
/** "the network address" / "the broadcast address" when `a` is one of them, else undefined. */
function networkOrBroadcast(a: V4, n: Net): string | undefined {
    const [first, last] = bounds(n);
    const x = toNum(a);
    return x === first ? "the network address" : x === last ? "the broadcast address" : undefined;
}
/** The first usable address of a network, for "such as" hints. */
const firstUsable = (n: Net): string => fromNum(bounds(n)[0] + 1);

/** A host or VIP address may not be its network's network or broadcast address. */
function notEdge(
    add: (key: string, message: string) => void,
    a: V4 | undefined,
    n: Net | undefined,
    key: string,
    label: string,
): void {
    if (!a || !n || !a.match(n.range)) return;
    const which = networkOrBroadcast(a, n);
    if (which)
        add(
            key,
            `${a.toString()} is ${which} of networks.${label}.cidr ${n.cidr}, which no host can use; pick an unused address inside it such as ${firstUsable(n)}`,
        );
}

/** The deploy host's key for its management address: managementAddress when given, else address. */
const deployManagementKey = (c: ParsedConfig): string =>
    c.deployHost?.managementAddress ? "deployHost.managementAddress" : "deployHost.address";

/** Every address a machine answers on, in config order: the deploy host's, then each target's management and API address. */
function claimedAddresses(c: ParsedConfig): { key: string; addr: V4 }[] {
    const out: { key: string; addr: V4 }[] = [];
    const claim = (key: string, addr: V4 | undefined) => {
        if (addr) out.push({ key, addr });
    };
    const dh = c.deployHost;
    const dhAddr = ip(dh?.address);
    const dhMgmt = dh?.managementAddress ? ip(dh.managementAddress) : dhAddr;
    claim(deployManagementKey(c), dhMgmt);
    if (dhAddr && dhMgmt && dhAddr.toString() !== dhMgmt.toString())
        claim("deployHost.address", dhAddr);
    c.hosts?.forEach((h, i) => {
        claim(`hosts[${i}].address`, ip(h.address));
        claim(`hosts[${i}].apiAddress`, ip(h.apiAddress));
    });
    return out;
}

// ---------- networks ----------

/**
 * The four networks and the VIP: valid IPv4 CIDRs and addresses, the external gateway and allocation pool inside
 * their network and usable by Neutron, the tenant range and the external network apart from the others, management
 * and API either one network or two, the VIP an unused address on the API network.
 */
export function checkNetworks(c: ParsedConfig): Problem[] {
    const { problems, add } = collect();
    const at =
        (key: string): Report =>
        (message) =>
            add(key, message);
    const nets = c.networks;
    const mgmt = net(nets?.management.cidr, at("networks.management.cidr"));
    const api = net(nets?.api.cidr, at("networks.api.cidr"));
    const ext = net(nets?.external.cidr, at("networks.external.cidr"));
    const tenant = net(nets?.tenant.cidr, at("networks.tenant.cidr"));
    const extGw = ip(nets?.external.gateway, at("networks.external.gateway"));
    const poolStart = ip(nets?.external.poolStart, at("networks.external.poolStart"));
    const poolEnd = ip(nets?.external.poolEnd, at("networks.external.poolEnd"));
    const tenantGw = ip(nets?.tenant.gateway, at("networks.tenant.gateway"));
    nets?.tenant.dnsServers.forEach((d, i) => ip(d, at(`networks.tenant.dnsServers[${i}]`)));

    const external = [
        ["networks.external.gateway", extGw],
        ["networks.external.poolStart", poolStart],
        ["networks.external.poolEnd", poolEnd],
    ] as const;
    if (ext) {
        for (const [key, a] of external) {
            if (a && !inside(a, ext))
                add(
                    key,
                    `${a.toString()} is outside networks.external.cidr ${ext.cidr}; pick an address inside it`,
                );
        }
        // Neutron 2023.1 ipam/utils.py check_gateway_invalid_in_subnet: an IPv4 gateway inside the subnet may not be
        // its network or broadcast address; db/ipam_backend_mixin.py validate_allocation_pools: a pool must lie within
        // [network + 1, broadcast - 1] ("Found pool larger than subnet CIDR").
        for (const [key, a] of external) {
            const which = a && networkOrBroadcast(a, ext);
            if (a && which)
                add(
                    key,
                    `${a.toString()} is ${which} of networks.external.cidr ${ext.cidr}, which Neutron refuses for a ${key.endsWith("gateway") ? "gateway" : "allocation pool"}; use an address such as ${firstUsable(ext)} inside it`,
                );
        }
    }
    if (poolStart && poolEnd && toNum(poolStart) > toNum(poolEnd)) {
        add(
            "networks.external.poolStart",
            `${poolStart.toString()} is after poolEnd ${poolEnd.toString()}; the pool must run from the lower address to the higher`,
        );
    }
    if (
        extGw &&
        poolStart &&
        poolEnd &&
        toNum(extGw) >= toNum(poolStart) &&
        toNum(extGw) <= toNum(poolEnd)
    ) {
        add(
            "networks.external.gateway",
            `${extGw.toString()} lies inside the allocation pool ${poolStart.toString()}-${poolEnd.toString()}; move the gateway or the pool so they do not overlap`,
        );
    }
    if (tenant) {
        for (const [label, other] of [
            ["management", mgmt],
            ["api", api],
            ["external", ext],
        ] as const) {
            if (other && overlaps(tenant, other)) {
                add(
                    "networks.tenant.cidr",
                    `${tenant.cidr} overlaps networks.${label}.cidr ${other.cidr}; choose a tenant range that overlaps none of management, api or external`,
                );
            }
        }
        if (tenantGw && !inside(tenantGw, tenant))
            add(
                "networks.tenant.gateway",
                `${tenantGw.toString()} is outside networks.tenant.cidr ${tenant.cidr}; pick an address inside it`,
            );
        const which = tenantGw && networkOrBroadcast(tenantGw, tenant);
        if (tenantGw && which)
            add(
                "networks.tenant.gateway",
                `${tenantGw.toString()} is ${which} of networks.tenant.cidr ${tenant.cidr}, which Neutron refuses for a gateway; use an address such as ${firstUsable(tenant)}`,
            );
    }
    if (ext) {
        for (const [label, other] of [
            ["management", mgmt],
            ["api", api],
        ] as const) {
            if (other && overlaps(ext, other)) {
                add(
                    "networks.external.cidr",
                    `${ext.cidr} overlaps networks.${label}.cidr ${other.cidr}; neutron takes the external network over for floating IPs, so give it a range of its own`,
                );
            }
        }
    }
    if (
        mgmt &&
        api &&
        overlaps(mgmt, api) &&
        (mgmt.range[1] !== api.range[1] || mgmt.range[0].toString() !== api.range[0].toString())
    ) {
        add(
            "networks.api.cidr",
            `${api.cidr} partly overlaps networks.management.cidr ${mgmt.cidr}; use the same CIDR for both (a shared network) or two that do not overlap`,
        );
    }

    const vip = ip(c.vip, at("vip"));
    if (vip && api && !inside(vip, api))
        add(
            "vip",
            `${vip.toString()} is outside networks.api.cidr ${api.cidr}; the VIP must be an unused address on the API network`,
        );
    if (vip && ext && inside(vip, ext))
        add(
            "vip",
            `${vip.toString()} is inside networks.external.cidr; the VIP must be on the API network`,
        );
    notEdge(add, vip, api, "vip", "api");
    for (const { key, addr } of claimedAddresses(c)) {
        if (vip && addr.toString() === vip.toString())
            add(
                "vip",
                `${addr.toString()} is also ${qualified(key)}; the VIP must be an address no host uses`,
            );
    }
    return problems;
}

// ---------- hosts ----------

// Names that mean the machine itself: Ansible's implicit localhost (ansible-core 2.14 constants.py LOCALHOST), Ubuntu's
// /etc/hosts loopback names, and RFC 6761 section 6.3 (.localhost).
const LOOPBACK_NAMES = [
    "localhost",
    "localhost.localdomain",
    "localhost4",
    "localhost4.localdomain4",
    "localhost6",
    "localhost6.localdomain6",
    "ip6-localhost",
    "ip6-loopback",
];
/**
 * Ansible's implicit all/ungrouped and every group of the spliced inventory: a host of the same name makes patterns
 * such as `hosts: nova` pick the group, not the host (ansible-core 2.14 inventory/manager.py _enumerate_matches).
 * The groups are those of the stack's release and of every release after it on the upgrade path, so a name that would
 * block a later hop is refused now; with a release the program does not know (reported on its own), every release's.
 */
function reservedGroups(release: string | undefined): ReadonlySet<string> {
    const from = release !== undefined && releaseOf(release) ? SLURP_PATH.indexOf(release) : -1;
    const releases = from >= 0 ? SLURP_PATH.slice(from) : SUPPORTED_RELEASES;
    return new Set([
        "all",
        "ungrouped",
        ...releases.flatMap((r) => releaseOf(r)?.inventoryGroups ?? []),
        ...ROLES,
    ]);
}

/**
 * The deploy host and the targets: names unique (case-insensitively) and not a name kolla's inventory already uses,
 * addresses valid, on their network and unique, interfaces apart where neutron needs them apart, each role listed
 * once, and at least one control, network and compute host.
 */
export function checkHosts(c: ParsedConfig): Problem[] {
    const { problems, add } = collect();
    const at =
        (key: string): Report =>
        (message) =>
            add(key, message);
    const mgmt = net(c.networks?.management.cidr);
    const api = net(c.networks?.api.cidr);

    const dh = c.deployHost;
    const dhAddr = ip(dh?.address, at("deployHost.address"));
    const dhMgmt = dh?.managementAddress
        ? ip(dh.managementAddress, at("deployHost.managementAddress"))
        : dhAddr;
    if (dhMgmt && mgmt && !inside(dhMgmt, mgmt)) {
        add(
            deployManagementKey(c),
            `${dhMgmt.toString()} is outside networks.management.cidr ${mgmt.cidr}; targets pull images from the registry at this address, so give the deploy host's management address (deployHost.managementAddress)`,
        );
    }
    notEdge(add, dhMgmt, mgmt, deployManagementKey(c), "management");

    const reserved = reservedGroups(c.release);
    const seenNames = new Map<string, number>();
    c.hosts?.forEach((h, i) => {
        const host = `hosts[${i}]`;
        // Ansible host names are case-sensitive, DNS names are not: two spellings of one name are one machine.
        const lower = h.name.toLowerCase();
        const prior = seenNames.get(lower);
        if (prior !== undefined)
            add(
                `${host}.name`,
                `"${h.name}" is already the name of hosts[${prior}]; host names must be unique`,
            );
        else seenNames.set(lower, i);
        if (dh && dh.name.toLowerCase() === lower)
            add(
                `${host}.name`,
                `"${h.name}" is also the deploy host's name; give the deploy host or this host another name`,
            );
        if (LOOPBACK_NAMES.includes(lower) || lower.endsWith(".localhost")) {
            // kolla-ansible's inventory has `[deployment] localhost ansible_connection=local`: a target of that name
            // merges with it, and bootstrap-servers and deploy then run on the deploy host itself, as root.
            add(
                `${host}.name`,
                `"${h.name}" is reserved: it names the deploy host itself in kolla's inventory ([deployment] localhost ansible_connection=local), so kolla would run bootstrap-servers and deploy there as root; choose the host's own name such as aio1`,
            );
        } else if (reserved.has(lower)) {
            add(
                `${host}.name`,
                `"${h.name}" is also the name of a group in kolla's inventory (at this release or one it upgrades to), and Ansible's patterns pick the group over the host; choose the host's own name such as aio1`,
            );
        }
        const a = ip(h.address, at(`${host}.address`));
        if (a && mgmt && !inside(a, mgmt))
            add(
                `${host}.address`,
                `${a.toString()} is outside networks.management.cidr ${mgmt.cidr}; use the host's management address`,
            );
        notEdge(add, a, mgmt, `${host}.address`, "management");
        const aa = ip(h.apiAddress, at(`${host}.apiAddress`));
        if (aa && api && !inside(aa, api))
            add(
                `${host}.apiAddress`,
                `${aa.toString()} is outside networks.api.cidr ${api.cidr}; use the host's address on the API network`,
            );
        notEdge(add, aa, api, `${host}.apiAddress`, "api");
        const ifs = h.interfaces;
        if (ifs.external === ifs.management)
            add(
                `${host}.interfaces.external`,
                `"${ifs.external}" is also the management interface; neutron takes the external interface over for br-ex, so give it a dedicated interface`,
            );
        if (ifs.api !== undefined && ifs.external === ifs.api)
            add(
                `${host}.interfaces.external`,
                `"${ifs.external}" is also the API interface; give the external network a dedicated interface`,
            );
        if (ifs.tunnel !== undefined && ifs.tunnel === ifs.external)
            add(
                `${host}.interfaces.tunnel`,
                `"${ifs.tunnel}" is also the external interface; use the management or a dedicated interface for tunnels`,
            );
        if (new Set(h.roles).size !== h.roles.length)
            add(
                `${host}.roles`,
                `lists a role twice; list each of ${ROLES.join(", ")} at most once`,
            );
    });

    const seenAddrs = new Map<string, string>();
    for (const { key, addr } of claimedAddresses(c)) {
        const s = addr.toString();
        const prior = seenAddrs.get(s);
        if (prior)
            add(
                key,
                `${s} is already used by ${qualified(prior)}; every host address must be unique`,
            );
        else seenAddrs.set(s, key);
    }

    if (c.hosts) {
        for (const role of ["control", "network", "compute"] as const) {
            if (!c.hosts.some((h) => h.roles.includes(role)))
                add(
                    "hosts",
                    `no host has role "${role}"; at least one control, one network and one compute host are needed`,
                );
        }
    }

    // forceRemoveHosts speaks only for a host being removed (render/scripts/kolla-host.sh reads it on delete).
    c.forceRemoveHosts?.forEach((name, i) => {
        const j = c.hosts?.findIndex((h) => h.name.toLowerCase() === name.toLowerCase()) ?? -1;
        if (j >= 0)
            add(
                `forceRemoveHosts[${i}]`,
                `"${name}" is still hosts[${j}]: forceRemoveHosts lets the removal of a host go on although instances remain on it or it cannot be reached; remove the host from hosts in the same change, or take it out of forceRemoveHosts`,
            );
    });
    return problems;
}

// ---------- services ----------

/** What the enabled services and steps need: smokeTest a keypair public key, an amphora from a URL that URL. */
export function checkServices(c: ParsedConfig): Problem[] {
    const { problems, add } = collect();
    if (c.smokeTest === true && c.keypairPublicKey === undefined) {
        add(
            "keypairPublicKey",
            "is required when smokeTest is true (the demo instance boots with this keypair); set it to your OpenSSH public key",
        );
    }
    if (c.amphoraSource === "url" && c.amphoraImageUrl === undefined) {
        add(
            "amphoraImageUrl",
            "is required when amphoraSource is url; set it to the https URL of an amphora qcow2 or set amphoraSource to build",
        );
    }
    if (c.amphoraSource === "url" && c.amphoraImageSha256 === undefined) {
        add(
            "amphoraImageSha256",
            "is required when amphoraSource is url: the deploy host uploads the download only if its bytes hash to it; set it to the sha256 the image's publisher gives",
        );
    }
    return problems;
}

// ---------- sources ----------

// sshd's port on the deploy host, next to the registry.
const SSH_PORT = 22;

/** Why an extraGlobals value cannot be written literally into globals.yml, or undefined. */
function globalsValueProblem(value: unknown): string | undefined {
    if (value === null || typeof value === "boolean") return undefined;
    if (typeof value === "number") {
        // JSON writes 1e21 as 1e+21 and 1e-7 as such: PyYAML's float pattern needs a '.' (resolver.py), so it reads a string.
        return Number.isFinite(value) && /^-?\d+(\.\d+)?$/.test(String(value))
            ? undefined
            : `${show(value)} is not a plain number; write it as a whole or decimal number, or quote it`;
    }
    if (typeof value === "string") {
        // ansible-core 2.14 template/__init__.py is_possibly_template: any of {{ {% {# makes Ansible template the value.
        if (/\{\{|\{%|\{#/.test(value))
            return `${show(value)} contains a Jinja marker ({{, {% or {#); Ansible would evaluate it on the deploy host (globals.yml is extra vars), so write the literal value`;
        // A line break in a value kolla templates into an INI file starts a new line or section there; PyYAML also
        // reads U+0085, U+2028 and U+2029 as line breaks and refuses characters outside its printable set
        // (reader.py NON_PRINTABLE: anything but tab, LF, CR, 0x20-0x7E, 0x85, 0xA0-0xD7FF, 0xE000-0xFFFD, astral).
        if (
            /[^\u0020-\u007e\u00a0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]|[\u2028\u2029]/u.test(
                value,
            )
        )
            return `${show(value)} contains a line break or control character, which would start a new line in the INI files kolla renders; write it on one line`;
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
        for (const [k, item] of Object.entries(value)) {
            const p = globalsValueProblem(k) ?? globalsValueProblem(item);
            if (p) return p;
        }
        return undefined;
    }
    return `${show(value)} is not a YAML value; use a string, number, boolean, list or map`;
}

/**
 * Where the images and kolla's settings come from: a supported release and distro (they pick the image tags and
 * pins), a registry port the deploy host can bind, a plain host for a pull-through source, and extraGlobals keys
 * that neither fight a typed setting nor change which images kolla pulls, with values globals.yml can hold.
 */
export function checkSources(c: ParsedConfig): Problem[] {
    const { problems, add } = collect();
    if (c.release !== undefined && !SUPPORTED_RELEASES.includes(c.release)) {
        add(
            "release",
            `"${c.release}" is not a release this program deploys; use one of ${SUPPORTED_RELEASES.join(", ")} (${RECOMMENDED_RELEASE} for a new cloud)`,
        );
    }
    const release = c.release !== undefined ? releaseOf(c.release) : undefined;
    if (release && c.hostOs !== undefined && !release.hostOs.includes(c.hostOs)) {
        const runsIt = SUPPORTED_RELEASES.filter((r) =>
            (releaseOf(r)?.hostOs as readonly string[]).includes(c.hostOs ?? ""),
        );
        add(
            "hostOs",
            `${c.hostOs} is not an Ubuntu release OpenStack ${release.series} supports on its hosts (${release.hostOs.join(", ")}); ` +
                `move the hosts to Ubuntu ${release.hostOs.map((os) => UBUNTU_VERSIONS[os]).join(" or ")} and set hostOs accordingly, or keep openstack-aio:release at one that runs on ${c.hostOs} (${runsIt.join(", ")})`,
        );
    }
    if (c.baseDistro !== undefined && c.baseDistro !== "ubuntu") {
        add(
            "baseDistro",
            `"${c.baseDistro}" is not supported; use ubuntu (the images are <release>-ubuntu-<codename>)`,
        );
    }
    if (c.registryPort !== undefined && (c.registryPort < 1 || c.registryPort > 65535)) {
        add(
            "registryPort",
            `${c.registryPort} is out of range; use a TCP port from 1 to 65535 (default 5000)`,
        );
    }
    if (
        c.registryMode === "pull-through" &&
        c.registrySource !== undefined &&
        !/^[a-z0-9.-]+$/.test(c.registrySource)
    ) {
        add(
            "registrySource",
            "must be a plain host name (https://<host> is proxied) when registryMode is pull-through",
        );
    }

    // The registry binds <management address>:<registryPort> beside sshd.
    // (The deploy host is never a target: its addresses and name are unique, so kolla's own listeners never share it.)
    if (c.registryPort !== undefined) {
        const clashes: [number | undefined, string][] = [
            [SSH_PORT, "SSH's port on the deploy host"],
            [
                inheritSsh(c.deployHost, c).sshPort,
                `the deploy host's SSH port (${c.deployHost?.sshPort !== undefined ? "deployHost.sshPort" : "sshPort"})`,
            ],
        ];
        const clash = clashes.find(([p]) => p === c.registryPort);
        if (clash)
            add(
                "registryPort",
                `${c.registryPort} is ${clash[1]}; the registry could not bind it: choose another port such as ${c.registryPort === 5000 ? 5001 : 5000}`,
            );
    }

    // The release's variables (an unsupported release is reported above, and checks no names).
    const known =
        c.release !== undefined && SUPPORTED_RELEASES.includes(c.release)
            ? kollaVariables(c.release)
            : new Set<string>();
    const claimed = claimedAddresses(c);
    for (const [key, value] of c.extraGlobals ? Object.entries(c.extraGlobals) : []) {
        const at = `extraGlobals.${/^[A-Za-z0-9_-]+$/.test(key) ? key : show(key)}`;
        if (key in OWNED_GLOBAL_SETTINGS) {
            add(
                at,
                `${key} is set from the typed settings; change the setting that owns it instead of overriding it here: ${OWNED_GLOBAL_SETTINGS[key]}`,
            );
        } else if (!/^[a-z_][a-z0-9_]*$/.test(key)) {
            add(
                at,
                `${show(key)} is not a kolla variable name: use lower_snake_case such as nova_console`,
            );
        } else {
            const refused = refusedGlobal(key);
            if (refused) add(at, refused);
            else if (known.size > 0 && !known.has(key)) {
                const near = closestVariable(key, known);
                add(
                    at,
                    `${key} is not a variable kolla-ansible ${c.release} knows (config/kolla-variables/${c.release}.txt), so kolla would ignore it: ${!near ? "check the name against kolla-ansible's documentation of this release" : near in OWNED_GLOBAL_SETTINGS ? `did you mean ${near}? It is set from ${OWNED_GLOBAL_SETTINGS[near]}` : `did you mean ${near}?`}`,
                );
            }
        }
        const problem = globalsValueProblem(value) ?? globalsAddressProblem(key, value, claimed);
        if (problem) add(at, problem);
    }
    return problems;
}

/** An address kolla takes from extraGlobals (a key ending in `_address`): usable, and a VIP no host already uses. */
function globalsAddressProblem(
    key: string,
    value: unknown,
    claimed: readonly { key: string; addr: V4 }[],
): string | undefined {
    if (!key.endsWith("_address") || typeof value !== "string") return undefined;
    if (!ipaddr.IPv4.isValidFourPartDecimal(value)) return undefined;
    const a = ipaddr.IPv4.parse(value);
    const unusable = unusableAddress(a);
    if (unusable)
        return `${value} is in ${unusable}; kolla binds and announces this address: use a unicast address such as 10.10.30.56`;
    // keepalived moves a VIP between hosts (kolla-ansible roles/loadbalancer): a host's own address cannot be one.
    const owner = key.endsWith("vip_address")
        ? claimed.find((x) => x.addr.toString() === a.toString())
        : undefined;
    return owner
        ? `${value} is also ${qualified(owner.key)}; a VIP must be an address no host uses: pick an unused one`
        : undefined;
}

/** Every check, in the order their problems are listed. */
export const CHECKS: readonly Check[] = [checkNetworks, checkHosts, checkServices, checkSources];
