// Renders the bash scripts that remote commands feed to `bash -s`: a fixed prelude, the values the script
// needs as shell-quoted readonly variables, and a body kept as a real file under render/scripts/.
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

export type ScriptValue = string | number | boolean | readonly string[];

export interface Script {
    /** File name when written out (`npm run render`), e.g. `kolla-deploy.sh`. */
    readonly name: string;
    readonly text: string;
    /** sha256 of the text: a content hash for triggers. */
    readonly sha256: string;
}

export function sha256(text: string): string {
    return createHash("sha256").update(text).digest("hex");
}

/** POSIX single-quote quoting. */
export function shellQuote(value: string): string {
    return `'${value.replace(/'/g, `'\\''`)}'`;
}

const VAR_NAME = /^[A-Z][A-Z0-9_]*$/;

// Array.isArray is `arg is any[]` (TypeScript lib.es5.d.ts): the elements of a readonly string[] it narrows read as
// any. This keeps them strings.
const isList = (value: ScriptValue): value is readonly string[] => Array.isArray(value);

function assignment(key: string, value: ScriptValue): string {
    if (!VAR_NAME.test(key)) throw new Error(`script variable ${key} must be UPPER_SNAKE_CASE`);
    if (isList(value)) return `readonly -a ${key}=(${value.map((v) => shellQuote(v)).join(" ")})`;
    const text = String(value);
    // A value that holds a `$` (e.g. a whole script installed on the host) is data: shellcheck's hint that it does not
    // expand in single quotes is what is meant.
    const note = text.includes("$") ? "# shellcheck disable=SC2016 # data, never expanded\n" : "";
    return `${note}readonly ${key}=${shellQuote(text)}`;
}

/** Reads a body from render/scripts/. */
export function scriptBody(file: string): string {
    return fs.readFileSync(path.join(__dirname, "scripts", file), "utf8");
}

/**
 * Wraps `body` into a complete script. The body runs inside `main` with stdin from /dev/null: bash reads the
 * whole function before running it, so a command that reads stdin (apt, ssh, ansible) cannot swallow the rest
 * of a script that arrived on stdin. `$1` is the mode the command passed (`bash -s -- update`).
 */
export function renderScript(
    name: string,
    vars: Readonly<Record<string, ScriptValue>>,
    body: string,
): Script {
    const lines = [
        "#!/usr/bin/env bash",
        `# ${name}: rendered by openstack-aio from typed settings; do not edit on the host.`,
        "set -Eeuo pipefail",
        // A failure in the script's own code names its line and command (set -E: inside functions too); without
        // it, a failing step under `set -e` ends the script with nothing on stderr.
        `trap 'echo "== ${name}: line $LINENO: $BASH_COMMAND failed (exit $?)" >&2' ERR`,
        ...Object.keys(vars)
            .sort()
            .map((k) => assignment(k, vars[k])),
        "",
        "main() {",
        body.replace(/\s+$/, ""),
        "}",
        "",
        'main "$@" </dev/null',
        "",
    ];
    const text = lines.join("\n");
    return { name, text, sha256: sha256(text) };
}
