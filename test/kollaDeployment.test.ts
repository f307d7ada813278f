// components/kolla/kollaDeployment.ts (stage 6): the stages' graph and re-run semantics. The scripts they run, run for
// real: kolla.test.ts.
import { strict as assert } from "assert";
import * as openstack from "@pulumi/openstack";
import { renderAnsibleCfg } from "../render/ansibleCfg";
import { shellQuote } from "../render/script";
import {
    destroyScript,
    STAGE_TIMEOUTS,
    stageNames,
    stageScript,
    StageName,
    teardownScript,
    TEARDOWN_FILE,
} from "../render/kolla";
import { Graph, Registration } from "../tools/evaluate/harness";
import { stackSettings, TEST_PRIVATE_KEY } from "../tools/evaluate/stack";
import {
    ADMIN_PW,
    AIO_STAGES,
    assertNoLeaks,
    lifecycle,
    OCTAVIA_PW,
    PRIVATE_KEY_BODY,
    TEST_CA,
} from "./support/lifecycle";
import { asDict, asString, input, inputString } from "./support/narrow";

const ORDER = ["bootstrap-servers", "prechecks", "pull", "deploy", "post-deploy"];

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
        for (const s of AIO_STAGES) {
            assert.match(inputString(stage(s), "stdin"), new RegExp(`readonly STAGE='${s}'\n`));
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
        assert.deepEqual(stageNames(stackSettings("aio")), AIO_STAGES);
    });

    it("runs every lifecycle command on the deploy host, which already answered: few dials", () => {
        for (const s of [...AIO_STAGES, "destroy-guard"]) {
            const c = asDict(input(g.get(`kolla-${s}`), "connection"), `kolla-${s} connection`);
            assert.equal(c.host, "10.10.10.50", s);
            assert.equal(c.user, "vagrant", s);
            assert.equal(c.dialErrorLimit, 3, s);
        }
    });

    it("stages: update is a separate mode, no delete, streamed output, timeouts on the resource and inside the script", () => {
        for (const s of AIO_STAGES) {
            const r = stage(s);
            const stdin = inputString(r, "stdin");
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
                stdin,
                new RegExp(`readonly STAGE_TIMEOUT='${STAGE_TIMEOUTS[s as StageName].script}'`),
                s,
            );
            assert.match(stdin, /kolla "\$STAGE_TIMEOUT" "\$action"/);
            assert.match(stdin, /timeout --kill-after=5m "\$limit" "\$\{argv\[@\]\}"/);
            assert.match(
                stdin,
                /KOLLA_LOG=\$LOG_DIR\/\$STAGE\.log\ndigest_output_to "\$KOLLA_LOG"/,
            );
            assert.match(stdin, /readonly PASSWORDS='\/etc\/kolla\/passwords\.yml'/);
            assert.match(stdin, /readonly LOG_DIR='\/var\/log\/openstack-aio'/);
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
        assert.match(inputString(guard, "stdin"), /readonly ALLOW_DESTROY='false'/);
        assert.match(
            inputString(guard, "stdin"),
            /readonly TEARDOWN=''/,
            "no teardown command to install",
        );
        // kolla-ansible destroy exists only in the teardown command, carried by the guard when allowDestroy is on.
        const on = await lifecycle({ allowDestroy: true });
        const carrying = on
            .ofType("command:remote:Command")
            .filter((r) => String(r.inputs.stdin).includes('run_kolla "$DESTROY_TIMEOUT" destroy'));
        assert.deepEqual(
            carrying.map((r) => r.name),
            ["kolla-destroy-guard"],
        );
        assert.ok(
            inputString(on.get("kolla-destroy-guard"), "stdin").includes(
                `readonly TEARDOWN=${shellQuote(teardownScript(stackSettings("aio", { allowDestroy: true })).text)}`,
            ),
        );
        for (const r of on.ofType("command:remote:Command"))
            assert.ok(
                !/destroy/.test(String(r.inputs.delete)),
                `${r.name}: ${String(r.inputs.delete)}`,
            );
        // `pulumi destroy` deletes dependents first: the cloud's resources (via the provider), every stage, then the guard.
        for (const s of AIO_STAGES)
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
        assert.match(
            inputString(on.get("kolla-destroy-guard"), "stdin"),
            /readonly ALLOW_DESTROY='true'/,
        );
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
        for (const s of AIO_STAGES)
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

    let base: ReturnType<typeof lifecycleInputs>;
    before(async () => {
        base = lifecycleInputs(await lifecycle());
    });

    it("evaluating twice with the same settings gives identical inputs and triggers", async () => {
        assert.equal(
            Object.keys(base).length,
            22,
            "9 deploy-host (with registry-tls), 2 target, 6 stage commands, verify-images, known_hosts, the guard, the scope and the host's own",
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
        const vip = lifecycleInputs(await lifecycle({ vip: "10.10.30.56" }));
        const b = base;
        assert.notEqual(
            vip["deploy-host-kolla-config"].stdin,
            b["deploy-host-kolla-config"].stdin,
            "globals.yml rewritten",
        );
        assert.match(
            asString(vip["deploy-host-kolla-config"].stdin, "deploy-host-kolla-config stdin"),
            /kolla_internal_vip_address: "10\.10\.30\.56"/,
        );
        for (const s of AIO_STAGES.filter((x) => x !== "bootstrap-servers" && x !== "pull")) {
            const n = `kolla-${s}`;
            assert.notEqual(vip[n].stdin, b[n].stdin, `${s} runs again`);
            assert.match(
                asString(vip[n].stdin, `${n} stdin`),
                /readonly STAGE_HASH='[0-9a-f]{16}'/,
            );
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
