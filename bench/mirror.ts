// `npm run bench -- mirror`: the image mirror against a real registry pair, the program's per-image script (in the
// component's waits, at Pulumi's default parallelism) against the seed's serial `skopeo copy` loop, cold and warm,
// over loopback and through a WAN-like source. Figures, not assertions.
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { KollaImage, kollaImages } from "../render/images";
import { imageFamily, LOCAL_REGISTRY, mirrorScript, mirrorWaits } from "../render/mirror";
import { SKOPEO_IMAGE } from "../render/images";
import {
    Blob,
    blobGets,
    dockerStandIn,
    Proxy,
    pushImage,
    randomLayer,
    REGISTRY_BIN,
    Registry,
    Shape,
    sharedTempDir,
    startProxy,
    startRegistry,
} from "./registryPair";
import { stackSettings } from "../tools/evaluate/stack";

const MiB = 1 << 20;

interface Options {
    parallel: number;
    scale: number;
    wan: Shape;
    wanOnly: boolean;
    loopbackOnly: boolean;
    unordered: boolean;
}

function options(argv: string[]): Options {
    const get = (flag: string) => {
        const i = argv.indexOf(flag);
        return i >= 0 ? argv[i + 1] : undefined;
    };
    // pulumi/pulumi pkg/cmd/pulumi/operations/up.go, defaultParallel(): PULUMI_PARALLEL if set, else GOMAXPROCS × 4
    // (GOMAXPROCS defaults to the usable CPUs). Not a fixed 16: 16 only on a 4-CPU machine.
    const pulumiDefault =
        Number(process.env.PULUMI_PARALLEL) > 0
            ? Number(process.env.PULUMI_PARALLEL)
            : os.availableParallelism() * 4;
    return {
        parallel: Number(get("--parallel") ?? pulumiDefault),
        scale: Number(get("--scale") ?? 1),
        wan: {
            connBytesPerSec: Number(get("--wan-conn-mib") ?? 8) * MiB,
            totalBytesPerSec: Number(get("--wan-total-mib") ?? 25) * MiB,
            delayMs: Number(get("--wan-delay-ms") ?? 25),
        },
        wanOnly: argv.includes("--wan-only"),
        loopbackOnly: argv.includes("--loopback-only"),
        // Also the component before the shared cache: every copy at once, each with a fresh cache.
        unordered: argv.includes("--also-unordered"),
    };
}

/** Installs the Debian packages the bench runs, when missing (apt-get; sudo when not root). */
function ensurePackages(): void {
    const missing: string[] = [];
    if (spawnSync("sh", ["-c", "command -v skopeo"]).status !== 0) missing.push("skopeo");
    if (!fs.existsSync(REGISTRY_BIN)) missing.push("docker-registry");
    if (spawnSync("sh", ["-c", "command -v setpriv"]).status !== 0) missing.push("util-linux");
    if (missing.length === 0) return;
    const sudo = process.getuid?.() === 0 ? [] : ["sudo"];
    console.log(`installing ${missing.join(" ")} (apt-get)`);
    for (const args of [
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", ...missing],
    ]) {
        const r = spawnSync(
            sudo.length ? "sudo" : args[0],
            [...(sudo.length ? args : args.slice(1))],
            { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } },
        );
        if (r.status !== 0) throw new Error(`${args.join(" ")} failed`);
    }
}

/**
 * Layers resembling kolla 2023.1's Ubuntu images (MiB, compressed; kolla docker/: base ← openstack-base ←
 * <service>-base ← image; infrastructure images straight on base). Sizes are a model, not measurements of quay.io.
 */
const BASE = [29, 38, 6];
const OPENSTACK_BASE = [80, 20];
const OPENSTACK = new Set([
    "glance",
    "heat",
    "horizon",
    "keystone",
    "neutron",
    "nova",
    "octavia",
    "placement",
]);
const FAMILY_BASE: Record<string, number> = {
    nova: 22,
    neutron: 25,
    keystone: 6,
    glance: 12,
    placement: 4,
    heat: 5,
    horizon: 45,
    octavia: 8,
    mariadb: 30,
    openvswitch: 10,
};
const LEAF: Record<string, number> = {
    "nova-libvirt": 55,
    "nova-compute": 15,
    rabbitmq: 35,
    fluentd: 30,
    "kolla-toolbox": 40,
    haproxy: 5,
    keepalived: 3,
    memcached: 2,
    cron: 1,
    "mariadb-server": 8,
    "openvswitch-vswitchd": 3,
};
const ON_BASE_ONLY = new Set(["nova-libvirt"]); // kolla docker/nova/nova-libvirt is FROM base

function imageLayers(name: string, blob: (key: string, mib: number) => Blob): Blob[] {
    const family = imageFamily(name);
    const layers = BASE.map((m, i) => blob(`base-${i}`, m));
    if (OPENSTACK.has(family) && !ON_BASE_ONLY.has(name))
        layers.push(...OPENSTACK_BASE.map((m, i) => blob(`openstack-base-${i}`, m)));
    if (FAMILY_BASE[family] && !ON_BASE_ONLY.has(name))
        layers.push(blob(`${family}-base`, FAMILY_BASE[family]));
    layers.push(blob(`${name}-leaf`, LEAF[name] ?? 1.5));
    return layers;
}

interface Run {
    wallS: number;
    sourceBytes: number;
    targetBytes: number;
    ok: number;
    again: string[];
}

function runScript(
    text: string,
    env: Record<string, string>,
): Promise<{ status: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        const p = spawn("bash", ["-s", "--"], {
            env: { ...process.env, ...env },
            stdio: ["pipe", "pipe", "pipe"],
        });
        let stdout = "",
            stderr = "";
        p.stdout.on("data", (d) => {
            stdout += d;
        });
        p.stderr.on("data", (d) => {
            stderr += d;
        });
        p.on("close", (status) => resolve({ status: status ?? 1, stdout, stderr }));
        p.stdin.end(text);
    });
}

/** Runs tasks with at most `parallel` at once, each after the one it waits for (as the engine walks dependsOn). */
async function schedule(
    names: string[],
    waits: Map<string, string | undefined>,
    parallel: number,
    task: (n: string) => Promise<void>,
): Promise<void> {
    const done = new Map<string, Promise<void>>();
    let running = 0;
    const queue: (() => void)[] = [];
    const slot = async () => {
        if (running >= parallel) await new Promise<void>((r) => queue.push(r));
        running++;
    };
    const release = () => {
        running--;
        queue.shift()?.();
    };
    const start = (n: string): Promise<void> => {
        if (!done.has(n)) {
            const after = waits.get(n);
            done.set(
                n,
                (async () => {
                    if (after) await start(after);
                    await slot();
                    try {
                        await task(n);
                    } finally {
                        release();
                    }
                })(),
            );
        }
        return done.get(n)!;
    };
    await Promise.all(names.map(start));
}

export async function mirrorBench(argv: string[]): Promise<void> {
    const opts = options(argv);
    ensurePackages();
    const images = kollaImages(stackSettings("aio"));
    const names = images.map((i) => i.name);
    const work = sharedTempDir("bench-mirror-");
    const started: { stop(): Promise<void> }[] = [];
    const stopAll = async () => {
        for (const s of started.reverse()) await s.stop().catch(() => undefined);
        fs.rmSync(work, { recursive: true, force: true });
    };
    process.once("SIGINT", () => {
        void stopAll().then(() => process.exit(130));
    });
    try {
        const source = await startRegistry("source");
        started.push(source);
        // Blobs generated once, in the kolla-like layering; distinct bytes = every distinct blob the images use.
        const blobs = new Map<string, Blob>();
        const keyOf = new Map<string, string>();
        const blob = (key: string, mib: number) => {
            if (!blobs.has(key)) {
                blobs.set(key, randomLayer(Math.max(1024, Math.round(mib * opts.scale * MiB))));
                keyOf.set(blobs.get(key)!.digest, key);
            }
            return blobs.get(key)!;
        };
        const where = new Map<string, string>();
        const sourceDigests = new Map<string, string>();
        const t0 = Date.now();
        let configs = 0;
        for (const img of images) {
            const layers = imageLayers(img.name, blob);
            const repo = img.path.split(":")[0];
            sourceDigests.set(img.name, await pushImage(source.port, repo, img.tag, layers, where));
            configs += 200 + layers.length * 72; // the config blob: a few hundred bytes
        }
        const distinct = [...blobs.values()].reduce((n, b) => n + b.size, 0) + configs;
        const naive = images.reduce(
            (n, img) => n + imageLayers(img.name, blob).reduce((m, b) => m + b.size, 0),
            0,
        );
        console.log(
            `${images.length} images, ${blobs.size} distinct layers, ${(distinct / MiB).toFixed(0)} MiB distinct, ${(naive / MiB).toFixed(0)} MiB summed over images (${(naive / distinct).toFixed(2)}x); generated and pushed in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
        );
        blobs.forEach((b) => {
            (b as { data: Buffer | null }).data = null;
        });

        const loopback = await startProxy(source.port);
        const wan = await startProxy(source.port, opts.wan);
        started.push(loopback, wan);
        const standIn = dockerStandIn([`127.0.0.1:${loopback.port}`, `127.0.0.1:${wan.port}`]);
        started.push({ stop: () => Promise.resolve().then(() => standIn.cleanup()) });
        const env = { PATH: `${standIn.bin}:${process.env.PATH}` };

        const variant = async (kind: "program" | "seed" | "unordered", via: Proxy) => {
            const target: Registry = await startRegistry(`target-${kind}`);
            const targetProxy = await startProxy(target.port);
            const endpoint = `127.0.0.1:${targetProxy.port}`;
            const cache = path.join(work, `cache-${kind}-${via.port}`);
            const at = (img: KollaImage): KollaImage => ({
                ...img,
                source: `127.0.0.1:${via.port}/${img.path}`,
            });
            const failures: string[] = [];
            let fresh = 0;
            const copy = async (name: string) => {
                const img = at(images.find((i) => i.name === name)!);
                const r =
                    kind !== "seed"
                        ? await runScript(
                              mirrorScript(
                                  img,
                                  { endpoint, network: LOCAL_REGISTRY.network },
                                  SKOPEO_IMAGE,
                                  kind === "program" ? cache : path.join(work, `fresh-${fresh++}`),
                              ).text,
                              env,
                          )
                        : // The seed's loop body, verbatim but for the addresses.
                          await runScript(
                              `docker run --rm --net=host ${SKOPEO_IMAGE} copy --dest-tls-verify=false docker://${img.source} docker://${endpoint}/${img.path}\n`,
                              env,
                          );
                if (r.status !== 0) failures.push(`${name}: ${r.stderr.trim().split("\n").pop()}`);
            };
            const once = async (): Promise<Run> => {
                via.reset();
                targetProxy.reset();
                const logStart = source.log().length;
                const start = Date.now();
                if (kind === "program")
                    await schedule(names, mirrorWaits(names), opts.parallel, copy);
                else if (kind === "unordered")
                    await schedule(names, new Map(), opts.parallel, copy);
                else for (const n of names) await copy(n);
                const wallS = (Date.now() - start) / 1000;
                let ok = 0;
                for (const img of images) {
                    const r = await fetch(
                        `http://127.0.0.1:${target.port}/v2/${img.path.replace(":", "/manifests/")}`,
                        {
                            method: "HEAD",
                            headers: {
                                Accept: "application/vnd.docker.distribution.manifest.v2+json",
                            },
                        },
                    );
                    if (r.headers.get("docker-content-digest") === sourceDigests.get(img.name))
                        ok++;
                }
                const reads = new Map<string, number>();
                for (const d of blobGets(source.log().slice(logStart)))
                    reads.set(d, (reads.get(d) ?? 0) + 1);
                const again = [...reads]
                    .filter(([, n]) => n > 1)
                    .map(([d, n]) => `${keyOf.get(d) ?? d.slice(7, 19)}×${n}`);
                return {
                    wallS,
                    sourceBytes: via.counts().fromUpstream,
                    targetBytes: targetProxy.counts().toUpstream,
                    ok,
                    again,
                };
            };
            try {
                const cold = await once();
                const warm = await once();
                if (failures.length)
                    console.log(`  ${kind}: ${failures.length} failed copies, e.g. ${failures[0]}`);
                return { cold, warm };
            } finally {
                await targetProxy.stop();
                await target.stop();
            }
        };

        const modes: [string, Proxy][] = [];
        if (!opts.wanOnly) modes.push(["loopback", loopback]);
        if (!opts.loopbackOnly)
            modes.push([
                `WAN-like (${opts.wan.delayMs} ms each way, ${(opts.wan.connBytesPerSec! / MiB).toFixed(0)} MiB/s per connection, ${(opts.wan.totalBytesPerSec! / MiB).toFixed(0)} MiB/s shared)`,
                wan,
            ]);
        const size = (n: number) =>
            (n >= 10 * MiB
                ? `${(n / MiB).toFixed(0)} MiB`
                : `${(n / 1024).toFixed(0)} KiB`
            ).padStart(11);
        const fmt = (r: Run) =>
            `${r.wallS.toFixed(1).padStart(7)} s ${size(r.sourceBytes)} ${(r.sourceBytes / distinct).toFixed(3).padStart(6)}x ${size(r.targetBytes)}  ${r.ok}/${images.length}`;
        console.log(
            `parallel ${opts.parallel} (Pulumi's default here: ${os.availableParallelism()} CPUs × 4), scale ${opts.scale}`,
        );
        for (const [label, via] of modes) {
            const seed = await variant("seed", via);
            const program = await variant("program", via);
            const unordered = opts.unordered ? await variant("unordered", via) : undefined;
            console.log(`\n${label}`);
            console.log(
                `${"".padEnd(14)} ${"wall".padStart(9)} ${"source".padStart(11)} ${"/dist".padStart(7)} ${"target".padStart(11)}  digests`,
            );
            for (const [name, v] of [
                ["seed", seed],
                ["program", program],
                ...(unordered ? [["unordered", unordered] as const] : []),
            ] as const) {
                console.log(`${`${name} cold`.padEnd(14)} ${fmt(v.cold)}`);
                console.log(`${`${name} warm`.padEnd(14)} ${fmt(v.warm)}`);
            }
            const again = program.cold.again;
            console.log(
                `program cold: ${again.length} blobs read more than once${again.length ? `: ${again.slice(0, 12).join(" ")}` : ""}`,
            );
            if (unordered)
                console.log(
                    `program/unordered cold: wall ${(program.cold.wallS / unordered.cold.wallS).toFixed(2)}, source bytes ${(program.cold.sourceBytes / unordered.cold.sourceBytes).toFixed(2)}`,
                );
            for (const phase of ["cold", "warm"] as const) {
                const p = program[phase],
                    s = seed[phase];
                console.log(
                    `program/seed ${phase}: wall ${(p.wallS / s.wallS).toFixed(2)} (${(s.wallS / p.wallS).toFixed(1)}x faster), source bytes ${(p.sourceBytes / s.sourceBytes).toFixed(2)}, target bytes ${(p.targetBytes / Math.max(1, s.targetBytes)).toFixed(2)}`,
                );
            }
        }
        console.log(
            `\nmachine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "?"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${spawnSync("skopeo", ["--version"], { encoding: "utf8" }).stdout.trim()}, docker-registry ${spawnSync("dpkg-query", ["-W", "-f=${Version}", "docker-registry"], { encoding: "utf8" }).stdout}`,
        );
    } finally {
        await stopAll();
    }
}
