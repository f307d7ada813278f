// The day-2 scripts run for real (bash) on a deploy host laid out in a temp dir: the cloud-wide stages' records and
// joining hosts, a host's own command adding it to and removing it from a running cloud (kolla's runbooks), the scoped
// reconfigure, and deploy-config adopting a cloud an earlier version deployed. kolla-ansible is a stand-in that logs
// its arguments (the real CLI runs in host-sim); `openstack` is test/fixtures/fake-openstack.sh over a fake cloud.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { Settings } from "../config/settings";
import { deployConfigScript, legacyConfigHash } from "../render/deployHost";
import { renderInventory } from "../render/inventory";
import {
    bootstrapHash,
    cloudHash,
    hostHash,
    hostScript,
    hostsList,
    RECONFIGURE_SCOPES,
    scopeScript,
    stageHash,
    stageNames,
    stageScript,
} from "../render/kolla";
import { renderGlobals } from "../render/globals";
import { Script, scriptBody } from "../render/script";
import { CMP3, CTL4, FAKE_SUDO, fakeBin, runScript, withVars } from "./support/lifecycle";
import { PROJECT_DIR, stackSettings } from "../tools/evaluate/stack";
import { tempDir } from "./support/tools";

const PYTHON3 = fs.realpathSync("/usr/bin/python3");
const MULTINODE = stackSettings("multinode");
/** The multinode stack with hosts added (objects as in the stack file) or removed (names). */
function multinode(
    add: object[] = [],
    remove: string[] = [],
    more: Record<string, unknown> = {},
): Settings {
    const file = MULTINODE.hosts
        .filter((h) => !remove.includes(h.name))
        .map((h) => ({
            name: h.name,
            address: h.address,
            ...(h.apiAddress ? { apiAddress: h.apiAddress } : {}),
            roles: [...h.roles],
            interfaces: { ...h.interfaces },
        }));
    return stackSettings("multinode", { hosts: [...file, ...add], ...more });
}

const PATHS = [
    "/opt/openstack-aio",
    "/opt/venv",
    "/etc/kolla",
    "/etc/ansible",
    "/var/log/openstack-aio",
];
const HOST_KEY = (h: string) => `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKey${h}`;

/** A deploy host under a temp dir: the rendered scripts' paths moved there, a fake kolla-ansible and cloud. */
class DeployHostDir {
    readonly root = tempDir("deploy-host-");
    readonly cloud = path.join(this.root, "cloud");
    readonly venv = this.at("/opt/venv/2023.1");
    readonly applied = this.at("/opt/openstack-aio/applied");
    readonly inventory = this.at("/etc/kolla/inventory");

    constructor(settings: Settings, opts: { deployed?: boolean } = {}) {
        for (const p of PATHS) fs.mkdirSync(this.at(p), { recursive: true });
        fs.mkdirSync(path.join(this.venv, "bin"), { recursive: true });
        fs.mkdirSync(this.cloud);
        fs.symlinkSync(PYTHON3, path.join(this.venv, "bin", "python3"));
        fs.copyFileSync(
            path.join(PROJECT_DIR, "test/fixtures/fake-openstack.sh"),
            path.join(this.venv, "bin", "openstack"),
        );
        const root = JSON.stringify(this.root);
        fs.writeFileSync(
            path.join(this.venv, "bin", "kolla-ansible"),
            `#!/usr/bin/env bash
echo "$*" >> ${root}/calls
inv="" prev=""; for a in "$@"; do [ "$prev" != -i ] || inv=$a; prev=$a; done
if [[ " $* " == *" stop "* ]]; then
    cp "$inv" ${root}/stop-inventory
    printf '%s' "\${ANSIBLE_SSH_ARGS:-}" > ${root}/stop-ssh-args
    kh=\${ANSIBLE_SSH_ARGS#*UserKnownHostsFile=}; cp "\${kh%% *}" ${root}/stop-known-hosts 2>/dev/null || true
fi
for f in $(cat ${root}/fail 2>/dev/null); do [[ " $* " != *" $f "* ]] || exit 3; done
echo "PLAY RECAP"
`,
            { mode: 0o755 },
        );
        fs.writeFileSync(path.join(this.venv, "bin", "ansible-progress.py"), "");
        fs.writeFileSync(
            this.at("/opt/openstack-aio/ansible-progress.py"),
            scriptBody("ansible-progress.py"),
        );
        fs.writeFileSync(this.at("/etc/kolla/passwords.yml"), "database_password: x\n");
        fs.writeFileSync(
            this.at("/etc/kolla/admin-openrc.sh"),
            "export OS_AUTH_URL=http://vip:5000\n",
        );
        this.configure(settings);
        if (opts.deployed) {
            fs.writeFileSync(this.at("/opt/openstack-aio/deployed-release"), "2023.1\n");
            for (const h of settings.hosts) this.record(settings, h.name);
            fs.writeFileSync(path.join(this.applied, "globals.yml"), renderGlobals(settings));
        }
    }

    at(p: string): string {
        return path.join(this.root, p);
    }

    /** What deploy-config and the splice leave: globals, inventory, host list, known_hosts, forceRemoveHosts. */
    configure(settings: Settings): void {
        fs.writeFileSync(this.at("/etc/kolla/globals.yml"), renderGlobals(settings));
        fs.writeFileSync(
            this.inventory,
            `${renderInventory(settings, { privateKeyFile: "/opt/openstack-aio/ssh/deploy_key" })}\n[baremetal:children]\ncontrol\nnetwork\ncompute\n`,
        );
        fs.writeFileSync(
            this.at("/opt/openstack-aio/hosts.list"),
            `${hostsList(settings).join("\n")}\n`,
        );
        fs.writeFileSync(
            this.at("/opt/openstack-aio/known_hosts"),
            settings.hosts.map((h) => `${h.address} ${HOST_KEY(h.name)}\n`).join(""),
        );
        fs.writeFileSync(
            this.at("/opt/openstack-aio/force-remove-hosts"),
            settings.forceRemoveHosts.join("\n"),
        );
    }

    /** The records a host deployed with these settings has. */
    record(settings: Settings, name: string): void {
        const host = settings.hosts.find((h) => h.name === name)!;
        fs.mkdirSync(path.join(this.applied, "hosts"), { recursive: true });
        fs.mkdirSync(path.join(this.applied, "bootstrap"), { recursive: true });
        fs.writeFileSync(path.join(this.applied, "hosts", name), `${hostHash(host)}\n`);
        fs.writeFileSync(
            path.join(this.applied, "bootstrap", name),
            `${bootstrapHash(settings)}\n`,
        );
    }

    recorded(what: string): string | undefined {
        const f = path.join(this.applied, what);
        return fs.existsSync(f) ? fs.readFileSync(f, "utf8").trim() : undefined;
    }

    /** The fake cloud: multinode's services and agents, instances, and the routers and networks agents host. */
    cloudState(files: Record<string, string[]>): void {
        for (const [f, lines] of Object.entries(files))
            fs.writeFileSync(path.join(this.cloud, f), lines.map((l) => `${l}\n`).join(""));
    }

    cloudFile(f: string): string[] {
        const p = path.join(this.cloud, f);
        return fs.existsSync(p)
            ? fs.readFileSync(p, "utf8").trim().split("\n").filter(Boolean)
            : [];
    }

    /** Runs a rendered script as the provider does (`bash -s -- MODE`), its paths on this deploy host. */
    run(script: Script, mode: string, vars: Record<string, string> = {}) {
        const text = withVars(
            script.text
                .split("\n")
                .map((l) =>
                    l.startsWith("readonly ")
                        ? PATHS.reduce((x, p) => x.split(p).join(this.at(p)), l)
                        : l,
                )
                .join("\n"),
            vars,
        );
        return runScript(text, [mode], {
            FAKE_OS: this.cloud,
            PATH: `${fakeBin({ sudo: FAKE_SUDO })}:${process.env.PATH}`,
        });
    }

    calls(): string[] {
        const f = path.join(this.root, "calls");
        return fs.existsSync(f)
            ? fs
                  .readFileSync(f, "utf8")
                  .trim()
                  .split("\n")
                  .map((l) =>
                      l.replace(`-i ${this.inventory} `, "").replace(/-i \S+ /, "-i <copy> "),
                  )
            : [];
    }

    clearCalls(): void {
        fs.rmSync(path.join(this.root, "calls"), { force: true });
    }
}

/** multinode's cloud: schedulers and conductors on the controllers, compute on cmp*, agents on the controllers. */
function multinodeCloud(dh: DeployHostDir, extra: { hosts?: string[] } = {}) {
    const ctl = ["ctl1", "ctl2", "ctl3", ...(extra.hosts ?? []).filter((h) => h.startsWith("ctl"))];
    const cmp = ["cmp1", "cmp2"];
    dh.cloudState({
        services: [
            ...ctl.flatMap((h) => [
                `sch-${h} nova-scheduler ${h} enabled`,
                `cond-${h} nova-conductor ${h} enabled`,
            ]),
            ...cmp.map((h) => `nc-${h} nova-compute ${h} enabled`),
        ],
        agents: [
            ...ctl.flatMap((h) =>
                ["l3", "dhcp", "open-vswitch"].map((t) => `${t}-${h} ${t} ${h} up`),
            ),
            ...cmp.map((h) => `open-vswitch-${h} open-vswitch ${h} up`),
        ],
        servers: ["vm1 demo1 ACTIVE cmp2", "vm2 demo2 ACTIVE cmp2", "vm3 demo3 ACTIVE cmp1"],
        hosting: [
            "l3-ctl3 router r1",
            "l3-ctl3 router r2",
            "l3-ctl1 router r3",
            "dhcp-ctl3 network n1",
        ],
    });
}

const hostOf = (s: Settings, name: string) => s.hosts.find((h) => h.name === name)!;
const hostCmd = (s: Settings, name: string) => hostScript(s, hostOf(s, name), HOST_KEY(name));

describe("a host joins a running cloud (its own command, kolla's runbook for adding hosts)", () => {
    it("a compute host: bootstrap-servers, pull and deploy, each limited to it, then recorded; run again, nothing", () => {
        const base = MULTINODE;
        const added = multinode([CMP3]);
        const dh = new DeployHostDir(base, { deployed: true });
        dh.configure(added);
        let r = dh.run(hostCmd(added, "cmp3"), "create");
        assert.equal(r.status, 0, r.stdout + r.stderr);
        assert.deepEqual(dh.calls(), [
            "bootstrap-servers --limit cmp3",
            "pull --limit cmp3",
            "deploy --limit cmp3",
        ]);
        assert.equal(dh.recorded("hosts/cmp3"), hostHash(hostOf(added, "cmp3")));
        assert.equal(dh.recorded("bootstrap/cmp3"), bootstrapHash(added));
        dh.clearCalls();
        for (const m of ["create", "update"]) {
            r = dh.run(hostCmd(added, "cmp3"), m);
            assert.equal(r.status, 0, r.stderr);
            assert.match(r.stdout, /cmp3 is deployed with these settings .*nothing to do/);
        }
        // Every other host's command finds it deployed: a fresh stack's deploy stage recorded them all.
        for (const h of ["ctl1", "cmp1"])
            assert.equal(dh.run(hostCmd(added, h), "create").status, 0);
        assert.deepEqual(dh.calls(), []);
    });

    it("while it joins, the cloud-wide stages leave it out (--limit all:!cmp3) and bootstrap-servers touches only what it installed, one host at a time", () => {
        const added = multinode([CMP3]);
        const dh = new DeployHostDir(MULTINODE, { deployed: true });
        dh.configure(added);
        const other = { STAGE_HASH: "0123456789abcdef" };
        for (const s of ["prechecks", "pull", "deploy"] as const)
            assert.equal(dh.run(stageScript(added, s), "update", other).status, 0);
        assert.deepEqual(dh.calls(), [
            "prechecks --limit all:!cmp3",
            "pull --limit all:!cmp3",
            "reconfigure --limit all:!cmp3",
        ]);
        assert.equal(dh.recorded("hosts/cmp3"), undefined, "the deploy did not cover it");
        assert.equal(dh.recorded("hosts/cmp1"), hostHash(hostOf(added, "cmp1")));
        dh.clearCalls();
        // What bootstrap-servers installs changed (e.g. the registry): every recorded host, one at a time.
        const newPin = { BOOTSTRAP_HASH: "fedcba9876543210", STAGE_HASH: "fedcba9876543210" };
        assert.equal(dh.run(stageScript(added, "bootstrap-servers"), "update", newPin).status, 0);
        assert.deepEqual(
            dh.calls(),
            ["ctl1", "ctl2", "ctl3", "cmp1", "cmp2"].map((h) => `bootstrap-servers --limit ${h}`),
        );
        dh.clearCalls();
        const r = dh.run(stageScript(added, "bootstrap-servers"), "update", newPin);
        assert.match(r.stdout, /every host already has what it installs .* nothing to do/);
        assert.deepEqual(dh.calls(), []);
    });

    it("before the first deploy, bootstrap-servers runs once on every host; no stage runs with a limit", () => {
        const dh = new DeployHostDir(MULTINODE);
        for (const s of stageNames(MULTINODE)) {
            const r = dh.run(stageScript(MULTINODE, s), "create");
            assert.equal(r.status, 0, `${s}: ${r.stdout}${r.stderr}`);
        }
        assert.deepEqual(dh.calls(), [
            "bootstrap-servers",
            "octavia-certificates",
            "prechecks",
            "pull",
            "deploy",
            "post-deploy",
        ]);
        for (const h of MULTINODE.hosts) {
            assert.equal(dh.recorded(`hosts/${h.name}`), hostHash(h));
            assert.equal(dh.recorded(`bootstrap/${h.name}`), bootstrapHash(MULTINODE));
        }
        for (const s of stageNames(MULTINODE).filter((x) => x !== "bootstrap-servers"))
            assert.equal(dh.recorded(`stage/${s}`), stageHash(MULTINODE, s));
        assert.equal(
            fs.readFileSync(path.join(dh.applied, "globals.yml"), "utf8"),
            renderGlobals(MULTINODE),
        );
    });

    it("the hosts moved to noble on 2024.1 (hostOs): bootstrap-servers again, one host at a time; no other stage runs", () => {
        const jammy = stackSettings("multinode", { release: "2024.1" });
        const noble = stackSettings("multinode", { release: "2024.1", hostOs: "noble" });
        const dh = new DeployHostDir(jammy);
        // The stand-in venv serves 2024.1's path too.
        fs.symlinkSync(dh.venv, dh.at("/opt/venv/2024.1"));
        for (const s of stageNames(jammy))
            assert.equal(dh.run(stageScript(jammy, s), "create").status, 0, s);
        const before = dh.calls().length;
        for (const s of stageNames(noble)) {
            const r = dh.run(stageScript(noble, s), "update");
            assert.equal(r.status, 0, `${s}: ${r.stdout}${r.stderr}`);
        }
        assert.deepEqual(
            dh.calls().slice(before),
            noble.hosts.map((h) => `bootstrap-servers --limit ${h.name}`),
        );
        for (const h of noble.hosts)
            assert.equal(dh.recorded(`bootstrap/${h.name}`), bootstrapHash(noble));
    });

    it("a controller and network host: its bootstrap, each controller's one at a time, its pull, the whole cloud's deploy, then routers moved onto it", () => {
        const added = multinode([CTL4]);
        const dh = new DeployHostDir(MULTINODE, { deployed: true });
        dh.configure(added);
        multinodeCloud(dh, { hosts: ["ctl4"] });
        dh.cloudState({
            hosting: [
                "l3-ctl3 router r1",
                "l3-ctl3 router r2",
                "l3-ctl3 router r3",
                "l3-ctl1 router r4",
            ],
        });
        const r = dh.run(hostCmd(added, "ctl4"), "create");
        assert.equal(r.status, 0, r.stdout + r.stderr);
        assert.deepEqual(dh.calls(), [
            "bootstrap-servers --limit ctl4",
            "bootstrap-servers --limit ctl1",
            "bootstrap-servers --limit ctl2",
            "bootstrap-servers --limit ctl3",
            "pull --limit ctl4",
            "deploy",
        ]);
        for (const h of added.hosts) assert.equal(dh.recorded(`hosts/${h.name}`), hostHash(h));
        // ctl3 carried 3 of 4 routers: one moves to ctl4 (then none carries more than one above it).
        assert.deepEqual(dh.cloudFile("hosting").sort(), [
            "l3-ctl1 router r4",
            "l3-ctl3 router r2",
            "l3-ctl3 router r3",
            "l3-ctl4 router r1",
        ]);
        assert.match(r.stdout, /moved router r1 from agent l3-ctl3 to l3-ctl4/);
    });

    it("refuses when the deploy host's inventory is of another pulumi up, or nothing was deployed yet", () => {
        const added = multinode([CMP3]);
        const dh = new DeployHostDir(MULTINODE, { deployed: true });
        let r = dh.run(hostCmd(added, "cmp3"), "create");
        assert.equal(r.status, 1);
        assert.match(r.stdout, /cmp3 is not in .*hosts\.list/);
        const fresh = new DeployHostDir(added);
        r = fresh.run(hostCmd(added, "cmp3"), "create");
        assert.equal(r.status, 1);
        assert.match(r.stdout, /nothing was deployed from this deploy host/);
        assert.deepEqual([...dh.calls(), ...fresh.calls()], []);
    });
});

describe("a host leaves the cloud (its command's delete, kolla's runbook for removing hosts)", () => {
    /** The cloud before removing `name`: deployed with every host, deploy-config then wrote the stack without it. */
    function removing(name: string, more: Record<string, unknown> = {}) {
        const dh = new DeployHostDir(MULTINODE, { deployed: true });
        dh.configure(multinode([], [name], more));
        multinodeCloud(dh);
        // The delete runs the script of the host's last update: rendered from the stack that still had it.
        return { dh, script: hostCmd(MULTINODE, name) };
    }

    it("a compute host: nova-compute disabled, its instances live-migrated, stop --limit on an inventory that still has it, its agents and service deleted; a retry does nothing", () => {
        const { dh, script } = removing("cmp2");
        let r = dh.run(script, "delete");
        assert.equal(r.status, 0, r.stdout + r.stderr);
        assert.deepEqual(dh.calls(), ["-i <copy> stop --yes-i-really-really-mean-it --limit cmp2"]);
        const stopInventory = fs.readFileSync(path.join(dh.root, "stop-inventory"), "utf8");
        assert.match(
            stopInventory,
            /^\[compute\]\ncmp2 ansible_host=10\.20\.0\.22 .*tunnel_interface=ens6\ncmp1 /m,
        );
        assert.match(
            fs.readFileSync(path.join(dh.root, "stop-known-hosts"), "utf8"),
            /^10\.20\.0\.22 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKeycmp2$/m,
        );
        assert.match(
            fs.readFileSync(path.join(dh.root, "stop-ssh-args"), "utf8"),
            /StrictHostKeyChecking=yes/,
        );
        assert.deepEqual(dh.cloudFile("servers"), [
            "vm1 demo1 ACTIVE cmp1",
            "vm2 demo2 ACTIVE cmp1",
            "vm3 demo3 ACTIVE cmp1",
        ]);
        assert.ok(!dh.cloudFile("services").some((l) => l.includes("cmp2")));
        assert.ok(!dh.cloudFile("agents").some((l) => l.includes("cmp2")));
        const os = fs.readFileSync(path.join(dh.cloud, "calls"), "utf8");
        assert.match(os, /compute service set --disable --disable-reason .* cmp2 nova-compute\n/);
        assert.ok(
            os.indexOf("compute service set --disable") < os.indexOf("server migrate"),
            "no new instance lands there while it drains",
        );
        assert.match(os, /server migrate --os-compute-api-version 2\.30 --live-migration vm1\n/);
        assert.equal(dh.recorded("hosts/cmp2"), undefined);
        assert.ok(!fs.existsSync(dh.at("/opt/openstack-aio/removal-cmp2")), "its copy is gone");
        dh.clearCalls();
        r = dh.run(script, "delete");
        assert.equal(r.status, 0);
        assert.match(r.stdout, /its removal finished already: nothing to do/);
        assert.deepEqual(dh.calls(), []);
    });

    it("an instance that cannot be live-migrated stops the removal before stop, naming forceRemoveHosts; with it, the removal goes on", () => {
        let { dh, script } = removing("cmp2");
        fs.writeFileSync(path.join(dh.cloud, "stuck"), "vm2\n");
        let r = dh.run(script, "delete", { DRAIN_SECONDS: "0" });
        assert.equal(r.status, 1);
        assert.match(r.stdout, /instances remain on cmp2 .*vm2 demo2 ACTIVE/);
        assert.match(r.stdout, /add cmp2 to openstack-aio:forceRemoveHosts/);
        assert.deepEqual(dh.calls(), [], "nothing stopped");
        assert.equal(
            dh.recorded("hosts/cmp2"),
            hostHash(hostOf(MULTINODE, "cmp2")),
            "it runs again",
        );
        ({ dh, script } = removing("cmp2", { forceRemoveHosts: ["cmp2"] }));
        fs.writeFileSync(path.join(dh.cloud, "stuck"), "vm2\n");
        r = dh.run(script, "delete", { DRAIN_SECONDS: "0" });
        assert.equal(r.status, 0, r.stderr);
        assert.match(
            r.stdout,
            /instances remain on cmp2 .*; going on: forceRemoveHosts lists cmp2/,
        );
        assert.deepEqual(dh.calls(), ["-i <copy> stop --yes-i-really-really-mean-it --limit cmp2"]);
        // nova keeps a compute service that hosts instances: said, and the removal still finishes.
        assert.match(
            r.stdout,
            /deleting compute service nc-cmp2 of cmp2 failed \(instances still on it/,
        );
        assert.deepEqual(dh.cloudFile("servers"), [
            "vm1 demo1 ACTIVE cmp1",
            "vm2 demo2 ACTIVE cmp2",
            "vm3 demo3 ACTIVE cmp1",
        ]);
        assert.equal(dh.recorded("hosts/cmp2"), undefined);
    });

    it("a host that cannot be reached to stop its containers stops the removal, unless forceRemoveHosts lists it", () => {
        let { dh, script } = removing("cmp2");
        fs.writeFileSync(path.join(dh.root, "fail"), "stop");
        let r = dh.run(script, "delete");
        assert.equal(r.status, 1);
        assert.match(r.stdout, /kolla-ansible stop --limit cmp2 failed \(exit 3/);
        assert.ok(
            dh.cloudFile("services").some((l) => l.includes("cmp2")),
            "not cleaned up",
        );
        ({ dh, script } = removing("cmp2", { forceRemoveHosts: ["cmp2"] }));
        fs.writeFileSync(path.join(dh.root, "fail"), "stop");
        r = dh.run(script, "delete");
        assert.equal(r.status, 0, r.stderr);
        assert.ok(!dh.cloudFile("services").some((l) => l.includes("cmp2")), "cleaned up");
    });

    it("a controller: its routers and DHCP networks moved to the others, stop, deploy --limit control, its agents and services deleted", () => {
        const { dh, script } = removing("ctl3");
        const r = dh.run(script, "delete");
        assert.equal(r.status, 0, r.stdout + r.stderr);
        assert.deepEqual(dh.calls(), [
            "-i <copy> stop --yes-i-really-really-mean-it --limit ctl3",
            "deploy --limit control",
        ]);
        const hosting = dh.cloudFile("hosting");
        assert.ok(!hosting.some((l) => l.includes("ctl3")), hosting.join("; "));
        assert.equal(hosting.length, 4, "every router and network kept an agent");
        assert.ok(!dh.cloudFile("agents").some((l) => l.includes("ctl3")));
        assert.ok(!dh.cloudFile("services").some((l) => l.includes("ctl3")));
        const os = fs.readFileSync(path.join(dh.cloud, "calls"), "utf8");
        assert.ok(
            os.indexOf("network agent set --disable l3-ctl3") < os.indexOf("network agent delete"),
        );
    });

    it("a delete while the host is still in the inventory (replacement, rename of the resource, pulumi destroy) or never deployed does nothing; a host renamed at the same address only loses its records", () => {
        const dh = new DeployHostDir(MULTINODE, { deployed: true });
        multinodeCloud(dh);
        let r = dh.run(hostCmd(MULTINODE, "cmp2"), "delete");
        assert.equal(r.status, 0);
        assert.match(r.stdout, /cmp2 is still in the inventory: .*not a removal/);
        const never = new DeployHostDir(multinode([], ["cmp2"]));
        r = never.run(hostCmd(MULTINODE, "cmp2"), "delete");
        assert.match(r.stdout, /never deployed from this deploy host/);
        const renamed = new DeployHostDir(MULTINODE, { deployed: true });
        renamed.configure(multinode([{ ...CMP3, name: "cmp9", address: "10.20.0.22" }], ["cmp2"]));
        multinodeCloud(renamed);
        r = renamed.run(hostCmd(MULTINODE, "cmp2"), "delete");
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /address 10\.20\.0\.22 belongs to cmp9 now/);
        assert.equal(renamed.recorded("hosts/cmp2"), undefined);
        assert.deepEqual([...dh.calls(), ...never.calls(), ...renamed.calls()], []);
        assert.equal(renamed.cloudFile("services").filter((l) => l.includes("cmp2")).length, 1);
    });
});

describe("a setting whose effect kolla confines to some hosts (scoped reconfigure)", () => {
    const scope = RECONFIGURE_SCOPES.find((s) => s.name === "nova-compute")!;

    it("novaVirtType: reconfigure --tags nova on the compute hosts once; the cloud then runs it; the deploy that applied it leaves nothing", () => {
        const qemu = stackSettings("multinode", { novaVirtType: "qemu" });
        const dh = new DeployHostDir(MULTINODE, { deployed: true });
        dh.configure(qemu);
        let r = dh.run(scopeScript(qemu, scope), "update");
        assert.equal(r.status, 0, r.stdout + r.stderr);
        assert.deepEqual(dh.calls(), ["reconfigure --tags nova --limit compute"]);
        assert.match(
            fs.readFileSync(path.join(dh.applied, "globals.yml"), "utf8"),
            /^nova_compute_virt_type: "qemu"$/m,
        );
        dh.clearCalls();
        r = dh.run(scopeScript(qemu, scope), "update");
        assert.match(r.stdout, /already runs nova_compute_virt_type: "qemu": nothing to do/);
        // A fresh stack: the deploy stage applied it, the scope's create finds it.
        const fresh = new DeployHostDir(qemu, { deployed: true });
        assert.equal(fresh.run(scopeScript(qemu, scope), "create").status, 0);
        assert.deepEqual([...dh.calls(), ...fresh.calls()], []);
        // The cloud-wide stages do not depend on it; every host's command neither.
        assert.equal(cloudHash(qemu), cloudHash(MULTINODE));
        for (const h of qemu.hosts)
            assert.equal(hostCmd(qemu, h.name).text, hostCmd(MULTINODE, h.name).text);
    });

    it("leaves a joining compute host to its own command", () => {
        const qemu = multinode([CMP3], [], { novaVirtType: "qemu" });
        const dh = new DeployHostDir(MULTINODE, { deployed: true });
        dh.configure(qemu);
        assert.equal(dh.run(scopeScript(qemu, scope), "update").status, 0);
        assert.deepEqual(dh.calls(), ["reconfigure --tags nova --limit compute:!cmp3"]);
    });
});

describe("deploy-config adopts a cloud an earlier version deployed with this configuration", () => {
    /** deploy.log as earlier versions' kolla-stage.sh wrote it. */
    const legacyLog = (hash: string, end: string) =>
        `== 2025-01-01T00:00:00+00:00 kolla-ansible deploy (stage deploy, create; release 2023.1; config ${hash}; limit 230m)\nPLAY RECAP\n== 2025-01-01T01:00:00+00:00 kolla-ansible deploy ${end}\n`;
    function adopt(log: string, settings: Settings = MULTINODE) {
        const dh = new DeployHostDir(settings);
        fs.writeFileSync(dh.at("/opt/openstack-aio/deployed-release"), "2023.1\n");
        fs.writeFileSync(dh.at("/var/log/openstack-aio/deploy.log"), log);
        const r = dh.run(deployConfigScript(settings), "", {});
        assert.equal(r.status, 0, r.stdout + r.stderr);
        return { dh, r };
    }

    it("its last deploy succeeded with this configuration: every record written, and no stage, scope or host command runs", () => {
        const { dh, r } = adopt(legacyLog(legacyConfigHash(MULTINODE), "done"));
        assert.match(r.stdout, /the cloud runs this configuration .*no stage needs to run/);
        for (const s of stageNames(MULTINODE).filter(
            (x) => x !== "bootstrap-servers" && x !== "certificates",
        ))
            assert.equal(dh.recorded(`stage/${s}`), stageHash(MULTINODE, s), s);
        for (const h of MULTINODE.hosts) {
            assert.equal(dh.recorded(`hosts/${h.name}`), hostHash(h));
            assert.equal(dh.recorded(`bootstrap/${h.name}`), bootstrapHash(MULTINODE));
        }
        for (const s of stageNames(MULTINODE))
            assert.equal(dh.run(stageScript(MULTINODE, s), "update").status, 0);
        for (const h of MULTINODE.hosts)
            assert.equal(dh.run(hostCmd(MULTINODE, h.name), "create").status, 0);
        assert.equal(dh.run(scopeScript(MULTINODE, RECONFIGURE_SCOPES[0]), "create").status, 0);
        assert.deepEqual(dh.calls(), []);
    });

    it("another configuration, a failed or unfinished last deploy, or records kept already: nothing adopted", () => {
        for (const log of [
            legacyLog("0123456789abcdef", "done"),
            legacyLog(legacyConfigHash(MULTINODE), "failed (exit 2); full log: x"),
            legacyLog(legacyConfigHash(MULTINODE), "done") +
                "== 2025-01-02T00:00:00+00:00 kolla-ansible reconfigure (stage deploy, update; release 2023.1; config 0123456789abcdef; limit 230m)\n",
        ]) {
            const { dh, r } = adopt(log);
            assert.match(r.stdout, /records start empty/);
            assert.deepEqual(fs.readdirSync(dh.applied), []);
        }
        const { dh } = adopt(legacyLog(legacyConfigHash(MULTINODE), "done"));
        fs.rmSync(path.join(dh.applied, "stage"), { recursive: true });
        dh.run(deployConfigScript(MULTINODE), "", {});
        assert.ok(!fs.existsSync(path.join(dh.applied, "stage")), "adopts only on its first run");
    });
});
