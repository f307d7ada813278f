import { strict as assert } from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as openstack from "@pulumi/openstack";
import { renderAnsibleCfg } from "../render/ansibleCfg";
import { deployConfigScript } from "../render/deployHost";
import { hostScripts } from "../render/hostFiles";
import { scriptBody } from "../render/script";
import {
    destroyScript,
    GUARDS_FILE,
    hostsList,
    STAGE_TIMEOUTS,
    stageNames,
    stageScript,
    StageName,
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

    it("runs every lifecycle command on the deploy host, with dial retries", () => {
        for (const s of [...ALL, "destroy-guard"]) {
            const c = g.get(`kolla-${s}`).inputs.connection;
            assert.equal(c.host, "10.10.10.50", s);
            assert.equal(c.user, "vagrant", s);
            assert.equal(c.dialErrorLimit, 40, s);
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
            assert.match(r.inputs.stdin, /kolla "\$STAGE_TIMEOUT" "\$action"/);
            assert.match(r.inputs.stdin, /timeout --kill-after=5m "\$limit" "\$\{argv\[@\]\}"/);
            assert.match(
                r.inputs.stdin,
                /KOLLA_LOG=\$LOG_DIR\/\$STAGE\.log\ndigest_output_to "\$KOLLA_LOG"/,
            );
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

    it("kolla-ansible destroy lives on one guard resource, created before the first stage so it is deleted after all of them", () => {
        const withDestroy = g
            .ofType("command:remote:Command")
            .filter((r) =>
                JSON.stringify(r.inputs).includes("destroy --yes-i-really-really-mean-it"),
            );
        assert.deepEqual(
            withDestroy.map((r) => r.name),
            ["kolla-destroy-guard"],
        );
        const guard = withDestroy[0];
        assert.equal(guard.inputs.create, "bash -s -- create");
        assert.equal(guard.inputs.update, "bash -s -- update");
        assert.equal(guard.inputs.delete, "bash -s -- delete");
        assert.match(guard.inputs.stdin, /readonly ALLOW_DESTROY='false'/);
        assert.equal(guard.customTimeouts?.delete, "120m");
        // `pulumi destroy` deletes dependents first: the cloud's resources (via the provider), every stage, then the guard.
        for (const s of ALL)
            assert.ok(g.dependsOn(stage(s), guard), `${s} is deleted before the guard`);
        assert.ok(
            g.dependsOn(g.byUrnOf(g.exports.provider as string)!, guard),
            "the OpenStack provider's resources go first",
        );
        // …and the guard before what its delete needs: the deploy host's kolla-ansible/inventory and the targets' key.
        for (const n of ["deploy-host-passwords", "targets-aio-prepare"])
            assert.ok(g.dependsOn(guard, g.get(n)), n);
    });

    it("bakes allowDestroy into the guard; its commands do not depend on the connection (the host counts live guards)", async () => {
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
            new RegExp(`readonly GUARDS_FILE='${GUARDS_FILE}'`),
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
            "8 deploy-host, 2 target, 6 stage commands, known_hosts, the guard, the scope and the host's own",
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

    it("changing the VIP changes the globals and the script of every stage that depends on them (an update, i.e. reconfigure), not bootstrap-servers or pull", async () => {
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
        for (const s of ALL.filter((x) => x !== "bootstrap-servers" && x !== "pull")) {
            const n = `kolla-${s}`;
            assert.notEqual(vip[n].stdin, b[n].stdin, `${s} runs again`);
            assert.match(vip[n].stdin, /readonly STAGE_HASH='[0-9a-f]{16}'/);
            assert.deepEqual(
                { ...vip[n], stdin: 0 },
                { ...b[n], stdin: 0 },
                `${s}: only the script changes (update, not replace)`,
            );
        }
        for (const n of [
            "kolla-destroy-guard",
            "kolla-bootstrap-servers",
            "kolla-pull",
            "kolla-host-aio",
            "kolla-reconfigure-nova-compute",
        ])
            assert.deepEqual(vip[n], b[n], `${n} is untouched`);
        assert.notDeepEqual(
            vip["deploy-host-inventory"].triggers,
            b["deploy-host-inventory"].triggers,
            "inventory re-spliced",
        );
    });
});

describe("day-2 changes of the multinode stack: each command's inputs follow only what it depends on", () => {
    /** Every command's inputs that decide whether (and how) it runs, by name. */
    const commands = (g: Graph) =>
        new Map(
            g
                .ofType("command:remote:Command")
                .map((r) => [r.name, JSON.stringify({ ...r.inputs, connection: undefined })]),
        );
    const hostsOf = () =>
        stackSettings("multinode").hosts.map((h) => ({
            name: h.name,
            address: h.address,
            ...(h.apiAddress ? { apiAddress: h.apiAddress } : {}),
            roles: [...h.roles],
            interfaces: { ...h.interfaces },
        }));
    const diff = (a: Map<string, string>, b: Map<string, string>) => ({
        added: [...b.keys()].filter((n) => !a.has(n)).sort(),
        removed: [...a.keys()].filter((n) => !b.has(n)).sort(),
        changed: [...a.keys()].filter((n) => b.has(n) && a.get(n) !== b.get(n)).sort(),
    });
    // What the deploy host rewrites for any change of the host list: its files, the re-splice, the self-check,
    // the targets' known_hosts. None of them runs kolla-ansible on a target.
    const DEPLOY_HOST_FILES = [
        "deploy-host-inventory",
        "deploy-host-kolla-config",
        "deploy-host-self-check",
        "kolla-known-hosts",
    ];
    let base: Map<string, string>;
    let g: Graph;
    before(async () => {
        g = await lifecycle({}, { stack: "multinode" });
        base = commands(g);
    });

    it("one command per target host after post-deploy, with a delete; one scoped reconfigure; none on the guard's path", () => {
        for (const h of stackSettings("multinode").hosts) {
            const c = g.get(`kolla-host-${h.name}`, "command:remote:Command");
            assert.equal(c.inputs.delete, "bash -s -- delete");
            assert.equal(c.inputs.update, "bash -s -- update");
            assert.ok(g.dependsOn(c, g.get("kolla-post-deploy")), h.name);
            assert.ok(
                g.dependsOn(c, g.get("kolla-destroy-guard")),
                `${h.name} is deleted before the guard`,
            );
            assert.match(
                String(c.inputs.stdin),
                new RegExp(`readonly HOST_KNOWN_HOSTS='${h.address} ssh-ed25519 `),
            );
            assert.deepEqual(c.customTimeouts, { create: "480m", update: "480m", delete: "420m" });
        }
        const scope = g.get("kolla-reconfigure-nova-compute");
        assert.ok(g.dependsOn(scope, g.get("kolla-post-deploy")));
        assert.equal(scope.inputs.delete, undefined);
        assert.match(String(scope.inputs.stdin), /^readonly -a TAGS=\('nova'\)$/m);
        assert.match(String(scope.inputs.stdin), /^readonly LIMIT='compute'$/m);
    });

    it("adding cmp3: its own command and its targets commands are new; no stage, scope or other host's command changes", async () => {
        const d = diff(
            base,
            commands(
                await lifecycle(
                    {
                        hosts: [
                            ...hostsOf(),
                            {
                                name: "cmp3",
                                address: "10.20.0.23",
                                roles: ["compute"],
                                interfaces: {
                                    management: "ens3",
                                    external: "ens5",
                                    tunnel: "ens6",
                                },
                            },
                        ],
                    },
                    { stack: "multinode" },
                ),
            ),
        );
        assert.deepEqual(d, {
            added: ["kolla-host-cmp3", "targets-cmp3-prepare", "targets-cmp3-reachable"],
            removed: [],
            changed: DEPLOY_HOST_FILES,
        });
    });

    it("removing cmp2: only its own command (whose delete drains and stops it) and its targets commands go", async () => {
        const d = diff(
            base,
            commands(
                await lifecycle(
                    { hosts: hostsOf().filter((h) => h.name !== "cmp2") },
                    { stack: "multinode" },
                ),
            ),
        );
        assert.deepEqual(d, {
            added: [],
            removed: ["kolla-host-cmp2", "targets-cmp2-prepare", "targets-cmp2-reachable"],
            changed: DEPLOY_HOST_FILES,
        });
    });

    it("novaVirtType: only the scoped reconfigure (and deploy-config's globals.yml) change", async () => {
        const d = diff(
            base,
            commands(await lifecycle({ novaVirtType: "qemu" }, { stack: "multinode" })),
        );
        assert.deepEqual(d, {
            added: [],
            removed: [],
            changed: [
                "deploy-host-inventory",
                "deploy-host-kolla-config",
                "deploy-host-self-check",
                "kolla-reconfigure-nova-compute",
            ],
        });
    });

    it("the host count reaches no stage through ansible.cfg: forks is fixed, and no stage carries the config files' hash", () => {
        const five = stackSettings("multinode");
        const six = stackSettings("multinode", {
            hosts: [
                ...hostsOf(),
                {
                    name: "cmp3",
                    address: "10.20.0.23",
                    roles: ["compute"],
                    interfaces: { management: "ens3", external: "ens5", tunnel: "ens6" },
                },
            ],
        });
        assert.equal(renderAnsibleCfg(six), renderAnsibleCfg(five));
        assert.equal(renderAnsibleCfg(stackSettings("aio")), renderAnsibleCfg(five));
        for (const s of stageNames(five)) {
            assert.equal(stageScript(six, s).text, stageScript(five, s).text, s);
            assert.doesNotMatch(stageScript(five, s).text, /CONFIG_HASH|forks/, s);
        }
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
        for (const s of ALL)
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
        const sb = sandbox("sleep 3");
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
