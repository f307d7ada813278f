import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
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
    "mirroredImageDigests",
    "release",
    "adminOpenrcPath",
    "adminPassword",
    "kollaPasswords",
    "deployHostKey",
    "targetHostKeys",
];

describe("the whole stack (index.ts on Pulumi.aio.yaml)", () => {
    let g: Graph;
    before(async () => {
        g = await runIndex(stackRunOptions({ overrides: { keypairPublicKey: TEST_PUBLIC_KEY } }));
    });

    it("exports the documented outputs by name, only the admin password and passwords.yml secret", () => {
        assert.deepEqual(Object.keys(g.exports).sort(), [...OUTPUTS].sort());
        assert.deepEqual([...g.secretExports].sort(), ["adminPassword", "kollaPasswords"]);
        assert.equal(g.exports.adminPassword, "mock-password-deploy-host-keystone-admin-password");
        assert.equal(g.exports.authUrl, "http://10.10.30.55:5000");
        assert.equal(g.exports.horizonUrl, "http://10.10.30.55");
        assert.equal(g.exports.registryAddress, "10.10.10.50:5000");
        assert.equal(g.exports.mirroredImageCount, 36);
        assert.equal(Object.keys(g.exports.mirroredImageDigests as object).length, 36);
        assert.equal(g.exports.release, "2023.1");
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

    it("numbers the stages in build order wherever they are numbered, and no stage waits for a later one", () => {
        const read = (f: string) => fs.readFileSync(path.join(PROJECT_DIR, f), "utf8");
        const readme = read("README.md");
        const diagram = [...readme.matchAll(/^ {2}(\d) (\w+) /gm)].map((m) => m[2]);
        assert.deepEqual(
            [...readme.matchAll(/^ {2}(\d) \w+ /gm)].map((m) => Number(m[1])),
            diagram.map((_, i) => i + 1),
        );
        assert.deepEqual(
            diagram,
            [...read("deployment.ts").matchAll(/new (\w+)\(/g)].map((m) => m[1]),
            "the README's stages are the ones deployment.ts builds, in its order",
        );
        // Each stage's component: its header comment and the README Layout's number after its file.
        const layout = new Map(
            [...readme.matchAll(/(\w+\.ts) \((\d)\)/g)].map((m) => [m[1], Number(m[2])]),
        );
        const files = fs
            .readdirSync(path.join(PROJECT_DIR, "components"), { recursive: true })
            .map(String)
            .filter((f) => f.endsWith(".ts"))
            .map((f) => path.join("components", f));
        diagram.forEach((cls, i) => {
            const file = files.find((f) =>
                read(f).includes(`export class ${cls} extends pulumi.ComponentResource`),
            );
            assert.ok(file, cls);
            assert.match(read(file), new RegExp(`^// Stage ${i + 1}: `), file);
            assert.equal(layout.get(path.basename(file)), i + 1, `README Layout: ${file}`);
        });
        // In the graph: the stage components in that order, none depending on a later one's resources.
        const stages = diagram.map((cls) =>
            g.resources.find((r) => !r.custom && r.parent === "" && r.type.endsWith(`:${cls}`)),
        );
        stages.forEach((s, i) => assert.ok(s, diagram[i]));
        const within = stages.map((s) => new Set([s!, ...g.children(s!, true)].map((r) => r.urn)));
        stages.forEach((s, i) => {
            for (const r of [s!, ...g.children(s!, true)]) {
                for (const dep of g.directDependencies(r)) {
                    const later = within.findIndex((w, j) => j > i && w.has(dep));
                    assert.equal(later, -1, `${r.name} (stage ${i + 1}) waits for ${dep}`);
                }
            }
        });
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
