// The Octavia amphora: built on the deploy host (render/amphora.ts, components/octavia/amphoraBuild.ts), uploaded and verified (components/cloud/images.ts).
import { strict as assert } from "assert";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { amphoraBuildScript, amphoraImageFile } from "../render/amphora";
import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import { verifiedUpload } from "../components/cloud";
import { Graph, Registration, runIndex, settled } from "./support/harness";
import { tempDir } from "./support/tools";
import { FAKE_SUDO, fakeBin, runScript, withVars } from "./support/lifecycle";
import { stackRunOptions, stackSettings, TEST_PUBLIC_KEY } from "./support/stack";

const stack = (overrides: Record<string, unknown> = {}) =>
    runIndex(stackRunOptions({ overrides: { keypairPublicKey: TEST_PUBLIC_KEY, ...overrides } }));

const KOLLA_STAGES = ["bootstrap-servers", "prechecks", "pull", "octavia-certificates", "deploy", "post-deploy"].map((s) => `kolla-${s}`);

describe("Amphora: built beside the deployment, uploaded as octavia", () => {
    let g: Graph;
    before(async () => { g = await stack(); });

    it("builds on the deploy host after the tools only, never after a kolla stage", () => {
        const build = g.get("amphora-build");
        assert.equal(build.inputs.connection.host, "10.10.10.50");
        assert.ok(g.dependsOn(build, g.get("deploy-host-prepare")));
        for (const s of KOLLA_STAGES) assert.ok(!g.dependsOn(build, g.get(s)), `build waits for ${s}`);
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
        assert.deepEqual([img.inputs.diskFormat, img.inputs.containerFormat, img.inputs.visibility], ["qcow2", "bare", "private"]);
        assert.deepEqual(img.inputs.properties, { hw_architecture: "x86_64", hw_rng_model: "virtio", openstack_aio_sha256: "" });
        assert.equal(img.inputs.imageSourceUrl, "http://10.10.10.50:8090/amphora-x64-haproxy-2023.1-eom.qcow2");
        assert.ok(g.dependsOn(img, g.get("amphora-build")));
        assert.ok(g.dependsOn(img, g.get("kolla-post-deploy")), "through the provider");
    });

    it("serves built images read-only, never on 0.0.0.0, and only for a bounded time after each build", () => {
        const server = g.get("amphora-server");
        assert.deepEqual(server.inputs.ports.map((p: any) => p.ip), ["10.10.10.50"]);
        assert.equal(server.inputs.volumes[0].readOnly, true);
        assert.equal(server.inputs.restart, "no");
        assert.equal(server.inputs.mustRun, false, "no diff once it has stopped");
        assert.deepEqual(server.inputs.command, ["timeout", "10800", "nginx", "-g", "daemon off;"]);
        assert.ok(server.propertyDependencies.envs?.includes(g.get("amphora-build").urn), "a new build, a new serving window");
    });

    it("checks Glance's checksum of the upload against the build's, naming both on a mismatch", async () => {
        const built = { stdout: "amphora: building\nby-sha256/abc/amphora.qcow2 abc 0123456789abcdef0123456789abcdef\n", stderr: "" };
        const run = (glanceMd5: string) => runIndex({
            ...stackRunOptions({ overrides: { keypairPublicKey: TEST_PUBLIC_KEY } }),
            outputs: (a) => a.name === "amphora-build" ? built : a.name === "cloud-images-amphora" ? { checksum: glanceMd5 } : undefined,
        });
        const ok = await run("0123456789abcdef0123456789abcdef");
        const img = ok.get("cloud-images-amphora");
        assert.equal(img.inputs.imageSourceUrl, "http://10.10.10.50:8090/by-sha256/abc/amphora.qcow2");
        assert.equal(img.inputs.properties.openstack_aio_sha256, "abc");
        assert.equal(ok.exports.amphoraImageId, "cloud-images-amphora-id", "handed on once verified");
        // The check itself: a mismatch rejects (the real engine then fails `pulumi up` with this message).
        const upload = (glance: string) => settled(verifiedUpload(
            { checksum: pulumi.output(glance), urn: pulumi.output("urn:pulumi:aio::openstack-aio::img") } as unknown as openstack.images.Image,
            { md5: pulumi.output("0123456789abcdef0123456789abcdef"), sha256: pulumi.output("abc") }));
        assert.equal(await upload("0123456789abcdef0123456789abcdef"), true);
        await assert.rejects(upload("ffffffffffffffffffffffffffffffff"),
            /the amphora in Glance \(md5 f{32}\) is not the image built on the deploy host \(md5 0123456789abcdef0123456789abcdef, sha256 abc\): upload it again with `pulumi up --replace/);
    });

    it("takes a URL instead of building when amphoraSource is url", async () => {
        const u = await stack({ amphoraSource: "url", amphoraImageUrl: "https://example.org/amphora.qcow2" });
        assert.equal(u.find("amphora-build"), undefined);
        assert.equal(u.get("cloud-images-amphora").inputs.imageSourceUrl, "https://example.org/amphora.qcow2");
    });

    it("Octavia off: no amphora resources and no octavia provider", async () => {
        const off = await stack({ enableOctavia: false });
        const names = off.resources.map((r: Registration) => r.name);
        assert.deepEqual(names.filter((n) => /amphora|octavia/.test(n)), []);
    });
});

describe("amphora-build.sh, run for real against a fake diskimage-create", () => {
    const settings = stackSettings("aio");
    const script = amphoraBuildScript(settings);
    const file = amphoraImageFile(settings);

    /** A deploy host in a temp dir: sudo, apt-get and git are stand-ins; `git clone` plants a fake diskimage-create. */
    function sandbox(dib: string) {
        const root = tempDir("amphora-");
        const dirs = { images: path.join(root, "images"), cache: path.join(root, "cache"), venv: path.join(root, "dib-venv"), logs: path.join(root, "log") };
        fs.mkdirSync(path.join(dirs.venv, "bin"), { recursive: true });
        fs.mkdirSync(dirs.logs);
        for (const tool of ["python", "pip"]) fs.writeFileSync(path.join(dirs.venv, "bin", tool), "#!/usr/bin/env bash\n", { mode: 0o755 });
        const builds = path.join(root, "builds");
        const bin = fakeBin({
            sudo: FAKE_SUDO,
            "apt-get": "exit 0",
            git: `dest="\${*: -1}"; mkdir -p "$dest/.git" "$dest/diskimage-create"
cat > "$dest/diskimage-create/diskimage-create.sh" <<'DIB'
#!/usr/bin/env bash
echo build >> ${JSON.stringify(builds)}
for i in $(seq 1 3000); do echo "dib-run-parts: running step $i of the amphora build"; done
${dib}
out="\${*: -1}"; echo "qcow2 bytes" > "$out"
DIB
chmod +x "$dest/diskimage-create/diskimage-create.sh"`,
        });
        const text = withVars(script, { IMAGES_DIR: dirs.images, CACHE_DIR: dirs.cache, DIB_VENV: dirs.venv, LOG_DIR: dirs.logs });
        const run = () => runScript(text, [], { PATH: `${bin}:${process.env.PATH}` });
        const count = () => (fs.existsSync(builds) ? fs.readFileSync(builds, "utf8").trim().split("\n").length : 0);
        return { run, count, dirs };
    }

    it("builds once: prints '<served path> <sha256> <md5>' last, keeps diskimage-builder's chatter in the log, not in Pulumi's state", () => {
        const sb = sandbox("");
        const r = sb.run();
        assert.equal(r.status, 0, r.stderr);
        const sha = fs.readFileSync(path.join(sb.dirs.images, `${file}.sha256`), "utf8").trim();
        const md5 = fs.readFileSync(path.join(sb.dirs.images, `${file}.md5`), "utf8").trim();
        assert.equal(r.stdout.trim().split("\n").pop(), `by-sha256/${sha}/${file} ${sha} ${md5}`);
        assert.match(sha, /^[0-9a-f]{64}$/);
        assert.equal(md5, createHash("md5").update("qcow2 bytes\n").digest("hex"));
        assert.equal(fs.readFileSync(path.join(sb.dirs.images, "by-sha256", sha, file), "utf8"), "qcow2 bytes\n", "served under its own hash");
        assert.ok(r.stdout.length + r.stderr.length < 2000, "stdout and stderr stay small");
        assert.equal(fs.readFileSync(path.join(sb.dirs.logs, "amphora-build.log"), "utf8").match(/dib-run-parts/g)?.length, 3000);
        const again = sb.run();
        assert.equal(again.status, 0, again.stderr);
        assert.equal(sb.count(), 1, "a second run keeps the built image");
        assert.equal(again.stdout.trim(), `by-sha256/${sha}/${file} ${sha} ${md5}`);
    });

    it("a failed build fails the command with the log's tail and leaves no image behind", () => {
        const sb = sandbox("echo 'ERROR: element ubuntu-minimal failed' >&2; exit 1");
        const r = sb.run();
        assert.notEqual(r.status, 0);
        assert.match(r.stderr, /diskimage-create failed; last lines of .*amphora-build\.log/);
        assert.match(r.stderr, /ERROR: element ubuntu-minimal failed/);
        assert.ok(r.stderr.split("\n").length < 60, "only the tail");
        assert.ok(!fs.existsSync(path.join(sb.dirs.images, file)) && !fs.existsSync(path.join(sb.dirs.images, `${file}.sha256`)));
    });
});
