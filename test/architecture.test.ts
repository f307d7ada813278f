// The layering the README's "Layout" section describes, checked on the source: a move that breaks it fails here.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../tools/evaluate/stack";

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

/** Every source file of the project outside test/ (node_modules, build output and git left out). */
function productSources(): string[] {
    return fs
        .readdirSync(PROJECT_DIR, { withFileTypes: true })
        .flatMap((e) =>
            e.isDirectory()
                ? ["test", "node_modules", "build", ".git"].includes(e.name)
                    ? []
                    : sources(e.name)
                : e.name.endsWith(".ts")
                  ? [e.name]
                  : [],
        )
        .filter((f) => !f.split(path.sep).includes("node_modules"));
}

/** Every module a file loads by a literal specifier: import/export ... from, import(), require(). */
function loads(f: string): string[] {
    return [
        ...read(f).matchAll(
            /(?:^(?:import|export)\s[^;]*?\sfrom\s*|\bimport\(\s*|\brequire\(\s*)["']([^"']+)["']/gms,
        ),
    ].map((m) => m[1]);
}

describe("layout: render is pure, config is the only reader, components own one stage each", () => {
    it("nothing outside test/ loads code from test/; only the evaluator loads code by a computed path", () => {
        const files = productSources();
        assert.ok(files.includes(path.join("tools", "graph.ts")) && files.includes("index.ts"));
        for (const f of files) {
            for (const spec of loads(f)) {
                const target = resolved(f, spec);
                assert.ok(!/^test([/\\]|$)/.test(target), `${f} loads ${spec}, which is test code`);
            }
        }
        // runIndex re-evaluates index.ts; tree.ts loads a base tree's own evaluator (tools/evaluate/, or test/support/
        // in a tree from before it moved). Anything else loaded by a computed path is invisible to tsc and this test.
        const computed = files.filter((f) => /\brequire\(\s*[^"'\s)]/.test(read(f)));
        assert.deepEqual(computed, [
            path.join("tools", "evaluate", "harness.ts"),
            path.join("tools", "evaluate", "tree.ts"),
        ]);
    });

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

    it("the README's Layout names every source file, and every file it names exists", () => {
        const readme = read("README.md");
        const section = /## Layout\n[\s\S]*?```\n([\s\S]*?)```/.exec(readme);
        assert.ok(section, "README has a Layout section with a diagram");
        const named = new Set([...section[1].matchAll(/([\w.-]+\.ts)\b/g)].map((m) => m[1]));
        const all = [
            ...sources("components"),
            ...sources("render"),
            ...sources("config"),
            ...sources("tools"),
            ...sources("bench"),
            "deployment.ts",
            "index.ts",
        ];
        const basenames = new Set(all.map((f) => path.basename(f)));
        for (const f of all)
            assert.ok(named.has(path.basename(f)), `README Layout does not name ${f}`);
        for (const n of named)
            assert.ok(basenames.has(n), `README Layout names ${n}, which does not exist`);
        for (const dir of [...section[1].matchAll(/^\s*([\w-]+(?:\/[\w-]+)*)\/\s/gm)].map(
            (m) => m[1],
        )) {
            assert.ok(
                fs.existsSync(path.join(PROJECT_DIR, dir)) ||
                    fs.existsSync(path.join(PROJECT_DIR, "components", dir)) ||
                    fs.existsSync(path.join(PROJECT_DIR, "render", dir)) ||
                    fs.existsSync(path.join(PROJECT_DIR, "tools", dir)),
                `README Layout names ${dir}/, which does not exist`,
            );
        }
    });
});
