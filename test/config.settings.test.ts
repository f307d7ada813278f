import { strict as assert } from "assert";
import { parseSettings } from "../config/settings";
import { runIndex } from "../tools/evaluate/harness";
import { stackRunOptions, stackSettings, stackValues } from "../tools/evaluate/stack";
import { asDict, parseJson, setAt } from "./support/narrow";
import { rejectionOf } from "./support/settingsProblems";

/** The seed stack with a change applied at a dotted path (`networks.external.gateway`). */
function withChange(change: Record<string, unknown>): Record<string, unknown> {
    const values = asDict(parseJson(JSON.stringify(stackValues("aio"))));
    for (const [dotted, value] of Object.entries(change)) setAt(values, dotted, value);
    return values;
}

/** Asserts exactly one problem names `key` and mentions `fix`. */
function rejects(change: Record<string, unknown>, key: string, fix: RegExp): void {
    const problems = rejectionOf(withChange(change));
    const matching = problems.filter((p) => p.startsWith(`openstack-aio:${key}:`));
    assert.ok(
        matching.length >= 1,
        `no problem names openstack-aio:${key}; got:\n${problems.join("\n")}`,
    );
    assert.match(matching.join("\n"), fix);
}

describe("config: the seed stack (Pulumi.aio.yaml)", () => {
    const s = stackSettings("aio");

    it("parses into the seed's environment", () => {
        assert.equal(s.release, "2023.1");
        assert.equal(s.baseDistro, "ubuntu");
        assert.equal(s.vip, "10.10.30.55");
        assert.equal(s.deployHost.address, "10.10.10.50");
        assert.equal(s.deployHost.sshUser, "vagrant");
        assert.equal(s.registry.address, "10.10.10.50:5000");
        assert.equal(s.registry.mode, "mirror");
        assert.deepEqual(
            s.hosts.map((h) => [h.name, h.address, h.apiAddress]),
            [["aio", "10.10.10.51", "10.10.30.50"]],
        );
        assert.deepEqual(s.hosts[0].interfaces, {
            management: "eth1",
            api: "eth2",
            external: "eth3",
            tunnel: "eth1",
        });
        assert.deepEqual(s.hosts[0].roles, [
            "control",
            "network",
            "compute",
            "monitoring",
            "storage",
        ]);
        assert.equal(s.services.octavia, true);
        assert.equal(s.octaviaNetworkType, "tenant");
    });

    it("fills init-runonce's network defaults", () => {
        assert.deepEqual(s.networks.external, {
            name: "public1",
            subnetName: "public1-subnet",
            physicalNetwork: "physnet1",
            cidr: "192.168.100.0/24",
            gateway: "192.168.100.1",
            poolStart: "192.168.100.100",
            poolEnd: "192.168.100.200",
        });
        assert.deepEqual(s.networks.tenant, {
            name: "demo-net",
            subnetName: "demo-subnet",
            routerName: "demo-router",
            cidr: "10.0.0.0/24",
            gateway: "10.0.0.1",
            dnsServers: ["8.8.8.8"],
        });
        assert.equal(
            s.cirros.url,
            "https://github.com/cirros-dev/cirros/releases/download/0.6.1/cirros-0.6.1-x86_64-disk.img",
        );
    });

    it("is frozen all the way down", () => {
        assert.ok(
            Object.isFrozen(s) &&
                Object.isFrozen(s.hosts) &&
                Object.isFrozen(s.hosts[0].interfaces) &&
                Object.isFrozen(s.networks.tenant.dnsServers),
        );
        assert.throws(() => {
            (s.hosts as unknown[]).push({});
        });
    });

    it("is deterministic: the same raw config gives deep-equal settings", () => {
        assert.deepEqual(stackSettings("aio"), stackSettings("aio"));
    });

    it("accepts Pulumi's string encoding of numbers, booleans and objects", () => {
        const raw: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(stackValues("aio")))
            raw[k] = typeof v === "string" ? v : JSON.stringify(v);
        assert.deepEqual(parseSettings(raw), stackSettings("aio"));
    });

    it("derives tunnel, api and gateway defaults, and multinode works from the same code", () => {
        const multi = parseSettings(
            withChange({
                hosts: [
                    ...["c1", "c2", "c3"].map((n, i) => ({
                        name: n,
                        address: `10.10.10.${11 + i}`,
                        roles: ["control", "monitoring"],
                        interfaces: { management: "eth1", external: "eth3" },
                    })),
                    {
                        name: "n1",
                        address: "10.10.10.21",
                        roles: ["network"],
                        interfaces: {
                            management: "eth1",
                            api: "eth2",
                            external: "eth3",
                            tunnel: "eth4",
                        },
                    },
                    ...["k1", "k2"].map((n, i) => ({
                        name: n,
                        address: `10.10.10.${31 + i}`,
                        roles: ["compute", "storage"],
                        interfaces: { management: "ens3", external: "ens5" },
                        sshUser: "ops",
                    })),
                ],
                "networks.tenant.gateway": undefined,
            }),
        );
        assert.equal(multi.hosts.length, 6);
        assert.equal(multi.hosts[0].interfaces.api, "eth1");
        assert.equal(multi.hosts[3].interfaces.tunnel, "eth4");
        assert.equal(multi.hosts[4].sshUser, "ops");
        assert.equal(multi.hosts[0].sshUser, "vagrant");
        assert.equal(multi.networks.tenant.gateway, "10.0.0.1");
    });
});

describe("config: invalid settings name the key and the fix", () => {
    const cases: [string, Record<string, unknown>, string, RegExp][] = [
        ["a malformed VIP", { vip: "10.10.30.555" }, "vip", /not an IPv4 address/],
        [
            "a VIP outside the API network",
            { vip: "10.10.10.99" },
            "vip",
            /outside networks\.api\.cidr 10\.10\.30\.0\/24/,
        ],
        ["a VIP equal to a host address", { vip: "10.10.30.50" }, "vip", /address no host uses/],
        [
            "a malformed CIDR",
            { "networks.management.cidr": "10.10.10.0/33" },
            "networks.management.cidr",
            /not a CIDR/,
        ],
        [
            "a CIDR with host bits",
            { "networks.api.cidr": "10.10.30.7/24" },
            "networks.api.cidr",
            /use the network address 10\.10\.30\.0\/24/,
        ],
        [
            "a gateway outside the external network",
            { "networks.external.gateway": "192.168.101.1" },
            "networks.external.gateway",
            /outside networks\.external\.cidr/,
        ],
        [
            "a pool start outside the external network",
            { "networks.external.poolStart": "192.168.99.100" },
            "networks.external.poolStart",
            /outside networks\.external\.cidr/,
        ],
        [
            "a pool that runs backwards",
            { "networks.external.poolStart": "192.168.100.201" },
            "networks.external.poolStart",
            /after poolEnd/,
        ],
        [
            "a gateway inside the pool",
            { "networks.external.gateway": "192.168.100.150" },
            "networks.external.gateway",
            /inside the allocation pool/,
        ],
        [
            "a tenant range overlapping management",
            { "networks.tenant.cidr": "10.10.0.0/16", "networks.tenant.gateway": "10.10.0.1" },
            "networks.tenant.cidr",
            /overlaps networks\.management\.cidr/,
        ],
        [
            "a tenant range overlapping external",
            {
                "networks.tenant.cidr": "192.168.100.128/25",
                "networks.tenant.gateway": "192.168.100.129",
            },
            "networks.tenant.cidr",
            /overlaps networks\.external\.cidr/,
        ],
        [
            "an external interface equal to management",
            { "hosts.0.interfaces.external": "eth1" },
            "hosts[0].interfaces.external",
            /also the management interface/,
        ],
        [
            "an external interface equal to api",
            { "hosts.0.interfaces.external": "eth2" },
            "hosts[0].interfaces.external",
            /also the API interface/,
        ],
        [
            "no compute host",
            { "hosts.0.roles": ["control", "network"] },
            "hosts",
            /no host has role "compute"/,
        ],
        [
            "an unknown role",
            { "hosts.0.roles": ["control", "network", "compute", "gpu"] },
            "hosts[0].roles[3]",
            /control|network/,
        ],
        [
            "an unsupported release",
            { release: "2027.1" },
            "release",
            /use one of 2023\.1, 2024\.1, 2025\.1, 2026\.1 \(2026\.1 for a new cloud\)/,
        ],
        ["a registry port out of range", { registryPort: 70000 }, "registryPort", /1 to 65535/],
        ["a non-numeric registry port", { registryPort: "five" }, "registryPort", /number/i],
        ["a missing VIP", { vip: undefined }, "vip", /is required/],
        [
            "a host outside the management network",
            { "hosts.0.address": "10.10.20.51" },
            "hosts[0].address",
            /outside networks\.management\.cidr/,
        ],
        [
            "an unknown registry mode",
            { registryMode: "cache" },
            "registryMode",
            /mirror|pull-through/,
        ],
        ["an unsupported distro", { baseDistro: "rocky" }, "baseDistro", /use ubuntu/],
        ["a misspelled key", { regsitryPort: 5000 }, "regsitryPort", /unknown key/],
        [
            "a smoke test without a public key",
            { smokeTest: true },
            "keypairPublicKey",
            /required when smokeTest/,
        ],
        [
            "an amphora URL source without a URL",
            { amphoraSource: "url" },
            "amphoraImageUrl",
            /required when amphoraSource is url/,
        ],
        [
            "a bad interface name",
            { "hosts.0.interfaces.management": "eth 1" },
            "hosts[0].interfaces.management",
            /interface name/,
        ],
        ["an unknown host field", { "hosts.0.adress": "10.10.10.52" }, "hosts[0]", /adress/],
        [
            "a deploy host off the management network",
            { "deployHost.address": "192.168.1.5" },
            "deployHost.address",
            /managementAddress/,
        ],
        [
            "a tenant gateway outside the tenant range",
            { "networks.tenant.gateway": "10.0.1.1" },
            "networks.tenant.gateway",
            /outside networks\.tenant\.cidr/,
        ],
        [
            "a malformed DNS server",
            { "networks.tenant.dnsServers": ["8.8.8"] },
            "networks.tenant.dnsServers[0]",
            /not an IPv4 address/,
        ],
    ];
    for (const [what, change, key, fix] of cases) {
        it(`rejects ${what} (${key})`, () => rejects(change, key, fix));
    }

    it("rejects duplicate host names and addresses", () => {
        const second = {
            name: "aio",
            address: "10.10.10.51",
            roles: ["compute"],
            interfaces: { management: "eth1", external: "eth3" },
        };
        const problems = rejectionOf(
            withChange({ hosts: [...(stackValues("aio").hosts as unknown[]), second] }),
        );
        assert.ok(
            problems.some(
                (p) => p.startsWith("openstack-aio:hosts[1].name:") && /must be unique/.test(p),
            ),
            problems.join("\n"),
        );
        assert.ok(
            problems.some(
                (p) =>
                    p.startsWith("openstack-aio:hosts[1].address:") &&
                    /already used by openstack-aio:hosts\[0\]\.address/.test(p),
            ),
            problems.join("\n"),
        );
    });

    it("reports every problem at once", () => {
        const problems = rejectionOf(
            withChange({
                vip: "1.2.3.4",
                registryPort: 0,
                release: "zed",
                "networks.external.gateway": "192.168.100.150",
            }),
        );
        for (const key of ["vip", "registryPort", "release", "networks.external.gateway"]) {
            assert.ok(
                problems.some((p) => p.startsWith(`openstack-aio:${key}:`)),
                `missing ${key} in\n${problems.join("\n")}`,
            );
        }
    });

    it("fails before any resource is registered, naming the missing secret too", async () => {
        let registered = -1;
        await assert.rejects(
            async () => {
                const graph = await runIndex(
                    stackRunOptions({ overrides: { vip: "10.10.10.999" }, secrets: {} }),
                );
                registered = graph.resources.length;
            },
            (e: Error) =>
                /openstack-aio:vip:/.test(e.message) &&
                /openstack-aio:sshPrivateKey: is required/.test(e.message),
        );
        assert.equal(registered, -1);
    });
});
