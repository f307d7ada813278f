// tools/graph.ts: `npm run graph`, a stack's resource graph as canonical JSON, byte-equal for two trees exactly when
// a deployed stack would see no name, input or edge change.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { stackGraph } from "../tools/graph";
import { SECRET } from "../tools/planEvaluate";
import { PROJECT_DIR, TEST_PRIVATE_KEY } from "../tools/evaluate/stack";

interface Resource {
    urn: string;
    name: string;
    type: string;
    inputs: Record<string, unknown>;
    secretPaths: string[];
    dependencies: string[];
}
interface StackGraph {
    stack: string;
    resources: Resource[];
    exports: Record<string, unknown>;
    secretExports: string[];
}

/** Every object's keys, at every depth, in the order JSON.stringify writes them. */
function keyOrders(v: unknown, out: string[][] = []): string[][] {
    if (Array.isArray(v)) v.forEach((x) => keyOrders(x, out));
    else if (v && typeof v === "object") {
        out.push(Object.keys(v));
        Object.values(v).forEach((x) => keyOrders(x, out));
    }
    return out;
}

describe("npm run graph", () => {
    let g: StackGraph;
    before(async () => {
        g = (await stackGraph(PROJECT_DIR, "aio")) as StackGraph;
    });

    it("is canonical: resources by URN, every object's keys sorted, every edge list sorted", () => {
        assert.equal(g.stack, "aio");
        assert.ok(g.resources.length > 50);
        const urns = g.resources.map((r) => r.urn);
        assert.deepEqual(
            urns,
            [...urns].sort((a, b) => a.localeCompare(b)),
        );
        for (const keys of keyOrders(g)) assert.deepEqual(keys, [...keys].sort());
        for (const r of g.resources) assert.deepEqual(r.dependencies, [...r.dependencies].sort());
    });

    it("shows secret inputs as [secret] and lists where they were: no key or password in any input", () => {
        const inputs = JSON.stringify(g.resources.map((r) => r.inputs));
        assert.ok(!inputs.includes(TEST_PRIVATE_KEY.split("\n")[1]), "the private key leaked");
        assert.ok(!inputs.includes("mock-password-"), "a password leaked");
        const install = g.resources.find((r) => r.name === "deploy-docker-install")!;
        assert.ok(install.secretPaths.includes("connection"));
        assert.equal(install.inputs.connection, SECRET);
        assert.deepEqual(g.secretExports, ["adminPassword", "kollaPasswords"]);
    });

    it("applies --overrides to the stack's settings", async () => {
        const names = (x: StackGraph) => x.resources.map((r) => r.name);
        const noHeat = (await stackGraph(PROJECT_DIR, "aio", { enableHeat: false })) as StackGraph;
        assert.deepEqual(
            names(g)
                .filter((n) => !names(noHeat).includes(n))
                .sort(),
            ["kolla-images-heat-api", "kolla-images-heat-api-cfn", "kolla-images-heat-engine"],
        );
    });

    it("--deployed: a release change is the hop from that release, its own steps and images added", async () => {
        const names = (x: StackGraph) => x.resources.map((r) => r.name);
        const hop = (await stackGraph(
            PROJECT_DIR,
            "aio",
            { release: "2024.1" },
            "2023.1",
        )) as StackGraph;
        const fresh = (await stackGraph(PROJECT_DIR, "aio", { release: "2024.1" })) as StackGraph;
        const added = names(hop).filter((n) => !names(g).includes(n));
        assert.deepEqual(added.sort(), [
            "kolla-hop-queues",
            "kolla-hop-rabbitmq",
            "kolla-hop-verify",
            "kolla-images-2023.1-ubuntu-jammy-rabbitmq-3-12",
            "kolla-images-2023.1-ubuntu-jammy-rabbitmq-3-13",
            "kolla-images-redis",
            "kolla-images-redis-sentinel",
        ]);
        // Without it, a new 2024.1 cloud: no hop.
        assert.ok(!names(fresh).some((n) => n.startsWith("kolla-hop-")));
    });

    it("usage errors exit 2", function () {
        this.timeout(60000);
        const r = spawnSync(
            process.execPath,
            [
                require.resolve("ts-node/dist/bin"),
                "--transpile-only",
                path.join(PROJECT_DIR, "tools/graph.ts"),
            ],
            { encoding: "utf8" },
        );
        assert.equal(r.status, 2);
        assert.match(r.stderr, /usage: npm run graph -- <stack>/);
    });
});
