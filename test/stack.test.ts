import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { Graph, runIndex } from "../tools/evaluate/harness";
import {
    PROJECT_DIR,
    stackRunOptions,
    TEST_PRIVATE_KEY,
    TEST_PUBLIC_KEY,
} from "../tools/evaluate/stack";

const OUTPUTS = [
    "authUrl",
    "horizonUrl",
    "region",
    "externalNetworkId",
    "externalSubnetId",
    "tenantNetworkId",
    "tenantSubnetId",
    "routerId",
    "cirrosImageId",
    "amphoraImageId",
    "flavorIds",
    "keypairName",
    "smokeTestAddress",
    "registryAddress",
    "mirroredImageCount",
    "adminOpenrcPath",
    "adminPassword",
];

describe("the whole stack (index.ts on Pulumi.aio.yaml)", () => {
    let g: Graph;
    before(async () => {
        g = await runIndex(stackRunOptions({ overrides: { keypairPublicKey: TEST_PUBLIC_KEY } }));
    });

    it("exports the documented outputs by name, only the admin password secret", () => {
        assert.deepEqual(Object.keys(g.exports).sort(), [...OUTPUTS].sort());
        assert.deepEqual(g.secretExports, ["adminPassword"]);
        assert.equal(g.exports.adminPassword, "mock-password-deploy-host-keystone-admin-password");
        assert.equal(g.exports.authUrl, "http://10.10.30.55:5000");
        assert.equal(g.exports.horizonUrl, "http://10.10.30.55");
        assert.equal(g.exports.registryAddress, "10.10.10.50:5000");
        assert.equal(g.exports.mirroredImageCount, 36);
        assert.equal(g.exports.keypairName, "mykey");
        assert.deepEqual(Object.keys(g.exports.flavorIds as object), [
            "m1.tiny",
            "m1.small",
            "m1.medium",
            "m1.large",
            "m1.xlarge",
        ]);
        assert.equal(g.exports.adminOpenrcPath, "/etc/kolla/admin-openrc.sh");
    });

    it("builds the stages as one chain: docker → registry → mirror → pull; deploy host → targets → bootstrap … → post-deploy → cloud", () => {
        const chain = [
            "deploy-docker-install",
            "registry-container",
            "kolla-images-nova-api",
            "kolla-pull",
            "kolla-deploy",
            "kolla-post-deploy",
            "cloud-admin",
            "cloud-networks-router",
        ];
        for (let i = 1; i < chain.length; i++)
            assert.ok(
                g.dependsOn(g.get(chain[i]), g.get(chain[i - 1])),
                `${chain[i]} → ${chain[i - 1]}`,
            );
        assert.ok(g.dependsOn(g.get("kolla-bootstrap-servers"), g.get("targets-aio-prepare")));
        assert.ok(g.dependsOn(g.get("targets-aio-prepare"), g.get("deploy-host-deploy-key")));
    });

    it("parents every resource to its stage component", () => {
        const components = new Set(g.resources.filter((r) => !r.custom).map((r) => r.urn));
        for (const r of g.resources.filter((x) => x.custom))
            assert.ok(components.has(r.parent), `${r.name} has no component parent`);
    });

    it("no resource carries the private key outside a secret input", () => {
        const canary = TEST_PRIVATE_KEY.split("\n")[1];
        for (const r of g.resources) {
            for (const [k, v] of Object.entries(r.inputs)) {
                if (!r.secretPaths.includes(k))
                    assert.ok(!JSON.stringify(v).includes(canary), `${r.name}.${k}`);
            }
        }
    });

    it("is deterministic: a second evaluation registers identical inputs", async () => {
        const again = await runIndex(
            stackRunOptions({ overrides: { keypairPublicKey: TEST_PUBLIC_KEY } }),
        );
        const view = (x: Graph) =>
            x.resources.map((r) => [r.type, r.name, JSON.stringify(r.inputs)]).sort();
        assert.deepEqual(view(again), view(g));
    });
});

describe("examples/consumer", () => {
    it("type-checks against the installed SDKs", function () {
        this.timeout(120000);
        const r = spawnSync(
            process.execPath,
            [
                require.resolve("typescript/bin/tsc"),
                "--noEmit",
                "-p",
                path.join(PROJECT_DIR, "examples/consumer"),
            ],
            { encoding: "utf8" },
        );
        assert.equal(r.status, 0, r.stdout + r.stderr);
    });
});
