// `npm run docs`: the tables in the docs that restate code, generated from the code, so they cannot drift.
// Each generated block sits between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`; `npm run docs -- --check`
// (and test/docs.test.ts) fails when a committed page differs from what the code says.
import * as fs from "fs";
import * as path from "path";
import { RELEASES, SLURP_PATH } from "../config/releases";

const short = (sha: string) => (/^[0-9a-f]{40}$/.test(sha) ? sha.slice(0, 8) : sha);
const code = (s: string) => `\`${s}\``;

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

const GENERATED: Readonly<Record<string, () => string>> = { pins: pinsTable };

/** `text` with every generated block replaced by what the code says now. */
export function regenerate(text: string): string {
    let out = text;
    for (const [name, make] of Object.entries(GENERATED)) {
        const open = `<!-- generated:${name} -->`,
            close = `<!-- /generated:${name} -->`;
        const start = out.indexOf(open),
            end = out.indexOf(close);
        if (start < 0 || end < start) continue;
        out = `${out.slice(0, start + open.length)}\n${make()}\n${out.slice(end)}`;
    }
    return out;
}

/** The pages that hold generated blocks. */
export const PAGES = ["README.md"];

if (require.main === module) {
    const check = process.argv.includes("--check");
    const root = path.join(__dirname, "..");
    let stale = 0;
    for (const page of PAGES) {
        const file = path.join(root, page);
        const text = fs.readFileSync(file, "utf8");
        const fresh = regenerate(text);
        if (fresh === text) continue;
        if (check) {
            console.error(`${page}: a generated table is out of date; run npm run docs`);
            stale++;
        } else {
            fs.writeFileSync(file, fresh);
            console.log(`${page}: regenerated`);
        }
    }
    process.exit(stale ? 1 : 0);
}
