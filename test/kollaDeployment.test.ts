import { strict as assert } from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as openstack from "@pulumi/openstack";
import { configHash, deployConfigScript } from "../render/deployHost";
import { hostScripts } from "../render/hostFiles";
import { scriptBody, shellQuote } from "../render/script";
import {
    destroyScript,
    STAGE_TIMEOUTS,
    stageNames,
    stageScript,
    StageName,
    teardownScript,
    TEARDOWN_FILE,
} from "../render/kolla";
import { Graph, Registration } from "./support/harness";
import { stackSettings, TEST_PRIVATE_KEY } from "./support/stack";
import { tempDir } from "./support/tools";
import {
    ADMIN_PW,
    assertNoLeaks,
    lifecycle,
    mode,
    OCTAVIA_PW,
    PRIVATE_KEY_BODY,
    runScript,
    TEST_CA,
    withVars,
} from "./support/lifecycle";

const ORDER = ["bootstrap-servers", "prechecks", "pull", "deploy", "post-deploy"];
const ALL = [
    "bootstrap-servers",
    "octavia-certificates",
    "prechecks",
    "pull",
    "deploy",
    "post-deploy",
];

describe("KollaDeployment: the stage graph", () => {
    let g: Graph;
    before(async () => {
        g = await lifecycle(
            {},
            {
                // What the cloud stage does: a provider from `access`. It must wait for post-deploy.
                extra: ({ kolla }) => {
                    const p = new openstack.Provider("os", {
                        authUrl: kolla.access.authUrl,
                        region: kolla.access.region,
                        userName: kolla.access.adminUser,
                        tenantName: kolla.access.adminProject,
                        userDomainName: kolla.access.adminDomain,
                        projectDomainName: kolla.access.adminDomain,
                        password: kolla.access.adminPassword,
                    });
                    return { provider: p.urn };
                },
            },
        );
    });
    const stage = (s: string) => g.get(`kolla-${s}`, "command:remote:Command");

    it("runs bootstrap-servers → prechecks → pull → deploy → post-deploy, each after the previous", () => {
        for (let i = 1; i < ORDER.length; i++) {
            assert.ok(
                g.dependsOn(stage(ORDER[i]), stage(ORDER[i - 1])),
                `${ORDER[i]} after ${ORDER[i - 1]}`,
            );
            assert.ok(
                !g.dependsOn(stage(ORDER[i - 1]), stage(ORDER[i])),
                `${ORDER[i - 1]} not after ${ORDER[i]}`,
            );
        }
        for (const s of ALL) {
            assert.match(stage(s).inputs.stdin, new RegExp(`readonly STAGE='${s}'\n`));
            assert.equal(stage(s).parent, g.get("kolla").urn);
        }
        assert.equal(g.get("kolla").type, "openstack-aio:kolla:KollaDeployment");
    });

    it("pull waits for every mirrored image; nothing before pull does", () => {
        const copies = g
            .ofType("command:remote:Command")
            .filter((r) => r.name.startsWith("kolla-images-"));
        assert.equal(copies.length, 36);
        for (const c of copies) assert.ok(g.dependsOn(stage("pull"), c), c.name);
        for (const s of ["bootstrap-servers", "octavia-certificates", "prechecks"]) {
            assert.ok(
                !copies.some((c) => g.dependsOn(stage(s), c)),
                `${s} runs while images are mirrored`,
            );
        }
    });

    it("bootstrap-servers waits for the deploy host (/etc/kolla complete) and every target (deploy key authorized)", () => {
        for (const n of [
            "deploy-host-passwords",
            "deploy-host-inventory",
            "deploy-host-kolla-config",
            "deploy-host-prepare",
            "targets-aio-prepare",
            "targets-aio-reachable",
        ]) {
            assert.ok(g.dependsOn(stage("bootstrap-servers"), g.get(n)), n);
        }
        assert.ok(
            !g.dependsOn(
                stage("bootstrap-servers"),
                g.get("registry-container", "docker:index/container:Container"),
            ),
        );
    });

    it("octavia-certificates runs after genpwd and before prechecks (which check its files) and deploy; absent without Octavia", async () => {
        const certs = stage("octavia-certificates");
        assert.ok(g.dependsOn(certs, g.get("deploy-host-passwords")), "after kolla-genpwd");
        assert.ok(g.dependsOn(certs, stage("bootstrap-servers")));
        assert.ok(g.dependsOn(stage("prechecks"), certs));
        assert.ok(g.dependsOn(stage("deploy"), certs));
        const off = await lifecycle({ enableOctavia: false });
        assert.equal(off.find("kolla-octavia-certificates"), undefined);
        assert.ok(off.dependsOn(off.get("kolla-prechecks"), off.get("kolla-bootstrap-servers")));
        assert.deepEqual(stageNames(stackSettings("aio", { enableOctavia: false })), ORDER);
        assert.deepEqual(stageNames(stackSettings("aio")), ALL);
    });

    it("runs every lifecycle command on the deploy host, which already answered: few dials", () => {
        for (const s of [...ALL, "destroy-guard"]) {
            const c = g.get(`kolla-${s}`).inputs.connection;
            assert.equal(c.host, "10.10.10.50", s);
            assert.equal(c.user, "vagrant", s);
            assert.equal(c.dialErrorLimit, 3, s);
        }
    });

    it("stages: update is a separate mode, no delete, streamed output, timeouts on the resource and inside the script", () => {
        for (const s of ALL) {
            const r = stage(s);
            assert.equal(r.inputs.create, "bash -s -- create", s);
            assert.equal(r.inputs.update, "bash -s -- update", s);
            assert.equal(r.inputs.delete, undefined, `${s}: no destructive delete`);
            assert.equal(
                r.inputs.triggers,
                undefined,
                `${s}: a config change updates, never replaces`,
            );
            assert.equal(r.inputs.logging, "stdoutAndStderr", s);
            assert.equal(r.customTimeouts?.create, STAGE_TIMEOUTS[s as StageName].resource, s);
            assert.equal(r.customTimeouts?.update, STAGE_TIMEOUTS[s as StageName].resource, s);
            assert.match(
                r.inputs.stdin,
                new RegExp(`readonly STAGE_TIMEOUT='${STAGE_TIMEOUTS[s as StageName].script}'`),
                s,
            );
            assert.match(r.inputs.stdin, /run_kolla "\$STAGE_TIMEOUT" "\$action"/);
            assert.match(r.inputs.stdin, /timeout --kill-after=5m "\$limit" "\$\{argv\[@\]\}"/);
            assert.match(r.inputs.stdin, /digest_output_to "\$LOG_DIR\/\$STAGE\.log"/);
            assert.match(r.inputs.stdin, /readonly PASSWORDS='\/etc\/kolla\/passwords\.yml'/);
            assert.match(r.inputs.stdin, /readonly LOG_DIR='\/var\/log\/openstack-aio'/);
            assert.ok(
                parseInt(STAGE_TIMEOUTS[s as StageName].script) <
                    parseInt(STAGE_TIMEOUTS[s as StageName].resource),
                s,
            );
        }
        assert.equal(stage("deploy").customTimeouts?.create, "240m");
    });

    it("no command's delete can tear the cloud down; the guard is created before the first stage, deleted after all", async () => {
        const guard = g.get("kolla-destroy-guard");
        assert.equal(guard.inputs.create, "bash -s -- create");
        assert.equal(guard.inputs.update, "bash -s -- update");
        assert.equal(guard.inputs.delete, "bash -s -- delete");
        assert.match(guard.inputs.stdin, /readonly ALLOW_DESTROY='false'/);
        assert.match(guard.inputs.stdin, /readonly TEARDOWN=''/, "no teardown command to install");
        // kolla-ansible destroy exists only in the teardown command, carried by the guard when allowDestroy is on.
        const on = await lifecycle({ allowDestroy: true });
        const carrying = on
            .ofType("command:remote:Command")
            .filter((r) =>
                String(r.inputs.stdin ?? "").includes('run_kolla "$DESTROY_TIMEOUT" destroy'),
            );
        assert.deepEqual(
            carrying.map((r) => r.name),
            ["kolla-destroy-guard"],
        );
        assert.ok(
            on
                .get("kolla-destroy-guard")
                .inputs.stdin.includes(
                    `readonly TEARDOWN=${shellQuote(teardownScript(stackSettings("aio", { allowDestroy: true })).text)}`,
                ),
        );
        for (const r of on.ofType("command:remote:Command"))
            assert.ok(!/destroy/.test(r.inputs.delete ?? ""), `${r.name}: ${r.inputs.delete}`);
        // `pulumi destroy` deletes dependents first: the cloud's resources (via the provider), every stage, then the guard.
        for (const s of ALL)
            assert.ok(g.dependsOn(stage(s), guard), `${s} is deleted before the guard`);
        assert.ok(
            g.dependsOn(g.byUrnOf(g.exports.provider as string)!, guard),
            "the OpenStack provider's resources go first",
        );
        for (const n of ["deploy-host-passwords", "targets-aio-prepare"])
            assert.ok(g.dependsOn(guard, g.get(n)), n);
    });

    it("bakes allowDestroy into the guard; its commands do not depend on the connection", async () => {
        const on = await lifecycle({ allowDestroy: true });
        assert.match(on.get("kolla-destroy-guard").inputs.stdin, /readonly ALLOW_DESTROY='true'/);
        const rotated = await lifecycle(
            {},
            { privateKey: TEST_PRIVATE_KEY.replace("leakcanary", "rotatedkey") },
        );
        for (const k of ["create", "update", "delete", "stdin", "triggers"]) {
            assert.deepEqual(
                rotated.get("kolla-destroy-guard").inputs[k],
                g.get("kolla-destroy-guard").inputs[k],
                k,
            );
        }
        assert.match(
            destroyScript(stackSettings("aio")).text,
            new RegExp(`readonly TEARDOWN_FILE='${TEARDOWN_FILE}'`),
        );
        for (const k of ["stdout", "stderr"])
            assert.ok(g.get("kolla-destroy-guard").additionalSecretOutputs?.includes(k), k);
    });

    it("hands the cloud stage access derived from post-deploy: a provider built from it waits for post-deploy", () => {
        assert.equal(g.exports.authUrl, "http://10.10.30.55:5000");
        assert.equal(g.exports.region, "RegionOne");
        assert.equal(g.exports.adminPassword, ADMIN_PW);
        assert.equal(g.exports.octaviaPassword, OCTAVIA_PW);
        assert.ok(
            g.secretExports.includes("adminPassword") &&
                g.secretExports.includes("octaviaPassword"),
        );
        assert.ok(!g.secretExports.includes("authUrl"));
        assert.equal(g.exports.openrc, "/etc/kolla/admin-openrc.sh");
        const provider = g.byUrnOf(g.exports.provider as string)!;
        assert.ok(g.dependsOn(provider, stage("post-deploy")), "provider after post-deploy");
        for (const k of ["authUrl", "region", "password"]) {
            assert.ok(
                provider.propertyDependencies[k]?.includes(stage("post-deploy").urn),
                `${k} carries post-deploy`,
            );
        }
        assert.ok(provider.secretPaths.includes("password"));
    });

    it("with TLS: https, a certificates stage before prechecks, and kolla's CA handed on to the provider (never insecure)", async () => {
        const tls = await lifecycle(
            { enableTls: true },
            { extra: (l) => ({ ca: l.kolla.access.caCertificate }) },
        );
        assert.equal(tls.exports.authUrl, "https://10.10.30.55:5000");
        const certs = tls.get("kolla-certificates");
        assert.ok(tls.dependsOn(certs, tls.get("kolla-bootstrap-servers")));
        assert.ok(tls.dependsOn(tls.get("kolla-prechecks"), certs));
        assert.equal(tls.exports.ca, TEST_CA);
        assert.ok(!tls.secretExports.includes("ca"), "the CA is public");
        assert.equal(g.exports.ca, undefined);
        assert.deepEqual(stageNames(stackSettings("aio", { enableTls: true })), [
            "bootstrap-servers",
            "certificates",
            "octavia-certificates",
            "prechecks",
            "pull",
            "deploy",
            "post-deploy",
        ]);
    });

    it("never puts the private key or a password into a command, a plain input or a logged stdout", () => {
        assertNoLeaks(g, [PRIVATE_KEY_BODY, ADMIN_PW, OCTAVIA_PW]);
        for (const s of ALL)
            assert.ok(
                !stage(s).secretPaths.includes("stdin"),
                `${s}: script reviewable in preview`,
            );
    });
});

describe("re-run semantics: inputs change only with what they depend on", () => {
    /** Every input of every lifecycle command that decides whether it runs again. */
    const lifecycleInputs = (g: Graph) =>
        Object.fromEntries(
            g
                .ofType("command:remote:Command")
                .filter((r) => /^(kolla-(?!images-)|deploy-host-|targets-)/.test(r.name))
                .map((r: Registration) => [
                    r.name,
                    {
                        stdin: r.inputs.stdin,
                        triggers: r.inputs.triggers,
                        create: r.inputs.create,
                        update: r.inputs.update,
                        delete: r.inputs.delete,
                        connection: r.inputs.connection,
                    },
                ]),
        );

    let base: Record<string, unknown>;
    before(async () => {
        base = lifecycleInputs(await lifecycle());
    });

    it("evaluating twice with the same settings gives identical inputs and triggers", async () => {
        assert.equal(
            Object.keys(base).length,
            20,
            "9 deploy-host (with registry-tls), 2 target, 6 stage commands, verify-images, known_hosts and the guard",
        );
        assert.deepEqual(lifecycleInputs(await lifecycle()), base);
    });

    it("changing only the cirros version or the tenant network changes no lifecycle input", async () => {
        assert.deepEqual(lifecycleInputs(await lifecycle({ cirrosVersion: "0.6.2" })), base);
        const tenant = {
            ...stackSettings("aio").networks,
            tenant: { cidr: "10.20.0.0/24", dnsServers: ["1.1.1.1"] },
        };
        assert.deepEqual(lifecycleInputs(await lifecycle({ networks: tenant })), base);
    });

    it("changing the VIP changes the globals (so the config hash) and every stage's script: an update, i.e. reconfigure", async () => {
        const vip = lifecycleInputs(await lifecycle({ vip: "10.10.30.56" })) as Record<string, any>;
        const b = base as Record<string, any>;
        assert.notEqual(
            vip["deploy-host-kolla-config"].stdin,
            b["deploy-host-kolla-config"].stdin,
            "globals.yml rewritten",
        );
        assert.match(
            vip["deploy-host-kolla-config"].stdin,
            /kolla_internal_vip_address: "10\.10\.30\.56"/,
        );
        for (const s of ALL) {
            const n = `kolla-${s}`;
            assert.notEqual(vip[n].stdin, b[n].stdin, `${s} runs again`);
            assert.match(vip[n].stdin, /readonly CONFIG_HASH='[0-9a-f]{16}'/);
            assert.deepEqual(
                { ...vip[n], stdin: 0 },
                { ...b[n], stdin: 0 },
                `${s}: only the script changes (update, not replace)`,
            );
        }
        assert.deepEqual(
            vip["kolla-destroy-guard"],
            b["kolla-destroy-guard"],
            "the guard is untouched",
        );
        assert.notDeepEqual(
            vip["deploy-host-inventory"].triggers,
            b["deploy-host-inventory"].triggers,
            "inventory re-spliced",
        );
    });
});

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
        const sb = sandbox("sleep 3");
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
