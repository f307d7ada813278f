// components/cloud/images.ts: the cirros image. The amphora's upload and its checksum check: amphoraBuild.test.ts.
import { strict as assert } from "assert";
import { Graph, runIndex } from "../tools/evaluate/harness";
import { stackRunOptions, TEST_PUBLIC_KEY } from "../tools/evaluate/stack";

const stack = (overrides: Record<string, unknown> = {}) =>
    runIndex(stackRunOptions({ overrides: { keypairPublicKey: TEST_PUBLIC_KEY, ...overrides } }));

describe("GlanceImages: cirros", () => {
    let g: Graph;
    before(async () => {
        g = await stack();
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
