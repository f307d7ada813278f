// components/cloud/index.ts (stage 8): the providers built from post-deploy that every OpenStack resource uses. Its
// parts: networks.test.ts, basics.test.ts, cloud.images.test.ts, demoInstance.test.ts.
import { strict as assert } from "assert";
import { Graph, runIndex } from "../tools/evaluate/harness";
import { lifecycleOutputs, TEST_CA } from "./support/lifecycle";
import { inputString } from "./support/narrow";
import { stackRunOptions, TEST_PUBLIC_KEY } from "../tools/evaluate/stack";

const stack = (overrides: Record<string, unknown> = {}) =>
    runIndex(stackRunOptions({ overrides: { keypairPublicKey: TEST_PUBLIC_KEY, ...overrides } }));

describe("Cloud: OpenStack resources through a provider built from post-deploy", () => {
    let g: Graph;
    before(async () => {
        g = await stack();
    });
    const os = () => g.resources.filter((r) => r.type.startsWith("openstack:"));

    it("every OpenStack resource uses a provider that waits for post-deploy", () => {
        const postDeploy = g.get("kolla-post-deploy");
        assert.ok(os().length >= 15);
        for (const r of os()) {
            const p = g.providerOf(r);
            assert.ok(
                p && p.type === "pulumi:providers:openstack",
                `${r.name} has an explicit openstack provider`,
            );
            assert.ok(g.dependsOn(p, postDeploy), `${p.name} → post-deploy`);
            assert.ok(g.dependsOn(r, postDeploy), `${r.name} → post-deploy`);
        }
    });

    it("configures the admin provider only from the deployment's outputs, with the password secret", () => {
        const admin = g.get("cloud-admin", "pulumi:providers:openstack");
        assert.equal(admin.inputs.authUrl, "http://10.10.30.55:5000");
        assert.deepEqual(admin.propertyDependencies.authUrl, [g.get("kolla-post-deploy").urn]);
        assert.equal(admin.inputs.userName, "admin");
        assert.equal(admin.inputs.tenantName, "admin");
        assert.equal(admin.inputs.userDomainName, "Default");
        assert.equal(admin.inputs.region, "RegionOne");
        assert.ok(admin.secretPaths.includes("password"));
        assert.ok(!("cloud" in admin.inputs), "no clouds.yaml on the Pulumi machine");
    });

    it("with TLS, a certificates stage that printed no CA fails the run naming the file and the log, never trusting blindly", async () => {
        const run = runIndex({
            ...stackRunOptions({
                overrides: { keypairPublicKey: TEST_PUBLIC_KEY, enableTls: true },
            }),
            outputs: (a) =>
                a.name === "kolla-certificates"
                    ? { stdout: "PLAY RECAP\n", stderr: "" }
                    : lifecycleOutputs(a),
        });
        await assert.rejects(
            run,
            /kolla-ansible certificates printed no CA: \/etc\/kolla\/certificates\/ca\/root\.crt is missing or empty on the deploy host deploy \(its log: \/var\/log\/openstack-aio\/certificates\.log\)/,
        );
    });

    it("with TLS, trusts kolla's CA from the certificates stage (cacertFile), never `insecure`", async () => {
        const tls = await runIndex({
            ...stackRunOptions({
                overrides: { keypairPublicKey: TEST_PUBLIC_KEY, enableTls: true },
            }),
            outputs: lifecycleOutputs,
        });
        for (const name of ["cloud-admin"]) {
            const p = tls.get(name, "pulumi:providers:openstack");
            assert.equal(p.inputs.cacertFile, TEST_CA, name);
            assert.equal(p.inputs.insecure, undefined, name);
            assert.ok(
                p.propertyDependencies.cacertFile.includes(tls.get("kolla-certificates").urn),
                name,
            );
        }
        assert.equal(
            tls.get("cloud-admin", "pulumi:providers:openstack").inputs.authUrl,
            "https://10.10.30.55:5000",
        );
        assert.equal(
            g.get("cloud-admin", "pulumi:providers:openstack").inputs.cacertFile,
            undefined,
            "no TLS, no CA",
        );
        // The amphora is uploaded from the deploy host, trusting the same CA there (amphora-upload.sh OS_CACERT).
        assert.match(
            inputString(tls.get("amphora-upload"), "stdin"),
            /readonly CA_CERTIFICATE='\/etc\/kolla\/certificates\/ca\/root\.crt'/,
        );
        assert.match(inputString(g.get("amphora-upload"), "stdin"), /readonly CA_CERTIFICATE=''/);
    });
});
