// The network-facing registry is read-only, proven on a real distribution registry (Debian's docker-registry, the
// same code as registry:2) with exactly the environment the component gives the container.
import { strict as assert } from "assert";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { READ_ONLY_MAINTENANCE } from "../components/registry/localRegistry";
import { freePort } from "../bench/registryPair";
import { tempDir } from "./support/tools";

async function waitUp(url: string, proc: ChildProcess, log: () => string): Promise<void> {
    for (let i = 0; i < 100; i++) {
        if (proc.exitCode !== null)
            throw new Error(`registry exited ${proc.exitCode}: ${log().slice(-400)}`);
        try {
            if ((await fetch(url)).status === 200) return;
        } catch {
            /* not listening yet */
        }
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`registry did not come up: ${log().slice(-400)}`);
}

describe("LocalRegistry: the network sees a read-only registry (real docker-registry)", function () {
    this.timeout(30000);
    let dir: string;
    const procs: ChildProcess[] = [];
    before(() => {
        dir = tempDir("registry-ro-");
    });
    after(() => {
        for (const p of procs) p.kill("SIGKILL");
        fs.rmSync(dir, { recursive: true, force: true });
    });

    async function start(
        env: Record<string, string>,
    ): Promise<{ url: string; log: () => string; proc: ChildProcess }> {
        const port = await freePort();
        const config = path.join(dir, `config-${port}.yml`);
        fs.writeFileSync(
            config,
            `version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ${path.join(dir, "data")}\nhttp:\n  addr: 127.0.0.1:${port}\n`,
        );
        const logFile = path.join(dir, `log-${port}`);
        const out = fs.openSync(logFile, "w");
        const proc = spawn("docker-registry", ["serve", config], {
            stdio: ["ignore", out, out],
            env: { ...process.env, ...env },
        });
        fs.closeSync(out);
        procs.push(proc);
        const log = () => fs.readFileSync(logFile, "utf8");
        return { url: `http://127.0.0.1:${port}`, log, proc };
    }

    it("refuses pushes with the component's maintenance setting, serves reads, and the writable one accepts them", async () => {
        const ro = await start({ REGISTRY_STORAGE_MAINTENANCE: READ_ONLY_MAINTENANCE });
        await waitUp(`${ro.url}/v2/`, ro.proc, ro.log);
        assert.equal(
            (
                await fetch(`${ro.url}/v2/openstack.kolla/keystone/blobs/uploads/`, {
                    method: "POST",
                })
            ).status,
            405,
        );
        const rw = await start({});
        await waitUp(`${rw.url}/v2/`, rw.proc, rw.log);
        assert.equal(
            (
                await fetch(`${rw.url}/v2/openstack.kolla/keystone/blobs/uploads/`, {
                    method: "POST",
                })
            ).status,
            202,
        );
    });

    it("the leaf variable form would crash registry:2 at start (why the whole map is set)", async () => {
        const leaf = await start({ REGISTRY_STORAGE_MAINTENANCE_READONLY_ENABLED: "true" });
        await new Promise((resolve) => leaf.proc.on("exit", resolve));
        assert.match(leaf.log(), /panic: readonly config key must contain additional keys/);
    });
});
