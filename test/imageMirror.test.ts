import { strict as assert } from "assert";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { dockerInstallScript } from "../render/dockerHost";
import { kollaImages, REGISTRY_IMAGE, SKOPEO_IMAGE } from "../render/images";
import { BLOB_CACHE_DIR, mirrorScript, mirrorWaits } from "../render/mirror";
import { deployOpenstack } from "../deployment";
import { Graph, runProgram } from "../tools/evaluate/harness";
import { tempDir } from "./support/tools";
import { FAKE_SUDO, fakeBin, onlyTools, runScript } from "./support/lifecycle";
import { stackSettings, TEST_PRIVATE_KEY } from "../tools/evaluate/stack";

const TEST_HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHRlc3RkZXBsb3lob3N0";

/** The whole program's graph (deployment.ts, as index.ts builds it), the deploy host's key configured. */
async function registryGraph(overrides: Record<string, unknown> = {}): Promise<Graph> {
    const settings = stackSettings("aio", overrides);
    return runProgram(() => {
        const { registry, mirror } = deployOpenstack(
            { ...settings, deployHost: { ...settings.deployHost, hostKey: TEST_HOST_KEY } },
            { sshPrivateKey: pulumi.secret(TEST_PRIVATE_KEY) },
        );
        return { address: registry.address, count: mirror.count };
    });
}

const copiesOf = (g: Graph) =>
    g.ofType("command:remote:Command").filter((r) => r.name.startsWith("kolla-images-"));

describe("LocalRegistry and DeployHostDocker", () => {
    let g: Graph;
    before(async () => {
        g = await registryGraph();
    });

    it("configures the docker provider from the Docker-install command's output", () => {
        const provider = g.get("deploy-docker-provider", "pulumi:providers:docker");
        const install = g.get("deploy-docker-install");
        assert.deepEqual(provider.propertyDependencies.host, [install.urn]);
        assert.equal(provider.inputs.host, "ssh://vagrant@10.10.10.50:22");
        // Only the deploy host's pinned key, whatever the operator's known_hosts says.
        const opts: string[] = JSON.parse(provider.inputs.sshOpts);
        for (const o of [
            "StrictHostKeyChecking=yes",
            "UserKnownHostsFile=/dev/null",
            `KnownHostsCommand=/bin/echo %H ${TEST_HOST_KEY}`,
        ])
            assert.ok(opts.includes(o), o);
        assert.ok(!opts.some((o) => o.includes("accept-new")));
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

describe("KollaImageMirror", () => {
    it("has one copy per image, each waiting on the registry container, skopeo and the copy that brings its shared layers", async () => {
        const g = await registryGraph();
        const copies = copiesOf(g);
        const images = kollaImages(stackSettings("aio"));
        assert.deepEqual(
            copies.map((c) => c.name.replace("kolla-images-", "")).sort(),
            images.map((i) => i.name).sort(),
        );
        assert.equal(g.exports.count, 36);
        const container = g.get("registry-container"),
            skopeo = g.get("kolla-images-skopeo");
        const waits = mirrorWaits(images.map((i) => i.name));
        for (const c of copies) {
            assert.ok(g.dependsOn(c, container), `${c.name} → registry container`);
            assert.ok(g.dependsOn(c, skopeo), `${c.name} → skopeo`);
            const deps = [...g.transitiveDependencies(c)].map((u) => g.byUrnOf(u)?.name ?? u);
            assert.ok(
                !deps.some((n) => /kolla-(bootstrap|prechecks|pull|deploy)|deploy-host/.test(n)),
                deps.join(", "),
            );
            const direct = copies
                .filter((o) => o !== c && c.dependencies.includes(o.urn))
                .map((o) => o.name.replace("kolla-images-", ""));
            const after = waits.get(c.name.replace("kolla-images-", ""));
            assert.deepEqual(
                direct,
                after ? [after] : [],
                `${c.name} waits for exactly its mirrorWaits copy`,
            );
        }
    });

    it("orders the copies in three waves so shared layers cross once: the lead, each family's first, the rest", () => {
        const names = kollaImages(stackSettings("aio")).map((i) => i.name);
        const waits = mirrorWaits(names);
        const wave = (n: string): number => {
            const w = waits.get(n);
            return w === undefined ? 1 : wave(w) + 1;
        };
        assert.deepEqual(
            names.filter((n) => wave(n) === 1),
            ["nova-api"],
            "the lead: first of the largest family (nova, 7 images)",
        );
        assert.deepEqual(
            names.filter((n) => wave(n) === 2),
            [
                "cron",
                "fluentd",
                "glance-api",
                "haproxy",
                "heat-api",
                "horizon",
                "keepalived",
                "keystone",
                "kolla-toolbox",
                "mariadb-clustercheck",
                "memcached",
                "neutron-dhcp-agent",
                "nova-compute",
                "nova-conductor",
                "nova-libvirt",
                "nova-novncproxy",
                "nova-scheduler",
                "nova-ssh",
                "octavia-api",
                "openvswitch-db-server",
                "placement-api",
                "rabbitmq",
            ],
            "every other family's first image, and the rest of the lead's family",
        );
        assert.equal(waits.get("nova-compute"), "nova-api");
        assert.equal(waits.get("neutron-server"), "neutron-dhcp-agent");
        assert.equal(waits.get("mariadb-server"), "mariadb-clustercheck");
        assert.ok(names.every((n) => wave(n) <= 3));
        assert.deepEqual(
            [...mirrorWaits(["b-x", "a", "b-y"])],
            [
                ["b-x", undefined],
                ["a", "b-x"],
                ["b-y", "b-x"],
            ],
        );
        assert.deepEqual([...mirrorWaits([])], []);
    });

    it("copies registry to registry with skopeo into 127.0.0.1 without TLS, skipping when digests match", async () => {
        const g = await registryGraph();
        const nova = g.get("kolla-images-nova-api");
        const script: string = nova.inputs.stdin;
        assert.equal(nova.inputs.create, "bash -s");
        assert.match(
            script,
            /readonly SOURCE='quay\.io\/openstack\.kolla\/nova-api:2023\.1-ubuntu-jammy'/,
        );
        assert.match(
            script,
            /readonly DEST='127\.0\.0\.1:5000\/openstack\.kolla\/nova-api:2023\.1-ubuntu-jammy'/,
        );
        assert.match(
            script,
            /skopeo copy --all --preserve-digests --retry-times 3 --dest-tls-verify=false/,
        );
        assert.match(script, /readonly BLOB_CACHE='\/var\/cache\/openstack-aio\/skopeo-blob-info'/);
        assert.match(
            script,
            /run --rm --network host -v "\$BLOB_CACHE:\/var\/lib\/containers\/cache" "\$SKOPEO_IMAGE"/,
        );
        assert.match(script, /if \[ "\$have" = "\$want" \]/);
        assert.doesNotMatch(script, /docker (push|tag|pull)/);
        assert.equal(nova.deleteBeforeReplace, false);
        assert.equal(nova.inputs.delete, undefined, "no destructive delete");
    });

    it("switching a service off removes exactly its copies", async () => {
        const all = copiesOf(await registryGraph()).map((c) => c.name);
        const noHeat = copiesOf(await registryGraph({ enableHeat: false })).map((c) => c.name);
        assert.deepEqual(all.filter((n) => !noHeat.includes(n)).sort(), [
            "kolla-images-heat-api",
            "kolla-images-heat-api-cfn",
            "kolla-images-heat-engine",
        ]);
    });

    it("pull-through mode: no per-image resources, the registry proxies the source", async () => {
        const g = await registryGraph({ registryMode: "pull-through" });
        assert.equal(copiesOf(g).length, 0);
        assert.equal(g.find("kolla-images-skopeo"), undefined);
        assert.ok(
            g
                .get("registry-container")
                .inputs.envs.includes("REGISTRY_PROXY_REMOTEURL=https://quay.io"),
        );
        assert.deepEqual(
            g
                .get("registry-container")
                .inputs.ports.map((p: any) => p.ip)
                .sort(),
            ["10.10.10.50", "127.0.0.1"],
            "a proxy cache refuses pushes itself",
        );
        assert.equal(g.find("registry-readonly"), undefined);
        assert.equal(g.exports.count, 0);
    });

    it("keeps the private key secret and out of every command", async () => {
        const g = await registryGraph();
        for (const c of g.ofType("command:remote:Command")) {
            assert.ok(c.secretPaths.includes("connection"));
            assert.ok(
                !c.inputs.create.includes("PRIVATE KEY") &&
                    !String(c.inputs.stdin).includes("PRIVATE KEY"),
            );
        }
    });
});

describe("mirror-image.sh, run for real against a fake registry pair", () => {
    // A manifest as registries store it, trailing newline included: its digest is the sha256 of exactly these bytes.
    const MANIFEST =
        '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}\n';
    const DIGEST = `sha256:${createHash("sha256").update(MANIFEST).digest("hex")}`;
    const image = kollaImages(stackSettings("aio")).find((i) => i.name === "nova-api")!;
    const dirs: string[] = [];
    after(() => {
        for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    });

    /**
     * `docker run … skopeo <args>` backed by a directory: one file per reference holding its manifest. `copy`
     * fails as often as the file `failures` says (transient registry errors), and records each call.
     */
    function sandbox(failures = 0) {
        const reg = tempDir("registries-");
        const file = (ref: string) =>
            path.join(reg, ref.replace(/^docker:\/\//, "").replace(/[/:]/g, "_"));
        fs.writeFileSync(file(image.source), MANIFEST);
        fs.writeFileSync(path.join(reg, "failures"), String(failures));
        const bin = fakeBin({
            sleep: "exit 0",
            docker: `[ "$1" != info ] || exit 0
[ "$1 $2 $3 $4 $5 $6 $7" = "run --rm --network host -v ${BLOB_CACHE_DIR}:/var/lib/containers/cache ${SKOPEO_IMAGE}" ] || { echo "unexpected docker $*" >&2; exit 64; }
shift 7
echo "$1 \${*: -2}" >> ${JSON.stringify(reg)}/calls
f() { printf '%s/%s' ${JSON.stringify(reg)} "$(printf '%s' "\${1#docker://}" | tr '/:' '__')"; }
case $1 in
    inspect) [ -f "$(f "\${*: -1}")" ] || { echo "manifest unknown" >&2; exit 1; }; cat "$(f "\${*: -1}")" ;;
    copy) n=$(cat ${JSON.stringify(reg)}/failures)
        if [ "$n" -gt 0 ]; then echo $((n - 1)) > ${JSON.stringify(reg)}/failures; echo "502 Bad Gateway" >&2; exit 1; fi
        cp "$(f "\${*: -2:1}")" "$(f "\${*: -1}")" ;;
esac`,
        });
        dirs.push(reg, bin);
        const text = mirrorScript(image, "127.0.0.1:5000", SKOPEO_IMAGE).text;
        const run = () => runScript(text, [], { PATH: `${bin}:${process.env.PATH}` });
        const copies = () =>
            fs
                .readFileSync(path.join(reg, "calls"), "utf8")
                .split("\n")
                .filter((l) => l.startsWith("copy")).length;
        return { run, copies, dest: file(`127.0.0.1:5000/${image.path}`) };
    }

    it("copies once, prints the registry's digest of the exact manifest bytes, and skips when the digests match", () => {
        const sb = sandbox();
        const r = sb.run();
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, `${DIGEST}\n`);
        assert.equal(fs.readFileSync(sb.dest, "utf8"), MANIFEST);
        const again = sb.run();
        assert.equal(again.status, 0, again.stderr);
        assert.equal(again.stdout, `${DIGEST}\n`);
        assert.match(again.stderr, /already at sha256:/);
        assert.equal(sb.copies(), 1, "the second run copies nothing");
    });

    it("retries transient copy failures, and gives up after four attempts naming the image", () => {
        const flaky = sandbox(2);
        const r = flaky.run();
        assert.equal(r.status, 0, r.stderr);
        assert.equal(flaky.copies(), 3);
        const down = sandbox(99);
        const d = down.run();
        assert.equal(d.status, 1);
        assert.equal(down.copies(), 4);
        assert.match(
            d.stderr,
            /copying quay\.io\/openstack\.kolla\/nova-api:2023\.1-ubuntu-jammy failed after 4 attempts/,
        );
    });
});

describe("docker-install.sh, run for real against stand-ins for apt, systemd and the user database", () => {
    it("installs docker.io and adds the SSH user to the docker group only when missing; a second run only checks", () => {
        const root = tempDir("docker-install-");
        const calls = path.join(root, "calls"),
            groups = path.join(root, "groups"),
            installed = path.join(root, "installed");
        fs.mkdirSync(installed);
        const user = stackSettings("aio").deployHost.sshUser;
        fs.writeFileSync(groups, `${user} adm sudo`);
        const record = `echo "$(basename "$0") $*" >> ${JSON.stringify(calls)}`;
        const bin = fakeBin({
            sudo: FAKE_SUDO,
            "apt-get": `${record}
case " $* " in *" install "*) ;; *) exit 0 ;; esac
printf '#!/usr/bin/env bash\\necho 24.0.7\\n' > ${JSON.stringify(installed)}/docker
chmod +x ${JSON.stringify(installed)}/docker 2>/dev/null || true`,
            systemctl: record,
            "cloud-init": record,
            usermod: `${record}; echo " docker" >> ${JSON.stringify(groups)}`,
            id: `[ "$1" = -nG ] && { cat ${JSON.stringify(groups)}; exit 0; }; exec /usr/bin/id "$@"`,
        });
        const script = dockerInstallScript(stackSettings("aio").deployHost).text;
        // Only the basics on PATH, so no docker this machine may have is found before the install.
        const basics = onlyTools([
            "bash",
            "env",
            "basename",
            "cat",
            "chmod",
            "tr",
            "grep",
            "timeout",
        ]);
        const run = () => runScript(script, [], { PATH: `${bin}:${installed}:${basics}` });
        const first = run();
        assert.equal(first.status, 0, first.stderr);
        assert.equal(
            first.stdout.trim().split("\n").pop(),
            "24.0.7",
            "the server version is the provider's input",
        );
        assert.deepEqual(fs.readFileSync(calls, "utf8").trim().split("\n"), [
            "cloud-init status --wait",
            "apt-get -o DPkg::Lock::Timeout=600 -q update",
            "apt-get -o DPkg::Lock::Timeout=600 -q install -y docker.io",
            "systemctl enable --now docker",
            `usermod -aG docker ${user}`,
        ]);
        fs.writeFileSync(calls, "");
        const second = run();
        assert.equal(second.status, 0, second.stderr);
        assert.equal(second.stdout.trim().split("\n").pop(), "24.0.7", "the same version line");
        assert.deepEqual(fs.readFileSync(calls, "utf8").trim().split("\n"), [
            "systemctl enable --now docker",
        ]);
    });
});
