// Real tools on rendered files: shellcheck, bash -n, ansible-inventory.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Script } from "../../render/script";
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

/**
 * The scripts bash -n and shellcheck need to see: one of each text, where texts that differ only in a hex value
 * (`readonly CONFIG_HASH='3f9a…'`, a digest) count as one. A single-quoted run of hex digits parses and lints the same
 * whatever the digits, and the config hash alone made most of a catalogue's kolla-*.sh distinct.
 */
export function distinctScripts(scripts: readonly Script[]): Script[] {
    const seen = new Map<string, Script>();
    for (const s of scripts) {
        const key = s.text.replace(/^(readonly [A-Z][A-Z0-9_]*=)'[0-9a-f]{8,}'$/gm, "$1'#'");
        if (!seen.has(key)) seen.set(key, s);
    }
    return [...seen.values()];
}

/** Fails with bash -n's or shellcheck's findings for any script that has some: one shellcheck run for all. */
export function assertShellcheckClean(scripts: readonly Script[]): void {
    assert.ok(scripts.length > 0, "no scripts to check");
    const dir = tempDir("shellcheck-");
    const files = distinctScripts(scripts).map((s, i) => {
        const f = path.join(dir, `${i}-${s.name}`);
        fs.writeFileSync(f, s.text);
        return f;
    });
    const syntax = files
        .map((f) => spawnSync("bash", ["-n", f], { encoding: "utf8" }))
        .filter((r) => r.status !== 0);
    assert.deepEqual(
        syntax.map((r) => r.stderr),
        [],
        "bash -n",
    );
    const r = spawnSync("shellcheck", ["-s", "bash", "-S", "style", ...files], {
        encoding: "utf8",
    });
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
    const r = spawnSync("ansible-inventory", ["-i", file, "--list"], {
        encoding: "utf8",
        env: {
            ...process.env,
            ANSIBLE_INVENTORY_UNPARSED_FAILED: "true",
            ANSIBLE_LOCAL_TEMP: tempDir("ansible-"),
        },
    });
    assert.equal(r.error, undefined, `ansible-inventory could not run: ${r.error}`);
    assert.equal(r.status, 0, `ansible-inventory failed:\n${r.stderr}`);
    return parseInventoryList(r.stdout);
}

/** Runs a tool's main() in this process: its exit code and what it wrote with console.error. */
export async function runMain(
    main: (argv: string[]) => Promise<number>,
    ...argv: string[]
): Promise<{ status: number; stderr: string }> {
    const lines: string[] = [];
    const error = console.error;
    console.error = (...parts: unknown[]) => lines.push(parts.map(String).join(" "));
    try {
        return { status: await main(argv), stderr: lines.join("\n") };
    } finally {
        console.error = error;
    }
}
