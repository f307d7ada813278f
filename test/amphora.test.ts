// render/amphora.ts: amphora-build.sh and image-server.sh, run for real under stand-ins. The component that runs them:
// amphoraBuild.test.ts.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { amphoraBuildScript, amphoraImageFile, imageServerScript } from "../render/amphora";
import { tempDir } from "./support/tools";
import { FAKE_SUDO, fakeBin, runScript, withVars } from "./support/lifecycle";
import { stackSettings } from "../tools/evaluate/stack";

describe("amphora-build.sh, run for real against a fake diskimage-create", () => {
    const settings = stackSettings("aio");
    const script = amphoraBuildScript(settings);
    const file = amphoraImageFile(settings);

    /** A deploy host in a temp dir: sudo, apt-get and git are stand-ins; `git clone` plants a fake diskimage-create. */
    function sandbox(dib: string) {
        const root = tempDir("amphora-");
        const dirs = {
            images: path.join(root, "images"),
            cache: path.join(root, "cache"),
            venv: path.join(root, "dib-venv"),
            logs: path.join(root, "log"),
        };
        fs.mkdirSync(path.join(dirs.venv, "bin"), { recursive: true });
        fs.mkdirSync(dirs.logs);
        for (const tool of ["python", "pip"])
            fs.writeFileSync(path.join(dirs.venv, "bin", tool), "#!/usr/bin/env bash\n", {
                mode: 0o755,
            });
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
        const text = withVars(script, {
            IMAGES_DIR: dirs.images,
            CACHE_DIR: dirs.cache,
            DIB_VENV: dirs.venv,
            LOG_DIR: dirs.logs,
        });
        const run = () => runScript(text, [], { PATH: `${bin}:${process.env.PATH}` });
        const count = () =>
            fs.existsSync(builds) ? fs.readFileSync(builds, "utf8").trim().split("\n").length : 0;
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
        assert.equal(
            fs.readFileSync(path.join(sb.dirs.images, "by-sha256", sha, file), "utf8"),
            "qcow2 bytes\n",
            "served under its own hash",
        );
        assert.ok(r.stdout.length + r.stderr.length < 2000, "stdout and stderr stay small");
        assert.equal(
            fs
                .readFileSync(path.join(sb.dirs.logs, "amphora-build.log"), "utf8")
                .match(/dib-run-parts/g)?.length,
            3000,
        );
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
        assert.ok(
            !fs.existsSync(path.join(sb.dirs.images, file)) &&
                !fs.existsSync(path.join(sb.dirs.images, `${file}.sha256`)),
        );
    });
});

describe("image-server.sh, run for real: python3's http.server under stand-ins for systemd-run and systemctl", () => {
    const settings = stackSettings("aio");
    const file = amphoraImageFile(settings);
    const started: string[] = [];
    after(() => {
        for (const pidFile of started) {
            if (!fs.existsSync(pidFile)) continue;
            try {
                process.kill(Number(fs.readFileSync(pidFile, "utf8")), "SIGKILL");
            } catch {
                /* gone already */
            }
        }
    });

    /** A deploy host in a temp dir: the image where the build leaves it, and transient units as background processes. */
    async function host(sha: string, port?: number) {
        const dir = tempDir("image-server-");
        const images = path.join(dir, "images"),
            units = path.join(dir, "units");
        fs.mkdirSync(units);
        /** A build's image where amphora-build.sh leaves it. */
        const built = (buildSha: string, bytes: string) => {
            fs.mkdirSync(path.join(images, "by-sha256", buildSha), { recursive: true });
            fs.writeFileSync(path.join(images, "by-sha256", buildSha, file), bytes);
        };
        built(sha, `qcow2 bytes of ${sha}\n`);
        const bin = fakeBin({
            sudo: FAKE_SUDO,
            // systemd-run --quiet --collect --unit NAME --property K=V ... CMD...: CMD in the background, its pid kept.
            "systemd-run": `unit=; props=()
while [ $# -gt 0 ]; do case $1 in --quiet|--collect) shift;; --unit) unit=$2; shift 2;; --property) props+=("$2"); shift 2;; *) break;; esac; done
[ ! -e "${units}/$unit.pid" ] || { echo "Unit $unit.service already exists" >&2; exit 1; }
printf '%s\\n' "\${props[@]}" > "${units}/$unit.props"
nohup "$@" >"${units}/$unit.log" 2>&1 & echo $! > "${units}/$unit.pid"`,
            // list-units ... PATTERN: the live units matching it; stop UNIT: kill it and wait, as systemd does.
            systemctl: `if [ "$1" = list-units ]; then pattern=\${!#}
  for f in "${units}"/*.pid; do [ -e "$f" ] || continue; u=$(basename "$f" .pid); [[ $u == $pattern ]] && echo "$u.service loaded active running x"; done; exit 0; fi
if [ "$1" = stop ]; then u=\${2%.service}; [ -e "${units}/$u.pid" ] || exit 5; p=$(cat "${units}/$u.pid"); kill "$p"
  for _ in $(seq 100); do st=$(cut -d' ' -f3 "/proc/$p/stat" 2>/dev/null) || break; [ "$st" != Z ] || break; sleep 0.05; done; rm -f "${units}/$u.pid"; fi
if [ "$1" = is-active ]; then u=\${!#}; if [ -e "${units}/$u.pid" ] && kill -0 "$(cat "${units}/$u.pid")" 2>/dev/null; then s=active; else s=inactive; fi
  [ "$2" = --quiet ] || echo "$s"; [ "$s" = active ]; fi`,
        });
        const freePort =
            port ??
            (await new Promise<number>((resolve) => {
                const srv = require("net")
                    .createServer()
                    .listen(0, "127.0.0.1", () => {
                        const p = srv.address().port;
                        srv.close(() => resolve(p));
                    });
            }));
        const script = (forSha: string) =>
            withVars(imageServerScript(settings, `by-sha256/${forSha}/${file}`, forSha), {
                IMAGES_DIR: images,
                PORT: String(freePort),
            }).replace(/^readonly -a ADDRESSES=.*$/m, "readonly -a ADDRESSES=('127.0.0.1')");
        const run = (forSha: string, mode: string) => {
            const r = runScript(script(forSha), [mode], { PATH: `${bin}:${process.env.PATH}` });
            for (const f of fs.readdirSync(units).filter((n) => n.endsWith(".pid")))
                started.push(path.join(units, f));
            return r;
        };
        const live = () =>
            fs
                .readdirSync(units)
                .filter((n) => n.endsWith(".pid"))
                .map((n) => n.slice(0, -4))
                .sort();
        const fetch = (forSha: string) =>
            spawnSync(
                "curl",
                ["-fsS", `http://127.0.0.1:${freePort}/by-sha256/${forSha}/${file}`],
                { encoding: "utf8" },
            );
        return { run, live, fetch, built, units, images, bin, port: freePort };
    }

    const SHA_A = "a".repeat(64),
        SHA_B = "b".repeat(64);

    it("create serves the built file at its by-sha256 path, as a dynamic user, for three hours", async () => {
        const h = await host(SHA_A);
        const r = h.run(SHA_A, "create");
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout.trim().split("\n").pop(), `by-sha256/${SHA_A}/${file}`);
        assert.equal(h.fetch(SHA_A).stdout, `qcow2 bytes of ${SHA_A}\n`);
        assert.deepEqual(h.live(), [`openstack-aio-images-${SHA_A.slice(0, 12)}-1`]);
        assert.deepEqual(
            fs
                .readFileSync(path.join(h.units, `${h.live()[0]}.props`), "utf8")
                .trim()
                .split("\n"),
            ["DynamicUser=yes", "RuntimeMaxSec=10800"],
        );
        assert.equal(h.run(SHA_A, "delete").status, 0);
        assert.deepEqual(h.live(), []);
        assert.notEqual(h.fetch(SHA_A).status, 0, "stopped");
    });

    it("running create again (an update, an interrupted run) restarts the window instead of failing on the existing unit", async () => {
        const h = await host(SHA_A);
        assert.equal(h.run(SHA_A, "create").status, 0);
        const again = h.run(SHA_A, "create");
        assert.equal(again.status, 0, again.stderr);
        assert.equal(h.live().length, 1);
        assert.equal(h.fetch(SHA_A).status, 0);
        h.run(SHA_A, "delete");
    });

    it("a replacement is delete-first: the old window stops, the new one opens, for a new build and for a --replace", async () => {
        const h = await host(SHA_A);
        h.built(SHA_B, "new bytes\n");
        assert.equal(h.run(SHA_A, "create").status, 0);
        assert.equal(h.run(SHA_A, "delete").status, 0);
        assert.equal(h.run(SHA_B, "create").status, 0);
        assert.deepEqual(h.live(), [`openstack-aio-images-${SHA_B.slice(0, 12)}-1`]);
        assert.equal(h.fetch(SHA_B).stdout, "new bytes\n");
        // `pulumi up --replace` of the same build: delete, then create with the same unit names.
        assert.equal(h.run(SHA_B, "delete").status, 0);
        assert.equal(h.run(SHA_B, "create").status, 0);
        assert.equal(h.fetch(SHA_B).stdout, "new bytes\n");
        h.run(SHA_B, "delete");
    });

    it("a window another build left open (an interrupted run) is stopped before this one opens", async () => {
        const h = await host(SHA_A);
        h.built(SHA_B, "new bytes\n");
        assert.equal(h.run(SHA_A, "create").status, 0);
        assert.equal(h.run(SHA_B, "create").status, 0);
        assert.deepEqual(h.live(), [`openstack-aio-images-${SHA_B.slice(0, 12)}-1`]);
        h.run(SHA_B, "delete");
    });

    it("fails before starting anything when something else holds the port, which would answer in its place", async () => {
        const h = await host(SHA_A);
        const other = spawnSync(
            "bash",
            [
                "-c",
                `cd '${h.images}' && (nohup /usr/bin/python3 -m http.server ${h.port} --bind 127.0.0.1 >/dev/null 2>&1 & echo $!)`,
            ],
            { encoding: "utf8" },
        );
        const pid = Number(other.stdout.trim());
        try {
            for (let i = 0; i < 50 && h.fetch(SHA_A).status !== 0; i++) spawnSync("sleep", ["0.1"]);
            const r = h.run(SHA_A, "create");
            assert.equal(r.status, 1);
            assert.match(
                r.stderr,
                new RegExp(
                    `something already listens on 127\\.0\\.0\\.1:${h.port} \\(see: sudo ss -ltnp 'sport = :${h.port}'\\); stop it`,
                ),
            );
            assert.deepEqual(h.live(), [], "nothing started");
        } finally {
            process.kill(pid, "SIGKILL");
        }
    });

    it("refuses to open a window an active ufw would block, naming the fix", async () => {
        const h = await host(SHA_A);
        const ufw = fakeBin({
            ufw: `echo "Status: active"; echo; echo "To Action From"; echo "22/tcp ALLOW Anywhere"`,
        });
        const r = spawnSync("bash", ["-s", "--", "create"], {
            input: imageServerScript(settings, `by-sha256/${SHA_A}/${file}`, SHA_A)
                .text.replace(/^readonly IMAGES_DIR=.*$/m, `readonly IMAGES_DIR='${h.images}'`)
                .replace(/^readonly -a ADDRESSES=.*$/m, "readonly -a ADDRESSES=('127.0.0.1')"),
            encoding: "utf8",
            env: { ...process.env, PATH: `${ufw}:${h.bin}:${process.env.PATH}` },
        });
        assert.equal(r.status, 1);
        assert.match(
            r.stderr,
            /ufw is active on the deploy host and has no rule for port 8090; .*sudo ufw allow proto tcp from <the machine running Pulumi> to any port 8090/,
        );
        assert.deepEqual(h.live(), []);
    });

    it("refuses to start without the built file, naming it", async () => {
        const h = await host(SHA_A);
        const r = h.run(SHA_B, "create");
        assert.equal(r.status, 1);
        assert.match(
            r.stderr,
            new RegExp(
                `by-sha256/${SHA_B}/${file.replace(/\./g, "\\.")} is missing; the amphora build did not finish`,
            ),
        );
        assert.deepEqual(h.live(), []);
    });
});
