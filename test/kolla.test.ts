// render/kolla.ts: kolla-stage.sh and kolla-destroy.sh (with the deploy-host lock and the output digest), run for real
// against a fake kolla-ansible. The stages' graph and re-run semantics: kollaDeployment.test.ts.
import { strict as assert } from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
// The fs module object itself (a default import under esModuleInterop is the CommonJS module): replacing its
// readFileSync is seen by every `import * as fs`, whose bindings read the module's properties live.
import nodeFs from "fs";
import * as path from "path";
import { deployConfigScript } from "../render/deployHost";
import { hostScripts } from "../render/hostFiles";
import { scriptBody } from "../render/script";
import { destroyScript, hostsList, stageScript, StageName, teardownScript } from "../render/kolla";
import { Graph } from "../tools/evaluate/harness";
import { stackSettings } from "../tools/evaluate/stack";
import { tempDir } from "./support/tools";
import { AIO_STAGES, lifecycle, mode, runScript, withVars } from "./support/lifecycle";

const PYTHON3 = spawnSync("sh", ["-c", "command -v python3"], { encoding: "utf8" }).stdout.trim();
const DB_PW = "Xq9databasepasswordfromgenpwd0123456789";
const KEY_LINE = "MIIEpAIBAAKCAQEA1privatekeybodyline0123456789abcdefghij";

/** What kolla-ansible prints, shortened: a play, ok/changed chatter, loop items with big dicts, a failure. */
const ANSIBLE_RUN = `
PLAY [Apply role mariadb] ******************************************************

TASK [mariadb : Ensuring config directories exist] *****************************
ok: [aio] => (item={'key': 'mariadb', 'value': {'container_name': 'mariadb', 'environment': {'DB_PASSWORD': '${DB_PW}'}}})
changed: [aio] => (item=${"x".repeat(5000)})

TASK [mariadb : Check MariaDB service port liveness] ***************************
FAILED - RETRYING: [aio]: Check MariaDB service port liveness (10 retries left).
fatal: [aio]: FAILED! => {"changed": false, "cmd": "mysql -p${DB_PW}", "msg": "key \\n${KEY_LINE}\\n", "x": "${"y".repeat(5000)}"}

PLAY RECAP *********************************************************************
aio                        : ok=12   changed=3    unreachable=0    failed=1    skipped=7    rescued=0    ignored=0
`;

describe("kolla-stage.sh and kolla-destroy.sh, run for real against a fake kolla-ansible", () => {
    const settings = stackSettings("aio");
    function sandbox(fake = "") {
        const root = tempDir("kolla-run-");
        const venv = path.join(root, "venv"),
            logs = path.join(root, "log"),
            state = path.join(root, "state");
        fs.mkdirSync(path.join(venv, "bin"), { recursive: true });
        fs.mkdirSync(state);
        const calls = path.join(root, "calls");
        const inventory = path.join(root, "inventory");
        fs.writeFileSync(inventory, "[control]\n");
        const openrc = path.join(root, "admin-openrc.sh");
        // The venv's python runs the output digest; the system python3 has PyYAML like the venv.
        fs.symlinkSync(PYTHON3, path.join(venv, "bin", "python3"));
        const passwords = path.join(root, "passwords.yml");
        fs.writeFileSync(
            passwords,
            `database_password: ${DB_PW}\nnova_ssh_key:\n  private_key: |\n    ${KEY_LINE}\n    tail\n  public_key: ssh-rsa AAAA\nempty_password:\n`,
        );
        fs.writeFileSync(
            path.join(venv, "bin", "kolla-ansible"),
            `#!/usr/bin/env bash
echo "$*" >> ${JSON.stringify(calls)}
echo "PLAY RECAP for $*"
${fake}
[ "\${*: -1}" != post-deploy ] || echo "export OS_AUTH_URL=x" > ${JSON.stringify(openrc)}
`,
            { mode: 0o755 },
        );
        // deploy-config installs the digest filter on the deploy host; here, the same file.
        const filter = path.join(state, "ansible-progress.py");
        fs.writeFileSync(filter, scriptBody("ansible-progress.py"));
        const vars = {
            VENV: venv,
            LOG_DIR: logs,
            DEPLOYED_MARKER: path.join(state, "deployed-release"),
            HOPS_DIR: path.join(state, "hops"),
            INVENTORY: inventory,
            PASSWORDS: passwords,
            LOCK_FILE: path.join(state, "deploy.lock"),
            PROGRESS_FILTER: filter,
        };
        // The stages' records, and what deploy-config writes: the stack's hosts, and globals.yml.
        const records = {
            APPLIED_DIR: path.join(state, "applied"),
            HOSTS_FILE: path.join(state, "hosts.list"),
        };
        fs.writeFileSync(records.HOSTS_FILE, `${hostsList(settings).join("\n")}\n`);
        const globals = path.join(root, "globals.yml");
        fs.writeFileSync(globals, '---\nnova_compute_virt_type: "kvm"\n');
        const stageRun = (s: StageName, m: string, extra: Record<string, string> = {}) =>
            runScript(
                withVars(stageScript(settings, s), {
                    ...vars,
                    ...records,
                    GLOBALS_FILE: globals,
                    ADMIN_OPENRC: openrc,
                    ...extra,
                }),
                [m],
                {},
            );
        const guards = path.join(state, "destroy-guards"),
            legacy = path.join(state, "destroy-guard.id"),
            teardown = path.join(state, "kolla-teardown.sh");
        const calls_ = () =>
            fs.existsSync(calls) ? fs.readFileSync(calls, "utf8").trim().split("\n") : [];
        return {
            stageRun,
            calls: calls_,
            marker: vars.DEPLOYED_MARKER,
            logs,
            openrc,
            inventory,
            venv,
            guards,
            legacy,
            teardown,
            lock: vars.LOCK_FILE,
            records,
            root,
        };
    }

    it("deploy: first create deploys, update reconfigures, a release change upgrades; each success records the release", () => {
        const sb = sandbox();
        // An update whose stage hash differs from the one recorded: what a change of what it depends on looks like.
        const changed = { STAGE_HASH: "0123456789abcdef" };
        let r = sb.stageRun("deploy", "create");
        assert.equal(r.status, 0, r.stdout + r.stderr);
        assert.equal(fs.readFileSync(sb.marker, "utf8"), "2023.1\n");
        r = sb.stageRun("deploy", "update", changed);
        assert.equal(r.status, 0);
        // The next release's script (one SLURP hop): upgrade, the hop recorded as begun and done.
        const next = { RELEASE: "2024.1", STAGE_HASH: "fedcba9876543210" };
        r = sb.stageRun("deploy", "update", next);
        assert.equal(r.status, 0, r.stdout + r.stderr);
        assert.equal(fs.readFileSync(sb.marker, "utf8"), "2024.1\n");
        const hop = path.join(sb.root, "state", "hops", "2023.1-2024.1");
        assert.deepEqual(fs.readdirSync(hop).sort(), ["started", "upgraded"]);
        r = sb.stageRun("deploy", "create", next); // replaced (e.g. new SSH key) on a running cloud: converge with deploy
        assert.equal(r.status, 0);
        assert.deepEqual(
            sb.calls(),
            ["deploy", "reconfigure", "upgrade", "deploy"].map((a) => `-i ${sb.inventory} ${a}`),
        );
        // A release that is not the next hop is refused before kolla-ansible runs.
        fs.writeFileSync(sb.marker, "2023.1\n");
        r = sb.stageRun("deploy", "update", { RELEASE: "2025.1" });
        assert.equal(r.status, 1);
        assert.match(
            r.stderr,
            /2025\.1 is not its next release .*set openstack-aio:release to 2024\.1 first/,
        );
        assert.equal(sb.calls().length, 4, "nothing ran");
    });

    it("an update that finds its stage's hash recorded runs nothing; create always runs; only a success records", () => {
        const sb = sandbox();
        const changed = { STAGE_HASH: "0123456789abcdef" };
        assert.equal(sb.stageRun("prechecks", "create").status, 0);
        let r = sb.stageRun("prechecks", "update");
        assert.equal(r.status, 0);
        assert.match(r.stdout, /what it depends on \([0-9a-f]{16}\) is what it last applied/);
        assert.equal(sb.stageRun("prechecks", "update", changed).status, 0);
        assert.equal(sb.stageRun("prechecks", "create", changed).status, 0);
        r = sb.stageRun("prechecks", "update", changed);
        assert.match(r.stdout, /is what it last applied/);
        assert.match(r.stdout, /PLAY RECAP for -i \S+ prechecks|nothing to do/);
        assert.deepEqual(sb.calls(), Array(3).fill(`-i ${sb.inventory} prechecks`));
        const log = fs.readFileSync(path.join(sb.logs, "prechecks.log"), "utf8");
        assert.equal(log.match(/PLAY RECAP/g)?.length, 3, "every run kept");
        assert.ok(!fs.existsSync(sb.marker), "only deploy records the release");
        const failing = sandbox("exit 2");
        assert.equal(failing.stageRun("prechecks", "create").status, 2);
        assert.equal(failing.stageRun("prechecks", "update").status, 2, "nothing was recorded");
    });

    it("streams a digest (plays, the failed task, retries, recap) with kolla's passwords redacted; the 0600 log keeps all", () => {
        const sb = sandbox(`cat <<'RUN'\n${ANSIBLE_RUN}\nRUN\nexit 2`);
        const r = sb.stageRun("deploy", "create");
        assert.equal(r.status, 2);
        const shown = (r.stdout + r.stderr).split("\n");
        const at = (re: RegExp) => shown.findIndex((l) => re.test(l));
        assert.ok(at(/^PLAY \[Apply role mariadb\]$/) >= 0, "plays show progress, banner stripped");
        assert.ok(
            at(/^TASK \[mariadb : Check MariaDB service port liveness\]$/) ===
                at(/^fatal: \[aio\]/) - 1,
            "the failed task right before its failure",
        );
        assert.ok(at(/FAILED - RETRYING/) >= 0 && at(/^aio +: ok=12 .*failed=1/) >= 0);
        assert.equal(at(/^(ok|changed): /), -1, "per-item chatter stays in the log");
        assert.equal(
            at(/Ensuring config directories/),
            -1,
            "tasks that did not fail stay in the log",
        );
        for (const secret of [DB_PW, KEY_LINE])
            assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret), "redacted");
        assert.match(r.stdout, /"cmd": "mysql -p\*{8}"/);
        assert.ok(
            shown.every((l) => l.length < 2100),
            "long lines are cut",
        );
        assert.match(r.stdout + r.stderr, /kolla-ansible deploy failed \(exit 2\); full log/);
        const log = fs.readFileSync(path.join(sb.logs, "deploy.log"), "utf8");
        assert.ok(
            log.includes(DB_PW) &&
                log.includes("Ensuring config directories") &&
                log.includes("x".repeat(5000)),
        );
        assert.equal(mode(path.join(sb.logs, "deploy.log")), "0600");
        assert.equal(mode(sb.logs), "0700");
    });

    it("the digest filter is installed once by deploy-config: editing it changes no stage's inputs", () => {
        const filterLine = scriptBody("ansible-progress.py")
            .split("\n")
            .find((l) => l.includes("MAX_LINE = "))!;
        for (const s of hostScripts(settings).filter((x) => x.name !== "deploy-config.sh"))
            assert.ok(!s.text.includes(filterLine), `${s.name} embeds the filter`);
        for (const s of AIO_STAGES)
            assert.match(
                stageScript(settings, s as StageName).text,
                /readonly PROGRESS_FILTER='\/opt\/openstack-aio\/ansible-progress\.py'/,
            );
        assert.ok(
            deployConfigScript(settings).text.includes(filterLine),
            "deploy-config carries it",
        );
    });

    it("editing the digest filter changes deploy-config's inputs and no other command's (the program's own graph)", async () => {
        const commands = (g: Graph) =>
            new Map(
                g.ofType("command:remote:Command").map((r) => [r.name, JSON.stringify(r.inputs)]),
            );
        const before = commands(await lifecycle());
        // The filter as a maintainer would edit it: render/scripts/ansible-progress.py read with one more line.
        const read = nodeFs.readFileSync;
        const edited = ((file: fs.PathOrFileDescriptor, options?: unknown) => {
            const text = (read as (f: fs.PathOrFileDescriptor, o?: unknown) => string | Buffer)(
                file,
                options,
            );
            return String(file).endsWith(path.join("scripts", "ansible-progress.py"))
                ? `${text.toString()}# edited\n`
                : text;
        }) as typeof fs.readFileSync;
        nodeFs.readFileSync = edited;
        let after: Map<string, string>;
        try {
            after = commands(await lifecycle());
        } finally {
            nodeFs.readFileSync = read;
        }
        const changed = [...before.keys()].filter((name) => before.get(name) !== after.get(name));
        assert.deepEqual(changed, ["deploy-host-kolla-config"]);
        assert.ok(before.size >= 20);
    });

    it("a digest that cannot start costs the operator the stream, never the stage or its log", () => {
        const sb = sandbox();
        fs.rmSync(path.join(sb.venv, "bin", "python3"));
        const r = sb.stageRun("prechecks", "create");
        assert.equal(r.status, 0, r.stderr);
        assert.match(
            fs.readFileSync(path.join(sb.logs, "prechecks.log"), "utf8"),
            /PLAY RECAP for -i \S+ prechecks/,
        );
    });

    it("a failing stage fails the command with kolla-ansible's exit code and records nothing", () => {
        const sb = sandbox("exit 2");
        const r = sb.stageRun("deploy", "create");
        assert.equal(r.status, 2);
        assert.match(
            r.stdout + r.stderr,
            /kolla-ansible deploy failed \(exit 2\); full log: .*deploy\.log/,
        );
        assert.ok(!fs.existsSync(sb.marker));
    });

    it("the in-script timeout stops a hung stage", () => {
        const sb = sandbox("sleep 30");
        const started = Date.now();
        const r = sb.stageRun("pull", "create", { STAGE_TIMEOUT: "1s" });
        assert.equal(r.status, 124);
        assert.ok(Date.now() - started < 15000);
        assert.match(r.stdout + r.stderr, /did not finish within 1s/);
    });

    it("post-deploy checks admin-openrc.sh was written and keeps it 0600", () => {
        const sb = sandbox();
        const r = sb.stageRun("post-deploy", "create");
        assert.equal(r.status, 0, r.stderr);
        assert.equal(mode(sb.openrc), "0600");
        assert.match(r.stdout, /admin credentials: .*admin-openrc\.sh/);
        const missing = sandbox("exit 0");
        assert.notEqual(
            missing.stageRun("post-deploy", "create", {
                ADMIN_OPENRC: path.join(tempDir(), "absent"),
            }).status,
            0,
        );
    });

    // What the provider does on each path (@pulumi/command 1.2.1: only `triggers` replace; a replacement is created
    // before the old one is deleted, both with the same inputs; a delete whose result was lost is retried on the next
    // `up`), run for real: no delete ever destroys, whatever came before it.
    const DESTROY = (sb: { inventory: string }) => [
        `-i ${sb.inventory} destroy --yes-i-really-really-mean-it`,
    ];
    const SCENARIOS: {
        name: string;
        steps: [allow: boolean, mode: string][];
        /** Whether the deploy host keeps the teardown command afterwards. */
        teardown: boolean;
    }[] = [
        {
            name: "pulumi destroy, allowDestroy=true",
            steps: [
                [true, "create"],
                [true, "delete"],
            ],
            teardown: true,
        },
        {
            name: "pulumi destroy, allowDestroy=false",
            steps: [
                [false, "create"],
                [false, "delete"],
            ],
            teardown: false,
        },
        {
            name: "pulumi up --replace (new guard first, then the old one's delete)",
            steps: [
                [true, "create"],
                [true, "create"],
                [true, "delete"],
            ],
            teardown: true,
        },
        {
            name: "replacement, then pulumi destroy",
            steps: [
                [true, "create"],
                [true, "create"],
                [true, "delete"],
                [true, "delete"],
            ],
            teardown: true,
        },
        {
            name: "a replacement whose old delete is retried (it ran on the host, its result was lost)",
            steps: [
                [true, "create"],
                [true, "create"],
                [true, "delete"],
                [true, "delete"],
            ],
            teardown: true,
        },
        {
            name: "a delete retried after pulumi destroy already ran it",
            steps: [
                [true, "create"],
                [true, "delete"],
                [true, "delete"],
            ],
            teardown: true,
        },
        {
            name: "a connection change (an update), then pulumi destroy",
            steps: [
                [true, "create"],
                [true, "update"],
                [true, "delete"],
            ],
            teardown: true,
        },
        {
            name: "allowDestroy turned on by pulumi up",
            steps: [
                [false, "create"],
                [true, "update"],
            ],
            teardown: true,
        },
        {
            name: "allowDestroy turned off again by pulumi up, then pulumi destroy",
            steps: [
                [true, "create"],
                [false, "update"],
                [false, "delete"],
            ],
            teardown: false,
        },
        {
            name: "a delete with nothing recorded on the host",
            steps: [[true, "delete"]],
            teardown: false,
        },
    ];
    const guardVars = (sb: ReturnType<typeof sandbox>) => ({
        GUARDS_FILE: sb.guards,
        LEGACY_ID_FILE: sb.legacy,
        TEARDOWN_FILE: sb.teardown,
        LOCK_FILE: sb.lock,
    });
    const guardRun = (sb: ReturnType<typeof sandbox>, allow: boolean, m: string) =>
        runScript(
            withVars(destroyScript(stackSettings("aio", { allowDestroy: allow })), guardVars(sb)),
            [m],
            {},
        );
    for (const sc of SCENARIOS) {
        it(`destroy guard: ${sc.name} → leaves the cloud${sc.teardown ? ", keeps the teardown command" : ""}`, () => {
            const sb = sandbox();
            fs.writeFileSync(sb.marker, "2023.1\n");
            for (const [allow, m] of sc.steps) {
                const r = guardRun(sb, allow, m);
                assert.equal(r.status, 0, `${m}: ${r.stdout}${r.stderr}`);
                if (m === "delete")
                    assert.match(r.stdout, /the cloud on the hosts was left untouched/);
            }
            assert.deepEqual(sb.calls(), [], "no delete runs kolla-ansible destroy");
            assert.ok(fs.existsSync(sb.marker), "the deployed release is still recorded");
            assert.equal(fs.existsSync(sb.teardown), sc.teardown, "the teardown command");
            if (sc.teardown)
                assert.equal(
                    fs.readFileSync(sb.teardown, "utf8"),
                    teardownScript(stackSettings("aio", { allowDestroy: true })).text,
                );
        });
    }

    it("destroy guard: says where the teardown command is, and how to get one when allowDestroy is false", () => {
        const sb = sandbox();
        assert.match(
            guardRun(sb, true, "create").stdout,
            /allowDestroy=true: pulumi destroy leaves the cloud on the hosts running; tear it down afterwards with: bash \S+kolla-teardown\.sh --yes-i-really-really-mean-it/,
        );
        assert.equal(mode(sb.teardown), "0700");
        assert.match(
            guardRun(sb, true, "delete").stdout,
            /once pulumi destroy has finished: bash \S+kolla-teardown\.sh --yes-i-really-really-mean-it/,
        );
        assert.match(
            guardRun(sb, false, "delete").stdout,
            /pulumi config set allowDestroy true and pulumi up \(installs \S+kolla-teardown\.sh\), then pulumi destroy/,
        );
    });

    it("destroy guard: the counting files of earlier guards are removed on the next create or update", () => {
        const sb = sandbox();
        fs.writeFileSync(sb.legacy, "0123456789abcdef\n");
        fs.writeFileSync(sb.guards, "a 2024-01-01 create\nb 2024-01-02 create\n");
        assert.equal(guardRun(sb, true, "update").status, 0);
        assert.ok(!fs.existsSync(sb.legacy) && !fs.existsSync(sb.guards));
        assert.equal(guardRun(sb, true, "delete").status, 0);
        assert.deepEqual(sb.calls(), []);
    });

    const teardownRun = (sb: ReturnType<typeof sandbox>, args: string[]) =>
        runScript(
            withVars(teardownScript(stackSettings("aio", { allowDestroy: true })), {
                VENV: sb.venv,
                LOG_DIR: sb.logs,
                DEPLOYED_MARKER: sb.marker,
                INVENTORY: sb.inventory,
                PASSWORDS: path.join(sb.root, "passwords.yml"),
                LOCK_FILE: sb.lock,
                PROGRESS_FILTER: path.join(sb.root, "state", "ansible-progress.py"),
            }),
            args,
            {},
        );

    it("teardown: the explicit command destroys the cloud (in the release's CLI order) and forgets the deployed release", () => {
        const sb = sandbox();
        fs.writeFileSync(sb.marker, "2023.1\n");
        const r = teardownRun(sb, ["--yes-i-really-really-mean-it"]);
        assert.equal(r.status, 0, r.stdout + r.stderr);
        assert.deepEqual(sb.calls(), DESTROY(sb));
        assert.ok(!fs.existsSync(sb.marker), "the next deploy starts fresh");
        assert.match(fs.readFileSync(path.join(sb.logs, "destroy.log"), "utf8"), /PLAY RECAP/);
    });

    it("teardown: refuses without its confirmation, and a failed destroy fails it", () => {
        const sb = sandbox();
        fs.writeFileSync(sb.marker, "2023.1\n");
        for (const args of [[], ["--yes"], ["delete"]]) {
            const r = teardownRun(sb, args);
            assert.equal(r.status, 2, args.join(" "));
            assert.match(
                r.stderr,
                /destroys the cloud on every host .* --yes-i-really-really-mean-it/,
            );
        }
        assert.deepEqual(sb.calls(), []);
        const failing = sandbox("exit 3");
        fs.writeFileSync(failing.marker, "2023.1\n");
        assert.equal(teardownRun(failing, ["--yes-i-really-really-mean-it"]).status, 3);
        assert.ok(fs.existsSync(failing.marker), "still deployed as far as the host knows");
    });

    it("destroy guard: two creates at the same moment both succeed (the lock serialises them)", async () => {
        const sb = sandbox();
        const script = withVars(
            destroyScript(stackSettings("aio", { allowDestroy: true })),
            guardVars(sb),
        );
        const runs = [0, 1].map(
            () =>
                new Promise<number>((resolve) => {
                    const p = spawn("bash", ["-s", "--", "create"], {
                        stdio: ["pipe", "ignore", "ignore"],
                    });
                    p.on("exit", (code) => resolve(code ?? -1));
                    p.stdin.end(script);
                }),
        );
        assert.deepEqual(await Promise.all(runs), [0, 0]);
        assert.equal(
            fs.readFileSync(sb.teardown, "utf8"),
            teardownScript(stackSettings("aio", { allowDestroy: true })).text,
        );
    });

    it("the deploy-host lock: a second stage waits, then fails naming the holder's pid, stage and log", async () => {
        // The first stage's kolla-ansible runs until the test releases it (at most 15 s).
        const release = path.join(tempDir("kolla-release-"), "release");
        const sb = sandbox(`for _ in $(seq 300); do [ -e ${release} ] && break; sleep 0.05; done`);
        const first = spawn("bash", ["-s", "--", "create"], {
            stdio: ["pipe", "ignore", "ignore"],
        });
        first.stdin.end(
            withVars(stageScript(settings, "pull"), {
                ...sb.records,
                VENV: sb.venv,
                LOG_DIR: sb.logs,
                DEPLOYED_MARKER: sb.marker,
                INVENTORY: sb.inventory,
                LOCK_FILE: sb.lock,
            }),
        );
        const done = new Promise((resolve) => first.on("exit", resolve));
        for (let i = 0; i < 50 && !fs.existsSync(`${sb.lock}.holder`); i++)
            await new Promise((r) => setTimeout(r, 100));
        const r = sb.stageRun("deploy", "create", { LOCK_WAIT: "1" });
        assert.equal(r.status, 75);
        assert.match(
            r.stderr,
            /kolla-ansible deploy: the deploy host is busy: .*deploy\.lock is held by pid \d+ \(kolla-ansible pull, since .*, log .*pull\.log\); waited 1s/,
        );
        assert.deepEqual(sb.calls(), [`-i ${sb.inventory} pull`], "deploy did not run");
        fs.writeFileSync(release, "");
        await done;
        const after = sb.stageRun("deploy", "create", { LOCK_WAIT: "5" });
        assert.equal(after.status, 0, after.stderr);
    });

    it("a failure in the script's own code names its line and command", () => {
        const sb = sandbox();
        fs.mkdirSync(`${sb.marker}.new`); // the marker cannot be written: the script's own code fails, not kolla-ansible
        const r = sb.stageRun("deploy", "create");
        assert.notEqual(r.status, 0);
        assert.match(r.stdout + r.stderr, /kolla-deploy\.sh: line \d+: .*failed \(exit \d+\)/);
    });
});
