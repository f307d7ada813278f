// `npm run docs`: the tables in the docs that restate code, generated from the code, so they cannot drift.
// Each generated block sits between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->` on the page BLOCKS names;
// `npm run docs -- --check` (and test/docs.test.ts) fails when a committed page differs from what the code says.
import * as fs from "fs";
import * as path from "path";
import { KEYS, keySpec, type ConfigKey } from "../config/keys";
import { RELEASES, SLURP_PATH } from "../config/releases";
import { teardownScript } from "../render/kolla";
import { runIndex } from "./evaluate/harness";
import { stackRunOptions, stackSettings } from "./evaluate/stack";

const short = (sha: string) => (/^[0-9a-f]{40}$/.test(sha) ? sha.slice(0, 8) : sha);
const code = (s: string) => `\`${s}\``;
/** Text for a Markdown table cell: a `|` would end the cell. */
const cell = (s: string) => s.replace(/\|/g, "\\|");

/** One row per release: what the deploy host installs and what the targets and the amphora are pinned to. */
export function pinsTable(): string {
    const rows = SLURP_PATH.map((series) => {
        const r = RELEASES[series];
        const pip = r.deployHostPackages
            .filter((p) => !p.startsWith("python-"))
            .map((p) =>
                code(p.replace(/^kolla-ansible @ git\+https:\/\/opendev\.org\/openstack\//, "")),
            )
            .join(", ");
        const galaxy = r.galaxyCollections.length
            ? r.galaxyCollections.map((c) => `${c.name} ${c.version}`).join(", ")
            : "from the `ansible` bundle";
        const constraints = r.upperConstraints
            .replace("https://opendev.org/openstack/requirements/raw/", "requirements ")
            .replace(/\/upper-constraints\.txt$/, "")
            .replace(/commit\/([0-9a-f]{40})/, (_, sha: string) => `commit ${short(sha)}`)
            .replace(/tag\//, "tag ");
        const a = r.amphora;
        return `| ${series} | ${pip} | ${code(r.kollaCollection.ref)}; ${galaxy} | ${constraints} | ${code(r.dockerAptPin)} | octavia ${code(a.octaviaRef)}, agent ${short(a.amphoraAgentCommit)}, octavia-lib ${short(a.octaviaLibCommit)} |`;
    });
    return [
        "| release | deploy host (one pip resolution) | collections: openstack.kolla (git); Galaxy | upper constraints | docker-ce on the targets | amphora build |",
        "|---|---|---|---|---|---|",
        ...rows,
    ].join("\n");
}

/** A key's default as the table shows it: its value as written in a stack file, or why there is none. */
function keyDefault(key: ConfigKey): string {
    const spec = keySpec(key);
    if (spec.required) return "— (required)";
    if (spec.default === undefined) return "—";
    return code(typeof spec.default === "string" ? spec.default : JSON.stringify(spec.default));
}

/** One row per configuration key, in KEYS order: its kind, default and description (config/keys.ts). */
export function keysTable(): string {
    const rows = (Object.keys(KEYS) as ConfigKey[]).map((key) => {
        const spec = keySpec(key);
        const kind = spec.secret ? `${spec.kind}, **secret**` : spec.kind;
        return `| ${code(key)} | ${kind} | ${keyDefault(key)} | ${cell(spec.description)} |`;
    });
    return ["| key | type | default | description |", "|---|---|---|---|", ...rows].join("\n");
}

/**
 * The stacks whose evaluation the timeouts table reads, together registering every command that has a timeout: a
 * multinode cloud with TLS and the teardown installed, the 2023.1 → 2024.1 hop (its own steps and images), and the
 * amphora fetched from a URL instead of built.
 */
const TIMEOUT_VARIANTS: readonly {
    stack: string;
    overrides: Record<string, unknown>;
    prior?: Record<string, unknown>;
}[] = [
    { stack: "multinode-2026.1", overrides: { enableTls: true, allowDestroy: true } },
    { stack: "aio", overrides: { release: "2024.1" }, prior: { deployedRelease: "2023.1" } },
    {
        stack: "aio-2026.1",
        overrides: {
            amphoraSource: "url",
            amphoraImageUrl: "https://example.org/amphora.qcow2",
            amphoraImageSha256: "0".repeat(64),
        },
    },
];

const minutes = (seconds: number) => (seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`);

/**
 * The limits a script sets itself, in order: its `*_TIMEOUT` (and `*_SECONDS`) variables, which kolla-cli.sh's
 * `timeout --kill-after=5m` applies to each kolla-ansible run, and every `timeout N <command>` of its body.
 */
export function scriptLimits(script: string): string[] {
    const out: string[] = [];
    for (const m of script.matchAll(/^readonly (\w+_(?:TIMEOUT|SECONDS))='([^']*)'$/gm)) {
        const value = m[1].endsWith("_SECONDS") ? minutes(Number(m[2])) : m[2];
        out.push(`${code(m[1])} ${value}`);
    }
    for (const m of script.matchAll(/\btimeout (\d+) +("?)([^\s"]+)\2/g)) {
        // `"${docker_cmd[@]}"` is docker, `"$DIB_VENV/bin/pip"` pip.
        const command = path.basename(m[3].replace(/^\$\{(\w+?)(?:_cmd)?\[@\]\}$/, "$1"));
        out.push(`${command} ${minutes(Number(m[1]))}`);
    }
    return [...new Set(out)];
}

/** Pulumi's timeouts of a resource as the table shows them. */
function resourceTimeouts(t: { create?: string; update?: string; delete?: string }): string {
    const parts: string[] = [];
    if (t.create && t.create === t.update) parts.push(`create/update ${t.create}`);
    else {
        if (t.create) parts.push(`create ${t.create}`);
        if (t.update) parts.push(`update ${t.update}`);
    }
    if (t.delete) parts.push(`delete ${t.delete}`);
    return parts.join(", ");
}

interface TimeoutRow {
    name: string;
    resource: string;
    limits: string;
    from: string;
}

/**
 * One row per command that has a timeout, in the order the program registers them: Pulumi's customTimeouts as the
 * program registers them (evaluated under the mock runtime), and the limits its rendered script sets itself. Host and
 * image names become `<host>` and `<image>`; the teardown script, which no resource runs, ends the table.
 */
export async function timeoutsTable(): Promise<string> {
    const rows: TimeoutRow[] = [];
    for (const v of TIMEOUT_VARIANTS) {
        const graph = await runIndex({
            ...stackRunOptions({ stack: v.stack, overrides: v.overrides }),
            ...(v.prior ? { prior: v.prior } : {}),
        });
        const hosts = stackSettings(v.stack, v.overrides).hosts.map((h) => h.name);
        let after = -1;
        for (const r of graph.resources) {
            const t = r.customTimeouts;
            if (!t || !(t.create || t.update || t.delete)) continue;
            let name = r.name.replace(/^kolla-images-.+$/, "kolla-images-<image>");
            for (const h of hosts)
                name = name.replace(new RegExp(`-${h.replace(/[.]/g, "\\.")}(?=-|$)`), "-<host>");
            const script = ["stdin", "create", "update", "delete"]
                .map((k): unknown => r.inputs[k])
                .filter((s): s is string => typeof s === "string")
                .join("\n");
            const row = {
                name,
                resource: resourceTimeouts(t),
                limits: scriptLimits(script).join(", ") || "—",
                from: v.stack,
            };
            const at = rows.findIndex((x) => x.name === name);
            if (at < 0) {
                rows.splice(after + 1, 0, row);
                after++;
                continue;
            }
            const seen = rows[at];
            if (seen.resource !== row.resource || seen.limits !== row.limits)
                throw new Error(
                    `tools/docs.ts: ${name} has other timeouts in ${row.from} (${row.resource}; ${row.limits}) than in ${seen.from} (${seen.resource}; ${seen.limits}): give the table a row for each`,
                );
            // A name seen before moves the insertion point forward only: `<image>` and `<host>` rows recur.
            after = Math.max(after, at);
        }
    }
    const teardown = teardownScript(stackSettings(TIMEOUT_VARIANTS[0].stack)).text;
    return [
        "| command | Pulumi's timeout | limits inside its script |",
        "|---|---|---|",
        ...rows.map((r) => `| ${code(r.name)} | ${r.resource} | ${r.limits} |`),
        `| ${code("kolla-teardown.sh")} (run by hand, see [Tearing down](#tearing-down-allowdestroy)) | — | ${scriptLimits(teardown).join(", ")} |`,
    ].join("\n");
}

/** Each generated block: the page it lives on and what makes it. */
export const BLOCKS: Readonly<
    Record<string, { page: string; make: () => string | Promise<string> }>
> = {
    pins: { page: "docs/releases.md", make: pinsTable },
    keys: { page: "docs/configuration.md", make: keysTable },
    timeouts: { page: "docs/operations.md", make: timeoutsTable },
};

/** The pages that hold generated blocks. */
export const PAGES = [...new Set(Object.values(BLOCKS).map((b) => b.page))];

/** Every block's text as the code says it now. */
export async function generateBlocks(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const [name, { make }] of Object.entries(BLOCKS)) out[name] = await make();
    return out;
}

/** `text` with every generated block it holds replaced by `blocks` (generateBlocks: what the code says now). */
export function regenerate(text: string, blocks: Readonly<Record<string, string>>): string {
    let out = text;
    for (const [name, made] of Object.entries(blocks)) {
        const open = `<!-- generated:${name} -->`,
            close = `<!-- /generated:${name} -->`;
        const start = out.indexOf(open),
            end = out.indexOf(close);
        if (start < 0 || end < start) continue;
        out = `${out.slice(0, start + open.length)}\n${made}\n${out.slice(end)}`;
    }
    return out;
}

async function main(check: boolean): Promise<number> {
    const root = path.join(__dirname, "..");
    const blocks = await generateBlocks();
    let stale = 0;
    for (const page of PAGES) {
        const file = path.join(root, page);
        const text = fs.readFileSync(file, "utf8");
        for (const [name, b] of Object.entries(BLOCKS))
            if (b.page === page && !text.includes(`<!-- generated:${name} -->`)) {
                console.error(`${page}: the block <!-- generated:${name} --> is missing`);
                stale++;
            }
        const fresh = regenerate(text, blocks);
        if (fresh === text) continue;
        if (check) {
            console.error(`${page}: a generated table is out of date; run npm run docs`);
            stale++;
        } else {
            fs.writeFileSync(file, fresh);
            console.log(`${page}: regenerated`);
        }
    }
    return stale ? 1 : 0;
}

if (require.main === module) {
    main(process.argv.includes("--check")).then(
        (code) => process.exit(code),
        (e) => {
            console.error(e instanceof Error ? e.message : e);
            process.exit(1);
        },
    );
}
