// `npm run render -- <stack> [--out DIR]`: every file that would land on a host, for review without any host or
// the Pulumi CLI. Reads Pulumi.yaml defaults + Pulumi.<stack>.yaml, validates with the same config/ code.
import * as fs from "fs";
import * as path from "path";
import { hostFiles } from "../render/hostFiles";
import { SettingsError, parseSettings } from "../config/settings";
import { readStackConfig, StackFileError } from "../config/stackFile";
import { topologySvg } from "./topology";

export function render(stack: string, outDir: string, projectDir: string): string[] {
    const { values } = readStackConfig(stack, projectDir);
    const settings = parseSettings(values);
    const out = hostFiles(settings);
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
): Promise<string> {
    const settings = parseSettings(readStackConfig(stack, projectDir).values);
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(path.join(outDir, "topology.svg"), await topologySvg(settings));
    return "topology.svg";
}

/** The command line: its exit code (the CLI exits with it). */
export async function main(argv: string[]): Promise<number> {
    const args = [...argv];
    let out: string | undefined;
    const i = args.indexOf("--out");
    if (i >= 0) {
        out = args[i + 1];
        args.splice(i, 2);
    }
    const [stack] = args;
    if (!stack || args.length !== 1 || (i >= 0 && !out)) {
        console.error("usage: npm run render -- <stack> [--out DIR]");
        return 2;
    }
    const projectDir = path.resolve(__dirname, "..");
    const outDir = path.resolve(out ?? path.join(projectDir, "build", stack));
    try {
        const written = [
            ...render(stack, outDir, projectDir),
            await renderTopology(stack, outDir, projectDir),
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

if (require.main === module) main(process.argv.slice(2)).then((code) => process.exit(code));
