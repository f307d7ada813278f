// render/script.ts: every script a host runs is a fixed prelude, its values as shell-quoted readonly variables, and
// a body from render/scripts/ inside main with stdin from /dev/null. Checked with the real bash.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { renderScript, sha256, shellQuote } from "../render/script";
import { assertShellcheckClean, lintFiles } from "./support/tools";

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

// The lint of many scripts checks each distinct body once and every value line once (test/support/tools.ts
// lintFiles): sound only while it finds every value renderScript writes, and every line still reaches shellcheck.
describe("scripts: linted by parts (a body once, each value once)", () => {
    const VALUES = {
        PLAIN: "plain",
        QUOTE: "it's",
        DATA: "echo $HOME `id`",
        LINES: "line\nbreak",
        EMPTY: "",
        LIST: ["a", "it's", "line\nbreak"],
        NONE: [] as string[],
    };
    const body = 'echo "$PLAIN $QUOTE $DATA $LINES $EMPTY" "${LIST[@]}" "${NONE[@]}"';

    it("finds every value renderScript writes, so scripts that differ only in values share one body", () => {
        const a = renderScript("a.sh", VALUES, body);
        const b = renderScript("b-host1.sh", { ...VALUES, PLAIN: "other", LIST: ["x"] }, body);
        const files = lintFiles([a, b]);
        assert.deepEqual(
            files.map((f) => f.name),
            ["a.sh", "values.sh"],
        );
        for (const v of ["plain", "it'\\''s", "echo $HOME", "line\nbreak", "other", "'x'"]) {
            assert.ok(!files[0].text.includes(v), `the body still holds ${v}`);
            assert.ok(files[1].text.includes(v), `values.sh lacks ${v}`);
        }
        // Each line as the script wrote it: the SC2016 note stays with its value, the name in the header too.
        assert.match(
            files[1].text,
            /# shellcheck disable=SC2016.*\nreadonly VALUE_\d+='echo \$HOME `id`'\n/,
        );
        assert.match(files[1].text, /^# b-host1\.sh: rendered by openstack-aio/m);
        assertShellcheckClean([a, b]);
    });

    it("fails on a finding in a value's line or in a body, whichever script holds it", () => {
        const clean = renderScript("a.sh", VALUES, body);
        // A value holding `$` without the note renderScript writes: shellcheck's SC2016, from values.sh.
        const unnoted = {
            ...clean,
            text: clean.text.replace(/# shellcheck disable=SC2016[^\n]*\n/, ""),
        };
        assert.throws(() => assertShellcheckClean([clean, unnoted]), /SC2016/);
        const unquoted = renderScript("b.sh", VALUES, `${body}\necho $1`);
        assert.throws(() => assertShellcheckClean([clean, unquoted]), /SC2086/);
        // The values' file itself: a note on its first value must not hold for the next one.
        const text = `#!/usr/bin/env bash\n# shellcheck disable=SC2016 # data, never expanded\nreadonly A='$x'\nreadonly B='$y'\necho "$A$B"\n`;
        assert.throws(
            () => assertShellcheckClean([{ name: "bare.sh", text, sha256: "" }]),
            /SC2016/,
        );
    });
});
