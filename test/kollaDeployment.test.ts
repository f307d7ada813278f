import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { DeployHost, renderedScripts as deployScripts, configHash } from "../components/deployHost";
import { DeployHostDocker } from "../components/dockerHost";
import { kollaImages } from "../components/images";
import { KollaImageMirror } from "../components/imageMirror";
import { KollaDeployment, renderedScripts as kollaScripts, stageScript } from "../components/kollaDeployment";
import { LocalRegistry } from "../components/registry";
import { TargetHosts, renderedScripts as targetScripts } from "../components/targetHosts";
import { Graph, resolve, runProgram } from "./support/harness";
import { assertShellcheckClean } from "./support/tools";
import { stackSettings, TEST_PRIVATE_KEY } from "./support/stack";

async function lifecycle(overrides: Record<string, unknown> = {}): Promise<Graph> {
    const settings = stackSettings("aio", overrides);
    return runProgram(async () => {
        const privateKey = pulumi.secret(TEST_PRIVATE_KEY);
        const docker = new DeployHostDocker("deploy-docker", { host: settings.deployHost, privateKey });
        const registry = new LocalRegistry("registry", { settings, provider: docker.provider });
        const mirror = new KollaImageMirror("kolla-images", { settings, images: kollaImages(settings), privateKey, registry, docker });
        const deployHost = new DeployHost("deploy-host", { settings, privateKey });
        const targets = new TargetHosts("targets", { settings, privateKey, deployPublicKey: deployHost.publicKey });
        const kolla = new KollaDeployment("kolla", { settings, privateKey, deployHost, targets, mirror });
        return { authUrl: kolla.access.authUrl, adminPassword: kolla.access.adminPassword, openrc: kolla.adminOpenrcPath };
    }, {
        outputs: (a) => a.type === "command:remote:Command" && a.name === "deploy-host-deploy-key"
            ? { stdout: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDeployKeyPublicHalf openstack-aio-deploy@deploy", stderr: "" } : undefined,
    });
}

const ADMIN_PW = "mock-password-deploy-host-keystone-admin-password";
const OCTAVIA_PW = "mock-password-deploy-host-octavia-keystone-password";
const ORDER = ["bootstrap-servers", "prechecks", "pull", "deploy", "post-deploy"];

describe("KollaDeployment: the kolla-ansible stages", () => {
    let g: Graph;
    before(async () => { g = await lifecycle(); });

    it("runs bootstrap-servers → prechecks → pull → deploy → post-deploy, each after the previous", () => {
        const stages = ORDER.map((s) => g.get(`kolla-${s}`));
        for (let i = 1; i < stages.length; i++) {
            assert.ok(g.dependsOn(stages[i], stages[i - 1]), `${ORDER[i]} after ${ORDER[i - 1]}`);
            assert.ok(!g.dependsOn(stages[i - 1], stages[i]), `${ORDER[i - 1]} not after ${ORDER[i]}`);
        }
        for (const [i, s] of stages.entries()) assert.match(s.inputs.stdin, new RegExp(`readonly STAGE='${ORDER[i]}'`));
    });

    it("pull waits for every image copy; bootstrap waits for deploy host and targets", () => {
        const pull = g.get("kolla-pull");
        const copies = g.ofType("command:remote:Command").filter((r) => r.name.startsWith("kolla-images-"));
        assert.equal(copies.length, 36);
        for (const c of copies) assert.ok(g.dependsOn(pull, c), c.name);
        const boot = g.get("kolla-bootstrap-servers");
        for (const n of ["deploy-host-passwords", "deploy-host-inventory", "deploy-host-prepare", "targets-aio-prepare"]) assert.ok(g.dependsOn(boot, g.get(n)), n);
        assert.ok(!copies.some((c) => g.dependsOn(boot, c)), "bootstrap does not wait for the mirror");
    });

    it("octavia-certificates precedes deploy when Octavia is on, and is absent when off", async () => {
        const certs = g.get("kolla-octavia-certificates");
        assert.ok(g.dependsOn(g.get("kolla-deploy"), certs));
        assert.ok(g.dependsOn(certs, g.get("deploy-host-passwords")), "after genpwd");
        const off = await lifecycle({ enableOctavia: false });
        assert.equal(off.find("kolla-octavia-certificates"), undefined);
        assert.ok(off.dependsOn(off.get("kolla-deploy"), off.get("kolla-pull")));
    });

    it("runs every stage on the deploy host and target preparation on the target", () => {
        for (const s of [...ORDER, "octavia-certificates", "destroy-guard"]) assert.equal(g.get(`kolla-${s}`).inputs.connection.host, "10.10.10.50");
        assert.equal(g.get("targets-aio-prepare").inputs.connection.host, "10.10.10.51");
        assert.equal(g.get("targets-aio-reachable").inputs.connection.host, "10.10.10.51");
        for (const r of g.ofType("command:remote:Command")) assert.equal(r.inputs.connection.dialErrorLimit, 40, r.name);
    });

    it("create deploys; update reconfigures, or upgrades when the release changed", () => {
        const deploy = g.get("kolla-deploy");
        assert.equal(deploy.inputs.create, "bash -s -- create");
        assert.equal(deploy.inputs.update, "bash -s -- update");
        assert.equal(deploy.inputs.delete, undefined, "no destructive delete on a stage");
        assert.equal(deploy.inputs.logging, "stdoutAndStderr");
        assert.match(deploy.inputs.stdin, /action=upgrade; else action=reconfigure/);
        assert.match(deploy.inputs.stdin, /tee -a "\$LOG_DIR\/\$STAGE\.log"/);
        assert.match(deploy.inputs.stdin, /timeout --foreground "\$STAGE_TIMEOUT"/);
        assert.equal(deploy.customTimeouts?.create, "240m");
        for (const s of ORDER) assert.equal(g.get(`kolla-${s}`).inputs.delete, undefined, s);
    });

    it("keeps kolla-ansible destroy on one guard, off unless allowDestroy, deleted after post-deploy's dependents", async () => {
        const guard = g.get("kolla-destroy-guard");
        assert.equal(guard.inputs.delete, "bash -s -- delete");
        assert.match(guard.inputs.stdin, /readonly ALLOW_DESTROY='false'/);
        assert.ok(g.dependsOn(g.get("kolla-post-deploy"), guard));
        assert.ok(g.dependsOn(guard, g.get("kolla-deploy")));
        const withDestroy = await lifecycle({ allowDestroy: true });
        assert.match(withDestroy.get("kolla-destroy-guard").inputs.stdin, /readonly ALLOW_DESTROY='true'/);
        assert.equal(g.ofType("command:remote:Command").filter((r) => String(r.inputs.stdin).includes("destroy --yes-i-really-really-mean-it")).length, 1);
    });

    it("derives the cloud's access from post-deploy", () => {
        assert.equal(g.exports.authUrl, "http://10.10.30.55:5000");
        assert.equal(g.exports.adminPassword, ADMIN_PW);
        assert.ok(g.secretExports.includes("adminPassword"));
        assert.equal(g.exports.openrc, "/etc/kolla/admin-openrc.sh");
    });
});

describe("DeployHost and TargetHosts", () => {
    let g: Graph;
    before(async () => { g = await lifecycle(); });

    it("authorizes the deploy key generated on the deploy host, guarded against duplicates", () => {
        const prep = g.get("targets-aio-prepare");
        assert.ok(g.dependsOn(prep, g.get("deploy-host-deploy-key")));
        assert.match(prep.inputs.stdin, /readonly DEPLOY_PUBKEY='ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDeployKeyPublicHalf openstack-aio-deploy@deploy'/);
        assert.match(prep.inputs.stdin, /grep -qxF "\$DEPLOY_PUBKEY" "\$HOME\/\.ssh\/authorized_keys" \|\| printf/);
        assert.match(prep.inputs.stdin, /install -d -m 0700 "\$HOME\/\.ssh"/);
        assert.match(prep.inputs.stdin, /readonly EXT_IF='eth3'/);
        assert.match(g.get("deploy-host-deploy-key").inputs.stdin, /\[ -f "\$KEY" \] \|\| ssh-keygen/);
    });

    it("installs the pinned kolla-ansible and ansible-core in /opt/venv/2023.1 and runs install-deps", () => {
        const s: string = g.get("deploy-host-prepare").inputs.stdin;
        assert.match(s, /readonly VENV='\/opt\/venv\/2023\.1'/);
        assert.match(s, /readonly KOLLA_ANSIBLE='kolla-ansible @ git\+https:\/\/opendev\.org\/openstack\/kolla-ansible@2023\.1-eol'/);
        assert.match(s, /readonly ANSIBLE_CORE='ansible-core==2\.14\.18'/);
        assert.match(s, /kolla-ansible install-deps/);
        assert.match(s, /\[ -x "\$VENV\/bin\/python" \] \|\| python3 -m venv/);
    });

    it("never puts the private key or a password in a command, a non-secret input or a logged stdout", () => {
        for (const r of g.resources) {
            const plain = JSON.stringify(Object.fromEntries(Object.entries(r.inputs).filter(([k]) => !r.secretPaths.includes(k))));
            for (const secret of [TEST_PRIVATE_KEY.split("\n")[1], ADMIN_PW, OCTAVIA_PW]) {
                assert.ok(!plain.includes(secret), `${r.name} holds a secret in a non-secret input`);
            }
            if (r.type === "command:remote:Command") {
                assert.ok(!/PRIVATE KEY|mock-password/.test(r.inputs.create ?? ""), `${r.name} create`);
            }
        }
        const file = g.get("deploy-host-passwords-file");
        assert.ok(file.secretPaths.includes("stdin"));
        assert.equal(file.inputs.logging, "none");
        assert.match(file.inputs.stdin, new RegExp(`keystone_admin_password: ${ADMIN_PW}`));
        assert.match(file.inputs.create, /^umask 077 && cat > /);
        assert.ok(g.get("deploy-host-passwords").secretPaths.includes("triggers"));
    });

    it("re-merges passwords after the file, and the merge after the inventory splice", () => {
        const merge = g.get("deploy-host-passwords");
        assert.ok(g.dependsOn(merge, g.get("deploy-host-passwords-file")));
        assert.ok(g.dependsOn(merge, g.get("deploy-host-inventory")));
        assert.ok(g.dependsOn(g.get("deploy-host-inventory"), g.get("deploy-host-kolla-config")));
    });
});

describe("re-run semantics: inputs change only with what they depend on", () => {
    const stageInputs = (g: Graph) => Object.fromEntries(g.ofType("command:remote:Command")
        .filter((r) => r.name.startsWith("kolla-") && !r.name.startsWith("kolla-images-") || r.name.startsWith("deploy-host-") && r.name !== "deploy-host-passwords")
        .map((r) => [r.name, { stdin: r.inputs.stdin, triggers: r.inputs.triggers, create: r.inputs.create }]));

    it("evaluating twice gives identical inputs", async () => {
        assert.deepEqual(stageInputs(await lifecycle()), stageInputs(await lifecycle()));
    });

    it("changing only the cirros version or the tenant network changes no stage input", async () => {
        const base = stageInputs(await lifecycle());
        assert.deepEqual(stageInputs(await lifecycle({ cirrosVersion: "0.6.2" })), base);
        const tenant = { ...stackSettings("aio").networks, tenant: { cidr: "10.20.0.0/24", dnsServers: ["1.1.1.1"] } };
        assert.deepEqual(stageInputs(await lifecycle({ networks: tenant })), base);
    });

    it("changing the VIP changes the globals and config hash, so every stage updates", () => {
        const a = stackSettings("aio"), b = stackSettings("aio", { vip: "10.10.30.56" });
        assert.notEqual(configHash(a), configHash(b));
        assert.notEqual(stageScript(a, "deploy").text, stageScript(b, "deploy").text);
        assert.equal(stageScript(a, "deploy").text, stageScript(stackSettings("aio"), "deploy").text);
    });

    it("every lifecycle script passes shellcheck", () => {
        const s = stackSettings("aio", { allowDestroy: true });
        assertShellcheckClean([...targetScripts(s), ...deployScripts(s), ...kollaScripts(s)]);
    });

    it("resolves access only after post-deploy", async () => {
        const g = await lifecycle();
        const { value } = await resolve(pulumi.output(g.exports.authUrl as string));
        assert.equal(value, "http://10.10.30.55:5000");
    });
});
