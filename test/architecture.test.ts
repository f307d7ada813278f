// The layering the README's "Layout" section describes, checked on the source: a move that breaks it fails here.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "./support/stack";

/** Every .ts file under `dir` (relative to the project), recursively. */
function sources(dir: string): string[] {
    const out: string[] = [];
    const walk = (d: string) => {
        for (const e of fs.readdirSync(path.join(PROJECT_DIR, d), { withFileTypes: true })) {
            const rel = path.join(d, e.name);
            if (e.isDirectory()) walk(rel);
            else if (e.name.endsWith(".ts")) out.push(rel);
        }
    };
    walk(dir);
    return out.sort();
}

const read = (f: string) => fs.readFileSync(path.join(PROJECT_DIR, f), "utf8");
/** Module specifiers of a file's import statements, with whether the import is type-only. */
function imports(f: string): { from: string; typeOnly: boolean }[] {
    return [...read(f).matchAll(/^import (type )?[^;]*? from "([^"]+)";/gms)].map((m) => ({
        from: m[2],
        typeOnly: Boolean(m[1]),
    }));
}
const resolved = (f: string, spec: string) =>
    spec.startsWith(".") ? path.normalize(path.join(path.dirname(f), spec)) : spec;

describe("layout: render is pure, config is the only reader, components own one stage each", () => {
    it("render/ imports nothing from Pulumi, the components or the program", () => {
        const files = sources("render");
        assert.ok(files.length >= 14);
        for (const f of files) {
            for (const i of imports(f)) {
                assert.ok(!i.from.startsWith("@pulumi/"), `${f} imports ${i.from}`);
                const target = resolved(f, i.from);
                assert.ok(
                    !/^(components|deployment|index)\b/.test(target),
                    `${f} imports ${i.from}`,
                );
            }
        }
    });

    it("only config/ reads the stack's configuration", () => {
        for (const f of [
            ...sources("components"),
            ...sources("render"),
            "deployment.ts",
            "index.ts",
        ]) {
            assert.doesNotMatch(read(f), /new pulumi\.Config\(|runtime\.allConfig|getConfig\(/, f);
        }
    });

    it("a component reaches another stage's folder only for types: handles come in through its args", () => {
        for (const f of sources("components")) {
            const stage = f.split(path.sep)[1];
            for (const i of imports(f)) {
                const target = resolved(f, i.from);
                if (!target.startsWith(`components${path.sep}`)) continue;
                const other = target.split(path.sep)[1];
                if (other === stage || other === "remote") continue;
                assert.ok(i.typeOnly, `${f} imports ${i.from} for more than its types`);
            }
        }
    });

    it("every component registers the outputs it exposes", () => {
        for (const f of sources("components")) {
            const text = read(f);
            const classes = (text.match(/extends pulumi\.ComponentResource/g) ?? []).length;
            assert.equal((text.match(/this\.registerOutputs\(/g) ?? []).length, classes, f);
        }
    });

    it("no code outside config/releases asks which release it is: what differs is data there", () => {
        const code = (f: string) =>
            f.endsWith(".ts")
                ? read(f)
                      .replace(/\/\*[\s\S]*?\*\//g, "")
                      .replace(/^\s*\/\/.*$/gm, "")
                : read(f).replace(/^\s*#.*$/gm, "");
        const scripts = fs
            .readdirSync(path.join(PROJECT_DIR, "render/scripts"))
            .map((n) => path.join("render/scripts", n));
        const files = [
            ...sources("render"),
            ...sources("components"),
            ...sources("config").filter((f) => !f.startsWith(path.join("config", "releases"))),
            ...scripts,
            "deployment.ts",
            "index.ts",
        ];
        // A comparison with a release, in TypeScript or in a script: `release === "2026.1"`, `"2023.1" !== x`,
        // `[ "$RELEASE" = 2023.1 ]`, `case $RELEASE in 2023.1)`.
        const branching =
            /\b(release|series)\s*[!=]==?\s*["'`]|["'`]20\d\d\.\d["'`]\s*[!=]==?|\$\{?RELEASE\}?"?\s*!?==?\s*"?20\d\d|case\s+"?\$\{?RELEASE/;
        for (const f of files) assert.doesNotMatch(code(f), branching, f);
        assert.match(
            'if (settings.release === "2026.1")',
            branching,
            "the pattern itself catches one",
        );
        assert.match('[ "$RELEASE" = 2023.1 ]', branching);
    });

    it("the README's Layout names every source file, and every file it names exists", () => {
        const readme = read("README.md");
        const section = /## Layout\n[\s\S]*?```\n([\s\S]*?)```/.exec(readme);
        assert.ok(section, "README has a Layout section with a diagram");
        const named = new Set([...section[1].matchAll(/([\w.-]+\.ts)\b/g)].map((m) => m[1]));
        const all = [
            ...sources("components"),
            ...sources("render"),
            ...sources("config"),
            "deployment.ts",
            "index.ts",
        ];
        const basenames = new Set(all.map((f) => path.basename(f)));
        for (const f of all)
            assert.ok(named.has(path.basename(f)), `README Layout does not name ${f}`);
        for (const n of named)
            assert.ok(
                basenames.has(n) || fs.existsSync(path.join(PROJECT_DIR, "tools", n)),
                `README Layout names ${n}, which does not exist`,
            );
        for (const dir of [...section[1].matchAll(/^\s*([\w-]+(?:\/[\w-]+)*)\/\s/gm)].map(
            (m) => m[1],
        )) {
            assert.ok(
                fs.existsSync(path.join(PROJECT_DIR, dir)) ||
                    fs.existsSync(path.join(PROJECT_DIR, "components", dir)) ||
                    fs.existsSync(path.join(PROJECT_DIR, "config", dir)) ||
                    fs.existsSync(path.join(PROJECT_DIR, "render", dir)),
                `README Layout names ${dir}/, which does not exist`,
            );
        }
    });
});
