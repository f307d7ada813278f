// The catalogue of bad and hostile stack values (test/fixtures/hostile/*.yaml). Each file patches the aio stack's
// values and either expects parseSettings to reject it with a problem naming the key and the fix, or is accepted and
// proven harmless in every file rendered from it: PyYAML reads globals.yml back as exactly the intended values (no
// string turned into a boolean, number or null, no Jinja), and ansible-inventory reads the inventory back as exactly
// the intended hosts, groups and typed host vars. Every file runs twice: with values as YAML types them, and as the
// Pulumi CLI hands them over (strings; JSON for lists and maps).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import {
    globalsValues,
    INTERFACE_VARS,
    perHostInterfaceVars,
    renderGlobals,
} from "../render/globals";
import { renderInventory } from "../render/inventory";
import { REGISTRY_CA_FILE } from "../render/paths";
import { spliceInventory } from "./support/splice";
import { renderAnsibleCfg } from "../render/ansibleCfg";
import { parseSettings, ROLES, Settings } from "../config/settings";
import { stackValues } from "../tools/evaluate/stack";
import { ansibleInventoryRuns, parseInventoryList, tempDir } from "./support/tools";
import { Fixture, loadFixtures, modes } from "./support/hostileFixtures";
import { python } from "./support/ansiblePython";
import { problemsOf } from "./support/settingsProblems";

const SHIPPED = fs.readFileSync(path.join(__dirname, "fixtures/multinode-shipped.ini"), "utf8");
const KEY = "/opt/openstack-aio/ssh/deploy_key";

/** Every string anywhere in a parsed value (map keys included). */
function strings(v: unknown): string[] {
    if (typeof v === "string") return [v];
    if (Array.isArray(v)) return v.flatMap(strings);
    if (v && typeof v === "object")
        return Object.entries(v).flatMap(([k, x]) => [k, ...strings(x)]);
    return [];
}

/** PyYAML's reading of each globals.yml text read so far: the catalogue's all at once, by one interpreter. */
const pyyamlReads = new Map<string, unknown>();

/** Reads globals.yml texts with PyYAML (Ansible's loader) in one Python process. */
function pyyamlLoadAll(texts: readonly string[]): void {
    const dir = tempDir("hostile-globals-");
    try {
        const files = texts.map((text, i) => {
            const f = path.join(dir, `${i}-globals.yml`);
            fs.writeFileSync(f, text);
            return f;
        });
        const read = JSON.parse(
            python(
                "import json, sys, yaml; print(json.dumps([yaml.safe_load(open(f)) for f in sys.argv[1:]]))",
                ...files,
            ),
        ) as unknown[];
        texts.forEach((text, i) => pyyamlReads.set(text, read[i]));
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** ansible-inventory's runs on each inventory text read so far: the catalogue's all at once (ansibleInventoryRuns). */
const inventoryReads = new Map<string, { status: number; stdout: string; stderr: string }>();

/** Reads inventory texts with ansible-inventory --list, all in one ansibleInventoryRuns. */
function inventoryReadAll(texts: readonly string[]): void {
    const dir = tempDir("hostile-inventory-");
    try {
        const files = texts.map((text, i) => {
            const f = path.join(dir, `${i}-inventory`);
            fs.writeFileSync(f, text);
            return f;
        });
        ansibleInventoryRuns(files).forEach((run, i) => inventoryReads.set(texts[i], run));
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** The whole inventory a deploy host would splice for these settings. */
const fullInventory = (settings: Settings) =>
    spliceInventory(renderInventory(settings, { privateKeyFile: KEY }), SHIPPED);

/** globals.yml as PyYAML (Ansible's loader) reads it. */
function pyyamlLoad(text: string): unknown {
    if (!pyyamlReads.has(text)) pyyamlLoadAll([text]);
    return pyyamlReads.get(text);
}

/** Renders globals.yml, the inventory and ansible.cfg and proves each reads back as intended with the real tools. */
export function proveHarmless(settings: Settings, expect: Fixture["expect"] = {}): void {
    const read = pyyamlLoad(renderGlobals(settings)) as Record<string, unknown>;
    assert.deepEqual(
        read,
        JSON.parse(JSON.stringify(globalsValues(settings))),
        "PyYAML reads globals.yml back as the intended values",
    );
    for (const s of strings(read))
        assert.doesNotMatch(s, /\{\{|\{%|\{#/, "no Jinja reaches globals.yml");
    for (const [k, v] of Object.entries(expect.globals ?? {}))
        assert.deepEqual(read[k], v, `globals.yml ${k}`);

    const inventory = fullInventory(settings);
    if (!inventoryReads.has(inventory)) inventoryReadAll([inventory]);
    const run = inventoryReads.get(inventory)!;
    assert.equal(run.status, 0, `ansible-inventory failed:\n${run.stderr}`);
    const list = parseInventoryList(run.stdout);
    const names = settings.hosts.map((h) => h.name);
    assert.deepEqual(
        Object.keys(list.hostvars).sort(),
        [...names, "localhost"].sort(),
        "exactly the configured hosts and the deploy host's localhost",
    );
    assert.deepEqual(list.groups.deployment.hosts, ["localhost"]);
    for (const role of ROLES) {
        const want = settings.hosts.filter((h) => h.roles.includes(role)).map((h) => h.name);
        assert.deepEqual(list.groups[role]?.hosts ?? [], want, `group ${role}`);
    }
    const perHost = perHostInterfaceVars(settings);
    for (const h of settings.hosts) {
        const want: Record<string, unknown> = {
            ansible_host: h.address,
            ansible_user: h.sshUser,
            ansible_port: h.sshPort,
            ansible_private_key_file: KEY,
            ansible_become: true,
            docker_apt_package_pin: settings.pins.dockerAptPin,
            docker_registry_ca: REGISTRY_CA_FILE,
        };
        for (const key of perHost) want[key] = h.interfaces[INTERFACE_VARS[key]];
        assert.deepEqual(list.hostvars[h.name], want, `host vars of ${h.name}, typed`);
    }
    for (const [host, vars] of Object.entries(expect.hostvars ?? {})) {
        for (const [k, v] of Object.entries(vars))
            assert.deepEqual(list.hostvars[host]?.[k], v, `${host} ${k}`);
    }

    // ansible.cfg holds no configured value (the scripts: one shellcheck run below).
    assert.equal(renderAnsibleCfg(settings), renderAnsibleCfg(parseSettings(stackValues("aio"))));
}

describe("hostile stack files: the catalogue", () => {
    const fixtures = loadFixtures();
    // PyYAML reads every globals.yml the harmless files render in one go, and ansible-inventory every inventory; a
    // file that no longer parses is left to its own test to report.
    before(() => {
        const settings = [parseSettings(stackValues("aio"))];
        for (const f of fixtures.filter((x) => x.harmless)) {
            try {
                settings.push(parseSettings(modes(f)[0][1]));
            } catch {
                /* its test names the problem */
            }
        }
        pyyamlLoadAll(settings.map(renderGlobals));
        inventoryReadAll(settings.map(fullInventory));
    });

    it("holds at least 60 files, rejected and harmless ones, each with an explanation", () => {
        assert.ok(fixtures.length >= 60, `${fixtures.length} files`);
        assert.ok(fixtures.filter((f) => f.rejects).length >= 60);
        assert.ok(fixtures.some((f) => f.harmless));
        for (const f of fixtures) {
            assert.ok(typeof f.about === "string" && f.about.length > 10, `${f.file}: about`);
            assert.ok(
                Boolean(f.rejects) !== Boolean(f.harmless),
                `${f.file}: either rejects or harmless`,
            );
        }
    });

    it("keeps the aio stack valid and harmless", () => {
        proveHarmless(parseSettings(stackValues("aio")));
    });

    for (const f of fixtures) {
        if (f.rejects) {
            it(`${f.file}: rejected naming ${f.rejects.map((r) => r.key).join(", ")}`, () => {
                for (const [mode, raw] of modes(f)) {
                    const problems = problemsOf(raw);
                    assert.ok(problems.length > 0, `${mode}: accepted, but ${f.about}`);
                    for (const p of problems)
                        assert.ok(!p.includes("\n"), `${mode}: one line per problem: ${p}`);
                    for (const { key, fix } of f.rejects!) {
                        const named = problems.filter((p) =>
                            p.startsWith(`openstack-aio:${key}: `),
                        );
                        assert.ok(
                            named.length > 0,
                            `${mode}: no problem names openstack-aio:${key}; got:\n${problems.join("\n")}`,
                        );
                        assert.ok(
                            named.some((p) => p.includes(fix)),
                            `${mode}: no problem for ${key} says "${fix}"; got:\n${named.join("\n")}`,
                        );
                    }
                }
            });
        } else {
            it(`${f.file}: accepted and harmless in globals.yml and the inventory`, () => {
                const parsed = modes(f).map(([mode, raw]) => {
                    const problems = problemsOf(raw);
                    assert.deepEqual(problems, [], `${mode}: rejected`);
                    return parseSettings(raw);
                });
                for (const s of parsed.slice(1))
                    assert.deepEqual(s, parsed[0], "the CLI's strings parse like the typed file");
                proveHarmless(parsed[0], f.expect);
            });
        }
    }
    // The scripts the harmless files render: linted with every variant's in hostFiles.test.ts, one shellcheck run.
});
