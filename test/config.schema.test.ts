// The one schema (config/settings.ts settingsSchema): where the defaults come from, what the checks are handed, and
// the type it gives the components.
import { strict as assert } from "assert";
import { CONFIG_KEYS, configSchema } from "../config/schema";
import { isConfigKey, KEYS, keySpec } from "../config/keys";
import { parseSettings, Settings, settingsSchema } from "../config/settings";
import { projectDefaults } from "../config/stackFile";
import { PROJECT_DIR, stackSettings, stackValues, TEST_PUBLIC_KEY } from "../tools/evaluate/stack";
import { asDict, parseJson } from "./support/narrow";
import { rejectionOf } from "./support/settingsProblems";

/** The aio stack's values, typed and defaulted. */
const aio = configSchema.parse(stackValues("aio"));

/** The aio stack's required keys only: everything else from defaults. */
function requiredOnly(): Record<string, unknown> {
    const all = stackValues("aio");
    return Object.fromEntries(
        Object.keys(KEYS)
            .filter(isConfigKey)
            .filter((k) => keySpec(k).required && k in all)
            .map((k) => [k, all[k]]),
    );
}

describe("config schema: defaults", () => {
    it("applies every default KEYS holds, and leaves optional keys without one unset", () => {
        const config = configSchema.parse(requiredOnly());
        for (const key of CONFIG_KEYS) {
            const spec = keySpec(key);
            if (spec.default !== undefined) assert.deepEqual(config[key], spec.default, key);
            else if (!spec.required) assert.equal(config[key], undefined, key);
        }
    });

    it("gives the same settings with Pulumi.yaml's defaults applied as without them", () => {
        assert.deepEqual(
            parseSettings({ ...projectDefaults(PROJECT_DIR), ...requiredOnly() }),
            parseSettings(requiredOnly()),
        );
    });

    it('takes an unset value (absent, null or "") as the default', () => {
        const unset = { ...requiredOnly(), registryPort: "", region: null, sshUser: undefined };
        assert.deepEqual(parseSettings(unset), parseSettings(requiredOnly()));
    });

    it("derives what depends on other values: SSH logins, the deploy host's management address, interfaces, tenant gateway, cirros URL", () => {
        const s = parseSettings({
            ...requiredOnly(),
            sshUser: "ops",
            sshPort: 2200,
            deployHost: { address: "10.10.10.50" },
            hosts: [
                {
                    name: "aio",
                    address: "10.10.10.51",
                    roles: ["control", "network", "compute"],
                    interfaces: { management: "eth1", external: "eth3" },
                    sshPort: 22,
                },
            ],
            networks: { ...aio.networks, tenant: { cidr: "10.0.8.0/24" } },
            vip: "10.10.30.55",
            cirrosVersion: "0.6.2",
        });
        assert.deepEqual(s.deployHost, {
            name: "deploy",
            address: "10.10.10.50",
            managementAddress: "10.10.10.50",
            sshUser: "ops",
            sshPort: 2200,
        });
        assert.deepEqual([s.hosts[0].sshUser, s.hosts[0].sshPort], ["ops", 22]);
        assert.deepEqual(s.hosts[0].interfaces, {
            management: "eth1",
            api: "eth1",
            external: "eth3",
            tunnel: "eth1",
        });
        assert.deepEqual(s.networks.tenant, {
            name: "demo-net",
            subnetName: "demo-subnet",
            routerName: "demo-router",
            cidr: "10.0.8.0/24",
            gateway: "10.0.8.1",
            dnsServers: ["8.8.8.8"],
        });
        assert.equal(
            s.cirros.url,
            "https://github.com/cirros-dev/cirros/releases/download/0.6.2/cirros-0.6.2-x86_64-disk.img",
        );
        assert.equal(s.registry.address, "10.10.10.50:5000");
    });
});

describe("config schema: one schema, one type", () => {
    it("is what parseSettings runs: the schema alone gives the same settings", () => {
        const result = settingsSchema.safeParse(stackValues("multinode"));
        assert.ok(result.success);
        assert.deepEqual(result.data, stackSettings("multinode"));
    });

    it("types Settings readonly all the way down, and freezes it so", () => {
        const s: Settings = stackSettings("aio", {
            extraGlobals: { nova_console: "novnc", docker_custom_config: { a: [1] } },
        });
        assert.throws(() => {
            // @ts-expect-error readonly
            s.hosts[0].interfaces.api = "eth9";
        }, TypeError);
        assert.throws(() => {
            // @ts-expect-error readonly
            s.networks.tenant.dnsServers[0] = "1.1.1.1";
        }, TypeError);
        assert.throws(() => {
            // @ts-expect-error readonly
            s.registry.port = 1;
        }, TypeError);
        const nested = s.extraGlobals.docker_custom_config;
        assert.ok(
            Object.isFrozen(nested) && Object.isFrozen(s.pins),
            "values the schema passes through are frozen too",
        );
    });
});

describe("config schema: the checks see what parsed", () => {
    it("reports the checks' problems with the shapes' at once, each under its key", () => {
        const problems = rejectionOf({
            ...stackValues("aio"),
            enableTls: "maybe",
            vip: "10.10.10.99",
            hosts: [{ ...aio.hosts[0], name: "nova" }],
            smokeTest: true,
            release: "2027.1",
        });
        for (const key of ["enableTls", "vip", "hosts[0].name", "keypairPublicKey", "release"]) {
            assert.ok(
                problems.some((p) => p.startsWith(`openstack-aio:${key}: `)),
                `no problem for ${key}:\n${problems.join("\n")}`,
            );
        }
    });

    it("leaves out a check's problem about a value already refused", () => {
        const problems = rejectionOf({
            ...stackValues("aio"),
            smokeTest: true,
            keypairPublicKey: "not a key",
        });
        assert.equal(problems.length, 1, problems.join("\n"));
        assert.match(
            problems[0],
            /^openstack-aio:keypairPublicKey: must be an OpenSSH public key line/,
        );
        assert.doesNotThrow(() =>
            parseSettings({
                ...stackValues("aio"),
                smokeTest: true,
                keypairPublicKey: TEST_PUBLIC_KEY,
            }),
        );
    });

    it("takes an unset dependency as missing: an empty keypairPublicKey is no key for the smoke test", () => {
        for (const keypairPublicKey of ["", null]) {
            assert.deepEqual(
                rejectionOf({ ...stackValues("aio"), smokeTest: true, keypairPublicKey }),
                [
                    "openstack-aio:keypairPublicKey: is required when smokeTest is true (the demo instance boots with this keypair); set it to your OpenSSH public key",
                ],
            );
        }
    });

    it("knows only KEYS' own keys, not what every object inherits", () => {
        for (const raw of [
            { ...stackValues("aio"), toString: "x" },
            {
                ...stackValues("aio"),
                ...asDict(parseJson('{"__proto__": {"vip": "10.10.30.56"}}')),
            },
        ]) {
            const problems = rejectionOf(raw);
            assert.equal(problems.length, 1, problems.join("\n"));
            assert.match(
                problems[0],
                /^openstack-aio:(toString|__proto__): unknown key; known keys are release, /,
            );
        }
    });
});
