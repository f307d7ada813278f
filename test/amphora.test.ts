// render/amphora.ts: amphora-build.sh, amphora-fetch.sh and amphora-upload.sh, run for real under stand-ins. The
// component that runs them: amphoraBuild.test.ts.
import { strict as assert } from "assert";
import { ChildProcess, spawn } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import {
    AMPHORA_TAG,
    amphoraBuildScript,
    amphoraFetchScript,
    amphoraImageFile,
    amphoraImageName,
    amphoraUploadScript,
} from "../render/amphora";
import { freePort } from "../bench/registryPair";
import { tempDir, waitForPort } from "./support/tools";
import { asDict, asStrings, asString, parseJson } from "./support/narrow";
import { FAKE_SUDO, fakeBin, runScript, withVars } from "./support/lifecycle";
import { stackSettings } from "../tools/evaluate/stack";

const SHA = "c".repeat(64);
const URL_SOURCE = {
    amphoraSource: "url",
    amphoraImageUrl: "https://example.org/amphora.qcow2",
    amphoraImageSha256: SHA,
};

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
        return { run, count, dirs, bin, text };
    }

    it("builds once: prints '<file> <sha256>' last, keeps diskimage-builder's chatter in the log, not in Pulumi's state", () => {
        const sb = sandbox("");
        const r = sb.run();
        assert.equal(r.status, 0, r.stderr);
        const out = path.join(sb.dirs.images, file);
        const sha = createHash("sha256").update("qcow2 bytes\n").digest("hex");
        assert.equal(r.stdout.trim().split("\n").pop(), `${out} ${sha}`);
        assert.equal(fs.readFileSync(`${out}.sha256`, "utf8"), `${sha}\n`);
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
        assert.equal(again.stdout.trim(), `${out} ${sha}`);
    });

    it("never pairs an image with another build's hash: a publish cut off after the image moved is built again", () => {
        const sb = sandbox("");
        assert.equal(sb.run().status, 0);
        const out = path.join(sb.dirs.images, file);
        // What the earlier version left when interrupted between its moves: the new image, the old build's hashes.
        fs.writeFileSync(out, "bytes of a newer build\n");
        const r = sb.run();
        assert.equal(r.status, 0, r.stderr);
        assert.match(
            r.stderr,
            /does not hash to .*\.sha256 \(an interrupted publish\): building it again/,
        );
        assert.equal(sb.count(), 2);
        const sha = createHash("sha256").update("qcow2 bytes\n").digest("hex");
        assert.equal(r.stdout.trim().split("\n").pop(), `${out} ${sha}`);
        assert.equal(fs.readFileSync(out, "utf8"), "qcow2 bytes\n");
    });

    it("two builds at once: the second waits for the first and keeps its image (one diskimage-create)", async () => {
        const sb = sandbox("sleep 2");
        const runs = [0, 1].map(
            () =>
                new Promise<{ code: number; out: string }>((resolve) => {
                    const p = spawn("bash", ["-s"], {
                        env: { ...process.env, PATH: `${sb.bin}:${process.env.PATH}` },
                    });
                    let out = "";
                    p.stdout.on("data", (d) => (out += String(d)));
                    p.on("exit", (code) => resolve({ code: code ?? -1, out }));
                    p.stdin.end(sb.text);
                }),
        );
        const [a, b] = await Promise.all(runs);
        assert.deepEqual([a.code, b.code], [0, 0]);
        assert.equal(sb.count(), 1, "one build");
        assert.equal(a.out.trim().split("\n").pop(), b.out.trim().split("\n").pop());
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

describe("amphora-fetch.sh, run for real: https only, kept only if it hashes to amphoraImageSha256", () => {
    const BYTES = "prebuilt amphora bytes\n";
    const sha = createHash("sha256").update(BYTES).digest("hex");
    function sandbox(urlSha = sha) {
        const root = tempDir("amphora-fetch-");
        const images = path.join(root, "images");
        const source = path.join(root, "published.qcow2");
        fs.writeFileSync(source, BYTES);
        const settings = stackSettings("aio", { ...URL_SOURCE, amphoraImageSha256: urlSha });
        const text = withVars(amphoraFetchScript(settings), { IMAGES_DIR: images });
        // curl as a stand-in that copies the published file to -o (the real one is checked against http below).
        const bin = fakeBin({
            sudo: FAKE_SUDO,
            curl: `while [ $# -gt 1 ]; do [ "$1" = -o ] && out=$2; shift; done; cp ${JSON.stringify(source)} "$out"`,
        });
        const run = () => runScript(text, [], { PATH: `${bin}:${process.env.PATH}` });
        return { run, images, source };
    }

    it("keeps a download that hashes right and prints '<file> <sha256>'; a second run keeps it", () => {
        const sb = sandbox();
        const r = sb.run();
        assert.equal(r.status, 0, r.stderr);
        const out = path.join(sb.images, `amphora-${sha}.qcow2`);
        assert.equal(r.stdout.trim(), `${out} ${sha}`);
        assert.equal(fs.readFileSync(out, "utf8"), BYTES);
        fs.writeFileSync(sb.source, "changed upstream\n");
        assert.equal(sb.run().stdout.trim(), `${out} ${sha}`, "kept: it still hashes right");
    });

    it("refuses a download whose sha256 differs, keeping nothing", () => {
        const sb = sandbox("d".repeat(64));
        const r = sb.run();
        assert.equal(r.status, 1);
        assert.match(
            r.stderr,
            new RegExp(
                `has sha256 ${sha}, not d{64} \\(openstack-aio:amphoraImageSha256\\): not this image`,
            ),
        );
        assert.deepEqual(
            fs.readdirSync(sb.images).filter((f) => !f.startsWith(".")),
            [],
        );
    });

    it("the real curl with the script's options refuses plain http", async () => {
        const dir = tempDir("amphora-http-");
        fs.writeFileSync(path.join(dir, "a.qcow2"), BYTES);
        const port = await freePort();
        const server: ChildProcess = spawn(
            "python3",
            ["-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", dir],
            { stdio: "ignore" },
        );
        try {
            await waitForPort(port, "python3 -m http.server");
            const settings = stackSettings("aio", URL_SOURCE);
            const text = withVars(amphoraFetchScript(settings), {
                IMAGES_DIR: path.join(dir, "images"),
                URL: `http://127.0.0.1:${port}/a.qcow2`,
                SHA256: sha,
            });
            const r = runScript(text, [], {
                PATH: `${fakeBin({ sudo: FAKE_SUDO })}:${process.env.PATH}`,
            });
            assert.equal(r.status, 1, r.stdout);
            assert.match(
                r.stderr,
                /Protocol "http" not supported or disabled|downloading .* failed/,
            );
            assert.ok(!fs.existsSync(path.join(dir, "images", `amphora-${sha}.qcow2`)));
        } finally {
            server.kill("SIGKILL");
        }
    });
});

// A stand-in for python-openstackclient 6.2.0 against a Glance: images in a JSON file; `image show -f json` in OSC's
// shape (image/v2/image.py _format_image: os_hash_* and custom properties flattened into "properties"); Glance
// computes checksum (md5) and os_hash_value (sha512) over the bytes it stored. FAKE_GLANCE_ALTER: the bytes are changed
// in transit. Every call is logged with the tags each image has at that moment.
const FAKE_OPENSTACK = `import hashlib, json, os, sys, uuid
state_file, log = os.environ["FAKE_GLANCE"], os.environ["FAKE_GLANCE"] + ".log"
state = json.load(open(state_file)) if os.path.exists(state_file) else {}
args = sys.argv[1:]
with open(log, "a") as f:
    f.write(json.dumps({"args": args, "tagged": {i: im["tags"] for i, im in state.items()}}) + "\\n")
if os.environ.get("FAKE_GLANCE_DOWN"):
    sys.exit("Failed to discover available identity versions")
def opt(name, many=False):
    vals = [args[i + 1] for i, a in enumerate(args) if a == name]
    return vals if many else (vals[0] if vals else None)
def save(): json.dump(state, open(state_file, "w"))
if args[:2] == ["image", "list"]:
    for i, im in state.items():
        if im["name"] == opt("--name") and im["visibility"] == "private": print(i)
elif args[:2] == ["image", "create"]:
    data = open(opt("--file"), "rb").read()
    if os.environ.get("FAKE_GLANCE_ALTER"): data += b"substituted"
    i = str(uuid.uuid4())
    props = dict(p.split("=", 1) for p in opt("--property", True))
    state[i] = {"id": i, "name": args[-1], "status": "active", "visibility": "private" if "--private" in args else "shared",
                "checksum": hashlib.md5(data).hexdigest(), "os_hash_algo": "sha512",
                "os_hash_value": hashlib.sha512(data).hexdigest(), "tags": [], "props": props}
    save(); print(i)
elif args[:2] == ["image", "show"]:
    im = state[args[2]]
    props = dict(im["props"], os_hash_algo=im["os_hash_algo"], os_hash_value=im["os_hash_value"])
    print(json.dumps({k: im[k] for k in ("id", "name", "status", "visibility", "checksum", "tags")} | {"properties": props}))
elif args[:2] == ["image", "set"]:
    state[args[-1]]["tags"].append(opt("--tag")); save()
elif args[:2] == ["image", "delete"]:
    del state[args[2]]; save()
else:
    sys.exit("fake openstack: unknown " + " ".join(args))
`;

describe("amphora-upload.sh, run for real against a stand-in for the openstack CLI and Glance", () => {
    const BYTES = "built amphora bytes\n";
    const sha = createHash("sha256").update(BYTES).digest("hex");

    function sandbox() {
        const root = tempDir("amphora-upload-");
        const file = path.join(root, "amphora.qcow2");
        fs.writeFileSync(file, BYTES);
        const openrc = path.join(root, "octavia-openrc.sh");
        fs.writeFileSync(
            openrc,
            "export OS_AUTH_URL='http://10.10.30.55:5000' OS_USERNAME='octavia'\n",
        );
        const glance = path.join(root, "glance.json");
        const venv = path.join(root, "venv");
        fs.mkdirSync(path.join(venv, "bin"), { recursive: true });
        fs.writeFileSync(path.join(root, "openstack.py"), FAKE_OPENSTACK);
        fs.writeFileSync(
            path.join(venv, "bin", "openstack"),
            `#!/usr/bin/env bash\nexec python3 ${JSON.stringify(path.join(root, "openstack.py"))} "$@"\n`,
            { mode: 0o755 },
        );
        const text = withVars(amphoraUploadScript(stackSettings("aio"), file, sha), {
            VENV: venv,
            OPENRC: openrc,
        });
        const run = (mode: string, env: Record<string, string> = {}) =>
            runScript(text, [mode], { FAKE_GLANCE: glance, ...env });
        // The fake's state file: image id → the image (the fields the tests read).
        const images = (): Record<string, { tags: string[]; name: string }> => {
            const state = fs.existsSync(glance)
                ? asDict(parseJson(fs.readFileSync(glance, "utf8")), "glance.json")
                : {};
            return Object.fromEntries(
                Object.entries(state).map(([id, value]) => {
                    const image = asDict(value, `image ${id}`);
                    return [
                        id,
                        {
                            tags: asStrings(image.tags, `image ${id} tags`),
                            name: asString(image.name, `image ${id} name`),
                        },
                    ];
                }),
            );
        };
        // The fake's log: a line per call, its arguments and every image's tags when it was called.
        const calls = (): { args: string[]; tagged: Record<string, string[]> }[] =>
            fs
                .readFileSync(`${glance}.log`, "utf8")
                .trim()
                .split("\n")
                .map((l, i) => {
                    const call = asDict(parseJson(l), `call ${i}`);
                    const tagged = asDict(call.tagged, `call ${i} tagged`);
                    return {
                        args: asStrings(call.args, `call ${i} args`),
                        tagged: Object.fromEntries(
                            Object.entries(tagged).map(([id, t]) => [id, asStrings(t, id)]),
                        ),
                    };
                });
        return { run, images, calls, file, openrc, glance };
    }

    it("uploads private and untagged, compares Glance's checksums with the file's, then tags it amphora and prints its id", () => {
        const sb = sandbox();
        const r = sb.run("create");
        assert.equal(r.status, 0, r.stderr);
        const [id] = Object.keys(sb.images());
        assert.equal(r.stdout.trim(), id);
        const img = sb.images()[id];
        assert.deepEqual(img.tags, [AMPHORA_TAG]);
        assert.equal(img.name, amphoraImageName(sha));
        const steps = sb.calls().map((c) => c.args.slice(0, 2).join(" "));
        assert.deepEqual(steps, [
            "image list", // Glance answers
            "image list", // no earlier image of these bytes
            "image create",
            "image show", // its checksums, as Glance computed them
            "image set", // the tag, last
        ]);
        const create = sb.calls()[2].args;
        assert.ok(create.includes("--private") && !create.includes("--tag"), create.join(" "));
        assert.ok(
            create.includes(`openstack_aio_sha256=${sha}`) &&
                create.includes("hw_architecture=x86_64") &&
                create.includes("hw_rng_model=virtio"),
        );
    });

    it("an image altered in transit is deleted untagged: Octavia never sees it, and the run fails naming the checksums", () => {
        const sb = sandbox();
        const r = sb.run("create", { FAKE_GLANCE_ALTER: "1" });
        assert.equal(r.status, 1);
        const md5 = createHash("md5").update(BYTES).digest("hex");
        assert.match(r.stderr, new RegExp(`checksum is [0-9a-f]{32}, the built image's ${md5}`));
        assert.match(r.stderr, /os_hash_value is [0-9a-f]{128}, the built image's [0-9a-f]{128}/);
        assert.match(r.stderr, /the image was deleted untagged, so Octavia never saw it/);
        assert.deepEqual(sb.images(), {}, "deleted");
        for (const c of sb.calls())
            for (const tags of Object.values(c.tagged))
                assert.ok(!tags.includes(AMPHORA_TAG), "never tagged, at no moment");
    });

    it("a re-run keeps the verified image (no second upload); an earlier image that does not hold the bytes is replaced", () => {
        const sb = sandbox();
        const first = sb.run("create").stdout.trim();
        const again = sb.run("update");
        assert.equal(again.status, 0, again.stderr);
        assert.equal(again.stdout.trim(), first);
        assert.equal(Object.keys(sb.images()).length, 1);
        // An interrupted earlier run left an altered, untagged image of this name: it is deleted, the bytes uploaded.
        const altered = sandbox();
        altered.run("create", { FAKE_GLANCE_ALTER: "1" });
        const state = {
            bad: {
                id: "bad",
                name: amphoraImageName(sha),
                status: "active",
                visibility: "private",
                checksum: "0".repeat(32),
                os_hash_algo: "sha512",
                os_hash_value: "0".repeat(128),
                tags: [],
                props: { openstack_aio_sha256: sha },
            },
        };
        fs.writeFileSync(altered.glance, JSON.stringify(state));
        const r = altered.run("create");
        assert.equal(r.status, 0, r.stderr);
        assert.ok(!("bad" in altered.images()));
        assert.deepEqual(Object.values(altered.images())[0].tags, [AMPHORA_TAG]);
    });

    it("delete removes this build's image; with the cloud gone it has nothing to do", () => {
        const sb = sandbox();
        sb.run("create");
        const d = sb.run("delete");
        assert.equal(d.status, 0, d.stderr);
        assert.deepEqual(sb.images(), {});
        assert.equal(sb.run("delete", { FAKE_GLANCE_DOWN: "1" }).status, 0);
        fs.rmSync(sb.openrc);
        assert.equal(sb.run("delete").status, 0);
    });

    it("refuses a file changed since the build, and says so when Glance does not answer from the deploy host", () => {
        const sb = sandbox();
        const down = sb.run("create", { FAKE_GLANCE_DOWN: "1" });
        assert.equal(down.status, 1);
        assert.match(
            down.stderr,
            /Glance does not answer .* the deploy host must reach the internal VIP/,
        );
        fs.writeFileSync(sb.file, "other bytes\n");
        const changed = sb.run("create");
        assert.equal(changed.status, 1);
        assert.match(
            changed.stderr,
            /no longer hashes to [0-9a-f]{64} \(changed on .* since the build\): nothing is uploaded/,
        );
        assert.deepEqual(sb.images(), {});
    });
});
