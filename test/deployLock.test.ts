// deploy-lock.sh, run for real: the one lock every deploy-host script takes (flock on fd 9, inherited by all a script
// starts), what a waiting run says about its holder, and why deleting the lock file lets nobody in.
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { renderScript, scriptBody } from "../render/script";
import { runScript } from "./support/lifecycle";
import { tempDir } from "./support/tools";

/** A script that takes the lock as `what`, then runs `body`; the lock file in `dir`. */
function locking(dir: string, what: string, body: string, wait = 1): string {
    return renderScript(
        `${what}.sh`,
        { LOCK_FILE: path.join(dir, "deploy.lock"), LOCK_WAIT: wait },
        `${scriptBody("deploy-lock.sh")}hold_deploy_lock ${what} /var/log/${what}.log\n${body}\n`,
    ).text;
}

/** Runs a script in the background; resolves once `ready` exists. */
async function background(text: string, ready: string): Promise<() => Promise<void>> {
    const p = spawn("bash", ["-s"], { stdio: ["pipe", "ignore", "ignore"] });
    const exited = new Promise<void>((resolve) => p.on("exit", () => resolve()));
    p.stdin.end(text);
    for (let i = 0; i < 100 && !fs.existsSync(ready); i++)
        await new Promise((r) => setTimeout(r, 50));
    assert.ok(fs.existsSync(ready), "the first run took the lock");
    return () => exited;
}

describe("deploy-lock.sh: one run at a time on the deploy host", function () {
    this.timeout(30000);

    it("a second run waits for the first, then proceeds", async () => {
        const dir = tempDir("lock-");
        const ready = path.join(dir, "ready");
        const done = await background(locking(dir, "first", `touch ${ready}; sleep 1`), ready);
        const r = runScript(locking(dir, "second", "echo second ran", 10), [], {});
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /second ran/);
        await done();
    });

    it("names what holds the lock when the run that took it has exited and left a child holding it", async () => {
        const dir = tempDir("lock-");
        const ready = path.join(dir, "ready");
        // The first run starts a long child (as an interrupted kolla-ansible is) and exits: the child keeps fd 9.
        const first = await background(
            locking(dir, "first", `sleep 20 >/dev/null 2>&1 &\necho $! > ${ready}`),
            ready,
        );
        await first();
        const child = fs.readFileSync(ready, "utf8").trim();
        try {
            const r = runScript(locking(dir, "second", "echo second ran"), [], {});
            assert.equal(r.status, 75, r.stdout);
            const holderPid = /^pid (\d+) /.exec(
                fs.readFileSync(path.join(dir, "deploy.lock.holder"), "utf8"),
            )![1];
            assert.match(
                r.stderr,
                new RegExp(
                    `second: the deploy host is busy: .*deploy\\.lock is held by the processes \\(first, since .*\\) left running after pid ${holderPid} exited: pid ${child} \\(sleep 20\\); waited 1s\\.`,
                ),
            );
            assert.match(r.stderr, /do not delete the lock file, it is never stale/);
        } finally {
            process.kill(Number(child), "SIGKILL");
        }
    });

    it("deleting the lock file while a run holds it lets no second run in until that run ends", async () => {
        const dir = tempDir("lock-");
        const ready = path.join(dir, "ready");
        const release = path.join(dir, "release");
        const log = path.join(dir, "ran");
        // The first run holds the lock until the test releases it (at most 15 s).
        const done = await background(
            locking(
                dir,
                "first",
                `touch ${ready}; for _ in $(seq 300); do [ -e ${release} ] && break; sleep 0.05; done; echo first-done >> ${log}`,
            ),
            ready,
        );
        // An operator takes the lock file for stale and removes it.
        fs.rmSync(path.join(dir, "deploy.lock"));
        const refused = runScript(locking(dir, "second", `echo second >> ${log}`, 1), [], {});
        assert.equal(refused.status, 75, refused.stdout + refused.stderr);
        assert.match(
            refused.stderr,
            /second: the deploy host is busy: .*deploy\.lock was deleted while pid \d+ \(bash -s\)(, pid \d+ \([^)]*\))* held it/,
        );
        // A third run waits for the first: nothing of it ran before the first is released.
        const third = spawn("bash", ["-s"], { stdio: ["pipe", "ignore", "pipe"] });
        let stderr = "";
        third.stderr.on("data", (d) => (stderr += String(d)));
        const thirdExit = new Promise<number | null>((resolve) => third.on("exit", resolve));
        third.stdin.end(locking(dir, "third", `echo third >> ${log}`, 15));
        await new Promise((r) => setTimeout(r, 1000));
        assert.equal(fs.existsSync(log), false, "the third run did not wait");
        fs.writeFileSync(release, "");
        assert.equal(await thirdExit, 0, stderr);
        await done();
        assert.deepEqual(fs.readFileSync(log, "utf8").trim().split("\n"), ["first-done", "third"]);
    });
});
