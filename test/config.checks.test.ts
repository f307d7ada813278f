// Each check of config/checks.ts on its own: called directly with parsed values, it passes the committed stacks and
// reports each problem it knows under the key to change.
import { strict as assert } from "assert";
import {
    checkHosts,
    checkNetworks,
    checkServices,
    checkSources,
    ParsedConfig,
    Problem,
} from "../config/checks";
import { Config, configSchema } from "../config/schema";
import { stackValues } from "../tools/evaluate/stack";

type Networks = Config["networks"];
type Host = Config["hosts"][number];

/** A committed stack's values, typed and defaulted, as the checks receive them. */
const aio: Config = configSchema.parse(stackValues("aio"));
const multinode: Config = configSchema.parse(stackValues("multinode"));

/** The aio values with some of the networks changed. */
function withNetworks(change: { [K in keyof Networks]?: Partial<Networks[K]> }): ParsedConfig {
    const n = aio.networks;
    return {
        ...aio,
        networks: {
            management: { ...n.management, ...change.management },
            api: { ...n.api, ...change.api },
            external: { ...n.external, ...change.external },
            tenant: { ...n.tenant, ...change.tenant },
        },
    };
}

/** The aio values with its host changed and more hosts after it. */
function withHosts(change: Partial<Host>, ...more: Host[]): ParsedConfig {
    return { ...aio, hosts: [{ ...aio.hosts[0], ...change }, ...more] };
}

/** A second host on the aio networks. */
function host(name: string, address: string, change: Partial<Host> = {}): Host {
    return {
        name,
        address,
        roles: ["compute"],
        interfaces: { management: "eth1", external: "eth3" },
        ...change,
    };
}

const lines = (problems: Problem[]): string =>
    problems.map((p) => `${p.key}: ${p.message}`).join("\n");

/** Exactly one problem, for `key`, saying `fix`. */
function one(problems: Problem[], key: string, fix: RegExp): void {
    assert.equal(problems.length, 1, `expected one problem, got:\n${lines(problems)}`);
    assert.equal(problems[0].key, key, lines(problems));
    assert.match(problems[0].message, fix);
}

/** At least one problem for `key` saying `fix` (a value can break more than one rule). */
function some(problems: Problem[], key: string, fix: RegExp): void {
    assert.ok(
        problems.some((p) => p.key === key && fix.test(p.message)),
        `no problem for ${key} matching ${fix}; got:\n${lines(problems)}`,
    );
}

describe("config checks: checkNetworks", () => {
    it("passes the committed stacks, and says nothing about networks that did not parse", () => {
        assert.deepEqual(checkNetworks(aio), []);
        assert.deepEqual(checkNetworks(multinode), []);
        assert.deepEqual(checkNetworks({}), []);
        assert.deepEqual(checkNetworks({ ...aio, networks: undefined }), []);
    });

    it("accepts one shared management and API network", () => {
        assert.deepEqual(
            checkNetworks({
                ...withNetworks({ api: { cidr: "10.10.10.0/24" } }),
                vip: "10.10.10.200",
            }),
            [],
        );
    });

    it("reads each CIDR as an IPv4 network address", () => {
        one(
            checkNetworks(withNetworks({ management: { cidr: "10.10.10.0/33" } })),
            "networks.management.cidr",
            /not a CIDR/,
        );
        one(
            checkNetworks(withNetworks({ tenant: { cidr: "fd00::/64", gateway: undefined } })),
            "networks.tenant.cidr",
            /not an IPv4 CIDR/,
        );
        some(
            checkNetworks(withNetworks({ api: { cidr: "10.10.30.7/24" } })),
            "networks.api.cidr",
            /host bits set; use the network address 10\.10\.30\.0\/24/,
        );
    });

    it("reads each address as IPv4, DNS servers included", () => {
        one(
            checkNetworks(withNetworks({ external: { gateway: "192.168.100.300" } })),
            "networks.external.gateway",
            /not an IPv4 address/,
        );
        one(
            checkNetworks(withNetworks({ tenant: { dnsServers: ["8.8.8.8", "dns.example"] } })),
            "networks.tenant.dnsServers[1]",
            /not an IPv4 address/,
        );
    });

    it("refuses addresses and networks in ranges no machine of the cloud can use (ipaddr.js range()), at both ends of a CIDR", () => {
        for (const [dns, range] of [
            ["0.0.0.0", /unspecified/],
            ["255.255.255.255", /limited broadcast/],
            ["239.1.1.1", /multicast/],
            ["127.0.0.53", /loopback/],
            ["169.254.169.254", /link-local/],
            ["250.1.1.1", /reserved range 240\.0\.0\.0\/4/],
        ] as const) {
            one(
                checkNetworks(withNetworks({ tenant: { dnsServers: [dns] } })),
                "networks.tenant.dnsServers[0]",
                range,
            );
        }
        // 64.0.0.0/2 starts at a unicast address and ends at 127.255.255.255 (loopback).
        some(
            checkNetworks(withNetworks({ management: { cidr: "64.0.0.0/2" } })),
            "networks.management.cidr",
            /reaches into the loopback range/,
        );
        // The documentation and benchmarking ranges (ipaddr.js `reserved`) and carrier-grade NAT stay usable.
        assert.deepEqual(
            checkNetworks(
                withNetworks({
                    tenant: {
                        cidr: "198.18.0.0/24",
                        gateway: "198.18.0.1",
                        dnsServers: ["100.64.0.53"],
                    },
                }),
            ),
            [],
        );
    });

    it("keeps the external gateway and pool inside the external network, off its edges and apart", () => {
        one(
            checkNetworks(withNetworks({ external: { gateway: "192.168.101.1" } })),
            "networks.external.gateway",
            /outside networks\.external\.cidr 192\.168\.100\.0\/24/,
        );
        some(
            checkNetworks(withNetworks({ external: { poolStart: "192.168.99.100" } })),
            "networks.external.poolStart",
            /outside networks\.external\.cidr/,
        );
        one(
            checkNetworks(withNetworks({ external: { gateway: "192.168.100.0" } })),
            "networks.external.gateway",
            /the network address .* Neutron refuses for a gateway; use an address such as 192\.168\.100\.1/,
        );
        one(
            checkNetworks(withNetworks({ external: { poolEnd: "192.168.100.255" } })),
            "networks.external.poolEnd",
            /the broadcast address .* allocation pool/,
        );
        one(
            checkNetworks(withNetworks({ external: { poolStart: "192.168.100.201" } })),
            "networks.external.poolStart",
            /after poolEnd 192\.168\.100\.200/,
        );
        one(
            checkNetworks(withNetworks({ external: { gateway: "192.168.100.150" } })),
            "networks.external.gateway",
            /inside the allocation pool 192\.168\.100\.100-192\.168\.100\.200/,
        );
    });

    it("keeps the tenant range apart from the other networks, with its gateway inside it", () => {
        const wide = checkNetworks(
            withNetworks({ tenant: { cidr: "10.10.0.0/16", gateway: "10.10.0.1" } }),
        );
        assert.deepEqual(
            wide.map((p) => p.key),
            ["networks.tenant.cidr", "networks.tenant.cidr"],
        );
        some(
            wide,
            "networks.tenant.cidr",
            /10\.10\.0\.0\/16 overlaps networks\.management\.cidr 10\.10\.10\.0\/24/,
        );
        some(wide, "networks.tenant.cidr", /overlaps networks\.api\.cidr 10\.10\.30\.0\/24/);
        one(
            checkNetworks(
                withNetworks({
                    tenant: { cidr: "192.168.100.128/25", gateway: "192.168.100.129" },
                }),
            ),
            "networks.tenant.cidr",
            /overlaps networks\.external\.cidr/,
        );
        one(
            checkNetworks(withNetworks({ tenant: { gateway: "10.0.1.1" } })),
            "networks.tenant.gateway",
            /outside networks\.tenant\.cidr 10\.0\.0\.0\/24/,
        );
        one(
            checkNetworks(withNetworks({ tenant: { gateway: "10.0.0.255" } })),
            "networks.tenant.gateway",
            /the broadcast address .* use an address such as 10\.0\.0\.1/,
        );
    });

    it("gives the external network a range of its own, and management and API one network or two apart", () => {
        some(
            checkNetworks(
                withNetworks({
                    external: {
                        cidr: "10.10.30.0/24",
                        gateway: "10.10.30.1",
                        poolStart: "10.10.30.100",
                        poolEnd: "10.10.30.200",
                    },
                }),
            ),
            "networks.external.cidr",
            /overlaps networks\.api\.cidr 10\.10\.30\.0\/24; neutron takes the external network over/,
        );
        some(
            checkNetworks(withNetworks({ api: { cidr: "10.10.10.0/25" } })),
            "networks.api.cidr",
            /partly overlaps networks\.management\.cidr 10\.10\.10\.0\/24/,
        );
    });

    it("puts the VIP on the API network, at an address no host uses", () => {
        one(checkNetworks({ ...aio, vip: "10.10.30.555" }), "vip", /not an IPv4 address/);
        one(
            checkNetworks({ ...aio, vip: "10.10.10.99" }),
            "vip",
            /outside networks\.api\.cidr 10\.10\.30\.0\/24/,
        );
        some(
            checkNetworks({ ...aio, vip: "192.168.100.99" }),
            "vip",
            /inside networks\.external\.cidr/,
        );
        one(
            checkNetworks({ ...aio, vip: "10.10.30.255" }),
            "vip",
            /the broadcast address of networks\.api\.cidr/,
        );
        one(
            checkNetworks({ ...aio, vip: "10.10.30.50" }),
            "vip",
            /also openstack-aio:hosts\[0\]\.apiAddress; the VIP must be an address no host uses/,
        );
        one(
            checkNetworks({
                ...withNetworks({ api: { cidr: "10.10.10.0/24" } }),
                vip: "10.10.10.50",
            }),
            "vip",
            /also openstack-aio:deployHost\.address/,
        );
    });
});

describe("config checks: checkHosts", () => {
    it("passes the committed stacks, and says nothing about hosts that did not parse", () => {
        assert.deepEqual(checkHosts(aio), []);
        assert.deepEqual(checkHosts(multinode), []);
        assert.deepEqual(checkHosts({}), []);
    });

    it("checks addresses against the networks only when they parsed", () => {
        assert.deepEqual(
            checkHosts({
                ...aio,
                networks: undefined,
                hosts: [{ ...aio.hosts[0], address: "172.16.0.1" }],
            }),
            [],
        );
        one(
            checkHosts({ ...aio, hosts: [{ ...aio.hosts[0], address: "172.16.0.1" }] }),
            "hosts[0].address",
            /outside networks\.management\.cidr/,
        );
    });

    it("puts the deploy host on the management network, naming the key to set", () => {
        one(
            checkHosts({ ...aio, deployHost: { ...aio.deployHost, address: "10.10.10" } }),
            "deployHost.address",
            /not an IPv4 address/,
        );
        one(
            checkHosts({ ...aio, deployHost: { ...aio.deployHost, address: "192.168.1.5" } }),
            "deployHost.address",
            /outside networks\.management\.cidr .*deployHost\.managementAddress/,
        );
        assert.deepEqual(
            checkHosts({
                ...aio,
                deployHost: {
                    ...aio.deployHost,
                    address: "192.168.1.5",
                    managementAddress: "10.10.10.60",
                },
            }),
            [],
        );
        one(
            checkHosts({
                ...aio,
                deployHost: {
                    ...aio.deployHost,
                    address: "192.168.1.5",
                    managementAddress: "10.10.20.60",
                },
            }),
            "deployHost.managementAddress",
            /outside networks\.management\.cidr/,
        );
        one(
            checkHosts({ ...aio, deployHost: { ...aio.deployHost, address: "10.10.10.255" } }),
            "deployHost.address",
            /the broadcast address of networks\.management\.cidr/,
        );
    });

    it("gives every host a name of its own", () => {
        one(
            checkHosts(withHosts({}, host("AIO", "10.10.10.52"))),
            "hosts[1].name",
            /"AIO" is already the name of hosts\[0\]; host names must be unique/,
        );
        one(
            checkHosts(withHosts({ name: "Deploy" })),
            "hosts[0].name",
            /also the deploy host's name/,
        );
        one(
            checkHosts(withHosts({ name: "localhost" })),
            "hosts[0].name",
            /reserved: it names the deploy host itself/,
        );
        one(checkHosts(withHosts({ name: "aio.localhost" })), "hosts[0].name", /reserved/);
        one(
            checkHosts(withHosts({ name: "nova" })),
            "hosts[0].name",
            /a group in kolla's inventory/,
        );
        one(
            checkHosts(withHosts({ name: "compute" })),
            "hosts[0].name",
            /a group in kolla's inventory/,
        );
    });

    it("puts each host's addresses on their networks, off the edges, and unique", () => {
        one(
            checkHosts(withHosts({ address: "10.10.10.5x" })),
            "hosts[0].address",
            /not an IPv4 address/,
        );
        one(
            checkHosts(withHosts({ address: "10.10.10.0" })),
            "hosts[0].address",
            /the network address of networks\.management\.cidr/,
        );
        one(
            checkHosts(withHosts({ apiAddress: "10.10.31.50" })),
            "hosts[0].apiAddress",
            /outside networks\.api\.cidr/,
        );
        one(
            checkHosts(withHosts({}, host("aio2", "10.10.10.51"))),
            "hosts[1].address",
            /already used by openstack-aio:hosts\[0\]\.address; every host address must be unique/,
        );
        one(
            checkHosts(withHosts({ address: "10.10.10.50" })),
            "hosts[0].address",
            /already used by openstack-aio:deployHost\.address/,
        );
    });

    it("keeps the external interface apart from the management and API interfaces, and tunnels off it", () => {
        one(
            checkHosts(
                withHosts({ interfaces: { management: "eth1", api: "eth2", external: "eth1" } }),
            ),
            "hosts[0].interfaces.external",
            /also the management interface/,
        );
        one(
            checkHosts(
                withHosts({ interfaces: { management: "eth1", api: "eth2", external: "eth2" } }),
            ),
            "hosts[0].interfaces.external",
            /also the API interface/,
        );
        one(
            checkHosts(
                withHosts({
                    interfaces: {
                        management: "eth1",
                        api: "eth2",
                        external: "eth3",
                        tunnel: "eth3",
                    },
                }),
            ),
            "hosts[0].interfaces.tunnel",
            /also the external interface/,
        );
        assert.deepEqual(
            checkHosts(
                withHosts({ interfaces: { management: "eth1", external: "eth3", tunnel: "eth4" } }),
            ),
            [],
        );
    });

    it("lists each role once, and needs a control, a network and a compute host", () => {
        one(
            checkHosts(withHosts({ roles: ["control", "network", "compute", "compute"] })),
            "hosts[0].roles",
            /lists a role twice/,
        );
        assert.deepEqual(
            checkHosts(withHosts({ roles: ["monitoring"] })).map((p) => [
                p.key,
                p.message.match(/"(\w+)"/)?.[1],
            ]),
            [
                ["hosts", "control"],
                ["hosts", "network"],
                ["hosts", "compute"],
            ],
        );
        one(
            checkHosts(withHosts({ roles: ["control", "network"] })),
            "hosts",
            /no host has role "compute"/,
        );
    });

    it("lets forceRemoveHosts name only hosts that left openstack-aio:hosts", () => {
        assert.deepEqual(checkHosts({ ...multinode, forceRemoveHosts: ["cmp9"] }), []);
        one(
            checkHosts({ ...multinode, forceRemoveHosts: ["cmp9", "CMP2"] }),
            "forceRemoveHosts[1]",
            /"CMP2" is still hosts\[4\]: .*remove the host from hosts in the same change, or take it out of forceRemoveHosts/,
        );
    });
});

describe("config checks: checkServices", () => {
    it("passes the committed stacks and each service with what it needs", () => {
        assert.deepEqual(checkServices(aio), []);
        assert.deepEqual(checkServices(multinode), []);
        assert.deepEqual(
            checkServices({ ...aio, smokeTest: true, keypairPublicKey: "ssh-ed25519 AAAA me" }),
            [],
        );
        assert.deepEqual(
            checkServices({
                ...aio,
                amphoraSource: "url",
                amphoraImageUrl: "https://example.com/amphora.qcow2",
                amphoraImageSha256: "c".repeat(64),
            }),
            [],
        );
        assert.deepEqual(checkServices({}), []);
    });

    it("needs a keypair public key for the smoke test", () => {
        one(
            checkServices({ ...aio, smokeTest: true }),
            "keypairPublicKey",
            /required when smokeTest is true/,
        );
    });

    it("needs an image URL and its sha256 for an amphora from a URL", () => {
        one(
            checkServices({ ...aio, amphoraSource: "url", amphoraImageSha256: "c".repeat(64) }),
            "amphoraImageUrl",
            /required when amphoraSource is url; .* or set amphoraSource to build/,
        );
        one(
            checkServices({
                ...aio,
                amphoraSource: "url",
                amphoraImageUrl: "https://example.com/amphora.qcow2",
            }),
            "amphoraImageSha256",
            /required when amphoraSource is url: the deploy host uploads the download only if its bytes hash to it/,
        );
    });
});

describe("config checks: checkSources", () => {
    it("passes the committed stacks", () => {
        assert.deepEqual(checkSources(aio), []);
        assert.deepEqual(checkSources(multinode), []);
        assert.deepEqual(checkSources({}), []);
    });

    it("supports only the releases config/releases describes, and the ubuntu distro", () => {
        one(
            checkSources({ ...aio, release: "2027.1" }),
            "release",
            /^"2027\.1" is not a release this program deploys; use one of 2023\.1, 2024\.1, 2025\.1, 2026\.1 \(2026\.1 for a new cloud\)$/,
        );
        for (const release of ["2023.1", "2024.1", "2025.1", "2026.1"]) {
            assert.deepEqual(checkSources({ ...aio, release }), [], release);
        }
        one(checkSources({ ...aio, baseDistro: "rocky" }), "baseDistro", /use ubuntu/);
    });

    it("takes a registry port the deploy host can bind", () => {
        one(
            checkSources({ ...aio, registryPort: 0 }),
            "registryPort",
            /out of range; use a TCP port from 1 to 65535 \(default 5000\)/,
        );
        one(checkSources({ ...aio, registryPort: 70000 }), "registryPort", /out of range/);
        one(
            checkSources({ ...aio, registryPort: 22 }),
            "registryPort",
            /SSH's port on the deploy host/,
        );
        // Nothing serves the amphora any more (AmphoraBuild uploads it from the deploy host): 8090 is free.
        assert.deepEqual(checkSources({ ...aio, registryPort: 8090 }), []);
        one(
            checkSources({
                ...aio,
                registryPort: 2222,
                deployHost: { ...aio.deployHost, sshPort: 2222 },
            }),
            "registryPort",
            /the deploy host's SSH port \(deployHost\.sshPort\)/,
        );
        one(
            checkSources({ ...aio, sshPort: 5000 }),
            "registryPort",
            /the deploy host's SSH port \(sshPort\); .* such as 5001/,
        );
    });

    it("proxies a plain registry host in pull-through mode", () => {
        one(
            checkSources({ ...aio, registryMode: "pull-through", registrySource: "quay.io:443" }),
            "registrySource",
            /plain host name .* when registryMode is pull-through/,
        );
        assert.deepEqual(
            checkSources({ ...aio, registryMode: "mirror", registrySource: "quay.io:443" }),
            [],
        );
    });

    it("lets extraGlobals set kolla variables that neither a typed setting owns nor pick images, with literal values", () => {
        assert.deepEqual(
            checkSources({
                ...aio,
                extraGlobals: {
                    nova_console: "novnc",
                    openstack_logging_debug: true,
                    horizon_custom_themes: [1, 2.5, { a: null }],
                },
            }),
            [],
        );
        one(
            checkSources({ ...aio, extraGlobals: { docker_registry: "quay.io" } }),
            "extraGlobals.docker_registry",
            /set from the typed settings; .*openstack-aio:registryPort/,
        );
        one(
            checkSources({ ...aio, extraGlobals: { "Nova Console": "novnc" } }),
            'extraGlobals."Nova Console"',
            /not a kolla variable name/,
        );
        one(
            checkSources({ ...aio, extraGlobals: { enable_prometheus: true } }),
            "extraGlobals.enable_prometheus",
            /does not support enable_prometheus/,
        );
        one(
            checkSources({ ...aio, extraGlobals: { nova_tag: "x" } }),
            "extraGlobals.nova_tag",
            /changes which container images kolla pulls/,
        );
        one(
            checkSources({ ...aio, extraGlobals: { ansible_user: "root" } }),
            "extraGlobals.ansible_user",
            /Ansible connection or magic variable/,
        );
        one(
            checkSources({ ...aio, extraGlobals: { nova_console: "{{ lookup('pipe', 'id') }}" } }),
            "extraGlobals.nova_console",
            /Jinja marker/,
        );
        one(
            checkSources({ ...aio, extraGlobals: { nova_console: "a\nb" } }),
            "extraGlobals.nova_console",
            /line break/,
        );
        one(
            checkSources({ ...aio, extraGlobals: { openstack_service_workers: 1e21 } }),
            "extraGlobals.openstack_service_workers",
            /not a plain number/,
        );
        one(
            checkSources({ ...aio, extraGlobals: { docker_custom_config: { "{{ x }}": 1 } } }),
            "extraGlobals.docker_custom_config",
            /Jinja marker/,
        );
    });
});
