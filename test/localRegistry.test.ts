// components/registry/localRegistry.ts (stage 3): registry:2 on the deploy host, writable on loopback, read-only
// on the management address. The network's view of it with a real registry: registryReadOnly.test.ts.
import { strict as assert } from "assert";
import { REGISTRY_IMAGE } from "../render/images";
import { Graph } from "../tools/evaluate/harness";
import { registryGraph } from "./support/lifecycle";
import { inputStrings } from "./support/narrow";

describe("LocalRegistry", () => {
    let g: Graph;
    before(async () => {
        g = await registryGraph();
    });

    it("runs registry:2 pinned, from its image id, restart always: writable with no port published, read-only over TLS on the management address", () => {
        const image = g.get("registry-image");
        assert.equal(image.inputs.name, REGISTRY_IMAGE);
        assert.match(REGISTRY_IMAGE, /^registry:2\.\d+\.\d+@sha256:[0-9a-f]{64}$/);
        const c = g.get("registry-container");
        assert.equal(c.inputs.name, "registry");
        assert.equal(c.inputs.image, "sha256:registry-image");
        assert.deepEqual(c.propertyDependencies.image, [image.urn]);
        assert.equal(c.inputs.restart, "always");
        // Nothing published: the writable registry listens on the loopback of its own network namespace, which the
        // mirror's copies join; no other host can reach it, whatever the Docker version (moby#45610).
        assert.deepEqual(c.inputs.ports ?? [], [], "no port published for the writable registry");
        assert.ok(inputStrings(c, "envs").includes("REGISTRY_HTTP_ADDR=127.0.0.1:5000"));
        const ro = g.get("registry-readonly");
        assert.equal(ro.inputs.image, "sha256:registry-image");
        assert.deepEqual(
            ro.inputs.ports,
            [{ internal: 5000, external: 5000, ip: "10.10.10.50" }],
            "targets pull here",
        );
        assert.ok(
            inputStrings(ro, "envs").includes(
                'REGISTRY_STORAGE_MAINTENANCE={"uploadpurging":{"enabled":false},"readonly":{"enabled":true}}',
            ),
        );
        // TLS from the program's CA: the certificate's directory only (no CA key), read-only.
        for (const e of [
            "REGISTRY_HTTP_TLS_CERTIFICATE=/certs/registry.crt",
            "REGISTRY_HTTP_TLS_KEY=/certs/registry.key",
        ])
            assert.ok(inputStrings(ro, "envs").includes(e), e);
        assert.deepEqual(ro.inputs.volumes, [
            {
                volumeName: "openstack-aio-registry",
                containerPath: "/var/lib/registry",
                readOnly: true,
            },
            {
                hostPath: "/opt/openstack-aio/registry-tls/registry",
                containerPath: "/certs",
                readOnly: true,
            },
        ]);
        assert.ok(
            ro.propertyDependencies.labels?.includes(g.get("deploy-host-registry-tls").urn),
            "a re-issued certificate recreates the container",
        );
        for (const x of [c, ro]) {
            assert.ok(!JSON.stringify(x.inputs.ports ?? []).includes("0.0.0.0"));
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
