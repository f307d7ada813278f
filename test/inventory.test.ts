import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { inventorySpliceScript, renderInventory } from "../render/inventory";
import { spliceInventory } from "./support/splice";
import { kollaPaths, LOCK_FILE } from "../render/paths";
import { Settings } from "../config/settings";
import {
    ansibleInventoryList,
    ansibleInventoryRuns,
    InventoryList,
    tempDir,
} from "./support/tools";
import { stackSettings } from "../tools/evaluate/stack";
import { fakeBin, withVars } from "./support/lifecycle";

const SHIPPED = fs.readFileSync(path.join(__dirname, "fixtures/multinode-shipped.ini"), "utf8");
const KEY = "/opt/openstack-aio/ssh/deploy_key";

/** Splices with the real script (paths redirected into a temp dir) and returns ansible-inventory's JSON. */
function spliceOnDisk(settings: Settings): { text: string; list: InventoryList } {
    const dir = tempDir();
    const top = path.join(dir, "top.ini"),
        shipped = path.join(dir, "multinode"),
        out = path.join(dir, "inventory");
    fs.writeFileSync(top, renderInventory(settings, { privateKeyFile: KEY }));
    fs.writeFileSync(shipped, SHIPPED);
    const script = withVars(inventorySpliceScript(settings), {
        TOP: top,
        SHIPPED: shipped,
        OUT: out,
    });
    for (let run = 0; run < 2; run++) {
        // twice: idempotent
        const r = spawnSync("bash", ["-s"], { input: script, encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
    }
    const text = fs.readFileSync(out, "utf8");
    return { text, list: ansibleInventoryList(out) };
}

const multinode = () =>
    stackSettings("aio", {
        hosts: [
            ...[1, 2, 3].map((i) => ({
                name: `control0${i}`,
                address: `10.10.10.1${i}`,
                roles: ["control", "monitoring"],
                interfaces: { management: "eth1", api: "eth2", external: "eth3" },
            })),
            ...[1, 2].map((i) => ({
                name: `compute0${i}`,
                address: `10.10.10.2${i}`,
                roles: ["compute", "storage"],
                interfaces: { management: "ens3", external: "ens5" },
            })),
            {
                name: "network01",
                address: "10.10.10.31",
                roles: ["network"],
                interfaces: { management: "eth1", api: "eth2", external: "eth3" },
                sshUser: "ops",
            },
        ],
        vip: "10.10.30.55",
    });

describe("inventory: rendered, spliced and read back by ansible-inventory", () => {
    it("aio: the one host in every top group with its connection vars", () => {
        const { list } = spliceOnDisk(stackSettings("aio"));
        for (const g of ["control", "network", "compute", "monitoring", "storage"])
            assert.deepEqual(list.groups[g].hosts, ["aio"], g);
        assert.deepEqual(list.groups.deployment.hosts, ["localhost"]);
        const vars = list.hostvars.aio;
        assert.equal(vars.ansible_host, "10.10.10.51");
        assert.equal(vars.ansible_user, "vagrant");
        assert.equal(vars.ansible_private_key_file, KEY);
        assert.equal(vars.ansible_become, true);
        assert.equal(list.hostvars.localhost.ansible_connection, "local");
    });

    it("aio: kolla's service groups resolve to the host through the spliced children", () => {
        const { list } = spliceOnDisk(stackSettings("aio"));
        assert.deepEqual(list.groups.baremetal.children?.sort(), [
            "compute",
            "control",
            "monitoring",
            "network",
            "storage",
        ]);
        assert.ok(list.groups.loadbalancer.children?.includes("network"));
        assert.ok(list.groups.mariadb.children?.includes("control"));
        assert.ok(
            !JSON.stringify(list).includes("control01"),
            "the shipped example hosts are not spliced in",
        );
    });

    it("multinode (3 control, 2 compute, 1 network): membership and per-host interfaces", () => {
        const { list } = spliceOnDisk(multinode());
        assert.deepEqual(list.groups.control.hosts, ["control01", "control02", "control03"]);
        assert.deepEqual(list.groups.compute.hosts, ["compute01", "compute02"]);
        assert.deepEqual(list.groups.network.hosts, ["network01"]);
        assert.deepEqual(list.groups.storage.hosts, ["compute01", "compute02"]);
        const hv = list.hostvars;
        assert.equal(hv.compute01.network_interface, "ens3");
        assert.equal(hv.compute01.neutron_external_interface, "ens5");
        assert.equal(hv.control02.api_interface, "eth2");
        assert.equal(hv.network01.ansible_user, "ops");
        assert.ok(
            !("tunnel_interface" in hv.control01) || hv.control01.tunnel_interface === "eth1",
        );
    });

    it("the TypeScript splice and the host script produce the same file", () => {
        for (const s of [stackSettings("aio"), multinode()]) {
            const { text } = spliceOnDisk(s);
            assert.equal(
                text,
                spliceInventory(renderInventory(s, { privateKeyFile: KEY }), SHIPPED),
            );
        }
    });

    it("refuses a shipped file without service groups, on the host too: no output, no temp file left", () => {
        assert.throws(
            () => spliceInventory("[control]\n", "[control]\nhost\n"),
            /baremetal:children/,
        );
        const dir = tempDir();
        const top = path.join(tempDir("top-"), "top.ini"),
            shipped = path.join(dir, "multinode"),
            out = path.join(dir, "inventory");
        fs.writeFileSync(top, "[control]\naio\n");
        fs.writeFileSync(shipped, "[control]\nhost\n");
        const script = withVars(inventorySpliceScript(stackSettings("aio")), {
            TOP: top,
            SHIPPED: shipped,
            OUT: out,
        });
        // On the deploy host the lock beside TOP is the deploy host's one lock.
        assert.equal(path.dirname(kollaPaths("2023.1").inventoryTop), path.dirname(LOCK_FILE));
        const r = spawnSync("bash", ["-s"], { input: script, encoding: "utf8" });
        assert.equal(r.status, 1);
        assert.match(r.stderr, /has no \[baremetal:children\] section/);
        assert.doesNotMatch(r.stderr, /unbound variable/);
        assert.deepEqual(fs.readdirSync(dir).sort(), ["multinode"]);
        // A command failing under `set -e` (here mv) also cleans up: the trap must not depend on main's locals.
        fs.writeFileSync(shipped, SHIPPED);
        const failingMv = fakeBin({ mv: "exit 1" });
        const e = spawnSync("bash", ["-s"], {
            input: script,
            encoding: "utf8",
            env: { ...process.env, PATH: `${failingMv}:${process.env.PATH}` },
        });
        assert.equal(e.status, 1);
        assert.doesNotMatch(e.stderr, /unbound variable/);
        assert.deepEqual(fs.readdirSync(dir).sort(), ["multinode"]);
    });

    it("many inventories read in one interpreter print what the ansible-inventory command prints, and fail as it fails", () => {
        const dir = tempDir();
        const good = path.join(dir, "good"),
            other = path.join(dir, "other"),
            bad = path.join(dir, "bad");
        fs.writeFileSync(
            good,
            spliceInventory(renderInventory(multinode(), { privateKeyFile: KEY }), SHIPPED),
        );
        fs.writeFileSync(
            other,
            spliceInventory(
                renderInventory(stackSettings("aio"), { privateKeyFile: KEY }),
                SHIPPED,
            ),
        );
        fs.writeFileSync(bad, "[control\naio\n");
        const cli = (file: string) =>
            spawnSync("ansible-inventory", ["-i", file, "--list"], {
                encoding: "utf8",
                env: {
                    ...process.env,
                    ANSIBLE_INVENTORY_UNPARSED_FAILED: "true",
                    ANSIBLE_LOCAL_TEMP: path.join(dir, "t"),
                },
            });
        const runs = ansibleInventoryRuns([good, bad, other]);
        for (const [i, file] of [good, bad, other].entries()) {
            const want = cli(file);
            assert.equal(runs[i].status, want.status, file);
            assert.equal(runs[i].stdout, want.stdout, file);
        }
        assert.notEqual(runs[1].status, 0);
        assert.match(runs[1].stderr, /Unable to parse \S*bad as an\s+inventory source/);
    });
});
