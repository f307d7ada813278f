// render/script.ts: every script a host runs is a fixed prelude, its values as shell-quoted readonly variables, and
// a body from render/scripts/ inside main with stdin from /dev/null. Checked with the real bash.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { renderScript, sha256, shellQuote } from "../render/script";

const bash = (script: string, args: string[] = [], input?: string) =>
    spawnSync("bash", ["-s", "--", ...args], {
        input: input === undefined ? script : script + input,
        encoding: "utf8",
    });

describe("scripts: prelude, quoted values, body", () => {
    const HOSTILE = [
        "plain",
        "it's",
        "$(touch /nonexistent/x) `id` ${HOME} $HOME",
        "back\\slash \"double\" 'single'",
        "line\nbreak\ttab",
        "ünïcødé ✓",
        "",
        "-n",
        "*",
    ];

    it("quotes any value so bash reads it back byte for byte, as a scalar and in an array", () => {
        for (const v of HOSTILE) {
            const r = bash(`printf '%s' ${shellQuote(v)}`);
            assert.equal(r.status, 0, r.stderr);
            assert.equal(r.stdout, v);
        }
        const s = renderScript(
            "t.sh",
            { ONE: HOSTILE[2], MANY: HOSTILE },
            'printf "%s\\0" "$ONE" "${MANY[@]}"',
        );
        const r = bash(s.text);
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(r.stdout.split("\0").slice(0, -1), [HOSTILE[2], ...HOSTILE]);
    });

    it("declares the values readonly in name order, and refuses a name that is not UPPER_SNAKE_CASE", () => {
        const s = renderScript("t.sh", { ZED: 1, ALPHA: true, MID: "m" }, "ZED=2");
        assert.deepEqual(
            s.text.split("\n").filter((l) => l.startsWith("readonly ")),
            ["readonly ALPHA='true'", "readonly MID='m'", "readonly ZED='1'"],
        );
        const r = bash(s.text);
        assert.notEqual(r.status, 0, "a value cannot be changed");
        assert.match(r.stderr, /ZED: readonly variable/);
        assert.throws(() => renderScript("t.sh", { lower: "x" }, "true"), /UPPER_SNAKE_CASE/);
        assert.equal(s.sha256, sha256(s.text));
    });

    it("runs the body with the mode as $1 and stdin from /dev/null, so a command cannot eat the rest of the script", () => {
        const s = renderScript(
            "t.sh",
            {},
            'echo "mode=${1:-none}"\necho "stdin=$(cat)"\necho after',
        );
        // Text after the script on stdin: an unguarded `cat` in the body would have swallowed it; here it still runs.
        const r = bash(s.text, ["update"], "echo appended\n");
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, "mode=update\nstdin=\nafter\nappended\n");
    });

    it("fails on an error in its own code, naming the script, line and command", () => {
        const s = renderScript("t.sh", {}, "true\nfalse\necho unreachable");
        const r = bash(s.text);
        assert.notEqual(r.status, 0);
        assert.equal(r.stdout, "");
        assert.match(r.stderr, /^== t\.sh: line \d+: false failed \(exit 1\)$/m);
    });
});
