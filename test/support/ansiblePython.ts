// The Python that runs ansible-core here (the interpreter on ansible-inventory's #! line): it imports ansible and,
// as ansible-core requires it, PyYAML, the loader Ansible reads globals.yml with.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";

let cached: string | undefined;

export function ansiblePython(): string {
    if (cached) return cached;
    const which = spawnSync("bash", ["-c", "command -v ansible-inventory"], { encoding: "utf8" });
    assert.equal(which.status, 0, "ansible-inventory is not installed");
    const shebang = fs.readFileSync(which.stdout.trim(), "utf8").split("\n")[0];
    const m = shebang.match(/^#!\s*(\S+)(?:\s+(\S+))?/);
    assert.ok(m, `no #! line in ${which.stdout.trim()}`);
    cached = m[1].endsWith("/env") && m[2] ? m[2] : m[1];
    return cached;
}

/** Runs Python code with ansible-core's interpreter and returns its stdout. */
export function python(code: string, ...args: string[]): string {
    const r = spawnSync(ansiblePython(), ["-c", code, ...args], { encoding: "utf8" });
    assert.equal(r.error, undefined, `python could not run: ${r.error}`);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
}
