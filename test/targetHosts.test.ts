// components/hosts/targetHosts.ts (stage 5): first contact and the prepare step per target, in the graph. The scripts
// they run, rendered and run for real: hosts.test.ts.
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { Settings } from "../config/settings";
import { TargetHosts } from "../components/hosts/targetHosts";
import { Graph, mockHostKey, OutputsFor, runProgram, settled } from "../tools/evaluate/harness";
import { FirstContact, firstContact } from "../components/hosts/firstContact";
import { stackSettings, TEST_PRIVATE_KEY } from "../tools/evaluate/stack";
import { assertNoLeaks, DEPLOY_PUB, PRIVATE_KEY_BODY } from "./support/lifecycle";
import { input, inputString } from "./support/narrow";

/** Three targets with different users/ports: control+network, and two computes. */
function multiHost(): Settings {
    const base = stackSettings("aio");
    const iface = { management: "eth1", api: "eth2", external: "eth3" };
    return stackSettings("aio", {
        hosts: [
            {
                name: "ctl1",
                address: "10.10.10.61",
                apiAddress: "10.10.30.61",
                roles: ["control", "network", "monitoring", "storage"],
                interfaces: iface,
            },
            {
                name: "cmp1",
                address: "10.10.10.62",
                roles: ["compute"],
                interfaces: iface,
                sshUser: "ubuntu",
                sshPort: 2222,
            },
            {
                name: "cmp2",
                address: "10.10.10.63",
                roles: ["compute"],
                interfaces: { ...iface, tunnel: "eth4" },
            },
        ],
        networks: base.networks,
    });
}

function targets(settings: Settings, key: pulumi.Input<string> = DEPLOY_PUB): Promise<Graph> {
    return runProgram(() => {
        const t = new TargetHosts("targets", {
            settings,
            privateKey: pulumi.secret(TEST_PRIVATE_KEY),
            deployPublicKey: key,
        });
        return { ready: t.ready.length };
    });
}

describe("TargetHosts: graph", () => {
    it("checks and prepares every target over its own connection, reachable first", async () => {
        const settings = multiHost();
        const g = await targets(settings);
        assert.equal(g.exports.ready, 3);
        for (const h of settings.hosts) {
            const reach = g.get(`targets-${h.name}-reachable`),
                prep = g.get(`targets-${h.name}-prepare`);
            for (const r of [reach, prep]) {
                assert.equal(input(r, "connection.host"), h.address, r.name);
                assert.equal(input(r, "connection.user"), h.sshUser, r.name);
                assert.equal(input(r, "connection.port"), h.sshPort, r.name);
                assert.equal(
                    input(r, "connection.dialErrorLimit"),
                    r === reach ? 40 : 3,
                    `${r.name}: dial retries while the host boots, then a failure is final`,
                );
                // The SDK marks the whole connection secret when the key inside it is one.
                assert.ok(
                    r.secretPaths.some((p) => p === "connection" || p === "connection.privateKey"),
                    r.name,
                );
                assert.equal(r.inputs.delete, undefined, `${r.name}: nothing to undo`);
                assert.ok(r.customTimeouts?.create, r.name);
            }
            assert.ok(g.dependsOn(prep, reach), `${h.name}: checks run after first contact`);
            assert.equal(g.get(`targets-${h.name}-prepare`).parent, g.get("targets").urn);
            assert.match(
                inputString(prep, "stdin"),
                new RegExp(`readonly HOST_ADDRESS='${h.address}'`),
            );
        }
        assert.equal(input(g.get("targets-cmp1-prepare"), "connection.port"), 2222);
        assert.match(
            inputString(g.get("targets-cmp2-prepare"), "stdin"),
            /readonly TUNNEL_IF='eth4'/,
        );
        assert.match(
            inputString(g.get("targets-cmp1-prepare"), "stdin"),
            /readonly HOST_KEY='openstack-aio:hosts\[1\]'/,
        );
    });

    it("waits for the deploy key through stdin and authorizes exactly that key", async () => {
        const settings = stackSettings("aio");
        // An unknown-until-created key, as DeployHost.publicKey is during the first `pulumi up`.
        const g = await runProgram(() => {
            const keyCmd = new command.remote.Command("keygen", {
                connection: { host: "x" },
                create: "true",
            });
            new TargetHosts("targets", {
                settings,
                privateKey: pulumi.secret(TEST_PRIVATE_KEY),
                deployPublicKey: keyCmd.stdout.apply(() => `${DEPLOY_PUB}\n`),
            });
        });
        const prep = g.get("targets-aio-prepare");
        assert.ok(g.dependsOn(prep, g.get("keygen")), "prepare waits for the key generation");
        assert.ok(
            !g.dependsOn(g.get("targets-aio-reachable"), g.get("keygen")),
            "first contact does not",
        );
        assert.match(
            inputString(prep, "stdin"),
            new RegExp(`readonly DEPLOY_PUBKEY='${DEPLOY_PUB}'\n`),
            "trimmed key",
        );
    });

    it("keeps the private key secret and out of every plain input", async () => {
        assertNoLeaks(await targets(multiHost()), [PRIVATE_KEY_BODY]);
    });
    it("runs nothing on a host whose OS the release does not support: the key every later command connects with fails", async () => {
        // A 2026.1 stack whose aio host answers first contact as Ubuntu 22.04.
        const settings = stackSettings("aio", { release: "2026.1" });
        const jammy: OutputsFor = (args) =>
            args.name.endsWith("-reachable")
                ? { stdout: `ready: aio\nos: ubuntu jammy\nhost-key: ${mockHostKey(args.name)}\n` }
                : undefined;
        let contact: FirstContact | undefined;
        // The run fails with the problem, as Pulumi's language host fails a program whose apply threw.
        const run = runProgram(
            () => {
                contact = firstContact(
                    "aio-reachable",
                    settings.hosts[0],
                    settings,
                    "openstack-aio:hosts[0] (aio)",
                    pulumi.secret(TEST_PRIVATE_KEY),
                    {},
                );
            },
            { outputs: jammy },
        );
        await assert.rejects(run, /^Error: openstack-aio:hosts\[0\] \(aio\) runs Ubuntu jammy/);
        await assert.rejects(
            settled(contact!.hostKey),
            /^Error: openstack-aio:hosts\[0\] \(aio\) runs Ubuntu jammy; openstack-aio:hostOs says its hosts run Ubuntu 24\.04 \(noble\), one OpenStack 2026\.1 supports \(noble\): reinstall it with Ubuntu 24\.04 \(noble\)$/,
        );
        // The connection of every later command carries that key: none can be made.
        await assert.rejects(
            settled(pulumi.output(contact!.connection.hostKey!)),
            /runs Ubuntu jammy/,
        );
    });
});
