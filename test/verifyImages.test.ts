// verify-images.sh (render/verifyImages.ts), run for real: the real ansible-core ad hoc command and its oneline callback
// against hosts with a local connection, each answering `docker image ls --digests --no-trunc` from a stand-in docker
// with its own table; and where the check sits in the stage graph (after pull, before deploy).
import { strict as assert } from "assert";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { kollaImages } from "../render/images";
import { expectedDigests, verifyImagesScript } from "../render/verifyImages";
import { Graph } from "../tools/evaluate/harness";
import { stackSettings } from "../tools/evaluate/stack";
import { tempDir } from "./support/tools";
import { lifecycle, runScript, withVars } from "./support/lifecycle";
import { inputString } from "./support/narrow";

const settings = stackSettings("aio");
const images = kollaImages(settings);
const digestOf = (name: string, salt = "") =>
    `sha256:${createHash("sha256")
        .update(name + salt)
        .digest("hex")}`;
const MIRRORED = Object.fromEntries(images.map((i) => [i.name, digestOf(i.name)]));

/** A `docker image ls --digests --no-trunc` table (docker 20.10's columns) for these images and digests. */
function table(rows: { name: string; digest: string }[]): string {
    const lines = ["REPOSITORY TAG DIGEST IMAGE ID CREATED SIZE"];
    for (const { name, digest } of rows) {
        const i = images.find((x) => x.name === name)!;
        const repo = i.target.slice(0, i.target.lastIndexOf(":"));
        lines.push(
            `${repo}   ${i.tag}   ${digest}   ${digestOf(name, "id")}   2 weeks ago   1.2GB`,
        );
    }
    return lines.join("\n") + "\n";
}

/** Hosts (name → their docker table, or "unreachable") behind the real `ansible`, and the rendered script to run. */
function sandbox(hosts: Record<string, string>, digests = MIRRORED) {
    const root = tempDir("verify-images-");
    const bin = path.join(root, "bin");
    fs.mkdirSync(bin);
    // docker answers from the table of the host the module runs for (its interpreter sets FAKE_HOST).
    fs.writeFileSync(
        path.join(bin, "docker"),
        `#!/usr/bin/env bash\n[ "$*" = "image ls --digests --no-trunc" ] || exit 64\ncat "${root}/$FAKE_HOST.table"\n`,
        { mode: 0o755 },
    );
    const lines = ["[baremetal]"];
    for (const [host, answer] of Object.entries(hosts)) {
        const py = path.join(bin, `python-${host}`);
        fs.writeFileSync(py, `#!/usr/bin/env bash\nFAKE_HOST=${host} exec python3 "$@"\n`, {
            mode: 0o755,
        });
        if (answer === "unreachable") {
            lines.push(
                `${host} ansible_host=127.0.0.1 ansible_port=1 ansible_connection=ssh ansible_ssh_common_args='-o ConnectTimeout=1'`,
            );
        } else {
            fs.writeFileSync(path.join(root, `${host}.table`), answer);
            lines.push(
                `${host} ansible_connection=local ansible_become=false ansible_python_interpreter=${py}`,
            );
        }
    }
    const inventory = path.join(root, "inventory");
    fs.writeFileSync(inventory, lines.join("\n") + "\n");
    const text = withVars(verifyImagesScript(settings, images, digests), {
        VENV: path.join(root, "venv"),
        INVENTORY: inventory,
        LOG_DIR: path.join(root, "log"),
        LOCK_FILE: path.join(root, "deploy.lock"),
    });
    const env = {
        PATH: `${bin}:${process.env.PATH}`,
        HOME: root,
        ANSIBLE_CONFIG: path.join(root, "no-ansible.cfg"),
        ANSIBLE_LOCAL_TEMP: path.join(root, "tmp"),
        ANSIBLE_REMOTE_TEMP: path.join(root, "tmp"),
        ANSIBLE_HOST_KEY_CHECKING: "False",
    };
    return { run: () => runScript(text, [], env, 60000), root };
}

const all = images.map((i) => ({ name: i.name, digest: MIRRORED[i.name] }));

describe("verify-images.sh, run for real with ansible's ad hoc command", function () {
    this.timeout(90000);

    it("passes when every image a target holds has the digest the mirror recorded, naming the count and hosts", () => {
        // kolla pulls per role: a host holds some of the images, another all of them.
        const r = sandbox({ aio1: table(all), aio2: table(all.slice(0, 5)) }).run();
        assert.equal(r.status, 0, r.stdout + r.stderr);
        assert.match(
            r.stdout,
            new RegExp(
                `verify-images: ${all.length + 5} images on 2 hosts \\(aio1, aio2\\) are the mirror's`,
            ),
        );
    });

    it("stops naming the host and the image when a target holds other bytes under the mirror's tag", () => {
        const swapped = all.map((x) =>
            x.name === "nova-compute" ? { ...x, digest: digestOf("evil") } : x,
        );
        const r = sandbox({ aio1: table(all), aio2: table(swapped) }).run();
        assert.equal(r.status, 1, r.stdout);
        assert.match(
            r.stderr,
            new RegExp(
                `aio2: 10\\.10\\.10\\.50:5000/openstack\\.kolla/nova-compute:2023\\.1-ubuntu-jammy is ${digestOf("evil")}, not the mirror's ${MIRRORED["nova-compute"]}`,
            ),
        );
        assert.match(r.stderr, /nothing is deployed/);
        assert.doesNotMatch(r.stderr, /aio1:/, "the other host is fine");
    });

    it("fails when a target cannot be asked, when no target holds any mirrored image, or when the mirror recorded no digest", () => {
        const unreachable = sandbox({ aio1: table(all), aio2: "unreachable" }).run();
        assert.equal(unreachable.status, 1);
        assert.match(unreachable.stderr, /aio2 \| UNREACHABLE/);
        const none = sandbox({ aio1: table([]) }).run();
        assert.equal(none.status, 1);
        assert.match(none.stderr, /no target holds any image of the mirror: nothing was compared/);
        const missing = sandbox({ aio1: table(all) }, { ...MIRRORED, "nova-api": "" }).run();
        assert.equal(missing.status, 1);
        assert.match(missing.stderr, /the mirror recorded no digest for .*nova-api/);
    });

    it("lists each image as the targets' docker names it: <registry>/<namespace>/<name>, its tag, the digest", () => {
        assert.equal(
            expectedDigests(images.slice(0, 1), MIRRORED).split(" ").slice(0, 2).join(" "),
            `10.10.10.50:5000/openstack.kolla/${images[0].name} 2023.1-ubuntu-jammy`,
        );
    });
});

describe("verify-images in the stage graph", () => {
    let g: Graph;
    before(async () => {
        g = await lifecycle();
    });

    it("runs after pull and before deploy, on the deploy host, again after every pull and not otherwise", async () => {
        const v = g.get("kolla-verify-images", "command:remote:Command");
        assert.ok(g.dependsOn(v, g.get("kolla-pull")));
        assert.ok(g.dependsOn(g.get("kolla-deploy"), v), "deploy waits for the check");
        assert.ok(!g.dependsOn(g.get("kolla-pull"), v));
        assert.equal((v.inputs.connection as { host: string }).host, "10.10.10.50");
        assert.ok(
            v.propertyDependencies.triggers?.includes(g.get("kolla-pull").urn),
            "a new pull, a new check",
        );
        assert.equal(v.inputs.update, "true", "new digests alone (no pull) check nothing");
        for (const i of images)
            assert.ok(inputString(v, "stdin").includes(`openstack.kolla/${i.name} `), i.name);
        const through = await lifecycle({ registryMode: "pull-through" });
        assert.equal(
            through.find("kolla-verify-images"),
            undefined,
            "pull-through: no recorded digests",
        );
        assert.ok(through.dependsOn(through.get("kolla-deploy"), through.get("kolla-pull")));
    });
});
