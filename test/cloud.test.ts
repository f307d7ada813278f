import { strict as assert } from "assert";
import { INIT_RUNONCE_FLAVORS } from "../components/cloud";
import { Graph, runIndex } from "../tools/evaluate/harness";
import { lifecycleOutputs, TEST_CA } from "./support/lifecycle";
import { stackRunOptions, TEST_PUBLIC_KEY } from "../tools/evaluate/stack";

const stack = (overrides: Record<string, unknown> = {}) =>
    runIndex(stackRunOptions({ overrides: { keypairPublicKey: TEST_PUBLIC_KEY, ...overrides } }));

describe("Cloud: OpenStack resources through a provider built from post-deploy", () => {
    let g: Graph;
    before(async () => {
        g = await stack();
    });
    const os = () => g.resources.filter((r) => r.type.startsWith("openstack:"));

    it("every OpenStack resource uses a provider that waits for post-deploy", () => {
        const postDeploy = g.get("kolla-post-deploy");
        assert.ok(os().length >= 15);
        for (const r of os()) {
            const p = g.providerOf(r);
            assert.ok(
                p && p.type === "pulumi:providers:openstack",
                `${r.name} has an explicit openstack provider`,
            );
            assert.ok(g.dependsOn(p!, postDeploy), `${p!.name} → post-deploy`);
            assert.ok(g.dependsOn(r, postDeploy), `${r.name} → post-deploy`);
        }
    });

    it("configures the admin provider only from the deployment's outputs, with the password secret", () => {
        const admin = g.get("cloud-admin", "pulumi:providers:openstack");
        assert.equal(admin.inputs.authUrl, "http://10.10.30.55:5000");
        assert.deepEqual(admin.propertyDependencies.authUrl, [g.get("kolla-post-deploy").urn]);
        assert.equal(admin.inputs.userName, "admin");
        assert.equal(admin.inputs.tenantName, "admin");
        assert.equal(admin.inputs.userDomainName, "Default");
        assert.equal(admin.inputs.region, "RegionOne");
        assert.ok(admin.secretPaths.includes("password"));
        assert.ok(!("cloud" in admin.inputs), "no clouds.yaml on the Pulumi machine");
    });

    it("with TLS, trusts kolla's CA from the certificates stage (cacertFile), never `insecure`", async () => {
        const tls = await runIndex({
            ...stackRunOptions({
                overrides: { keypairPublicKey: TEST_PUBLIC_KEY, enableTls: true },
            }),
            outputs: lifecycleOutputs,
        });
        for (const name of ["cloud-admin", "cloud-octavia"]) {
            const p = tls.get(name, "pulumi:providers:openstack");
            assert.equal(p.inputs.cacertFile, TEST_CA, name);
            assert.equal(p.inputs.insecure, undefined, name);
            assert.ok(
                p.propertyDependencies.cacertFile.includes(tls.get("kolla-certificates").urn),
                name,
            );
        }
        assert.equal(
            tls.get("cloud-admin", "pulumi:providers:openstack").inputs.authUrl,
            "https://10.10.30.55:5000",
        );
        assert.equal(
            g.get("cloud-admin", "pulumi:providers:openstack").inputs.cacertFile,
            undefined,
            "no TLS, no CA",
        );
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

    it("flavors m1.tiny … m1.xlarge with init-runonce's sizes", () => {
        const flavors = g
            .ofType("openstack:compute/flavor:Flavor")
            .map((f) => [
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
            .map((r) => [
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

    it("cirros: public qcow2 fetched by Glance, independent of every network resource", () => {
        const cirros = g.get("cloud-images-cirros");
        assert.equal(cirros.inputs.name, "cirros");
        assert.equal(
            cirros.inputs.imageSourceUrl,
            "https://github.com/cirros-dev/cirros/releases/download/0.6.1/cirros-0.6.1-x86_64-disk.img",
        );
        assert.equal(cirros.inputs.webDownload, true);
        assert.deepEqual(
            [cirros.inputs.diskFormat, cirros.inputs.containerFormat, cirros.inputs.visibility],
            ["qcow2", "bare", "public"],
        );
        const nets = g.resources.filter((r) => r.type.startsWith("openstack:networking"));
        assert.ok(nets.length >= 6);
        for (const n of nets) assert.ok(!g.dependsOn(cirros, n), `cirros waits for ${n.name}`);
    });
});

describe("Smoke test", () => {
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
