import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { renderGlobals } from "../components/kolla/globals";
import { renderAnsibleCfg } from "../components/kolla/ansibleCfg";
import { renderPasswordOverrides, passwordsMergeScript } from "../components/kolla/passwords";
import { SettingsError } from "../config/settings";
import { assertShellcheckClean, tempDir } from "./support/tools";
import { mode, runScript, withVars } from "./support/lifecycle";
import { stackSettings } from "./support/stack";

const KNOWN = new Set(fs.readFileSync(path.join(__dirname, "fixtures/kolla-16.7.0-known-variables.txt"), "utf8").split("\n").filter(Boolean));

describe("globals.yml", () => {
    const globals = YAML.parse(renderGlobals(stackSettings("aio")));

    it("holds each seed value for the aio stack", () => {
        assert.equal(globals.kolla_base_distro, "ubuntu");
        assert.equal(globals.openstack_release, "2023.1");
        assert.equal(globals.kolla_internal_vip_address, "10.10.30.55");
        assert.equal(globals.network_interface, "eth1");
        assert.equal(globals.api_interface, "eth2");
        assert.equal(globals.neutron_external_interface, "eth3");
        assert.equal(globals.docker_registry, "10.10.10.50:5000");
        assert.equal(globals.docker_registry_insecure, true);
        assert.equal(globals.docker_namespace, "openstack.kolla");
        assert.equal(globals.enable_octavia, true);
        assert.equal(globals.octavia_network_type, "tenant");
        assert.ok(!("docker_registry:_insecure" in globals), "the seed guide's typo");
    });

    it("writes only real kolla-ansible 2023.1 variables", () => {
        const unknown = Object.keys(globals).filter((k) => !KNOWN.has(k));
        assert.deepEqual(unknown, []);
        const tls = YAML.parse(renderGlobals(stackSettings("aio", { enableTls: true })));
        assert.deepEqual(Object.keys(tls).filter((k) => !KNOWN.has(k)), []);
        assert.equal(tls.kolla_enable_tls_external, true);
    });

    it("switches services and octavia settings with the config", () => {
        const off = YAML.parse(renderGlobals(stackSettings("aio", { enableOctavia: false, enableHeat: false })));
        assert.equal(off.enable_octavia, false);
        assert.equal(off.enable_heat, false);
        assert.ok(!("octavia_network_type" in off));
    });

    it("merges extraGlobals last", () => {
        const g = YAML.parse(renderGlobals(stackSettings("aio", { extraGlobals: { nova_console: "novnc", openstack_logging_debug: true } })));
        assert.equal(g.nova_console, "novnc");
        assert.deepEqual(Object.keys(g).slice(-2), ["nova_console", "openstack_logging_debug"]);
    });

    it("rejects an extraGlobals key the typed settings own, naming it", () => {
        assert.throws(() => stackSettings("aio", { extraGlobals: { docker_registry: "quay.io" } }),
            (e: Error) => e instanceof SettingsError && /openstack-aio:extraGlobals\.docker_registry: .*change the setting that owns it/.test(e.message));
    });

    it("keeps differing interfaces out of globals (extra vars would beat the inventory's host vars)", () => {
        const base = stackSettings("aio");
        const hosts = [
            { ...base.hosts[0], roles: ["control", "network"] },
            { name: "c2", address: "10.10.10.52", roles: ["compute"], interfaces: { management: "ens3", external: "ens5" } },
        ];
        const g = YAML.parse(renderGlobals(stackSettings("aio", { hosts })));
        assert.ok(!("network_interface" in g) && !("neutron_external_interface" in g) && !("api_interface" in g));
    });

    it("is byte-identical on re-render", () => {
        assert.equal(renderGlobals(stackSettings("aio")), renderGlobals(stackSettings("aio")));
    });
});

describe("ansible.cfg and passwords", () => {
    it("turns host key checking off and pipelining on", () => {
        const cfg = renderAnsibleCfg(stackSettings("aio"));
        assert.match(cfg, /^\[defaults\]$/m);
        assert.match(cfg, /^host_key_checking = False$/m);
        assert.match(cfg, /^pipelining = True$/m);
        assert.match(cfg, /^forks = \d+$/m);
    });

    it("overrides only the passwords the stack owns", () => {
        const p = { keystoneAdminPassword: "k-pass", octaviaKeystonePassword: "o-pass" };
        assert.deepEqual(YAML.parse(renderPasswordOverrides(p, stackSettings("aio"))), { keystone_admin_password: "k-pass", octavia_keystone_password: "o-pass" });
        assert.deepEqual(YAML.parse(renderPasswordOverrides(p, stackSettings("aio", { enableOctavia: false }))), { keystone_admin_password: "k-pass" });
    });

    describe("passwords-merge.sh, run for real with kolla's genpwd/mergepwd semantics", () => {
        // Stand-ins with the upstream tools' semantics: mergepwd = new.update(old) (old values win, keys of both
        // kept); genpwd fills only blank values. The real ones live in the kolla-ansible venv on the deploy host.
        const MERGEPWD = `import sys, yaml
a = dict(zip(sys.argv[1::2], sys.argv[2::2]))
old = yaml.safe_load(open(a["--old"])); new = yaml.safe_load(open(a["--new"]))
new.update(old)
yaml.safe_dump(new, open(a["--final"], "w"), default_flow_style=False)`;
        const GENPWD = `import secrets, sys, yaml
f = sys.argv[sys.argv.index("-p") + 1]
p = yaml.safe_load(open(f))
for k, v in p.items():
    if v is None: p[k] = secrets.token_hex(8)
yaml.safe_dump(p, open(f, "w"), default_flow_style=False)`;

        function setUp(exampleKeys: string[]) {
            const dir = tempDir("passwords-");
            const venv = path.join(dir, "venv");
            fs.mkdirSync(path.join(venv, "bin"), { recursive: true });
            for (const [name, py] of [["kolla-mergepwd", MERGEPWD], ["kolla-genpwd", GENPWD]]) {
                fs.writeFileSync(path.join(venv, "bin", name), `#!/usr/bin/env bash\nexec python3 -c '${py}' "$@"\n`, { mode: 0o755 });
            }
            const files = {
                example: path.join(dir, "example.yml"),
                overrides: path.join(dir, "override.yml"),
                passwords: path.join(dir, "etc", "passwords.yml"),
            };
            fs.mkdirSync(path.dirname(files.passwords));
            fs.writeFileSync(files.example, exampleKeys.map((k) => `${k}:\n`).join(""), { mode: 0o644 });
            fs.writeFileSync(files.overrides, "keystone_admin_password: stack-owned\n", { mode: 0o600 });
            const script = withVars(passwordsMergeScript(stackSettings("aio")),
                { VENV: venv, EXAMPLE: files.example, OVERRIDES: files.overrides, PASSWORDS: files.passwords });
            const run = () => {
                const r = runScript(script, [], {});
                assert.equal(r.status, 0, r.stderr);
                return YAML.parse(fs.readFileSync(files.passwords, "utf8")) as Record<string, string>;
            };
            return { files, run };
        }

        it("first run: the example's keys, blanks generated, the stack's password winning, 0600", () => {
            const { files, run } = setUp(["database_password", "keystone_admin_password", "rabbitmq_password"]);
            const p = run();
            assert.deepEqual(Object.keys(p).sort(), ["database_password", "keystone_admin_password", "rabbitmq_password"]);
            assert.equal(p.keystone_admin_password, "stack-owned");
            assert.match(p.database_password, /^[0-9a-f]{16}$/);
            assert.equal(mode(files.passwords), "0600");
        });

        it("a second run changes nothing (generated passwords are kept)", () => {
            const { files, run } = setUp(["database_password", "keystone_admin_password"]);
            run();
            const before = fs.readFileSync(files.passwords, "utf8");
            run();
            assert.equal(fs.readFileSync(files.passwords, "utf8"), before);
        });

        it("an upgrade's example adds its new keys, generated, and keeps every existing value", () => {
            const { files, run } = setUp(["database_password", "keystone_admin_password"]);
            const before = run();
            fs.writeFileSync(files.example, "database_password:\nkeystone_admin_password:\nnew_service_password:\n");
            const after = run();
            assert.equal(after.database_password, before.database_password);
            assert.equal(after.keystone_admin_password, "stack-owned");
            assert.match(after.new_service_password, /^[0-9a-f]{16}$/);
            assert.equal(mode(files.passwords), "0600");
        });

        it("refuses to run without the stack's overrides file, and passes shellcheck", () => {
            const { files } = setUp(["keystone_admin_password"]);
            fs.rmSync(files.overrides);
            const r = runScript(withVars(passwordsMergeScript(stackSettings("aio")), { OVERRIDES: files.overrides }), [], {});
            assert.notEqual(r.status, 0);
            assert.match(r.stderr, /passwords-override|is missing/);
            assertShellcheckClean([passwordsMergeScript(stackSettings("aio"))]);
        });
    });
});
