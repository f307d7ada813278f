// `npm run render -- <stack> [--out DIR] [--overrides JSON]`: every file that would land on a host, for review without
// any host or the Pulumi CLI. Reads Pulumi.yaml defaults + Pulumi.<stack>.yaml, validates with the same config/ code.
// --overrides replaces top-level settings, e.g. '{"enableTls": true}', to review a variant no stack file holds;
// --deployed <release> renders as for a cloud that last deployed that release (a hop adds its own steps).
import * as fs from "fs";
import * as path from "path";
import { hostFiles } from "../render/hostFiles";
import { SettingsError, parseSettings } from "../config/settings";
import { PROJECT } from "../config/keys";
import { readStackConfig, StackFileError } from "../config/stackFile";
import { topologySvg } from "./topology";

export function render(
    stack: string,
    outDir: string,
    projectDir: string,
    overrides: Record<string, unknown> = {},
    deployed?: string,
): string[] {
    const { values } = readStackConfig(stack, projectDir);
    const settings = parseSettings({ ...values, ...overrides });
    const out = hostFiles(settings, { stack: `${PROJECT}/${stack}`, deployed });
    // Stale scripts of services switched off would mislead a reviewer; nothing else in DIR is touched.
    fs.rmSync(path.join(outDir, "scripts"), { recursive: true, force: true });
    for (const [name, text] of Object.entries(out)) {
        const file = path.join(outDir, name);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, text, { mode: name.startsWith("scripts/") ? 0o755 : 0o644 });
    }
    return Object.keys(out).sort();
}

/** topology.svg, a picture of the configured cloud (tools/topology.ts), beside the files render() writes. */
export async function renderTopology(
    stack: string,
    outDir: string,
    projectDir: string,
    overrides: Record<string, unknown> = {},
): Promise<string> {
    const settings = parseSettings({ ...readStackConfig(stack, projectDir).values, ...overrides });
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(path.join(outDir, "topology.svg"), await topologySvg(settings));
    return "topology.svg";
}

/** The command line: its exit code (the CLI exits with it). */
export async function main(argv: string[]): Promise<number> {
    const args = [...argv];
    const option = (flag: string): string | undefined | null => {
        const i = args.indexOf(flag);
        if (i < 0) return undefined;
        return args.splice(i, 2)[1] ?? null;
    };
    const out = option("--out");
    const overridesText = option("--overrides");
    const deployed = option("--deployed");
    const [stack] = args;
    let overrides: Record<string, unknown> = {};
    try {
        if (overridesText) overrides = JSON.parse(overridesText) as Record<string, unknown>;
    } catch {
        console.error(`--overrides must be a JSON object, e.g. '{"enableTls": true}'`);
        return 2;
    }
    if (
        !stack ||
        args.length !== 1 ||
        out === null ||
        overridesText === null ||
        deployed === null
    ) {
        console.error(
            "usage: npm run render -- <stack> [--out DIR] [--overrides JSON] [--deployed RELEASE]",
        );
        return 2;
    }
    const projectDir = path.resolve(__dirname, "..");
    const outDir = path.resolve(out ?? path.join(projectDir, "build", stack));
    try {
        const written = [
            ...render(stack, outDir, projectDir, overrides, deployed),
            await renderTopology(stack, outDir, projectDir, overrides),
        ].sort();
        console.log(`rendered ${written.length} files for stack ${stack} into ${outDir}:`);
        for (const f of written) console.log(`  ${f}`);
        return 0;
    } catch (e) {
        if (e instanceof SettingsError || e instanceof StackFileError) {
            console.error(e.message);
            return 1;
        }
        throw e;
    }
}

if (require.main === module) void main(process.argv.slice(2)).then((code) => process.exit(code));
