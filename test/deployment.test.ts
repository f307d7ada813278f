import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { SettingsError } from "../config/settings";
import { Graph, Registration, runIndex } from "../tools/evaluate/harness";
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
    "deployedRelease",
    "hostOs",
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
        assert.equal(g.exports.deployedRelease, "2023.1");
        assert.equal(g.exports.hostOs, "jammy");
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
        // Each stage's component: its header comment and the Layout's number after its file (docs/development.md).
        const layoutPage = read("docs/development.md");
        const layout = new Map(
            [...layoutPage.matchAll(/(\w+\.ts) \((\d)\)/g)].map((m) => [m[1], Number(m[2])]),
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
            assert.equal(layout.get(path.basename(file)), i + 1, `the Layout: ${file}`);
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

describe("a release change on a deployed stack: one SLURP hop, its own steps, nothing else (config/hop.ts, render/upgrade.ts)", function () {
    this.timeout(120000);
    /** The stack at `release`, its last run having recorded `deployed` (the program's StackReference to itself). */
    const at = (
        stack: string,
        release: string,
        deployed?: string,
        extra: Record<string, unknown> = {},
    ) =>
        runIndex({
            ...stackRunOptions({ stack, overrides: { release, ...extra } }),
            ...(deployed
                ? { prior: { deployedRelease: deployed, hostOs: extra.hostOs ?? undefined } }
                : {}),
        });
    const key = (r: Registration) => `${r.type}::${r.name}`;
    /** What `pulumi up` would create and update going from `a` to `b` (same names: an input diff). */
    const diff = (a: Graph, b: Graph) => {
        const before = new Map(a.resources.map((r) => [key(r), r]));
        const created: string[] = [],
            updated: string[] = [];
        for (const r of b.resources) {
            const o = before.get(key(r));
            if (!o) created.push(r.name);
            else if (JSON.stringify(o.inputs) !== JSON.stringify(r.inputs)) updated.push(r.name);
        }
        return { created: created.sort(), updated: updated.sort() };
    };
    const HOPS: [string, string, string, Record<string, unknown>, string[]][] = [
        // stack, from, to, settings both sides share, the hop's own steps
        [
            "aio",
            "2023.1",
            "2024.1",
            {},
            ["kolla-hop-queues", "kolla-hop-rabbitmq", "kolla-hop-verify"],
        ],
        ["aio", "2024.1", "2025.1", { hostOs: "noble" }, ["kolla-hop-queues", "kolla-hop-verify"]],
        ["aio-2026.1", "2025.1", "2026.1", {}, ["kolla-hop-verify"]],
        [
            "multinode",
            "2023.1",
            "2024.1",
            {},
            ["kolla-hop-queues", "kolla-hop-rabbitmq", "kolla-hop-verify"],
        ],
    ];
    for (const [stack, from, to, shared, steps] of HOPS) {
        it(`${stack} ${from} → ${to}: creates the hop's steps and its images, updates the deploy host, the stages and the mirror; the cloud's resources stay`, async () => {
            const before = await at(stack, from, from, shared);
            const after = await at(stack, to, from, shared);
            const { created, updated } = diff(before, after);
            assert.deepEqual(
                created.filter((n) => n.startsWith("kolla-hop-")),
                steps,
            );
            // Created besides the steps: only images (the hop's own at the old tag, the new release's new ones).
            for (const n of created.filter((n) => !n.startsWith("kolla-hop-")))
                assert.match(n, /^kolla-images-/, n);
            // Nothing of the cloud's own resources, the registry or Docker changes: a hop runs on the hosts.
            for (const n of updated)
                assert.match(
                    n,
                    /^(deploy-host-|targets-[^-]+-reachable$|kolla-|amphora-(build|upload|fetch)$)/,
                    n,
                );
            assert.ok(!updated.some((n) => /^(cloud-|registry-|deploy-docker-)/.test(n)));
            // Every kolla-ansible stage runs again (a new release), the deploy stage as `upgrade` (kolla-stage.sh picks
            // it from the marker), with the new release's CLI.
            for (const stage of ["bootstrap-servers", "prechecks", "pull", "deploy", "post-deploy"])
                assert.ok(updated.includes(`kolla-${stage}`), stage);
            const deploy = after.get("kolla-deploy");
            assert.match(
                deploy.inputs.stdin as string,
                new RegExp(`readonly HOP_FROM='${from.replace(".", "\\.")}'`),
            );
            assert.match(deploy.inputs.stdin as string, /action=upgrade/);
            // The order: RabbitMQ's steps before anything on the targets, the queues after pull, the checks after upgrade.
            const step = (n: string) => after.get(`kolla-hop-${n}`);
            if (steps.includes("kolla-hop-rabbitmq"))
                assert.ok(after.dependsOn(after.get("kolla-bootstrap-servers"), step("rabbitmq")));
            if (steps.includes("kolla-hop-queues")) {
                assert.ok(after.dependsOn(step("queues"), after.get("kolla-pull")));
                assert.ok(after.dependsOn(after.get("kolla-deploy"), step("queues")));
            }
            assert.ok(after.dependsOn(step("verify"), after.get("kolla-deploy")));
            assert.ok(after.dependsOn(after.get("kolla-post-deploy"), step("verify")));
            // Once the hop is done (the next run reads the new release), its steps go: nothing else changes.
            const done = diff(after, await at(stack, to, to, shared));
            assert.deepEqual(done, { created: [], updated: [] });
        });
    }

    it("prechecks skip the queue check while a hop runs, from 2024.1's and 2025.1's kolla CI (tests/upgrade.sh)", async () => {
        const g = await at("aio", "2024.1", "2023.1");
        const prechecks = g.get("kolla-prechecks").inputs.stdin as string;
        assert.match(
            prechecks,
            /readonly -a HOP_PRECHECKS_ARGS=\('--skip-tags' 'rabbitmq-ha-precheck'\)/,
        );
        assert.match(prechecks, /readonly HOP_FROM='2023\.1'/);
        assert.match(
            g.get("kolla-hop-verify").inputs.stdin as string,
            /readonly -a CHECKS=\('prechecks --tags rabbitmq-ha-precheck' 'validate-config'\)/,
        );
    });

    it("refuses a skipped hop, a downgrade or a hop onto hosts the new release cannot run before registering anything", async () => {
        for (const [stack, release, prior, message] of [
            [
                "aio",
                "2025.1",
                { deployedRelease: "2023.1" },
                /openstack-aio:release: this cloud runs 2023\.1; 2025\.1 is not its next release .*: set openstack-aio:release to 2024\.1 first/,
            ],
            [
                "aio-2026.1",
                "2025.1",
                { deployedRelease: "2026.1" },
                /cannot downgrade it to 2025\.1/,
            ],
            [
                "aio",
                "2025.1",
                { deployedRelease: "2024.1", hostOs: "jammy" },
                /hosts run Ubuntu 22\.04 .*while on 2024\.1, move every host to Ubuntu 24\.04/,
            ],
            // A stack an earlier version deployed: outputs without deployedRelease are 2023.1's.
            [
                "aio",
                "2025.1",
                { authUrl: "http://10.10.30.55:5000" },
                /this cloud runs 2023\.1; 2025\.1 is not its next release/,
            ],
        ] as const) {
            let registered = -1;
            await assert.rejects(
                runIndex({
                    ...stackRunOptions({ stack, overrides: { release } }),
                    prior,
                    outputs: () => {
                        registered++;
                        return undefined;
                    },
                }),
                (e: Error) => e instanceof SettingsError && message.test(e.message),
            );
            assert.equal(registered, -1, `${stack} ${release}: no resource was registered`);
        }
    });

    it("mirrorNextRelease copies the next release's images and its hop's ahead, beside today's, and runs no stage", async () => {
        const plain = await at("aio", "2023.1", "2023.1");
        const ahead = await at("aio", "2023.1", "2023.1", { mirrorNextRelease: true });
        const { created, updated } = diff(plain, ahead);
        assert.deepEqual(updated, []);
        assert.equal(
            created.filter((n) => n.startsWith("kolla-images-2024.1-ubuntu-jammy-")).length,
            38,
        );
        assert.deepEqual(
            created.filter((n) => n.startsWith("kolla-images-2023.1-ubuntu-jammy-")),
            [
                "kolla-images-2023.1-ubuntu-jammy-rabbitmq-3-12",
                "kolla-images-2023.1-ubuntu-jammy-rabbitmq-3-13",
            ],
        );
        assert.equal(created.length, 40);
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
