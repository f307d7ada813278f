// The layering docs/development.md's "Layout" section describes, checked on the source: a move that breaks it fails here.
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

/**
 * Modules without a test file of their own name, and why. Every other module under config/, render/, components/ and
 * tools/ (and deployment.ts) has test/<name>.test.ts, where <name> is its file name, `<folder>.<file name>` (config.
 * checks for config/checks.ts), or either with a qualifier (mirror.real); a folder's index.ts is named for the folder.
 */
const WITHOUT_OWN_TEST: Record<string, string> = {
    "index.ts":
        "loads the config and exports what deployment.ts builds: deployment.test.ts evaluates it",
    "config/keys.ts":
        "the table of keys: config.stackFile.test.ts holds Pulumi.yaml and the docs to it",
    ...Object.fromEntries(
        ["2023.1", "2024.1", "2025.1", "2026.1"].map((r) => [
            path.join("config", "releases", `${r}.ts`),
            "data, one release's facts: releases.test.ts and upstreamFacts.test.ts check them",
        ]),
    ),
    "config/globalsKeys.ts":
        "data, kolla's variables: validation.test.ts checks them against kolla's own list",
    "render/paths.ts": "data, where files live on the deploy host",
    "components/cloud/shared.ts": "data, init-runonce's flavors, rules and quotas: basics.test.ts",
    "tools/planEvaluate.ts": "the evaluation side of npm run plan: plan.test.ts runs it",
    "tools/evaluate/stack.ts":
        "the stack loader of every graph test; config.stackFile.test.ts checks its rules",
};

/** Test files named for a behaviour rather than a module. */
const BEHAVIOUR_SUITES = [
    "architecture",
    "deployLock",
    "digest",
    "hostile",
    "kollaRunbooks",
    "registryReadOnly",
    "upstreamFacts",
    "validation",
    "workflow",
];

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

    it("gives every module with behaviour of its own a test file of its name, and every test file a module or a behaviour", () => {
        const modules = [
            ...["config", "render", "components", "tools"].flatMap(sources),
            "deployment.ts",
            "index.ts",
        ];
        const tests = fs
            .readdirSync(path.join(PROJECT_DIR, "test"))
            .filter((f) => f.endsWith(".test.ts"))
            .map((f) => f.slice(0, -".test.ts".length));
        const namesOf = (m: string): string[] => {
            const parts = m.slice(0, -".ts".length).split(path.sep);
            const file = parts[parts.length - 1];
            const folder = parts[parts.length - 2];
            const name = file === "index" && folder ? folder : file;
            return folder && name !== folder ? [name, `${folder}.${name}`] : [name];
        };
        const testsOf = (m: string) =>
            tests.filter((t) => namesOf(m).some((n) => t === n || t.startsWith(`${n}.`)));
        const missing = modules.filter((m) => !WITHOUT_OWN_TEST[m] && testsOf(m).length === 0);
        assert.deepEqual(missing, [], "modules without test/<name>.test.ts");
        for (const [m, why] of Object.entries(WITHOUT_OWN_TEST)) {
            assert.ok(modules.includes(m), `${m} is listed without a test file but does not exist`);
            assert.deepEqual(
                testsOf(m),
                [],
                `${m} has a test file now: drop it from the list (${why})`,
            );
        }
        const named = new Set(modules.flatMap((m) => testsOf(m)));
        assert.deepEqual(
            tests.filter((t) => !named.has(t) && !BEHAVIOUR_SUITES.includes(t)),
            [],
            "test files named for neither a module nor a listed behaviour",
        );
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

    it("the Layout (docs/development.md) names every source file, and every file it names exists", () => {
        const page = read("docs/development.md");
        const section = /## Layout\n[\s\S]*?```\n([\s\S]*?)```/.exec(page);
        assert.ok(section, "docs/development.md has a Layout section with a diagram");
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
            assert.ok(named.has(path.basename(f)), `the Layout does not name ${f}`);
        for (const n of named)
            assert.ok(basenames.has(n), `the Layout names ${n}, which does not exist`);
        for (const dir of [...section[1].matchAll(/^\s*([\w-]+(?:\/[\w-]+)*)\/\s/gm)].map(
            (m) => m[1],
        )) {
            assert.ok(
                fs.existsSync(path.join(PROJECT_DIR, dir)) ||
                    fs.existsSync(path.join(PROJECT_DIR, "components", dir)) ||
                    fs.existsSync(path.join(PROJECT_DIR, "config", dir)) ||
                    fs.existsSync(path.join(PROJECT_DIR, "render", dir)) ||
                    fs.existsSync(path.join(PROJECT_DIR, "tools", dir)),
                `the Layout names ${dir}/, which does not exist`,
            );
        }
    });
});
