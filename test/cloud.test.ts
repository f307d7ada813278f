import { strict as assert } from "assert";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { amphoraBuildScript, amphoraImageFile } from "../render/amphora";
import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import { INIT_RUNONCE_FLAVORS, verifiedUpload } from "../components/cloud";
import { Graph, Registration, runIndex, settled } from "./support/harness";
import { tempDir } from "./support/tools";
import { FAKE_SUDO, fakeBin, lifecycleOutputs, runScript, TEST_CA, withVars } from "./support/lifecycle";
import { stackRunOptions, stackSettings, TEST_PUBLIC_KEY } from "./support/stack";

const stack = (overrides: Record<string, unknown> = {}) =>
    runIndex(stackRunOptions({ overrides: { keypairPublicKey: TEST_PUBLIC_KEY, ...overrides } }));

const KOLLA_STAGES = ["bootstrap-servers", "prechecks", "pull", "octavia-certificates", "deploy", "post-deploy"].map((s) => `kolla-${s}`);

describe("Cloud: OpenStack resources through a provider built from post-deploy", () => {
    let g: Graph;
    before(async () => { g = await stack(); });
    const os = () => g.resources.filter((r) => r.type.startsWith("openstack:"));

    it("every OpenStack resource uses a provider that waits for post-deploy", () => {
        const postDeploy = g.get("kolla-post-deploy");
        assert.ok(os().length >= 15);
        for (const r of os()) {
            const p = g.providerOf(r);
            assert.ok(p && p.type === "pulumi:providers:openstack", `${r.name} has an explicit openstack provider`);
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
        const tls = await runIndex({ ...stackRunOptions({ overrides: { keypairPublicKey: TEST_PUBLIC_KEY, enableTls: true } }), outputs: lifecycleOutputs });
        for (const name of ["cloud-admin", "cloud-octavia"]) {
            const p = tls.get(name, "pulumi:providers:openstack");
            assert.equal(p.inputs.cacertFile, TEST_CA, name);
            assert.equal(p.inputs.insecure, undefined, name);
            assert.ok(p.propertyDependencies.cacertFile.includes(tls.get("kolla-certificates").urn), name);
        }
        assert.equal(tls.get("cloud-admin", "pulumi:providers:openstack").inputs.authUrl, "https://10.10.30.55:5000");
        assert.equal(g.get("cloud-admin", "pulumi:providers:openstack").inputs.cacertFile, undefined, "no TLS, no CA");
    });

    it("public1: external flat network on physnet1, subnet without DHCP with the seed's pool and gateway", () => {
        const net = g.get("cloud-networks-external");
        assert.equal(net.inputs.name, "public1");
        assert.equal(net.inputs.external, true);
        assert.deepEqual(net.inputs.segments, [{ networkType: "flat", physicalNetwork: "physnet1" }]);
        const sub = g.get("cloud-networks-external-subnet");
        assert.equal(sub.inputs.name, "public1-subnet");
        assert.equal(sub.inputs.enableDhcp, false);
        assert.equal(sub.inputs.cidr, "192.168.100.0/24");
        assert.equal(sub.inputs.gatewayIp, "192.168.100.1");
        assert.deepEqual(sub.inputs.allocationPools, [{ start: "192.168.100.100", end: "192.168.100.200" }]);
    });

    it("demo-net, demo-subnet with DNS, demo-router with the external gateway and the tenant interface", () => {
        assert.equal(g.get("cloud-networks-tenant").inputs.name, "demo-net");
        const sub = g.get("cloud-networks-tenant-subnet");
        assert.deepEqual([sub.inputs.name, sub.inputs.cidr, sub.inputs.gatewayIp, sub.inputs.dnsNameservers], ["demo-subnet", "10.0.0.0/24", "10.0.0.1", ["8.8.8.8"]]);
        const router = g.get("cloud-networks-router");
        assert.equal(router.inputs.name, "demo-router");
        assert.deepEqual(router.propertyDependencies.externalNetworkId, [g.get("cloud-networks-external").urn]);
        const iface = g.get("cloud-networks-router-tenant");
        assert.deepEqual(iface.propertyDependencies.subnetId, [sub.urn]);
        assert.deepEqual(iface.propertyDependencies.routerId, [router.urn]);
    });

    it("flavors m1.tiny … m1.xlarge with init-runonce's sizes", () => {
        const flavors = g.ofType("openstack:compute/flavor:Flavor").map((f) => [f.inputs.name, f.inputs.flavorId, f.inputs.vcpus, f.inputs.ram, f.inputs.disk]);
        assert.deepEqual(flavors, [
            ["m1.tiny", "1", 1, 512, 1], ["m1.small", "2", 1, 2048, 20], ["m1.medium", "3", 2, 4096, 40],
            ["m1.large", "4", 4, 8192, 80], ["m1.xlarge", "5", 8, 16384, 160],
        ]);
        assert.equal(INIT_RUNONCE_FLAVORS.length, 5);
    });

    it("keypair, default security group rules (ICMP, TCP 22/8000/8080) and admin quotas", () => {
        assert.deepEqual([g.get("cloud-basics-keypair").inputs.name, g.get("cloud-basics-keypair").inputs.publicKey], ["mykey", TEST_PUBLIC_KEY]);
        const rules = g.ofType("openstack:networking/secGroupRule:SecGroupRule").map((r) => [r.inputs.direction, r.inputs.ethertype, r.inputs.protocol, r.inputs.portRangeMin, r.inputs.portRangeMax]);
        assert.deepEqual(rules, [
            ["ingress", "IPv4", "icmp", undefined, undefined], ["ingress", "IPv4", "tcp", 22, 22],
            ["ingress", "IPv4", "tcp", 8000, 8000], ["ingress", "IPv4", "tcp", 8080, 8080],
        ]);
        const q = g.get("cloud-basics-admin-quotas");
        assert.deepEqual([q.inputs.instances, q.inputs.cores, q.inputs.ram], [40, 40, 96000]);
    });

    it("cirros: public qcow2 fetched by Glance, independent of every network resource", () => {
        const cirros = g.get("cloud-images-cirros");
        assert.equal(cirros.inputs.name, "cirros");
        assert.equal(cirros.inputs.imageSourceUrl, "https://github.com/cirros-dev/cirros/releases/download/0.6.1/cirros-0.6.1-x86_64-disk.img");
        assert.equal(cirros.inputs.webDownload, true);
        assert.deepEqual([cirros.inputs.diskFormat, cirros.inputs.containerFormat, cirros.inputs.visibility], ["qcow2", "bare", "public"]);
        const nets = g.resources.filter((r) => r.type.startsWith("openstack:networking"));
        assert.ok(nets.length >= 6);
        for (const n of nets) assert.ok(!g.dependsOn(cirros, n), `cirros waits for ${n.name}`);
    });
});

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

describe("Smoke test", () => {
    it("exists only when enabled: demo1 on demo-net with m1.tiny, mykey and a floating IP from public1", async () => {
        const off = await stack();
        assert.equal(off.resources.filter((r) => r.name.startsWith("cloud-smoke")).length, 0);
        const on = await stack({ smokeTest: true });
        const vm = on.get("cloud-smoke-demo1");
        assert.equal(vm.inputs.name, "demo1");
        assert.deepEqual(vm.propertyDependencies.flavorId, [on.get("cloud-basics-flavor-m1.tiny").urn]);
        assert.deepEqual(vm.propertyDependencies.imageId, [on.get("cloud-images-cirros").urn]);
        assert.equal(vm.inputs.keyPair, "mykey");
        assert.equal(on.get("cloud-smoke-demo1-fip").inputs.pool, "public1");
        assert.ok(on.dependsOn(on.get("cloud-smoke-demo1-fip-associate"), on.get("cloud-networks-router-tenant")));
        assert.ok("smokeTestAddress" in on.exports);
    });
});
