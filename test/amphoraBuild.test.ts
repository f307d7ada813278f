// The Octavia amphora as the program builds it: components/octavia/amphoraBuild.ts beside the deployment, uploaded
// and verified through the octavia provider (components/cloud/images.ts). The scripts it runs: amphora.test.ts.
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import { verifiedUpload } from "../components/cloud";
import { Graph, Registration, runIndex, settled } from "../tools/evaluate/harness";
import { stackRunOptions, TEST_PUBLIC_KEY } from "../tools/evaluate/stack";

const stack = (overrides: Record<string, unknown> = {}) =>
    runIndex(stackRunOptions({ overrides: { keypairPublicKey: TEST_PUBLIC_KEY, ...overrides } }));

const KOLLA_STAGES = [
    "bootstrap-servers",
    "prechecks",
    "pull",
    "octavia-certificates",
    "deploy",
    "post-deploy",
].map((s) => `kolla-${s}`);

describe("Amphora: built beside the deployment, uploaded as octavia", () => {
    let g: Graph;
    before(async () => {
        g = await stack();
    });

    it("builds on the deploy host after the tools only, never after a kolla stage", () => {
        const build = g.get("amphora-build");
        assert.equal(build.inputs.connection.host, "10.10.10.50");
        assert.ok(g.dependsOn(build, g.get("deploy-host-prepare")));
        for (const s of KOLLA_STAGES)
            assert.ok(!g.dependsOn(build, g.get(s)), `build waits for ${s}`);
        assert.match(build.inputs.stdin, /readonly OCTAVIA_REF='2023\.1-eom'/);
        assert.match(build.inputs.stdin, /if \[ -s "\$out" \] && \[ -s "\$out\.sha256" \]/);
        assert.equal(build.customTimeouts?.create, "100m");
    });

    it("uploads through the octavia provider: tag amphora, private qcow2, Octavia's properties", () => {
        const img = g.get("cloud-images-amphora");
        const p = g.providerOf(img)!;
        assert.equal(p.name, "cloud-octavia");
        assert.deepEqual([p.inputs.userName, p.inputs.tenantName], ["octavia", "service"]);
        assert.ok(p.secretPaths.includes("password"));
        assert.deepEqual(img.inputs.tags, ["amphora"]);
        assert.deepEqual(
            [img.inputs.diskFormat, img.inputs.containerFormat, img.inputs.visibility],
            ["qcow2", "bare", "private"],
        );
        assert.deepEqual(img.inputs.properties, {
            hw_architecture: "x86_64",
            hw_rng_model: "virtio",
            openstack_aio_sha256: "",
        });
        assert.equal(
            img.inputs.imageSourceUrl,
            "http://10.10.10.50:8090/amphora-x64-haproxy-2023.1-eom.qcow2",
        );
        assert.ok(g.dependsOn(img, g.get("amphora-build")));
        assert.ok(g.dependsOn(img, g.get("kolla-post-deploy")), "through the provider");
    });

    it("serves the built image from the deploy host for a bounded time, no container image involved", () => {
        const server = g.get("amphora-server", "command:remote:Command");
        assert.equal(server.inputs.connection.host, "10.10.10.50");
        assert.deepEqual(
            [server.inputs.create, server.inputs.delete],
            ["bash -s -- create", "bash -s -- delete"],
        );
        assert.match(
            server.inputs.stdin,
            /readonly -a ADDRESSES=\('10\.10\.10\.50'\)/,
            "the deploy host's own addresses, never 0.0.0.0",
        );
        assert.match(server.inputs.stdin, /readonly LIFETIME='10800'/);
        assert.match(
            server.inputs.stdin,
            /\/usr\/bin\/python3 -m http\.server "\$PORT" --bind "\$address" --directory "\$IMAGES_DIR"/,
        );
        assert.ok(g.dependsOn(server, g.get("amphora-build")));
        assert.ok(
            g.dependsOn(server, g.get("kolla-post-deploy")),
            "the window opens once Glance can take the upload",
        );
        assert.ok(
            server.propertyDependencies.triggers?.includes(g.get("amphora-build").urn),
            "a new build, a new serving window",
        );
        assert.equal(
            server.deleteBeforeReplace,
            true,
            "a replacement's delete never stops the window it opened",
        );
        assert.equal(
            g
                .ofType("docker:index/remoteImage:RemoteImage")
                .filter((r) => r.name.startsWith("amphora")).length,
            0,
        );
    });

    it("checks Glance's checksum of the upload against the build's, naming both on a mismatch", async () => {
        const built = {
            stdout: "amphora: building\nby-sha256/abc/amphora.qcow2 abc 0123456789abcdef0123456789abcdef\n",
            stderr: "",
        };
        const run = (glanceMd5: string) =>
            runIndex({
                ...stackRunOptions({ overrides: { keypairPublicKey: TEST_PUBLIC_KEY } }),
                outputs: (a) =>
                    a.name === "amphora-build"
                        ? built
                        : a.name === "cloud-images-amphora"
                          ? { checksum: glanceMd5 }
                          : undefined,
            });
        const ok = await run("0123456789abcdef0123456789abcdef");
        const img = ok.get("cloud-images-amphora");
        assert.equal(
            img.inputs.imageSourceUrl,
            "http://10.10.10.50:8090/by-sha256/abc/amphora.qcow2",
        );
        assert.equal(img.inputs.properties.openstack_aio_sha256, "abc");
        assert.equal(
            ok.exports.amphoraImageId,
            "cloud-images-amphora-id",
            "handed on once verified",
        );
        // The check itself: a mismatch rejects (the real engine then fails `pulumi up` with this message).
        const upload = (glance: string) =>
            settled(
                verifiedUpload(
                    {
                        checksum: pulumi.output(glance),
                        urn: pulumi.output("urn:pulumi:aio::openstack-aio::img"),
                    } as unknown as openstack.images.Image,
                    {
                        md5: pulumi.output("0123456789abcdef0123456789abcdef"),
                        sha256: pulumi.output("abc"),
                    },
                ),
            );
        assert.equal(await upload("0123456789abcdef0123456789abcdef"), true);
        await assert.rejects(
            upload("ffffffffffffffffffffffffffffffff"),
            /the amphora in Glance \(md5 f{32}\) is not the image built on the deploy host \(md5 0123456789abcdef0123456789abcdef, sha256 abc\): upload it again with `pulumi up --replace/,
        );
    });

    it("takes a URL instead of building when amphoraSource is url", async () => {
        const u = await stack({
            amphoraSource: "url",
            amphoraImageUrl: "https://example.org/amphora.qcow2",
        });
        assert.equal(u.find("amphora-build"), undefined);
        assert.equal(
            u.get("cloud-images-amphora").inputs.imageSourceUrl,
            "https://example.org/amphora.qcow2",
        );
    });

    it("Octavia off: no amphora resources and no octavia provider", async () => {
        const off = await stack({ enableOctavia: false });
        const names = off.resources.map((r: Registration) => r.name);
        assert.deepEqual(
            names.filter((n) => /amphora|octavia/.test(n)),
            [],
        );
    });
});
