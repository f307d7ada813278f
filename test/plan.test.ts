import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import {
    comparePlans,
    deployedIn,
    evaluate,
    formatPlan,
    headline,
    hostOsNotes,
    main as planMain,
    planOf,
    resolveCommit,
    withBaseTree,
} from "../tools/plan";
import { evaluateTree, redact, ResourceSummary, TreeSummary } from "../tools/planEvaluate";
import { PROJECT_DIR } from "../tools/evaluate/stack";
import { asDict, asString, yamlDict } from "./support/narrow";
import { runMain, tempDir } from "./support/tools";
import { CMP3 } from "./support/lifecycle";

const GIT_ID = [
    "-c",
    "user.name=test",
    "-c",
    "user.email=test@openstack-aio.invalid",
    "-c",
    "commit.gpgsign=false",
];

function git(cwd: string, ...args: string[]): string {
    const r = spawnSync("git", [...GIT_ID, ...args], { cwd, encoding: "utf8" });
    assert.equal(r.status, 0, `git ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
}

/** plan.ts runs with TMPDIR here, so what it leaves is its own, whatever else runs on the machine. */
const planTmp = tempDir("openstack-aio-plan-tmpdir-");
/** Temp dirs plan.ts makes (plan-base-*, plan-eval-*, plan-render-*, plan-diff-*): none may outlive a run. */
const leftovers = () => fs.readdirSync(planTmp).filter((f) => f.startsWith("plan-"));

describe("npm run plan (a change in host terms)", function () {
    this.timeout(180000);
    let repo: string;
    /** main's tree evaluated once: the base every comparison made here (not through the CLI) shares. */
    let main: TreeSummary;
    const tmpdir = process.env.TMPDIR;

    // A throwaway repository: the project's files committed as main, node_modules linked.
    before(async () => {
        repo = fs.mkdtempSync(path.join(os.tmpdir(), "openstack-aio-planrepo-"));
        const files = spawnSync(
            "git",
            ["ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            { cwd: PROJECT_DIR, encoding: "utf8" },
        )
            .stdout.split("\0")
            .filter(
                (f) =>
                    f &&
                    !f.startsWith("node_modules") &&
                    fs.lstatSync(path.join(PROJECT_DIR, f), { throwIfNoEntry: false })?.isFile(),
            );
        for (const f of files) {
            fs.mkdirSync(path.dirname(path.join(repo, f)), { recursive: true });
            fs.copyFileSync(path.join(PROJECT_DIR, f), path.join(repo, f));
        }
        git(repo, "init", "-q", "-b", "main");
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "base");
        // After the commit: .gitignore's `node_modules/` matches directories, not a symlink.
        fs.symlinkSync(
            path.join(PROJECT_DIR, "node_modules"),
            path.join(repo, "node_modules"),
            "dir",
        );
        // What plan.ts's functions make in this process lands in planTmp too.
        process.env.TMPDIR = planTmp;
        // The working tree as committed is main's tree. Evaluated here (not in a process of its own, as plan.ts
        // does), the repository's modules load once for main and each edit below.
        main = await evaluateTree(repo, "aio");
    });
    after(() => {
        if (tmpdir === undefined) delete process.env.TMPDIR;
        else process.env.TMPDIR = tmpdir;
        fs.rmSync(repo, { recursive: true, force: true });
    });

    /** The plan of the working tree's edit against main, as `npm run plan -- aio --base main` prints it. */
    const planAgainstMain = async (edit: () => void): Promise<string> => {
        edit();
        try {
            const p = planOf(main, await evaluateTree(repo, "aio"), "main");
            assert.equal(p.error, undefined, p.error);
            return formatPlan(p);
        } finally {
            git(repo, "checkout", "-q", "--", "Pulumi.aio.yaml");
        }
    };
    /** main's multinode tree, evaluated once when a multinode test first needs it. */
    let mainMultinode: TreeSummary | undefined;
    /** The plan of an edit of Pulumi.multinode.yaml against main, as `npm run plan -- multinode --base main` prints it. */
    const planMultinode = async (edit: () => void): Promise<string> => {
        mainMultinode ??= await evaluateTree(repo, "multinode");
        edit();
        try {
            const p = planOf(mainMultinode, await evaluateTree(repo, "multinode"), "main");
            assert.equal(p.error, undefined, p.error);
            return formatPlan(p);
        } finally {
            git(repo, "checkout", "-q", "--", "Pulumi.multinode.yaml");
        }
    };
    const plan = (...args: string[]) =>
        spawnSync(
            process.execPath,
            [
                require.resolve("ts-node/dist/bin"),
                "--transpile-only",
                path.join(repo, "tools/plan.ts"),
                ...args,
            ],
            { cwd: repo, encoding: "utf8", env: { ...process.env, TMPDIR: planTmp } },
        );
    const editStack = (f: (config: Record<string, unknown>) => void, stack = "aio") => {
        const file = path.join(repo, `Pulumi.${stack}.yaml`);
        const doc = yamlDict(fs.readFileSync(file, "utf8"), file);
        f(asDict(doc.config, `${file} config`));
        fs.writeFileSync(file, YAML.stringify(doc));
    };

    it("enableHeat off: names the three removed Heat images and runs the deploy stage as reconfigure", async () => {
        const before = leftovers();
        const out = await planAgainstMain(() =>
            editStack((c) => {
                c["openstack-aio:enableHeat"] = false;
            }),
        );
        assert.match(out, /will run `kolla-ansible reconfigure` on host aio, drop 3 images\./);
        for (const image of ["heat-api", "heat-api-cfn", "heat-engine"]) {
            assert.match(
                out,
                new RegExp(
                    `- dropped: \`${image}\` \\(quay\\.io/openstack\\.kolla/${image}:2023\\.1-ubuntu-jammy\\)`,
                ),
                image,
            );
        }
        assert.equal(out.match(/- dropped: /g)?.length, 3);
        assert.match(
            out,
            /- `deploy` runs `kolla-ansible reconfigure` on host aio \(what it depends on changed \([0-9a-f]{16} → [0-9a-f]{16}\)\)/,
        );
        assert.match(out, /- `pull` runs `kolla-ansible pull`/);
        // The unified diff of what lands on the host.
        assert.match(out, /--- a\/globals\.yml\n\+\+\+ b\/globals\.yml\n/);
        assert.match(out, /\n-enable_heat: true\n\+enable_heat: false\n/);
        assert.match(out, /-readonly STAGE_HASH='[0-9a-f]+'\n\+readonly STAGE_HASH='[0-9a-f]+'/);
        assert.match(out, /No cloud resource changes\./);
        assert.doesNotMatch(out, /PRIVATE KEY|TESTKEYPLAINTEXT|mock-password/);
        assert.deepEqual(leftovers(), before);
    });

    it("cirrosVersion only: names the cirros image and runs no kolla stage", async () => {
        const out = await planAgainstMain(() =>
            editStack((c) => {
                c["openstack-aio:cirrosVersion"] = "0.6.2";
            }),
        );
        assert.match(out, /No kolla stage runs\./);
        assert.match(
            out,
            /- `cloud-images-cirros` \("cirros"\) \(openstack:images\/image:Image\) changes: imageSourceUrl: \S+\/0\.6\.1\/cirros-0\.6\.1-x86_64-disk\.img → \S+\/0\.6\.2\/cirros-0\.6\.2-x86_64-disk\.img/,
        );
        assert.match(out, /No image is added or dropped\./);
        assert.match(out, /No file changes\./);
        assert.doesNotMatch(out, /runs `kolla-ansible/);
    });

    it("evaluates a base from before the evaluator left test/ with that base's own code", async () => {
        git(repo, "checkout", "-q", "-b", "evaluator-in-test-support", "main");
        git(repo, "rm", "-q", "tools/evaluate/tree.ts");
        for (const f of ["harness.ts", "stack.ts"])
            git(repo, "mv", `tools/evaluate/${f}`, `test/support/${f}`);
        git(repo, "commit", "-q", "-m", "the evaluator where it was");
        git(repo, "checkout", "-q", "main");
        const old = await withBaseTree(
            repo,
            resolveCommit(repo, "evaluator-in-test-support"),
            (tree) => evaluate(tree, "aio"),
        );
        assert.equal(old.error, undefined, old.error);
        assert.deepEqual(old, main, "the same program and stack, evaluated from either place");
    });

    it("without --base compares with HEAD: an uncommitted edit shows", () => {
        git(repo, "checkout", "-q", "main");
        editStack((c) => {
            c["openstack-aio:novaVirtType"] = "qemu";
        });
        const r = plan("aio");
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /against `HEAD`/);
        assert.match(
            r.stdout,
            /\n-nova_compute_virt_type: "kvm"\n\+nova_compute_virt_type: "qemu"\n/,
        );
        assert.match(r.stdout, /kolla-ansible reconfigure/);
        git(repo, "checkout", "-q", "--", "Pulumi.aio.yaml");
    });

    // Day-2 changes of the multinode stack, each as the operator reads it before `pulumi up`.
    /** The kolla runs of a plan's Markdown: `- \`name\` runs ...` lines and their indented steps. */
    const runsOf = (out: string) =>
        out
            .slice(out.indexOf("#### kolla-ansible runs"))
            .split(/\n(?=####|\n\S)/)[0]
            .split("\n")
            .filter((l) => /^ {0,2}- /.test(l));
    const otherCommands = (out: string) =>
        out
            .slice(out.indexOf("#### Other commands"), out.indexOf("#### Files"))
            .split("\n")
            .filter((l) => l.startsWith("- "));

    it("multinode, cmp3 added: exactly bootstrap-servers, pull and deploy limited to cmp3; nothing else on any other host", async () => {
        const r = {
            stdout: await planMultinode(() =>
                editStack((c) => {
                    (c["openstack-aio:hosts"] as object[]).push(CMP3);
                }, "multinode"),
            ),
        };
        const out = r.stdout;
        assert.match(
            out,
            /\*\*This change will add cmp3 \(bootstrap-servers --limit cmp3, pull --limit cmp3, deploy --limit cmp3\), no kolla-ansible run on any other host\.\*\*/,
        );
        assert.deepEqual(runsOf(out), [
            "- `host-cmp3` runs 3 steps on host cmp3 (host cmp3 joins the running cloud (roles compute))",
            "  - `kolla-ansible bootstrap-servers --limit cmp3`",
            "  - `kolla-ansible pull --limit cmp3`",
            "  - `kolla-ansible deploy --limit cmp3`",
        ]);
        // Nothing else runs on a target: cmp3's first contact and checks; the deploy host's own files.
        assert.deepEqual(otherCommands(out), [
            "- new, runs: `targets-cmp3-reachable`",
            "- runs again: `deploy-host-kolla-config` (stdin changed)",
            "- new, runs: `targets-cmp3-prepare`",
            "- runs again: `deploy-host-inventory` (triggers changed)",
            "- runs again: `deploy-host-self-check` (triggers changed)",
            "- runs again: `kolla-known-hosts` (stdin changed)",
        ]);
        // The host count changes nothing in ansible.cfg (and no stage depends on that file).
        assert.match(out, /^Changed: /m);
        assert.doesNotMatch(out.match(/^Changed: .*$/m)![0], /ansible\.cfg/);
        assert.doesNotMatch(out, /^[-+]forks/m);
        assert.doesNotMatch(
            out,
            /Commands that change but run nothing/,
            "no stage's input changed",
        );
    });

    it("multinode, cmp2 removed: its drain, stop --limit cmp2 and the clean-up, what to confirm; no reconfigure elsewhere", async () => {
        const r = {
            stdout: await planMultinode(() =>
                editStack((c) => {
                    c["openstack-aio:hosts"] = (
                        c["openstack-aio:hosts"] as { name: string }[]
                    ).filter((h: { name: string }) => h.name !== "cmp2");
                }, "multinode"),
            ),
        };
        const out = r.stdout;
        assert.match(
            out,
            /\*\*This change will remove cmp2 \(nova-compute disabled, its instances live-migrated, stop --limit cmp2, its agents and compute services deleted\), no kolla-ansible run on any other host\.\*\*/,
        );
        assert.deepEqual(runsOf(out), [
            "- `host-cmp2` runs 4 steps on host cmp2 (host cmp2 leaves the cloud (roles compute))",
            "  - `openstack compute service set --disable cmp2 nova-compute`",
            "  - `openstack server migrate --live-migration, for each instance on cmp2`",
            "  - `kolla-ansible stop --yes-i-really-really-mean-it --limit cmp2`",
            "  - `openstack network agent delete / compute service delete, for each of cmp2's`",
        ]);
        assert.match(
            out,
            /#### To confirm before `pulumi up`\n- `host-cmp2`: instances that cannot be live-migrated off cmp2, or cmp2 unreachable, stop the removal; to go on regardless, add cmp2 to forceRemoveHosts/,
        );
        assert.doesNotMatch(
            out.slice(0, out.indexOf("#### Files")),
            /reconfigure|runs again: `kolla-(?!known-hosts)/,
        );
    });

    it("multinode, novaVirtType: reconfigure --tags nova on the compute hosts only", async () => {
        const r = {
            stdout: await planMultinode(() =>
                editStack((c) => {
                    c["openstack-aio:novaVirtType"] = "qemu";
                }, "multinode"),
            ),
        };
        assert.match(
            r.stdout,
            /\*\*This change will run `kolla-ansible reconfigure --tags nova` on 2 hosts \(cmp1, cmp2\)\.\*\*/,
        );
        assert.deepEqual(runsOf(r.stdout), [
            '- `reconfigure-nova-compute` runs 1 step on 2 hosts (cmp1, cmp2) (nova_compute_virt_type: "qemu" concerns nova on the compute hosts only)',
            "  - `kolla-ansible reconfigure --tags nova --limit compute`",
        ]);
    });

    it("release 2023.1 → 2024.1: the hop's steps in the order they run, the images by tag, what to confirm", async () => {
        // As plan() does: the working tree evaluated on the cloud main's stack file deploys.
        const deployed = deployedIn(repo, "aio");
        assert.deepEqual(deployed, { release: "2023.1", hostOs: "jammy" });
        editStack((c) => {
            c["openstack-aio:release"] = "2024.1";
        });
        let out: string;
        try {
            const p = planOf(main, await evaluateTree(repo, "aio", deployed), "main");
            assert.equal(p.error, undefined, p.error);
            out = formatPlan(p);
        } finally {
            git(repo, "checkout", "-q", "--", "Pulumi.aio.yaml");
        }
        assert.match(
            out,
            /\*\*This change upgrades the cloud from 2023\.1 to 2024\.1, one hop on kolla's SLURP path: it will mirror 36 images at 2024\.1-ubuntu-jammy, 2 new images, 2 ahead of the upgrade, move RabbitMQ one version at a time \(3\.12, 3\.13\), reset RabbitMQ's queues, run `kolla-ansible upgrade` on host aio, run kolla's checks\.\*\*/,
        );
        const runs = runsOf(out).filter((l) => l.startsWith("- "));
        assert.deepEqual(
            runs.map((l) => /^- `([^`]+)`/.exec(l)?.[1]),
            [
                "hop-rabbitmq",
                "bootstrap-servers",
                "octavia-certificates",
                "prechecks",
                "pull",
                "hop-queues",
                "deploy",
                "hop-verify",
                "post-deploy",
            ],
        );
        const steps = runsOf(out).filter((l) => l.startsWith("  - "));
        assert.deepEqual(steps, [
            "  - `kolla-ansible rabbitmq-upgrade 3.12 --configdir /opt/openstack-aio/hops/2023.1-2024.1/etc-kolla (2023.1's CLI)`",
            "  - `kolla-ansible rabbitmq-upgrade 3.13 --configdir /opt/openstack-aio/hops/2023.1-2024.1/etc-kolla (2023.1's CLI)`",
            "  - `kolla-ansible stop --tags heat,keystone,neutron,nova,octavia --yes-i-really-really-mean-it`",
            "  - `kolla-ansible genconfig`",
            "  - `kolla-ansible rabbitmq-reset-state`",
            "  - `kolla-ansible prechecks --tags rabbitmq-ha-precheck`",
            "  - `kolla-ansible validate-config`",
        ]);
        assert.ok(
            runs.some((l) =>
                l.startsWith(
                    "- `prechecks` runs `kolla-ansible prechecks --skip-tags rabbitmq-ha-precheck` on host aio",
                ),
            ),
            "prechecks on the hop take its arguments",
        );
        assert.match(out, /- `deploy` runs `kolla-ansible upgrade` on host aio/);
        assert.match(out, /#### The upgrade hop 2023\.1 → 2024\.1\n/);
        assert.match(
            out,
            /- `hop-rabbitmq`: the hop from 2023\.1 to 2024\.1 starts with RabbitMQ's version steps/,
        );
        assert.match(
            out,
            /- `hop-queues`: the APIs of heat, keystone, neutron, nova, octavia are down/,
        );
        // The images: one line for those that only change tag, the new ones, the hop's own ahead of them.
        assert.match(
            out,
            /- mirrored at the new tag `2024\.1-ubuntu-jammy` \(was `2023\.1-ubuntu-jammy`\), 36 images: `cron`, /,
        );
        assert.match(
            out,
            /- mirrored: `redis` \(quay\.io\/openstack\.kolla\/redis:2024\.1-ubuntu-jammy\)/,
        );
        assert.match(
            out,
            /- mirrored ahead of kolla's own: `rabbitmq-3-12` \(quay\.io\/openstack\.kolla\/rabbitmq-3-12:2023\.1-ubuntu-jammy\)/,
        );
        assert.doesNotMatch(out, /- dropped:/);
        assert.match(
            out,
            /- the mirror's copies of the images above \(`kolla-images-…`\): 4 new, 36 again\n/,
        );
        assert.doesNotMatch(otherCommands(out).join("\n"), /kolla-hop-|runs again: `kolla-images-/);
        // The review list is not a host file.
        assert.doesNotMatch(out, /images-ahead\.txt/);
        assert.match(
            out,
            /#### The hosts' Ubuntu\n- the next hop, to 2025\.1, runs on Ubuntu 24\.04 \(noble\) only and these hosts run Ubuntu 22\.04 \(jammy\): while on 2024\.1, move every host/,
        );
    });

    it("a release change that is not one hop shows the program's refusal", async () => {
        // As plan() does: the working tree evaluated on the cloud main's stack file deploys.
        const deployed = deployedIn(repo, "aio");
        editStack((c) => {
            c["openstack-aio:release"] = "2025.1";
        });
        try {
            const p = planOf(main, await evaluateTree(repo, "aio", deployed), "main");
            assert.match(
                formatPlan(p),
                /does not evaluate:[\s\S]*openstack-aio:release: this cloud runs 2023\.1; 2025\.1 is not its next release on kolla's SLURP path \(2023\.1 → 2024\.1 → 2025\.1 → 2026\.1\): set openstack-aio:release to 2024\.1 first/,
            );
        } finally {
            git(repo, "checkout", "-q", "--", "Pulumi.aio.yaml");
        }
    });

    it("an unknown ref, invalid config or wrong usage exits non-zero with a message and leaves no temp tree", async () => {
        const before = leftovers();
        // main() in this process (its evaluations in their own, as always): the ref and the usage are checked
        // before anything is evaluated.
        const unknown = await runMain(planMain, "aio", "--base", "no-such-ref");
        assert.equal(unknown.status, 1);
        assert.match(unknown.stderr, /git rev-parse/);
        editStack((c) => {
            c["openstack-aio:vip"] = "10.10.10.51";
        });
        try {
            const r = await runMain((argv) => planMain(argv, repo), "aio", "--base", "main");
            assert.equal(r.status, 1);
            assert.match(r.stdout, /does not evaluate:[\s\S]*openstack-aio:vip:/);
        } finally {
            git(repo, "checkout", "-q", "--", "Pulumi.aio.yaml");
        }
        assert.equal((await runMain(planMain)).status, 2);
        assert.equal((await runMain(planMain, "aio", "--base")).status, 2);
        assert.deepEqual(leftovers(), before);
    });
});

describe("plan: verdicts from two evaluations", () => {
    const stage = (
        s: string,
        hash: string,
        extra: Partial<ResourceSummary> = {},
    ): ResourceSummary => ({
        type: "command:remote:Command",
        name: `kolla-${s}`,
        custom: true,
        replaceOnChanges: ["triggers[*]"],
        ignoreChanges: [],
        inputs: {
            stdin: `readonly STAGE='${s}'\nreadonly STAGE_HASH='${hash}'\n`,
            create: "bash -s create",
        },
        ...extra,
    });
    const tree = (
        release: string,
        hash: string,
        hosts: TreeSummary["hosts"],
        more: ResourceSummary[] = [],
    ): TreeSummary => ({
        stack: "t",
        exists: true,
        release,
        registryMode: "mirror",
        deployHost: { name: "deploy", address: "10.0.0.2" },
        hosts,
        files: {
            "globals.yml": `release: ${release}\n`,
            "images.txt": "q/ns/nova-api:x -> r/ns/nova-api:x\n",
        },
        resources: [
            stage("prechecks", hash),
            stage("deploy", hash),
            stage("post-deploy", hash),
            ...more,
        ],
    });
    const three = [
        { name: "c1", address: "10.0.0.11", roles: ["control", "network"] },
        { name: "c2", address: "10.0.0.12", roles: ["control", "network"] },
        { name: "k1", address: "10.0.0.21", roles: ["compute"] },
    ];

    it("a release change upgrades; a new stack deploys; a replaced command deploys; no change runs nothing", () => {
        const up = comparePlans(tree("2023.1", "a", three), tree("2023.2", "b", three), "main");
        assert.deepEqual(
            up.stages.map((s) => [s.stage, s.action]),
            [
                ["prechecks", "prechecks"],
                ["deploy", "upgrade"],
                ["post-deploy", "post-deploy"],
            ],
        );
        assert.match(headline(up), /run `kolla-ansible upgrade` on 3 hosts \(c1, c2, k1\)/);
        const fresh = comparePlans(
            { stack: "t", exists: false },
            tree("2023.1", "a", three),
            "main",
        );
        assert.equal(fresh.stages.find((s) => s.stage === "deploy")!.action, "deploy");
        assert.match(formatPlan(fresh), /host `k1` \(10\.0\.0\.21\) is added with roles compute/);
        const replaced = comparePlans(
            tree("2023.1", "a", three),
            tree("2023.1", "a", three, []),
            "main",
        );
        assert.deepEqual(replaced.stages, []);
        assert.equal(
            headline(replaced),
            "This change runs nothing on the hosts and changes no cloud resource. No kolla stage runs.",
        );
        const trig = comparePlans(
            {
                ...tree("2023.1", "a", three),
                resources: [
                    stage("deploy", "a", {
                        inputs: { ...stage("deploy", "a").inputs, triggers: [1] },
                    }),
                ],
            },
            {
                ...tree("2023.1", "a", three),
                resources: [
                    stage("deploy", "a", {
                        inputs: { ...stage("deploy", "a").inputs, triggers: [2] },
                    }),
                ],
            },
            "main",
        );
        assert.deepEqual(
            trig.stages.map((s) => [s.stage, s.op, s.action]),
            [["deploy", "replace", "deploy"]],
        );
        // A new version of a script whose stage depends on nothing new: listed, runs nothing.
        const same = comparePlans(
            {
                ...tree("2023.1", "a", three),
                resources: [stage("deploy", "a")],
            },
            {
                ...tree("2023.1", "a", three),
                resources: [
                    stage("deploy", "a", {
                        inputs: {
                            ...stage("deploy", "a").inputs,
                            stdin: `${asString(stage("deploy", "a").inputs.stdin)}# v2\n`,
                        },
                    }),
                ],
            },
            "main",
        );
        assert.deepEqual(
            same.stages.map((s) => [s.stage, s.op, s.action]),
            [["deploy", "update", undefined]],
        );
        assert.match(
            formatPlan(same),
            /- `deploy`: its script changed, not what it depends on \(a\)/,
        );
    });

    it("names hosts that are added, removed or lose a role; the reconfigure runs on every host but the joining one", () => {
        const after = [
            { ...three[0], roles: ["control"] },
            three[2],
            { name: "k2", address: "10.0.0.22", roles: ["compute"] },
        ];
        const p = comparePlans(tree("2023.1", "a", three), tree("2023.1", "b", after), "main");
        assert.deepEqual(p.hosts, [
            "host `c1` loses role network",
            "host `k2` (10.0.0.22) is added with roles compute",
            "host `c2` (10.0.0.12) is removed: it leaves the inventory",
        ]);
        // k2 joins through its own command: the cloud-wide runs leave it out.
        assert.match(
            headline(p),
            /^This change will run `kolla-ansible reconfigure` on 2 hosts \(c1, k1\)\.$/,
        );
        assert.deepEqual(p.stages.find((s) => s.stage === "deploy")!.steps, [
            "kolla-ansible reconfigure --limit all:!k2",
        ]);
        assert.deepEqual(p.filesChanged, []);
    });

    it("the first run of the version that records: says nothing runs if the deploy host adopts the cloud", () => {
        const old = (x: string) =>
            stage(x, "a", {
                inputs: { stdin: `readonly STAGE='${x}'\nreadonly CONFIG_HASH='a'\n` },
            });
        const p = comparePlans(
            { ...tree("2023.1", "a", three), resources: [old("prechecks"), old("deploy")] },
            tree("2023.1", "b", three),
            "main",
        );
        assert.deepEqual(
            p.stages.map((s) => [s.stage, s.action, s.firstRun]),
            [
                ["prechecks", "prechecks", true],
                ["deploy", "reconfigure", true],
                ["post-deploy", "post-deploy", undefined],
            ],
        );
        // post-deploy is new here (created): it runs whatever the adoption finds, so the headline is the ordinary one.
        assert.match(
            headline(p),
            /^This change will run `kolla-ansible reconfigure` on 3 hosts \(c1, c2, k1\)\./,
        );
        const q = comparePlans(
            { ...tree("2023.1", "a", three), resources: [old("prechecks"), old("deploy")] },
            {
                ...tree("2023.1", "b", three),
                resources: [stage("prechecks", "b"), stage("deploy", "b")],
            },
            "main",
        );
        assert.match(
            headline(q),
            /^This is the first `pulumi up` of the version that records what each host runs: nothing runs on the hosts if the deploy host finds the cloud last deployed with exactly this configuration/,
        );
    });

    it("the hosts' Ubuntu: a hostOs change says what runs again; the next hop's Ubuntu only when the release changes", () => {
        const tree = (release: string, hostOs: string): TreeSummary => ({
            stack: "aio",
            exists: true,
            release,
            hostOs,
        });
        const moved = hostOsNotes(tree("2024.1", "jammy"), tree("2024.1", "noble"));
        assert.equal(moved.length, 1);
        assert.match(
            moved[0],
            /^hostOs moves from jammy to noble: .*Ubuntu 24\.04 \(noble\).*bootstrap-servers runs again, one host at a time$/,
        );
        assert.deepEqual(hostOsNotes(tree("2024.1", "jammy"), tree("2024.1", "jammy")), []);
        assert.match(
            hostOsNotes(tree("2023.1", "jammy"), tree("2024.1", "jammy")).join(),
            /the next hop, to 2025\.1/,
        );
        assert.deepEqual(
            hostOsNotes(tree("2023.1", "jammy"), tree("2024.1", "noble")).filter((n) =>
                n.includes("next hop"),
            ),
            [],
        );
        assert.deepEqual(hostOsNotes(tree("2025.1", "noble"), tree("2026.1", "noble")), []);
        // A new stack on 2024.1 jammy is told too; a base that cannot be read says nothing of a move.
        assert.equal(
            hostOsNotes({ stack: "aio", exists: false }, tree("2024.1", "jammy")).length,
            1,
        );
    });

    it("secret inputs never reach the plan; ignoreChanges inputs cause no run", () => {
        const withKey = (v: string, ignore: string[] = []) =>
            stage("deploy", "a", {
                ignoreChanges: ignore,
                inputs: {
                    ...stage("deploy", "a").inputs,
                    connection: { host: "h", privateKey: "[secret]" },
                    environment: { X: v },
                },
            });
        const p = comparePlans(
            { ...tree("2023.1", "a", three), resources: [withKey("1", ["environment"])] },
            { ...tree("2023.1", "a", three), resources: [withKey("2", ["environment"])] },
            "main",
        );
        assert.deepEqual(p.stages, []);
        assert.deepEqual(
            redact(
                {
                    connection: { host: "h", privateKey: "KEY" },
                    stdin: "PW",
                    list: [{ v: "x" }, { v: "y" }],
                },
                ["connection.privateKey", "stdin", "list[1].v"],
            ),
            {
                connection: { host: "h", privateKey: "[secret]" },
                stdin: "[secret]",
                list: [{ v: "x" }, { v: "[secret]" }],
            },
        );
    });
});
