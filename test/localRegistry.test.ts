// components/registry/localRegistry.ts (stage 3): registry:2 on the deploy host, writable on loopback, read-only
// on the management address. The network's view of it with a real registry: registryReadOnly.test.ts.
import { strict as assert } from "assert";
import { REGISTRY_IMAGE } from "../render/images";
import { Graph } from "../tools/evaluate/harness";
import { registryGraph } from "./support/lifecycle";

describe("LocalRegistry", () => {
    let g: Graph;
    before(async () => {
        g = await registryGraph();
    });

    it("runs registry:2 pinned, from its image id, restart always: writable on loopback only, read-only on the management address", () => {
        const image = g.get("registry-image");
        assert.equal(image.inputs.name, REGISTRY_IMAGE);
        assert.match(REGISTRY_IMAGE, /^registry:2\.\d+\.\d+@sha256:[0-9a-f]{64}$/);
        const c = g.get("registry-container");
        assert.equal(c.inputs.image, "sha256:registry-image");
        assert.deepEqual(c.propertyDependencies.image, [image.urn]);
        assert.equal(c.inputs.restart, "always");
        assert.deepEqual(
            c.inputs.ports,
            [{ internal: 5000, external: 5000, ip: "127.0.0.1" }],
            "the mirror pushes from the deploy host itself",
        );
        const ro = g.get("registry-readonly");
        assert.equal(ro.inputs.image, "sha256:registry-image");
        assert.deepEqual(
            ro.inputs.ports,
            [{ internal: 5000, external: 5000, ip: "10.10.10.50" }],
            "targets pull here",
        );
        assert.ok(
            ro.inputs.envs.includes(
                'REGISTRY_STORAGE_MAINTENANCE={"uploadpurging":{"enabled":false},"readonly":{"enabled":true}}',
            ),
        );
        assert.deepEqual(ro.inputs.volumes, [
            {
                volumeName: "openstack-aio-registry",
                containerPath: "/var/lib/registry",
                readOnly: true,
            },
        ]);
        for (const x of [c, ro]) {
            assert.ok(!JSON.stringify(x.inputs.ports).includes("0.0.0.0"));
            assert.equal(g.providerOf(x)?.name, "deploy-docker-provider");
        }
    });

    it("keeps mirrored images in a protected, retained volume", () => {
        const v = g.get("registry-data");
        assert.equal(v.protect, true);
        assert.equal(v.retainOnDelete, true);
        const c = g.get("registry-container");
        assert.deepEqual(c.inputs.volumes, [
            { volumeName: "openstack-aio-registry", containerPath: "/var/lib/registry" },
        ]);
    });

    it("exports the address kolla uses: the read-only registry's", () => {
        assert.equal(g.exports.address, "10.10.10.50:5000");
        assert.ok(g.get("registry-readonly"), "derived from the read-only container");
    });
});
