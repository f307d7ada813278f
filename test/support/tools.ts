// Real tools on rendered files: shellcheck, bash -n, ansible-inventory.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { Script } from "../../render/script";
import { ansiblePython } from "./ansiblePython";
import { asDict, asStrings, Dict, parseJson } from "./narrow";

const created = new Set<string>();

/** A temporary directory, removed when the test run ends (test/support/cleanup.ts). */
export function tempDir(prefix = "openstack-aio-"): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    created.add(dir);
    return dir;
}

/** Removes every directory tempDir made; returns how many. */
export function removeTempDirs(): number {
    const n = created.size;
    for (const dir of created) fs.rmSync(dir, { recursive: true, force: true });
    created.clear();
    return n;
}

// render/script.ts writes every value a script takes as one `readonly KEY='…'` or `readonly -a KEY=('…' …)` line,
// quoted by shellQuote (a quoted value may span lines; `'\''` is its only escape), with a SC2016 note before a value
// holding `$`. Nothing else in a script comes from settings.
const QUOTED = String.raw`'(?:[^']|'\\'')*'`;
const ASSIGNMENT = new RegExp(
    String.raw`^((?:# shellcheck disable=SC2016 # data, never expanded\n)?readonly (?:-a )?)([A-Z][A-Z0-9_]*)=(${QUOTED}|\((?:${QUOTED} ?)*\))$`,
    "gm",
);

const SCRIPT_NAMED = /^(# |trap 'echo "== )[\w.-]+(: (?:rendered by openstack-aio |line ).*)$/gm;

/**
 * What bash -n and shellcheck need to see of a set of scripts, as few files as say the same: each distinct body (the
 * script with every value replaced by `'#'`, arrays by `('#')`), and one file of every distinct value line as the
 * script wrote it (its SC2016 note with it), each under a numbered name. A value is a single-quoted word in an
 * assignment: it lints the same in any script, and the body lints the same whatever the word holds; checked once
 * each, every line of every script is checked. The values' file reads each value, so none is "unused" there.
 */
export function lintFiles(scripts: readonly Script[]): { name: string; text: string }[] {
    const bodies = new Map<string, string>();
    const values = new Set<string>();
    const named = new Set<string>();
    for (const s of scripts) {
        const body = s.text
            .replace(ASSIGNMENT, (_, head: string, key: string, value: string) => {
                values.add(`${head}\0${value}`);
                return `${head}${key}=${value.startsWith("(") ? "('#')" : "'#'"}`;
            })
            // The script's name in renderScript's header comment and ERR trap (one file per host): checked as a line
            // of the values' file.
            .replace(SCRIPT_NAMED, (line: string, before: string, after: string) => {
                named.add(line);
                return `${before}script.sh${after}`;
            });
        if (!bodies.has(body)) bodies.set(body, s.name);
    }
    const lines = [...values].map((v, i) => ({
        line: v.replace("\0", `VALUE_${i}=`),
        name: `VALUE_${i}`,
    }));
    const valuesFile = [
        "#!/usr/bin/env bash",
        // A command first: a directive before the first command holds for the whole file (shellcheck wiki, Directive;
        // seen with shellcheck 0.9.0), and would hide every value's finding behind the first SC2016 note.
        ":",
        ...named,
        ...lines.map((v) => v.line),
        ...lines.map((v) =>
            /^readonly -a /m.test(v.line) ? `: "\${${v.name}[@]}"` : `: "$${v.name}"`,
        ),
        "",
    ].join("\n");
    return [
        ...[...bodies].map(([text, name]) => ({ name, text })),
        { name: "values.sh", text: valuesFile },
    ];
}

/**
 * Fails with bash -n's or shellcheck's findings for any script that has some. bash -n reads every distinct script
 * whole; shellcheck, the slow one, reads lintFiles in one run.
 */
export function assertShellcheckClean(scripts: readonly Script[]): void {
    assert.ok(scripts.length > 0, "no scripts to check");
    const dir = tempDir("shellcheck-");
    const write = (files: readonly { name: string; text: string }[], sub: string) => {
        fs.mkdirSync(path.join(dir, sub));
        return files.map((s, i) => {
            const f = path.join(dir, sub, `${i}-${s.name}`);
            fs.writeFileSync(f, s.text);
            return f;
        });
    };
    const whole = write([...new Map(scripts.map((s) => [s.text, s])).values()], "whole");
    const syntax = whole
        .map((f) => spawnSync("bash", ["-n", f], { encoding: "utf8" }))
        .filter((r) => r.status !== 0);
    assert.deepEqual(
        syntax.map((r) => r.stderr),
        [],
        "bash -n",
    );
    const r = spawnSync(
        "shellcheck",
        ["-s", "bash", "-S", "style", ...write(lintFiles(scripts), "lint")],
        {
            encoding: "utf8",
        },
    );
    assert.equal(r.error, undefined, `shellcheck could not run: ${r.error}`);
    assert.equal(r.status, 0, `shellcheck findings:\n${r.stdout}${r.stderr}`);
}

/** One group of `ansible-inventory --list`: its own hosts and child groups (each absent when empty). */
export interface InventoryGroup {
    readonly hosts?: string[];
    readonly children?: string[];
}

/** What `ansible-inventory --list` prints: the groups, and every host's variables (its `_meta.hostvars`). */
export interface InventoryList {
    readonly groups: Record<string, InventoryGroup>;
    readonly hostvars: Record<string, Dict>;
}

/**
 * Reads `ansible-inventory --list` output. ansible-core 2.14 lib/ansible/cli/inventory.py json_inventory: a key per
 * group holding `hosts` and `children` lists (`vars` only with --export, which is not used; empty ones dropped) and
 * `_meta.hostvars`, host name → variables.
 */
export function parseInventoryList(json: string): InventoryList {
    const top = asDict(parseJson(json), "ansible-inventory --list");
    const groups: Record<string, InventoryGroup> = {};
    for (const [name, value] of Object.entries(top)) {
        if (name === "_meta") continue;
        const group = asDict(value, `group ${name}`);
        const extra = Object.keys(group).filter((k) => k !== "hosts" && k !== "children");
        assert.deepEqual(extra, [], `group ${name}: fields other than hosts and children`);
        groups[name] = {
            ...(group.hosts === undefined
                ? {}
                : { hosts: asStrings(group.hosts, `group ${name} hosts`) }),
            ...(group.children === undefined
                ? {}
                : { children: asStrings(group.children, `group ${name} children`) }),
        };
    }
    const hostvars = asDict(asDict(top._meta, "_meta").hostvars, "_meta.hostvars");
    return {
        groups,
        hostvars: Object.fromEntries(
            Object.entries(hostvars).map(([host, vars]) => [host, asDict(vars, `${host} vars`)]),
        ),
    };
}

export function ansibleInventoryList(file: string): InventoryList {
    const [r] = ansibleInventoryRuns([file]);
    assert.equal(r.status, 0, `ansible-inventory failed:\n${r.stderr}`);
    return parseInventoryList(r.stdout);
}

// /usr/bin/ansible-inventory is `from ansible.cli.inventory import main; sys.exit(main())` (ansible-core's
// bin/ansible-inventory). Importing ansible is most of its 0.4 s; this imports it once and runs main() for each file
// in a child forked from there, stdout and stderr to files, so each file gets a whole run of the real CLI.
const INVENTORY_RUNS = `
import os, sys, traceback
from ansible.cli.inventory import main
args = sys.argv[1:]
for f, out, err in zip(args[0::3], args[1::3], args[2::3]):
    pid = os.fork()
    if pid == 0:
        code = 250
        try:
            os.dup2(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 1)
            os.dup2(os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 2)
            sys.argv = ["ansible-inventory", "-i", f, "--list"]
            code = main(sys.argv)
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code or 0)
    print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), flush=True)
`;

/**
 * `ansible-inventory -i FILE --list` for each file, as the CLI runs it (ANSIBLE_INVENTORY_UNPARSED_FAILED set, so a
 * file it cannot parse fails rather than warns): its exit status, stdout and stderr.
 */
export function ansibleInventoryRuns(
    files: readonly string[],
): { status: number; stdout: string; stderr: string }[] {
    const dir = tempDir("ansible-");
    const outputs = files.map((_, i) => [path.join(dir, `${i}.out`), path.join(dir, `${i}.err`)]);
    const r = spawnSync(
        ansiblePython(),
        ["-c", INVENTORY_RUNS, ...files.flatMap((f, i) => [f, ...outputs[i]])],
        {
            encoding: "utf8",
            env: {
                ...process.env,
                ANSIBLE_INVENTORY_UNPARSED_FAILED: "true",
                ANSIBLE_LOCAL_TEMP: path.join(dir, "tmp"),
            },
        },
    );
    assert.equal(r.error, undefined, `ansible-inventory could not run: ${r.error}`);
    assert.equal(r.status, 0, `ansible-inventory could not run:\n${r.stderr}`);
    const statuses = r.stdout.trim().split("\n").map(Number);
    assert.equal(statuses.length, files.length, r.stdout);
    return files.map((_, i) => ({
        status: statuses[i],
        stdout: fs.readFileSync(outputs[i][0], "utf8"),
        stderr: fs.readFileSync(outputs[i][1], "utf8"),
    }));
}

/** Runs a tool's main() in this process: its exit code and what it wrote with console.log and console.error. */
export async function runMain(
    main: (argv: string[]) => Promise<number>,
    ...argv: string[]
): Promise<{ status: number; stdout: string; stderr: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const { log, error } = console;
    console.log = (...parts: unknown[]) => out.push(parts.map(String).join(" "));
    console.error = (...parts: unknown[]) => err.push(parts.map(String).join(" "));
    try {
        const status = await main(argv);
        return { status, stdout: out.join("\n"), stderr: err.join("\n") };
    } finally {
        console.log = log;
        console.error = error;
    }
}

/** Resolves once something accepts connections on 127.0.0.1:port; fails naming `what` after about 5 s. */
export async function waitForPort(port: number, what: string): Promise<void> {
    for (let i = 0; i < 50; i++) {
        const up = await new Promise<boolean>((resolve) =>
            net
                .connect(port, "127.0.0.1")
                .on("connect", function (this: net.Socket) {
                    this.destroy();
                    resolve(true);
                })
                .on("error", () => resolve(false)),
        );
        if (up) return;
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${what} did not start on port ${port}`);
}
