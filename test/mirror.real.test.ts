// mirror-image.sh, unmodified, against a real registry pair (Debian's docker-registry) with real skopeo behind a
// `docker` stand-in: a layer shared by two images crosses from the source once, the second image mounts it.
import { strict as assert } from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { KollaImage } from "../render/images";
import { LOCAL_REGISTRY, mirrorScript } from "../render/mirror";
import { SKOPEO_IMAGE } from "../render/images";
import { runScript } from "./support/lifecycle";
import {
    blobGets,
    dockerStandIn,
    pushImage,
    randomLayer,
    REGISTRY_BIN,
    Registry,
    sharedTempDir,
    startRegistry,
} from "../bench/registryPair";

const TAG = "2023.1-ubuntu-jammy";

describe("mirror-image.sh with real skopeo and a real registry pair", function () {
    this.timeout(60000);
    let source: Registry, target: Registry;
    let work: string, standIn: { bin: string; cleanup(): void };
    const shared = randomLayer(2 << 20);
    const own: Record<string, ReturnType<typeof randomLayer>> = {
        "nova-api": randomLayer(32 << 10),
        "nova-scheduler": randomLayer(48 << 10),
        "nova-conductor": randomLayer(40 << 10),
        "nova-compute": randomLayer(24 << 10),
        "nova-ssh": randomLayer(16 << 10),
        "nova-novncproxy": randomLayer(20 << 10),
    };
    const digests: Record<string, string> = {};

    before(async () => {
        for (const tool of [
            "skopeo",
            REGISTRY_BIN,
            ...(process.getuid?.() === 0 ? ["setpriv"] : []),
        ]) {
            assert.equal(
                spawnSync("sh", ["-c", `command -v ${tool}`]).status,
                0,
                `${tool} is missing: apt-get install skopeo docker-registry (see .ci/run)`,
            );
        }
        source = await startRegistry("source");
        target = await startRegistry("target");
        // As root the stand-in runs skopeo as nobody, which must reach the cache directories under work: not in a
        // private TMPDIR (mode 0700), which only its owner can traverse.
        work = sharedTempDir("mirror-real-");
        standIn = dockerStandIn([`127.0.0.1:${source.port}`]);
        const where = new Map<string, string>();
        for (const [name, layer] of Object.entries(own)) {
            digests[name] = await pushImage(
                source.port,
                `openstack.kolla/${name}`,
                TAG,
                [shared, layer],
                where,
            );
        }
    });

    after(async () => {
        await source?.stop();
        await target?.stop();
        standIn?.cleanup();
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    const image = (name: string): KollaImage => {
        const p = `openstack.kolla/${name}:${TAG}`;
        return {
            name,
            tag: TAG,
            path: p,
            source: `127.0.0.1:${source.port}/${p}`,
            target: `127.0.0.1:${target.port}/${p}`,
        };
    };
    const mirror = (name: string, cache: string) => {
        const text = mirrorScript(
            image(name),
            { endpoint: `127.0.0.1:${target.port}`, network: LOCAL_REGISTRY.network },
            SKOPEO_IMAGE,
            cache,
        ).text;
        const r = runScript(text, [], { PATH: `${standIn.bin}:${process.env.PATH}` }, 50000);
        assert.equal(r.status, 0, r.stderr);
        return r;
    };
    /** Layers (config blobs left out) the source served for repo while f ran. */
    const readsDuring = (f: () => void, repo: string) => {
        const layers = new Set([shared.digest, ...Object.values(own).map((l) => l.digest)]);
        const before = blobGets(source.log(), `openstack.kolla/${repo}`).length;
        f();
        return blobGets(source.log(), `openstack.kolla/${repo}`)
            .slice(before)
            .filter((d) => layers.has(d));
    };

    it("the second of two images sharing a layer mounts it in the target instead of reading it from the source", () => {
        const cache = path.join(work, "blob-cache");
        const first = readsDuring(
            () => assert.equal(mirror("nova-api", cache).stdout, `${digests["nova-api"]}\n`),
            "nova-api",
        );
        assert.deepEqual(
            first.sort(),
            [shared.digest, own["nova-api"].digest].sort(),
            "the first image reads both layers",
        );

        let out = "";
        const second = readsDuring(() => {
            out = mirror("nova-scheduler", cache).stdout;
        }, "nova-scheduler");
        assert.equal(
            out,
            `${digests["nova-scheduler"]}\n`,
            "mirrored with the source's manifest digest",
        );
        assert.deepEqual(
            second,
            [own["nova-scheduler"].digest],
            "only its own layer crosses from the source",
        );
        assert.match(
            target.log(),
            new RegExp(
                `"POST /v2/openstack\\.kolla/nova-scheduler/blobs/uploads/\\?[^"]*mount=${shared.digest.replace(":", "%3A")}[^"]*" 201 `,
            ),
            "the shared layer is mounted from nova-api's repository",
        );

        const warm = readsDuring(
            () => assert.match(mirror("nova-scheduler", cache).stderr, /already at sha256:/),
            "nova-scheduler",
        );
        assert.deepEqual(warm, [], "a warm run reads no blob");
    });

    it("parallel copies after the first share the cache safely: all succeed, none reads the shared layer", async () => {
        const cache = path.join(work, "blob-cache");
        mirror("nova-api", cache); // the wave before (a no-op when the first test already copied it)
        const names = ["nova-compute", "nova-ssh", "nova-novncproxy"];
        const before = blobGets(source.log()).length;
        const runs = await Promise.all(
            names.map(
                (name) =>
                    new Promise<{ status: number | null; stdout: string; stderr: string }>(
                        (resolve) => {
                            const p = spawn("bash", ["-s", "--"], {
                                env: { ...process.env, PATH: `${standIn.bin}:${process.env.PATH}` },
                            });
                            let stdout = "",
                                stderr = "";
                            p.stdout.on("data", (d) => {
                                stdout += d;
                            });
                            p.stderr.on("data", (d) => {
                                stderr += d;
                            });
                            p.on("close", (status) => resolve({ status, stdout, stderr }));
                            p.stdin.end(
                                mirrorScript(
                                    image(name),
                                    {
                                        endpoint: `127.0.0.1:${target.port}`,
                                        network: LOCAL_REGISTRY.network,
                                    },
                                    SKOPEO_IMAGE,
                                    cache,
                                ).text,
                            );
                        },
                    ),
            ),
        );
        runs.forEach((r, i) => {
            assert.equal(r.status, 0, r.stderr);
            assert.equal(r.stdout, `${digests[names[i]]}\n`);
        });
        const reads = blobGets(source.log()).slice(before);
        assert.ok(
            !reads.includes(shared.digest),
            "the shared layer is mounted by every parallel copy",
        );
        assert.deepEqual(
            names.map((n) => reads.includes(own[n].digest)),
            [true, true, true],
        );
    });

    it("without the shared cache directory (a fresh container each time) the shared layer is read again", () => {
        const reads = readsDuring(
            () => mirror("nova-conductor", path.join(work, "fresh-cache")),
            "nova-conductor",
        );
        assert.ok(
            reads.includes(shared.digest),
            `the control copy reads the shared layer: ${reads.join(",")}`,
        );
    });
});
