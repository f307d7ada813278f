// components/cloud/basics.ts: flavors, the keypair, security group rules and quotas, as init-runonce makes them.
import { INIT_RUNONCE_FLAVORS } from "../components/cloud";
import { strict as assert } from "assert";
import { Graph, runIndex } from "../tools/evaluate/harness";
import { stackRunOptions, TEST_PUBLIC_KEY } from "../tools/evaluate/stack";

const stack = (overrides: Record<string, unknown> = {}) =>
    runIndex(stackRunOptions({ overrides: { keypairPublicKey: TEST_PUBLIC_KEY, ...overrides } }));

describe("CloudBasics: flavors, keypair, security rules and quotas", () => {
    let g: Graph;
    before(async () => {
        g = await stack();
    });

    it("flavors m1.tiny … m1.xlarge with init-runonce's sizes", () => {
        const flavors = g
            .ofType("openstack:compute/flavor:Flavor")
            .map((f): unknown[] => [
                f.inputs.name,
                f.inputs.flavorId,
                f.inputs.vcpus,
                f.inputs.ram,
                f.inputs.disk,
            ]);
        assert.deepEqual(flavors, [
            ["m1.tiny", "1", 1, 512, 1],
            ["m1.small", "2", 1, 2048, 20],
            ["m1.medium", "3", 2, 4096, 40],
            ["m1.large", "4", 4, 8192, 80],
            ["m1.xlarge", "5", 8, 16384, 160],
        ]);
        assert.equal(INIT_RUNONCE_FLAVORS.length, 5);
    });

    it("keypair, default security group rules (ICMP, TCP 22/8000/8080) and admin quotas", () => {
        assert.deepEqual(
            [
                g.get("cloud-basics-keypair").inputs.name,
                g.get("cloud-basics-keypair").inputs.publicKey,
            ],
            ["mykey", TEST_PUBLIC_KEY],
        );
        const rules = g
            .ofType("openstack:networking/secGroupRule:SecGroupRule")
            .map((r): unknown[] => [
                r.inputs.direction,
                r.inputs.ethertype,
                r.inputs.protocol,
                r.inputs.portRangeMin,
                r.inputs.portRangeMax,
            ]);
        assert.deepEqual(rules, [
            ["ingress", "IPv4", "icmp", undefined, undefined],
            ["ingress", "IPv4", "tcp", 22, 22],
            ["ingress", "IPv4", "tcp", 8000, 8000],
            ["ingress", "IPv4", "tcp", 8080, 8080],
        ]);
        const q = g.get("cloud-basics-admin-quotas");
        assert.deepEqual([q.inputs.instances, q.inputs.cores, q.inputs.ram], [40, 40, 96000]);
    });
});
