// render/kolla.ts: kolla-stage.sh and kolla-destroy.sh (with the deploy-host lock and the output digest), run for real
// against a fake kolla-ansible. The stages' graph and re-run semantics: kollaDeployment.test.ts.
import { strict as assert } from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { configHash, deployConfigScript } from "../render/deployHost";
import { hostScripts } from "../render/hostFiles";
import { scriptBody } from "../render/script";
import { destroyScript, stageScript, StageName } from "../render/kolla";
import { Graph } from "../tools/evaluate/harness";
import { stackSettings } from "../tools/evaluate/stack";
import { tempDir } from "./support/tools";
import { lifecycle, mode, runScript, withVars } from "./support/lifecycle";

const ALL = [
    "bootstrap-servers",
    "octavia-certificates",
    "prechecks",
    "pull",
    "deploy",
    "post-deploy",
];

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
            INVENTORY: inventory,
            PASSWORDS: passwords,
            LOCK_FILE: path.join(state, "deploy.lock"),
            PROGRESS_FILTER: filter,
        };
        const stageRun = (s: StageName, m: string, extra: Record<string, string> = {}) =>
            runScript(
                withVars(stageScript(settings, s, configHash(settings)), {
                    ...vars,
                    ADMIN_OPENRC: openrc,
                    ...extra,
                }),
                [m],
                {},
            );
        const guards = path.join(state, "destroy-guards"),
            legacy = path.join(state, "destroy-guard.id");
        const destroyRun = (allow: boolean, m: string) =>
            runScript(
                withVars(destroyScript(stackSettings("aio", { allowDestroy: allow })), {
                    ...vars,
                    GUARDS_FILE: guards,
                    LEGACY_ID_FILE: legacy,
                }),
                [m],
                {},
            );
        const calls_ = () =>
            fs.existsSync(calls) ? fs.readFileSync(calls, "utf8").trim().split("\n") : [];
        return {
            stageRun,
            destroyRun,
            calls: calls_,
            marker: vars.DEPLOYED_MARKER,
            logs,
            openrc,
            inventory,
            venv,
            guards,
            legacy,
            lock: vars.LOCK_FILE,
            root,
        };
    }

    it("deploy: first create deploys, update reconfigures, a release change upgrades; each success records the release", () => {
        const sb = sandbox();
        let r = sb.stageRun("deploy", "create");
        assert.equal(r.status, 0, r.stdout + r.stderr);
        assert.equal(fs.readFileSync(sb.marker, "utf8"), "2023.1\n");
        r = sb.stageRun("deploy", "update");
        assert.equal(r.status, 0);
        fs.writeFileSync(sb.marker, "zed\n");
        r = sb.stageRun("deploy", "update");
        assert.equal(r.status, 0);
        assert.equal(fs.readFileSync(sb.marker, "utf8"), "2023.1\n");
        r = sb.stageRun("deploy", "create"); // replaced (e.g. new SSH key) on a running cloud: converge with deploy
        assert.equal(r.status, 0);
        assert.deepEqual(
            sb.calls(),
            ["deploy", "reconfigure", "upgrade", "deploy"].map((a) => `-i ${sb.inventory} ${a}`),
        );
    });

    it("other stages run their own action in both modes; output is streamed and appended to the stage's log", () => {
        const sb = sandbox();
        assert.equal(sb.stageRun("prechecks", "create").status, 0);
        const r = sb.stageRun("prechecks", "update");
        assert.equal(r.status, 0);
        assert.match(r.stdout, /PLAY RECAP for -i \S+ prechecks/);
        assert.deepEqual(sb.calls(), [
            `-i ${sb.inventory} prechecks`,
            `-i ${sb.inventory} prechecks`,
        ]);
        const log = fs.readFileSync(path.join(sb.logs, "prechecks.log"), "utf8");
        assert.equal(log.match(/PLAY RECAP/g)?.length, 2, "both runs kept");
        assert.ok(!fs.existsSync(sb.marker), "only deploy records the release");
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
        for (const s of ALL)
            assert.match(
                stageScript(settings, s as StageName, configHash(settings)).text,
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
        const nodeFs: typeof fs = require("fs");
        const read = nodeFs.readFileSync;
        const edited = ((file: fs.PathOrFileDescriptor, options?: unknown) => {
            const text = (read as (f: fs.PathOrFileDescriptor, o?: unknown) => string | Buffer)(
                file,
                options,
            );
            return String(file).endsWith(path.join("scripts", "ansible-progress.py"))
                ? `${text}# edited\n`
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
    // before the old one is deleted, both with the same inputs), run for real: the outcome the README promises.
    const DESTROY = (sb: { inventory: string }) => [
        `-i ${sb.inventory} destroy --yes-i-really-really-mean-it`,
    ];
    const SCENARIOS: {
        name: string;
        steps: [allow: boolean, mode: string][];
        destroyed: boolean;
    }[] = [
        {
            name: "pulumi destroy, allowDestroy=true",
            steps: [
                [true, "create"],
                [true, "delete"],
            ],
            destroyed: true,
        },
        {
            name: "pulumi destroy, allowDestroy=false",
            steps: [
                [false, "create"],
                [false, "delete"],
            ],
            destroyed: false,
        },
        {
            name: "pulumi up --replace (new guard first, then the old one's delete)",
            steps: [
                [true, "create"],
                [true, "create"],
                [true, "delete"],
            ],
            destroyed: false,
        },
        {
            name: "rename or re-parent without an alias (a new URN: create, then delete the old)",
            steps: [
                [true, "create"],
                [true, "create"],
                [true, "delete"],
            ],
            destroyed: false,
        },
        {
            name: "a trigger change (replacement)",
            steps: [
                [true, "create"],
                [true, "create"],
                [true, "delete"],
            ],
            destroyed: false,
        },
        {
            name: "replacement, then pulumi destroy",
            steps: [
                [true, "create"],
                [true, "create"],
                [true, "delete"],
                [true, "delete"],
            ],
            destroyed: true,
        },
        {
            name: "a connection change (an update), then pulumi destroy",
            steps: [
                [true, "create"],
                [true, "update"],
                [true, "delete"],
            ],
            destroyed: true,
        },
        {
            name: "allowDestroy turned on by pulumi up, then pulumi destroy",
            steps: [
                [false, "create"],
                [true, "update"],
                [true, "delete"],
            ],
            destroyed: true,
        },
        {
            name: "allowDestroy turned off again before pulumi destroy",
            steps: [
                [true, "create"],
                [false, "update"],
                [false, "delete"],
            ],
            destroyed: false,
        },
        {
            name: "a deployment that failed half-way (only the guard exists), pulumi destroy",
            steps: [
                [true, "create"],
                [true, "delete"],
            ],
            destroyed: true,
        },
    ];
    for (const sc of SCENARIOS) {
        it(`destroy guard: ${sc.name} → ${sc.destroyed ? "destroys" : "leaves the cloud"}`, () => {
            const sb = sandbox();
            fs.writeFileSync(sb.marker, "2023.1\n");
            let last = { stdout: "" };
            for (const [allow, m] of sc.steps) {
                const r = sb.destroyRun(allow, m);
                assert.equal(r.status, 0, `${m}: ${r.stdout}${r.stderr}`);
                last = r;
            }
            assert.deepEqual(sb.calls(), sc.destroyed ? DESTROY(sb) : []);
            if (sc.destroyed) assert.ok(!fs.existsSync(sb.marker), "the next deploy starts fresh");
            if (sc.destroyed)
                assert.match(
                    last.stdout,
                    /pulumi destroy --exclude-protected/,
                    "tells the operator about the protected volume",
                );
        });
    }

    it("destroy guard: says why it left the cloud alone, and what a replacement looked like", () => {
        const sb = sandbox();
        sb.destroyRun(true, "create");
        assert.match(
            sb.destroyRun(true, "create").stdout,
            /WILL run kolla-ansible destroy \(2 live guard record/,
        );
        const r = sb.destroyRun(true, "delete");
        assert.match(
            r.stdout,
            /a newer guard is live \(1 left in .*destroy-guards\): this was a replacement, the cloud was left untouched/,
        );
        assert.equal(fs.readFileSync(sb.guards, "utf8").trim().split("\n").length, 1);
        assert.match(
            sb.destroyRun(false, "delete").stdout,
            /allowDestroy is false: the cloud on the hosts was left untouched/,
        );
    });

    it("destroy guard: a guard of the earlier id-file design is recorded on its update, then destroys on delete", () => {
        const sb = sandbox();
        fs.writeFileSync(sb.legacy, "0123456789abcdef\n");
        assert.equal(sb.destroyRun(true, "update").status, 0);
        assert.ok(!fs.existsSync(sb.legacy));
        assert.equal(sb.destroyRun(true, "delete").status, 0);
        assert.deepEqual(sb.calls(), DESTROY(sb));
    });

    it("destroy guard: with no live guard recorded, a delete refuses to guess and leaves the cloud", () => {
        const sb = sandbox();
        const r = sb.destroyRun(true, "delete");
        assert.equal(r.status, 0);
        assert.match(r.stdout, /no live guard is recorded .* the cloud was left untouched/);
        assert.deepEqual(sb.calls(), []);
    });

    it("destroy guard: a failed destroy fails the delete (Pulumi keeps the resource to retry)", () => {
        const sb = sandbox("exit 3");
        sb.destroyRun(true, "create");
        assert.equal(sb.destroyRun(true, "delete").status, 3);
    });

    it("destroy guard: two creates at the same moment record two guards (the lock serialises them)", async () => {
        const sb = sandbox();
        const script = withVars(destroyScript(stackSettings("aio", { allowDestroy: true })), {
            LOG_DIR: sb.logs,
            GUARDS_FILE: sb.guards,
            LEGACY_ID_FILE: sb.legacy,
            LOCK_FILE: sb.lock,
            VENV: sb.venv,
            INVENTORY: sb.inventory,
            DEPLOYED_MARKER: sb.marker,
        });
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
        assert.equal(fs.readFileSync(sb.guards, "utf8").trim().split("\n").length, 2);
    });

    it("the deploy-host lock: a second stage waits, then fails naming the holder's pid, stage and log", async () => {
        // The holder's kolla-ansible runs until the test releases it (at most 30 s), not for a fixed time.
        const release = path.join(tempDir("kolla-lock-"), "release");
        const sb = sandbox(
            `for _ in $(seq 600); do [ ! -e ${JSON.stringify(release)} ] || break; sleep 0.05; done`,
        );
        const first = spawn("bash", ["-s", "--", "create"], {
            stdio: ["pipe", "ignore", "ignore"],
        });
        first.stdin.end(
            withVars(stageScript(settings, "pull", configHash(settings)), {
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
