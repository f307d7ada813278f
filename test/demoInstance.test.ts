// components/cloud/demoInstance.ts: demo1 on the tenant network with a floating IP, when smokeTest is on.
import { strict as assert } from "assert";
import { runIndex } from "../tools/evaluate/harness";
import { stackRunOptions, TEST_PUBLIC_KEY } from "../tools/evaluate/stack";

const stack = (overrides: Record<string, unknown> = {}) =>
    runIndex(stackRunOptions({ overrides: { keypairPublicKey: TEST_PUBLIC_KEY, ...overrides } }));

describe("DemoInstance (smokeTest: demo1 with a floating IP)", () => {
    it("exists only when enabled: demo1 on demo-net with m1.tiny, mykey and a floating IP from public1", async () => {
        const off = await stack();
        assert.equal(off.resources.filter((r) => r.name.startsWith("cloud-smoke")).length, 0);
        const on = await stack({ smokeTest: true });
        const vm = on.get("cloud-smoke-demo1");
        assert.equal(vm.inputs.name, "demo1");
        assert.deepEqual(vm.propertyDependencies.flavorId, [
            on.get("cloud-basics-flavor-m1.tiny").urn,
        ]);
        assert.deepEqual(vm.propertyDependencies.imageId, [on.get("cloud-images-cirros").urn]);
        assert.equal(vm.inputs.keyPair, "mykey");
        assert.equal(on.get("cloud-smoke-demo1-fip").inputs.pool, "public1");
        assert.ok(
            on.dependsOn(
                on.get("cloud-smoke-demo1-fip-associate"),
                on.get("cloud-networks-router-tenant"),
            ),
        );
        assert.ok("smokeTestAddress" in on.exports);
    });
});
