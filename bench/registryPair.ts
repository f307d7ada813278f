// A real registry pair for the mirror bench and test/mirror.real.test.ts: Debian's `docker-registry` (the
// distribution registry) on 127.0.0.1, a byte-counting (optionally WAN-shaping) TCP proxy in front of each, synthetic
// images pushed through the registry HTTP API, and a `docker` stand-in that runs Debian's real `skopeo` the way
// `docker run --rm` would. Every directory made here is removed by the stop() or cleanup() that comes with it.
import { ChildProcess, spawn } from "child_process";
import { createHash, randomBytes } from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";

export const REGISTRY_BIN = "/usr/bin/docker-registry";

/** True when every user may traverse dir and each of its parents (the others' x bit all the way up). */
function traversableByAll(dir: string): boolean {
    let d: string;
    try {
        d = fs.realpathSync(dir);
        fs.accessSync(d, fs.constants.W_OK);
    } catch {
        return false;
    }
    for (;;) {
        const st = fs.statSync(d);
        if (!st.isDirectory() || (st.mode & 0o001) === 0) return false;
        const up = path.dirname(d);
        if (up === d) return true;
        d = up;
    }
}

/**
 * A new directory (mode 0755) that another user can reach: as root, the docker stand-in runs skopeo as nobody, which
 * must reach its run directory and the blob-info cache. TMPDIR is used when it qualifies; a private one (mode 0700,
 * as `mktemp -d`, systemd's PrivateTmp or macOS give) does not, and then /tmp or /var/tmp is. The caller removes it.
 */
export function sharedTempDir(prefix: string): string {
    const root = [os.tmpdir(), "/tmp", "/var/tmp"].find(traversableByAll);
    if (!root) {
        throw new Error(
            `no temporary directory every user can traverse (tried ${os.tmpdir()}, /tmp, /var/tmp): skopeo runs as nobody under root and must reach its cache`,
        );
    }
    const dir = fs.mkdtempSync(path.join(root, prefix));
    fs.chmodSync(dir, 0o755);
    return dir;
}

export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.once("error", reject);
        s.listen(0, "127.0.0.1", () => {
            const port = (s.address() as net.AddressInfo).port;
            s.close(() => resolve(port));
        });
    });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Registry {
    port: number;
    dir: string;
    /** The registry's log (one line per request, `http.request.uri=…`). */
    log(): string;
    stop(): Promise<void>;
}

/** Starts `docker-registry serve` on 127.0.0.1:<free port>, storage in a temp dir removed on stop. */
export async function startRegistry(name: string): Promise<Registry> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `registry-${name}-`));
    const port = await freePort();
    // distribution configuration.md: `storage.filesystem.rootdirectory`, `http.addr`; `log.accesslog` on by default.
    fs.writeFileSync(
        path.join(dir, "config.yml"),
        [
            "version: 0.1",
            "log:",
            "  level: info",
            "  formatter: text",
            "storage:",
            "  filesystem:",
            `    rootdirectory: ${dir}/data`,
            "http:",
            `  addr: 127.0.0.1:${port}`,
            "",
        ].join("\n"),
    );
    const logFile = path.join(dir, "registry.log");
    const out = fs.openSync(logFile, "a");
    const child: ChildProcess = spawn(REGISTRY_BIN, ["serve", path.join(dir, "config.yml")], {
        stdio: ["ignore", out, out],
    });
    fs.closeSync(out);
    let exited = false;
    child.once("exit", () => {
        exited = true;
    });
    const stop = async () => {
        if (!exited) {
            const gone = new Promise((r) => child.once("exit", r));
            child.kill("SIGTERM");
            await Promise.race([gone, sleep(5000)]);
            if (!exited) child.kill("SIGKILL");
        }
        fs.rmSync(dir, { recursive: true, force: true });
    };
    for (let i = 0; ; i++) {
        if (exited || i > 100) {
            const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8") : "";
            await stop();
            throw new Error(`docker-registry did not start on port ${port}:\n${log}`);
        }
        if (
            await request("GET", `http://127.0.0.1:${port}/v2/`).then(
                (r) => r.status === 200,
                () => false,
            )
        )
            break;
        await sleep(100);
    }
    return { port, dir, log: () => fs.readFileSync(logFile, "utf8"), stop };
}

interface Reply {
    status: number;
    headers: http.IncomingHttpHeaders;
    body: Buffer;
}

function request(
    method: string,
    url: string,
    body?: Buffer,
    headers: Record<string, string> = {},
): Promise<Reply> {
    return new Promise((resolve, reject) => {
        const req = http.request(
            url,
            {
                method,
                headers: { ...headers, ...(body ? { "Content-Length": String(body.length) } : {}) },
            },
            (res) => {
                const chunks: Buffer[] = [];
                // No setEncoding: a response emits its body as Buffers (Node http.IncomingMessage).
                res.on("data", (c: Buffer) => chunks.push(c));
                res.on("end", () =>
                    resolve({
                        status: res.statusCode ?? 0,
                        headers: res.headers,
                        body: Buffer.concat(chunks),
                    }),
                );
                res.on("error", reject);
            },
        );
        req.on("error", reject);
        req.end(body);
    });
}

export const sha256 = (b: Buffer | string) =>
    `sha256:${createHash("sha256").update(b).digest("hex")}`;

export interface Blob {
    digest: string;
    size: number;
    data: Buffer;
    diffId: string;
}

/** A gzip layer of `size` random bytes (stored, not deflated: random data does not shrink, and it is fast). */
export function randomLayer(size: number): Blob {
    const raw = randomBytes(size);
    const data = zlib.gzipSync(raw, { level: 0 });
    return { digest: sha256(data), size: data.length, data, diffId: sha256(raw) };
}

/**
 * Pushes a schema 2 image to repo:tag (distribution spec/api.md: monolithic upload = POST uploads/ then PUT
 * <location>&digest=…; a blob already pushed to another repository is mounted with POST ?mount=<digest>&from=<repo>).
 * `where` remembers which repository holds each blob. Returns the manifest digest.
 */
export async function pushImage(
    port: number,
    repo: string,
    tag: string,
    layers: Blob[],
    where: Map<string, string>,
): Promise<string> {
    const base = `http://127.0.0.1:${port}/v2/${repo}`;
    const config = Buffer.from(
        JSON.stringify({
            architecture: "amd64",
            os: "linux",
            config: {},
            rootfs: { type: "layers", diff_ids: layers.map((l) => l.diffId) },
        }),
    );
    const configBlob = { digest: sha256(config), size: config.length, data: config, diffId: "" };
    for (const b of [...layers, configBlob]) {
        const from = where.get(b.digest);
        if (from === repo) continue;
        if (from) {
            const m = await request(
                "POST",
                `${base}/blobs/uploads/?mount=${b.digest}&from=${from}`,
            );
            if (m.status === 201) continue;
        }
        const start = await request("POST", `${base}/blobs/uploads/`);
        if (start.status !== 202)
            throw new Error(`upload start ${repo}: ${start.status} ${start.body.toString()}`);
        const loc = new URL(String(start.headers.location), `http://127.0.0.1:${port}`);
        loc.searchParams.set("digest", b.digest);
        const put = await request("PUT", loc.toString(), b.data, {
            "Content-Type": "application/octet-stream",
        });
        if (put.status !== 201)
            throw new Error(`upload ${repo} ${b.digest}: ${put.status} ${put.body.toString()}`);
        where.set(b.digest, repo);
    }
    const manifest = Buffer.from(
        JSON.stringify(
            {
                schemaVersion: 2,
                mediaType: "application/vnd.docker.distribution.manifest.v2+json",
                config: {
                    mediaType: "application/vnd.docker.container.image.v1+json",
                    size: configBlob.size,
                    digest: configBlob.digest,
                },
                layers: layers.map((l) => ({
                    mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip",
                    size: l.size,
                    digest: l.digest,
                })),
            },
            null,
            3,
        ) + "\n",
    );
    const put = await request("PUT", `${base}/manifests/${tag}`, manifest, {
        "Content-Type": "application/vnd.docker.distribution.manifest.v2+json",
    });
    if (put.status !== 201)
        throw new Error(`manifest ${repo}:${tag}: ${put.status} ${put.body.toString()}`);
    return sha256(manifest);
}

/** Blob digests the registry served (GET, status 200) for a repository, from its access log. */
export function blobGets(log: string, repo?: string): string[] {
    const out: string[] = [];
    for (const line of log.split("\n")) {
        const m = /"GET \/v2\/(\S+)\/blobs\/(sha256:[0-9a-f]{64}) HTTP\/[0-9.]+" 200 /.exec(line);
        if (m && (repo === undefined || m[1] === repo)) out.push(m[2]);
    }
    return out;
}

export interface Shape {
    /** Per-connection cap in bytes/s, each direction (0: none). */
    connBytesPerSec?: number;
    /** Cap shared by all connections, bytes/s, each direction (0: none). */
    totalBytesPerSec?: number;
    /** Added one-way delay on every chunk, ms (a round trip costs twice this). */
    delayMs?: number;
}

export interface Proxy {
    port: number;
    /** Bytes the upstream sent to clients (read from it) and clients sent to it (written to it). */
    counts(): { fromUpstream: number; toUpstream: number };
    reset(): void;
    stop(): Promise<void>;
}

/**
 * A TCP proxy on 127.0.0.1 in front of upstreamPort that counts bytes each way and can shape them: every chunk is
 * delivered after the link is free (per-connection and shared token pacing) plus a fixed delay, in order.
 */
export async function startProxy(upstreamPort: number, shape: Shape = {}): Promise<Proxy> {
    let fromUpstream = 0,
        toUpstream = 0;
    const sockets = new Set<net.Socket>();
    const shared = { up: 0, down: 0 };
    const HIGH = 1 << 20;
    const pipe = (
        from: net.Socket,
        to: net.Socket,
        dir: "up" | "down",
        count: (n: number) => void,
    ) => {
        let linkFree = 0,
            queued = 0,
            ended = false;
        let timer: NodeJS.Timeout | undefined;
        // A FIFO with one timer for its head: separate timers per chunk can fire out of order.
        const fifo: { chunk: Buffer; at: number }[] = [];
        // Backpressure: stop reading while chunks wait for their time or the receiver's buffer is full.
        const full = () => queued > HIGH || to.writableLength > HIGH;
        const resume = () => {
            if (!full() && from.isPaused()) from.resume();
        };
        to.on("drain", resume);
        const pump = () => {
            timer = undefined;
            const now = Date.now();
            while (fifo.length > 0 && fifo[0].at <= now) {
                const { chunk } = fifo.shift()!;
                queued -= chunk.length;
                if (!to.destroyed) to.write(chunk);
            }
            if (fifo.length > 0) timer = setTimeout(pump, Math.max(1, fifo[0].at - now));
            else if (ended) to.end(); // after the last chunk: never cuts what the receiver has not read yet
            resume();
        };
        from.on("data", (chunk: Buffer) => {
            count(chunk.length);
            const now = Date.now();
            // Two independent pacers, each reserving time from when it is free: this connection's cap and the cap
            // shared by all (reserving the shared link from this connection's own future time would leave it idle).
            linkFree =
                Math.max(now, linkFree) +
                (shape.connBytesPerSec ? (chunk.length * 1000) / shape.connBytesPerSec : 0);
            if (shape.totalBytesPerSec)
                shared[dir] =
                    Math.max(now, shared[dir]) + (chunk.length * 1000) / shape.totalBytesPerSec;
            fifo.push({
                chunk,
                at:
                    Math.max(linkFree, shape.totalBytesPerSec ? shared[dir] : 0) +
                    (shape.delayMs ?? 0),
            });
            queued += chunk.length;
            if (!timer) pump();
            if (full()) from.pause();
        });
        from.on("end", () => {
            ended = true;
            if (!timer) pump();
        });
        from.on("error", () => to.destroy());
    };
    const server = net.createServer((client) => {
        const upstream = net.connect(upstreamPort, "127.0.0.1");
        sockets.add(client);
        sockets.add(upstream);
        client.on("close", () => sockets.delete(client));
        upstream.on("close", () => sockets.delete(upstream));
        pipe(client, upstream, "up", (n) => {
            toUpstream += n;
        });
        pipe(upstream, client, "down", (n) => {
            fromUpstream += n;
        });
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    return {
        port,
        counts: () => ({ fromUpstream, toUpstream }),
        reset: () => {
            fromUpstream = 0;
            toUpstream = 0;
        },
        stop: () =>
            new Promise<void>((resolve) => {
                for (const s of sockets) s.destroy();
                server.close(() => resolve());
            }),
    };
}

/**
 * A directory with `docker` for PATH: `docker info` succeeds; `docker run --rm --network host|container:NAME [-v SRC:DST]… IMAGE ARGS`
 * runs Debian's skopeo with ARGS, isolated like a fresh container: its blob-info cache (containers/image
 * pkg/blobinfocache/default.go: /var/lib/containers/cache for root, $XDG_DATA_HOME/containers/cache otherwise) is
 * a new empty directory for each run unless a volume is mounted at /var/lib/containers/cache, which then holds it.
 * As root, skopeo runs as nobody so that the $XDG_DATA_HOME location applies. `insecure` lists the plain-HTTP
 * registries (containers-registries.conf(5): `insecure = true`; skopeo 1.9, run as a non-root user, reads
 * $HOME/.config/containers/registries.conf instead of /etc/containers/registries.conf: seen with `skopeo --debug`).
 */
export function dockerStandIn(insecure: string[]): { bin: string; cleanup(): void } {
    const root = sharedTempDir("docker-standin-");
    const bin = path.join(root, "bin");
    const runs = path.join(root, "runs");
    fs.mkdirSync(bin);
    fs.mkdirSync(runs, { mode: 0o1777 });
    fs.chmodSync(runs, 0o1777);
    const registriesConf = path.join(root, "registries.conf");
    fs.writeFileSync(
        registriesConf,
        insecure.map((e) => `[[registry]]\nlocation = "${e}"\ninsecure = true\n`).join("\n"),
        { mode: 0o644 },
    );
    fs.writeFileSync(
        path.join(bin, "docker"),
        `#!/usr/bin/env bash
set -euo pipefail
[ "$1" != info ] || exit 0
[ "$1" = run ] || { echo "docker stand-in: unexpected docker $*" >&2; exit 64; }
shift
cache=""
while [ $# -gt 0 ]; do
    case $1 in
        --rm) shift ;;
        # The writable registry's namespace (container:registry) holds the registry the test runs on the host's loopback.
        --network|--net) case $2 in host | container:*) ;; *) exit 64 ;; esac; shift 2 ;;
        --network=host|--net=host|--network=container:*) shift ;;
        -v|--volume) [ "\${2#*:}" = /var/lib/containers/cache ] || { echo "docker stand-in: unexpected volume $2" >&2; exit 64; }
            cache=\${2%%:*}; mkdir -p "$cache"; shift 2 ;;
        -*) echo "docker stand-in: unexpected option $1" >&2; exit 64 ;;
        *) break ;;
    esac
done
shift # the image
home=$(mktemp -d ${JSON.stringify(runs)}/run.XXXXXX)
trap 'rm -rf "$home"' EXIT
mkdir -p "$home/data/containers" "$home/.config/containers"
cp ${JSON.stringify(registriesConf)} "$home/.config/containers/registries.conf"
if [ -n "$cache" ]; then ln -s "$cache" "$home/data/containers/cache"; fi
as=()
if [ "$(id -u)" -eq 0 ]; then
    chmod -R a+rwX "$home"
    if [ -n "$cache" ]; then chmod a+rwx "$cache"; fi
    as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
# skopeo silently falls back to a memory-only cache when it cannot write there: refuse instead.
if [ -n "$cache" ] && ! "\${as[@]}" test -w "$cache"; then echo "docker stand-in: $cache is not writable by skopeo's user (a parent not traversable?)" >&2; exit 70; fi
env HOME="$home" XDG_DATA_HOME="$home/data" XDG_RUNTIME_DIR="$home" \\
    "\${as[@]}" skopeo "$@"
`,
        { mode: 0o755 },
    );
    return { bin, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}
