// components/octavia/amphoraBuild.ts in the program's graph: built on the deploy host (or fetched there over https
// against its sha256) beside the deployment, uploaded into Glance by the deploy host itself as octavia, and tagged
// `amphora` only once Glance's own checksums match the file; nothing serves the file to anyone. The scripts it runs,
// for real: amphora.test.ts.
import { strict as assert } from "assert";
import { hostScripts } from "../render/hostFiles";
import { Graph, Registration, runIndex } from "../tools/evaluate/harness";
import { stackRunOptions, stackSettings, TEST_PUBLIC_KEY } from "../tools/evaluate/stack";
import { asStrings, input, inputString } from "./support/narrow";

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

const SHA = "c".repeat(64);
const URL_SOURCE = {
    amphoraSource: "url",
    amphoraImageUrl: "https://example.org/amphora.qcow2",
    amphoraImageSha256: SHA,
};

describe("Amphora: built beside the deployment, uploaded from the deploy host, tagged once verified", () => {
    let g: Graph;
    before(async () => {
        g = await stack();
    });

    it("builds on the deploy host after the tools only, never after a kolla stage", () => {
        const build = g.get("amphora-build");
        assert.equal(input(build, "connection.host"), "10.10.10.50");
        assert.ok(g.dependsOn(build, g.get("deploy-host-prepare")));
        for (const s of KOLLA_STAGES)
            assert.ok(!g.dependsOn(build, g.get(s)), `build waits for ${s}`);
        assert.match(inputString(build, "stdin"), /readonly OCTAVIA_REF='2023\.1-eom'/);
        assert.equal(build.customTimeouts?.create, "100m");
    });

    it("no image is Octavia's before Glance's checksums match: nothing creates an image tagged amphora; the deploy host uploads it untagged, then tags it", () => {
        for (const img of g.ofType("openstack:images/image:Image"))
            assert.ok(
                !asStrings(input(img, "tags") ?? []).includes("amphora"),
                `${img.name} is tagged at upload`,
            );
        const upload = g.get("amphora-upload", "command:remote:Command");
        assert.equal(input(upload, "connection.host"), "10.10.10.50");
        assert.deepEqual(
            [upload.inputs.create, upload.inputs.update, upload.inputs.delete],
            ["bash -s -- create", "bash -s -- update", "bash -s -- delete"],
        );
        assert.ok(g.dependsOn(upload, g.get("amphora-build")));
        assert.ok(
            g.dependsOn(upload, g.get("kolla-post-deploy")),
            "Glance runs, octavia-openrc.sh exists",
        );
        assert.ok(
            upload.propertyDependencies.triggers?.includes(g.get("amphora-build").urn),
            "new bytes, a new image (the replacement is created before the old image is deleted)",
        );
        assert.notEqual(upload.deleteBeforeReplace, true);
        const stdin = inputString(upload, "stdin");
        assert.match(stdin, /readonly OPENRC='\/etc\/kolla\/octavia-openrc\.sh'/);
        // The create carries no tag; the tag is set only after `verified` passed.
        const create = /^id=\$\(os image create[^)]*\)/m.exec(stdin)![0];
        assert.doesNotMatch(create, /--tag|--public|--shared|--community/);
        assert.match(create, /--private/);
        assert.ok(
            stdin.indexOf('if ! verified "$id"; then') <
                stdin.lastIndexOf('os image set --tag "$TAG" "$id"'),
        );
        assert.equal(
            g.exports.amphoraImageId,
            "",
            "the upload's last stdout line (empty under the mock)",
        );
    });

    it("nothing serves the image: no script of any variant runs a server, and no resource opens a window", () => {
        const variants = [{}, { enableTls: true }, URL_SOURCE, { registryMode: "pull-through" }];
        for (const v of variants) {
            for (const s of hostScripts(stackSettings("aio", v))) {
                assert.doesNotMatch(s.text, /http\.server|systemd-run|--bind|nc -l|socat/, s.name);
            }
        }
        assert.equal(g.find("amphora-server"), undefined);
        for (const r of g.resources) assert.doesNotMatch(r.name, /image-?server/, r.name);
    });

    it("fetches a prebuilt image over https against its sha256 instead of building, with amphoraSource url", async () => {
        const u = await stack(URL_SOURCE);
        assert.equal(u.find("amphora-build"), undefined);
        const fetch = u.get("amphora-fetch");
        assert.match(
            inputString(fetch, "stdin"),
            /readonly URL='https:\/\/example\.org\/amphora\.qcow2'/,
        );
        assert.match(inputString(fetch, "stdin"), new RegExp(`readonly SHA256='${SHA}'`));
        assert.ok(u.dependsOn(u.get("amphora-upload"), fetch));
    });

    it("Octavia off: no amphora resources and no octavia provider", async () => {
        const off = await stack({ enableOctavia: false });
        const names = off.resources.map((r: Registration) => r.name);
        assert.deepEqual(
            names.filter((n) => /amphora|octavia/.test(n)),
            [],
        );
        assert.equal(off.exports.amphoraImageId, undefined);
    });
});
