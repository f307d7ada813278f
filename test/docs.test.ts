// The docs: their tables that restate code are generated from it (tools/docs.ts) and committed as generated; their
// links resolve; the commands they show set keys that exist to values the program accepts.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import {
    BLOCKS,
    generateBlocks,
    keysTable,
    PAGES,
    pinsTable,
    regenerate,
    scriptLimits,
} from "../tools/docs";
import { KEYS } from "../config/keys";
import { RELEASES, SLURP_PATH, UBUNTU_VERSIONS } from "../config/releases";
import { configSchema } from "../config/schema";
import { parseSettings } from "../config/settings";
import { readStackConfig } from "../config/stackFile";
import { DESTROY_TIMEOUTS, HOST_TIMEOUTS, STAGE_TIMEOUTS } from "../render/kolla";
import { HOP_STEP_RESOURCE_TIMEOUT } from "../render/upgrade";
import { PROJECT_DIR } from "../tools/evaluate/stack";

const read = (f: string) => fs.readFileSync(path.join(PROJECT_DIR, f), "utf8");
/** README.md and every page under docs/, relative to the project. */
const MARKDOWN = [
    "README.md",
    ...fs
        .readdirSync(path.join(PROJECT_DIR, "docs"))
        .filter((f) => f.endsWith(".md"))
        .sort()
        .map((f) => path.join("docs", f)),
];
/** Markdown without its fenced code blocks (a `#` or `[x](y)` there is code, not a heading or a link). */
const prose = (text: string) => text.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, "");
/** The table rows of a generated block, cells split on unescaped `|`. */
const cells = (row: string) =>
    row
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim());

describe("docs: generated tables", () => {
    let blocks: Record<string, string>;
    before(async () => {
        blocks = await generateBlocks();
    });

    it("every generated block is on its page, and every page is what the code says now (npm run docs)", () => {
        assert.deepEqual(Object.keys(BLOCKS).sort(), ["keys", "pins", "timeouts"]);
        for (const [name, { page }] of Object.entries(BLOCKS)) {
            const text = read(page);
            assert.ok(text.includes(`<!-- generated:${name} -->`), `${page} has the ${name} block`);
            assert.ok(text.includes(`<!-- /generated:${name} -->`), `${page} closes ${name}`);
        }
        for (const page of PAGES) {
            const lines = read(page).split("\n");
            const fresh = regenerate(read(page), blocks).split("\n");
            let line = lines.findIndex((l, n) => l !== fresh[n]);
            if (line < 0 && fresh.length !== lines.length) line = lines.length;
            assert.ok(
                line < 0,
                `${page} is stale (run npm run docs): line ${line + 1} is\n${lines[line]}\nand the code says\n${fresh[line]}`,
            );
        }
        // A stale block is replaced, text around it kept; a page without the block is left alone.
        const stale = "a\n<!-- generated:pins -->\nold\n<!-- /generated:pins -->\nb\n";
        assert.equal(
            regenerate(stale, blocks),
            `a\n<!-- generated:pins -->\n${pinsTable()}\n<!-- /generated:pins -->\nb\n`,
        );
        assert.equal(regenerate("no block here\n", blocks), "no block here\n");
    });

    it("the pins table has a row per release with its kolla-ansible, collection ref and Docker pin", () => {
        const table = pinsTable().split("\n");
        assert.equal(table.length, 2 + SLURP_PATH.length);
        for (const [i, series] of SLURP_PATH.entries()) {
            const row = table[2 + i];
            const r = RELEASES[series];
            assert.ok(row.startsWith(`| ${series} | `), row);
            assert.ok(row.includes(`\`${r.kollaCollection.ref}\``), row);
            assert.ok(row.includes(`\`${r.dockerAptPin}\``), row);
            assert.ok(row.includes(`octavia \`${r.amphora.octaviaRef}\``), row);
        }
    });

    it("the keys table has a row per key: its kind, secrecy, default and description, four cells each", () => {
        const rows = keysTable().split("\n").slice(2);
        assert.deepEqual(
            rows.map((r) => cells(r)[0]),
            Object.keys(KEYS).map((k) => `\`${k}\``),
        );
        for (const row of rows) {
            const [key, kind, dflt, description] = cells(row);
            assert.equal(cells(row).length, 4, row);
            const spec: {
                kind: string;
                default?: unknown;
                required?: boolean;
                secret?: boolean;
                description: string;
            } = KEYS[key.slice(1, -1) as keyof typeof KEYS];
            assert.equal(kind, spec.secret ? `${spec.kind}, **secret**` : spec.kind, key);
            if (spec.required) assert.equal(dflt, "— (required)", key);
            else if (spec.default === undefined) assert.equal(dflt, "—", key);
            else
                assert.ok(
                    dflt.includes(String(JSON.stringify(spec.default)).replace(/"/g, "")),
                    key,
                );
            assert.equal(description.replace(/\\\|/g, "|"), spec.description, key);
        }
        assert.match(keysTable(), /roles: \[control\\\|network/, "a | in a description is escaped");
    });

    it("the timeouts table gives each command Pulumi's timeout and its script's own, as the code sets them", () => {
        const rows = new Map(
            blocks.timeouts
                .split("\n")
                .slice(2)
                .map((r) => cells(r))
                .map(([name, resource, limits]) => [name, { resource, limits }]),
        );
        for (const [stage, t] of Object.entries(STAGE_TIMEOUTS)) {
            const row = rows.get(`\`kolla-${stage}\``);
            assert.ok(row, `a row for kolla-${stage}`);
            assert.equal(row.resource, `create/update ${t.resource}`, stage);
            assert.ok(row.limits.includes(`\`STAGE_TIMEOUT\` ${t.script}`), stage);
        }
        for (const step of ["rabbitmq", "queues", "verify"])
            assert.equal(
                rows.get(`\`kolla-hop-${step}\``)?.resource,
                `create/update ${HOP_STEP_RESOURCE_TIMEOUT}`,
            );
        const host = HOST_TIMEOUTS.resource;
        assert.equal(
            rows.get("`kolla-host-<host>`")?.resource,
            `create/update ${host.create}, delete ${host.delete}`,
        );
        assert.ok(
            rows
                .get("`kolla-host-<host>`")
                ?.limits.includes(`\`STOP_TIMEOUT\` ${HOST_TIMEOUTS.stop}`),
        );
        assert.equal(
            rows.get("`kolla-destroy-guard`")?.resource,
            `create/update 5m, delete ${DESTROY_TIMEOUTS.resource}`,
        );
        const teardown = [...rows.entries()].find(([n]) => n.startsWith("`kolla-teardown.sh`"));
        assert.equal(teardown?.[1].limits, `\`DESTROY_TIMEOUT\` ${DESTROY_TIMEOUTS.script}`);
        // Components' own timeouts and the limits inside their scripts (the deploy host's pip, the mirror's copies).
        assert.equal(rows.get("`deploy-host-prepare`")?.resource, "create/update 150m");
        assert.equal(
            rows.get("`deploy-host-prepare`")?.limits,
            "apt-get 20m, pip 20m, pip 40m, ansible-galaxy 20m",
        );
        assert.ok(rows.has("`kolla-images-<image>`") && rows.has("`targets-<host>-reachable`"));
        assert.ok(
            ![...rows.keys()].some((n) => /aio1|ctl1|cmp1|nova-api/.test(n)),
            "names generalised",
        );
    });

    it("the structured settings' shapes are the schema's: every field, `?` on the optional ones", () => {
        type Json = {
            type?: string;
            properties?: Record<string, Json>;
            required?: string[];
            items?: Json;
        };
        // A field list as the page writes it: `{a, b?, c: {d}}`, `[{…}]` for a list of them, `map` for a record.
        const shape = (s: Json): string => {
            if (s.type === "array") return s.items?.properties ? `[${shape(s.items)}]` : "";
            if (!s.properties) return "map";
            const fields = Object.entries(s.properties).map(([k, v]) => {
                const nested = v.properties || v.items?.properties ? `: ${shape(v)}` : "";
                return `${k}${s.required?.includes(k) ? "" : "?"}${nested}`;
            });
            return `{${fields.join(", ")}}`;
        };
        const schema = z.toJSONSchema(configSchema, {
            io: "input",
            unrepresentable: "any",
        }) as Json;
        const page = read("docs/configuration.md");
        const table = page.slice(page.indexOf("| key | shape | notes |")).split("\n\n")[0];
        const rows = table.split("\n").slice(2).map(cells);
        assert.deepEqual(
            rows.map((r) => r[0]),
            ["deployHost", "hosts", "networks", "extraGlobals"].map((k) => `\`${k}\``),
        );
        for (const [key, documented] of rows) {
            const want = shape(schema.properties?.[key.slice(1, -1)] ?? {});
            assert.equal(documented.replace(/`/g, ""), want, key);
        }
        assert.match(shape(schema.properties?.deployHost ?? {}), /^\{name\?, address, /);
    });

    it("the README's releases table states each release's pins, hosts and images as config/releases holds them", () => {
        const readme = read("README.md");
        const table = readme.slice(readme.indexOf("| `release` |")).split("\n\n")[0];
        const rows = table.split("\n").slice(2);
        assert.deepEqual(
            rows.map((r) => /^\| `([^`]+)`/.exec(r)?.[1]),
            [...SLURP_PATH].reverse(),
        );
        for (const series of SLURP_PATH) {
            const r = RELEASES[series];
            const [, kolla, hosts, images, status] = cells(
                rows.find((row) => row.startsWith(`| \`${series}\``)) ?? "",
            );
            const pin = (name: string) =>
                r.deployHostPackages
                    .find((p) => p.startsWith(name))
                    ?.split(/==|@/)
                    .pop() ?? "";
            const kollaPin = pin("kolla-ansible");
            assert.ok(kollaPin.length >= 6, `${series}: kolla-ansible pinned`);
            assert.ok(
                kolla.startsWith(/^[0-9a-f]{40}$/.test(kollaPin) ? "" : kollaPin) &&
                    kolla.includes(kollaPin.slice(0, 8)),
                `${series}: ${kolla} vs ${kollaPin}`,
            );
            assert.ok(
                kolla.includes(
                    `ansible-core ${pin("ansible-core").split(".").slice(0, 2).join(".")}`,
                ),
                series,
            );
            for (const os of r.hostOs)
                assert.ok(hosts.includes(UBUNTU_VERSIONS[os]), `${series}: ${os}`);
            assert.equal(images, `\`${series}-ubuntu-${r.ubuntuCodename}\``, series);
            assert.equal(
                status.startsWith(`maintained until ${r.upstream.until}`),
                r.upstream.status === "maintained",
                `${series}: ${status}`,
            );
        }
    });

    it("reads a script's limits: its *_TIMEOUT variables and every `timeout N` command", () => {
        const script = [
            "readonly STAGE_TIMEOUT='25m'",
            "readonly DRAIN_SECONDS='3600'",
            "readonly OTHER='9'",
            "local apt=(sudo timeout 1200 apt-get -q)",
            'timeout 1800 "${docker_cmd[@]}" run --rm',
            'timeout 1200 "$DIB_VENV/bin/pip" install',
            'timeout --kill-after=5m "$limit" "${argv[@]}"',
            "timeout 90 true",
        ].join("\n");
        assert.deepEqual(scriptLimits(script), [
            "`STAGE_TIMEOUT` 25m",
            "`DRAIN_SECONDS` 60m",
            "apt-get 20m",
            "docker 30m",
            "pip 20m",
            "true 90s",
        ]);
    });
});

describe("docs: links and pages", () => {
    /** GitHub's anchor of a heading: lowercased, punctuation dropped, spaces to hyphens, repeats numbered. */
    function anchors(text: string): Set<string> {
        const out = new Set<string>();
        const seen = new Map<string, number>();
        for (const m of prose(text).matchAll(/^#{1,6} (.+)$/gm)) {
            const slug = m[1]
                .trim()
                .toLowerCase()
                .replace(/[^\p{L}\p{N} _-]/gu, "")
                .replace(/ /g, "-");
            const n = seen.get(slug) ?? 0;
            seen.set(slug, n + 1);
            out.add(n ? `${slug}-${n}` : slug);
        }
        return out;
    }
    /** Every Markdown link of a page outside code: [text](target). */
    const links = (text: string) =>
        [
            ...prose(text)
                .replace(/`[^`\n]*`/g, "")
                .matchAll(/\]\(([^)\s]+)\)/g),
        ].map((m) => m[1]);

    it("finds anchors the way GitHub makes them", () => {
        const a = anchors(
            "# A\n## Tearing down: allowDestroy\n## `npm run render`: what lands\n## A\n```\n# not a heading\n```\n",
        );
        assert.deepEqual(
            [...a],
            ["a", "tearing-down-allowdestroy", "npm-run-render-what-lands", "a-1"],
        );
        assert.deepEqual(
            links("[x](a.md#b) `[y](no.md)` [z](https://e.org)\n```\n[w](no.md)\n```\n"),
            ["a.md#b", "https://e.org"],
        );
    });

    it("every relative link in README.md and docs/ points to a file that exists, and to a heading it has", () => {
        let checked = 0;
        for (const page of MARKDOWN) {
            for (const link of links(read(page))) {
                if (/^[a-z]+:/i.test(link)) continue;
                const [file, anchor] = link.split("#");
                const target = file ? path.normalize(path.join(path.dirname(page), file)) : page;
                assert.ok(
                    fs.existsSync(path.join(PROJECT_DIR, target)),
                    `${page}: ${link} points to ${target}, which does not exist`,
                );
                if (anchor !== undefined)
                    assert.ok(
                        anchors(read(target)).has(anchor),
                        `${page}: ${link}: ${target} has no heading #${anchor}`,
                    );
                checked++;
            }
        }
        assert.ok(checked > 40, `${checked} links checked`);
    });

    it("the README links every page under docs/, and stays a front page", () => {
        const readme = read("README.md");
        const linked = new Set(links(readme).map((l) => l.split("#")[0]));
        for (const page of MARKDOWN.slice(1)) assert.ok(linked.has(page), `README links ${page}`);
        assert.ok(readme.split("\n").length - 1 <= 150, "README.md is at most 150 lines");
    });

    it("the README's short layout names every top-level directory of code, and only ones that exist", () => {
        const block = /## Layout\n+```\n([\s\S]*?)```/.exec(read("README.md"));
        assert.ok(block, "README has a Layout block");
        const named = new Set(
            [...block[1].matchAll(/(?:^|\s)([\w-]+(?:\/[\w-]+)*)\//gm)].map((m) => m[1]),
        );
        for (const dir of named)
            assert.ok(
                ["", "components", "config", "tools"].some((d) =>
                    fs.existsSync(path.join(PROJECT_DIR, d, dir)),
                ),
                `README's Layout names ${dir}/, which does not exist`,
            );
        const topLevel = fs
            .readdirSync(PROJECT_DIR, { withFileTypes: true })
            .filter((e) => e.isDirectory() && !/^(\.|node_modules$|build$|docs$)/.test(e.name))
            .map((e) => e.name);
        for (const dir of topLevel) assert.ok(named.has(dir), `README's Layout names ${dir}/`);
        for (const f of ["index.ts", "deployment.ts"]) assert.ok(block[1].includes(f), f);
    });

    it("the stack outputs table names every output index.ts exports, the secret ones as secret", () => {
        const returned = /return \{\n([\s\S]*?)\n {4}\};/.exec(read("index.ts"));
        assert.ok(returned, "index.ts returns its outputs");
        const outputs = [...returned[1].matchAll(/^ {8}(\w+): (.*)$/gm)].map((m) => ({
            name: m[1],
            secret: m[2].startsWith("pulumi.secret("),
        }));
        assert.ok(outputs.length > 15);
        const cloud = read("docs/cloud.md");
        const table = cloud.slice(cloud.indexOf("| output |")).split("\n\n")[0];
        // The header row is the first match (the separator row has no spaces).
        const documented = [...table.matchAll(/^\| (.+?) \| (.+?) \|/gm)]
            .slice(1)
            .flatMap((m) =>
                m[1].split(", ").map((n) => ({ name: n.replace(/`/g, ""), type: m[2] })),
            );
        assert.deepEqual(documented.map((d) => d.name).sort(), outputs.map((o) => o.name).sort());
        for (const o of outputs)
            assert.equal(
                documented.find((d) => d.name === o.name)?.type.includes("**secret**"),
                o.secret,
                o.name,
            );
    });
});

describe("docs: the commands they show", () => {
    /** Every `pulumi config set` in the pages' sh blocks, with the stack it works on. */
    function configSets(): {
        page: string;
        line: string;
        stack?: string;
        key: string;
        value?: string;
    }[] {
        const out: { page: string; line: string; stack?: string; key: string; value?: string }[] =
            [];
        for (const page of MARKDOWN) {
            for (const block of read(page).matchAll(/^```sh\n([\s\S]*?)^```$/gm)) {
                for (const m of block[1].matchAll(/pulumi config set ([^\n&;]*)/g)) {
                    const words = m[1].trim().split(/\s+/);
                    const flags = new Map<string, string | true>();
                    const args: string[] = [];
                    for (let i = 0; i < words.length; i++) {
                        const w = words[i];
                        if (w === "-s" || w === "--stack") flags.set("stack", words[++i]);
                        else if (w.startsWith("-")) flags.set(w, true);
                        else if (w === "<") break;
                        else args.push(w);
                    }
                    const stack = flags.get("stack");
                    out.push({
                        page,
                        line: m[0],
                        stack: typeof stack === "string" ? stack : undefined,
                        key: args[0],
                        value:
                            flags.has("--secret") || flags.has("--path") || args.length !== 2
                                ? undefined
                                : args[1],
                    });
                }
            }
        }
        return out;
    }

    it("every `pulumi config set` names a key, and a value it sets is one the program accepts on its stack", () => {
        const sets = configSets();
        assert.ok(sets.length >= 6, sets.map((s) => s.line).join("\n"));
        // Without -s, a command works on the stack the README's deploy command selects.
        const selected = /pulumi stack select --create (\S+)/.exec(read("README.md"))?.[1];
        assert.equal(selected, "aio-2026.1");
        let applied = 0;
        for (const s of sets) {
            assert.ok(s.key && Object.hasOwn(KEYS, s.key.split(/[.[]/)[0]), `${s.page}: ${s.line}`);
            if (s.value === undefined) continue;
            const stack = s.stack ?? selected;
            const { values } = readStackConfig(stack, PROJECT_DIR);
            assert.doesNotThrow(
                () => parseSettings({ ...values, [s.key]: s.value }),
                `${s.page}: ${s.line} on ${stack}`,
            );
            applied++;
        }
        assert.ok(applied >= 4, `${applied} values applied`);
        // The check refuses what the program refuses: a VIP outside the API network.
        const { values } = readStackConfig("aio-2026.1", PROJECT_DIR);
        assert.throws(() => parseSettings({ ...values, vip: "10.10.99.60" }), /vip/);
    });
});
