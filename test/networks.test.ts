// components/cloud/networks.ts: the external and tenant networks and the router, as init-runonce makes them.
import { strict as assert } from "assert";
import { Graph, runIndex } from "../tools/evaluate/harness";
import { stackRunOptions, TEST_PUBLIC_KEY } from "../tools/evaluate/stack";

const stack = (overrides: Record<string, unknown> = {}) =>
    runIndex(stackRunOptions({ overrides: { keypairPublicKey: TEST_PUBLIC_KEY, ...overrides } }));

describe("CloudNetworks: public1, demo-net and demo-router", () => {
    let g: Graph;
    before(async () => {
        g = await stack();
    });

    it("public1: external flat network on physnet1, subnet without DHCP with the seed's pool and gateway", () => {
        const net = g.get("cloud-networks-external");
        assert.equal(net.inputs.name, "public1");
        assert.equal(net.inputs.external, true);
        assert.deepEqual(net.inputs.segments, [
            { networkType: "flat", physicalNetwork: "physnet1" },
        ]);
        const sub = g.get("cloud-networks-external-subnet");
        assert.equal(sub.inputs.name, "public1-subnet");
        assert.equal(sub.inputs.enableDhcp, false);
        assert.equal(sub.inputs.cidr, "192.168.100.0/24");
        assert.equal(sub.inputs.gatewayIp, "192.168.100.1");
        assert.deepEqual(sub.inputs.allocationPools, [
            { start: "192.168.100.100", end: "192.168.100.200" },
        ]);
    });

    it("demo-net, demo-subnet with DNS, demo-router with the external gateway and the tenant interface", () => {
        assert.equal(g.get("cloud-networks-tenant").inputs.name, "demo-net");
        const sub = g.get("cloud-networks-tenant-subnet");
        assert.deepEqual(
            [sub.inputs.name, sub.inputs.cidr, sub.inputs.gatewayIp, sub.inputs.dnsNameservers],
            ["demo-subnet", "10.0.0.0/24", "10.0.0.1", ["8.8.8.8"]],
        );
        const router = g.get("cloud-networks-router");
        assert.equal(router.inputs.name, "demo-router");
        assert.deepEqual(router.propertyDependencies.externalNetworkId, [
            g.get("cloud-networks-external").urn,
        ]);
        const iface = g.get("cloud-networks-router-tenant");
        assert.deepEqual(iface.propertyDependencies.subnetId, [sub.urn]);
        assert.deepEqual(iface.propertyDependencies.routerId, [router.urn]);
    });
});
