// tools/evaluate/harness.ts: the mock runtime records the resource graph plan, graph, the bench and the tests read.
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { remoteCommand, sshConnection } from "../components/remote";
import { runProgram } from "../tools/evaluate/harness";
import { TEST_PRIVATE_KEY } from "../tools/evaluate/stack";
import { input } from "./support/narrow";

const host = { address: "10.0.0.5", sshUser: "ubuntu", sshPort: 22 };

class Box extends pulumi.ComponentResource {
    readonly last: pulumi.Resource;
    constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("test:index:Box", name, {}, opts);
        const key = pulumi.secret(TEST_PRIVATE_KEY);
        const first = remoteCommand(
            `${name}-first`,
            { connection: sshConnection(host, key), create: "true" },
            { parent: this },
        );
        this.last = remoteCommand(
            `${name}-second`,
            {
                connection: sshConnection(host, key),
                create: first.stdout.apply((o) => `echo ${o}`),
            },
            { parent: this },
        );
        this.registerOutputs({});
    }
}

describe("mock-runtime harness: records the real resource graph", () => {
    it("records an edge for an Output passed as input, per property", async () => {
        const g = await runProgram(() => {
            const a = remoteCommand("a", {
                connection: sshConnection(host, TEST_PRIVATE_KEY),
                create: "echo a",
            });
            remoteCommand("b", {
                connection: sshConnection(host, TEST_PRIVATE_KEY),
                create: a.stdout.apply((s) => `echo ${s}`),
            });
        });
        const a = g.get("a"),
            b = g.get("b");
        assert.deepEqual(b.propertyDependencies.create, [a.urn]);
        assert.ok(b.dependencies.includes(a.urn));
        assert.ok(g.dependsOn(b, a));
        assert.ok(!g.dependsOn(a, b));
    });

    it("records dependsOn edges and follows them transitively", async () => {
        const g = await runProgram(() => {
            const a = remoteCommand("a", {
                connection: sshConnection(host, TEST_PRIVATE_KEY),
                create: "a",
            });
            const b = remoteCommand(
                "b",
                { connection: sshConnection(host, TEST_PRIVATE_KEY), create: "b" },
                { dependsOn: [a] },
            );
            remoteCommand(
                "c",
                { connection: sshConnection(host, TEST_PRIVATE_KEY), create: "c" },
                { dependsOn: [b] },
            );
            remoteCommand("d", { connection: sshConnection(host, TEST_PRIVATE_KEY), create: "d" });
        });
        const [a, b, c, d] = ["a", "b", "c", "d"].map((n) => g.get(n));
        assert.deepEqual(c.dependencies, [b.urn]);
        assert.deepEqual(c.propertyDependencies.create, []);
        assert.ok(g.dependsOn(c, a), "transitive edge c → b → a");
        assert.ok(!g.dependsOn(c, d) && !g.dependsOn(d, a));
    });

    it("records parents, and dependsOn a component expands to its children", async () => {
        const g = await runProgram(() => {
            const box = new Box("box");
            remoteCommand(
                "after",
                { connection: sshConnection(host, TEST_PRIVATE_KEY), create: "x" },
                { dependsOn: [box] },
            );
        });
        const box = g.get("box", "test:index:Box");
        assert.deepEqual(
            g
                .children(box)
                .map((r) => r.name)
                .sort(),
            ["box-first", "box-second"],
        );
        assert.equal(g.get("box-first").parent, box.urn);
        assert.ok(g.dependsOn(g.get("after"), g.get("box-second")));
        assert.ok(g.dependsOn(g.get("after"), g.get("box-first")));
    });

    it("records secret inputs, providers, options and resolves secret exports", async () => {
        const g = await runProgram(() => {
            const pw = new random.RandomPassword("pw", { length: 16 });
            const provider = new random.Provider("explicit", {});
            new random.RandomString(
                "s",
                { length: 4 },
                { provider, protect: true, dependsOn: [pw], customTimeouts: { create: "5m" } },
            );
            remoteCommand("k", {
                connection: sshConnection(host, TEST_PRIVATE_KEY),
                create: "true",
                stdin: pw.result,
            });
            return { password: pw.result, plain: pulumi.output("x") };
        });
        const s = g.get("s");
        assert.equal(g.providerOf(s)?.name, "explicit");
        assert.ok(g.dependsOn(s, g.get("explicit")));
        assert.equal(s.protect, true);
        assert.equal(s.customTimeouts?.create, "5m");
        const k = g.get("k");
        assert.deepEqual([...k.secretPaths].sort(), ["connection", "stdin"]);
        assert.equal(input(k, "connection.privateKey"), TEST_PRIVATE_KEY);
        assert.equal(k.inputs.addPreviousOutputInEnv, false);
        assert.deepEqual(g.secretExports, ["password"]);
        assert.equal(g.exports.password, "mock-password-pw");
    });
});
