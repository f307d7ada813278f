// render/mirror.ts: the order of the copies and mirror-image.sh run for real against a fake registry pair. With real
// skopeo and a real registry pair: mirror.real.test.ts.
import { strict as assert } from "assert";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { kollaImages, SKOPEO_IMAGE } from "../render/images";
import { BLOB_CACHE_DIR, LOCAL_REGISTRY, mirrorScript, mirrorWaits } from "../render/mirror";
import { stackSettings } from "../tools/evaluate/stack";
import { tempDir } from "./support/tools";
import { fakeBin, runScript } from "./support/lifecycle";

describe("mirrorWaits: the copies in waves", () => {
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
[ "$1 $2 $3 $4 $5 $6 $7" = "run --rm --network container:registry -v ${BLOB_CACHE_DIR}:/var/lib/containers/cache ${SKOPEO_IMAGE}" ] || { echo "unexpected docker $*" >&2; exit 64; }
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
        const text = mirrorScript(image, LOCAL_REGISTRY, SKOPEO_IMAGE).text;
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
