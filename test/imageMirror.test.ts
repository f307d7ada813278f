// components/registry/imageMirror.ts (stage 4): one registry-to-registry copy per kolla image, on the deploy host.
import { strict as assert } from "assert";
import { kollaImages } from "../render/images";
import { mirrorWaits } from "../render/mirror";
import { Graph } from "../tools/evaluate/harness";
import { stackSettings } from "../tools/evaluate/stack";
import { registryGraph } from "./support/lifecycle";
import { asArray, asStrings, at, input, inputString } from "./support/narrow";

const copiesOf = (g: Graph) =>
    g.ofType("command:remote:Command").filter((r) => r.name.startsWith("kolla-images-"));

describe("KollaImageMirror", () => {
    // One evaluation of the aio stack for the tests that read it as committed.
    let g: Graph;
    before(async () => {
        g = await registryGraph();
    });

    it("has one copy per image, each waiting on the registry container, skopeo and the copy that brings its shared layers", () => {
        const copies = copiesOf(g);
        const images = kollaImages(stackSettings("aio"));
        assert.deepEqual(
            copies.map((c) => c.name.replace("kolla-images-", "")).sort(),
            images.map((i) => i.name).sort(),
        );
        assert.equal(g.exports.count, 36);
        const container = g.get("registry-container"),
            skopeo = g.get("kolla-images-skopeo");
        const waits = mirrorWaits(images.map((i) => i.name));
        for (const c of copies) {
            assert.ok(g.dependsOn(c, container), `${c.name} → registry container`);
            assert.ok(g.dependsOn(c, skopeo), `${c.name} → skopeo`);
            const deps = [...g.transitiveDependencies(c)].map((u) => g.byUrnOf(u)?.name ?? u);
            // Only first contact with the deploy host (its OS checked, its key pinned), none of its later steps.
            assert.ok(
                !deps.some(
                    (n) =>
                        /kolla-(bootstrap|prechecks|pull|deploy)|deploy-host/.test(n) &&
                        n !== "deploy-host-reachable",
                ),
                deps.join(", "),
            );
            const direct = copies
                .filter((o) => o !== c && c.dependencies.includes(o.urn))
                .map((o) => o.name.replace("kolla-images-", ""));
            const after = waits.get(c.name.replace("kolla-images-", ""));
            assert.deepEqual(
                direct,
                after ? [after] : [],
                `${c.name} waits for exactly its mirrorWaits copy`,
            );
        }
    });

    it("copies registry to registry with skopeo into the registry's own loopback without TLS, skipping when digests match", () => {
        const nova = g.get("kolla-images-nova-api");
        const script = inputString(nova, "stdin");
        assert.equal(nova.inputs.create, "bash -s");
        assert.match(
            script,
            /readonly SOURCE='quay\.io\/openstack\.kolla\/nova-api:2023\.1-ubuntu-jammy'/,
        );
        assert.match(
            script,
            /readonly DEST='127\.0\.0\.1:5000\/openstack\.kolla\/nova-api:2023\.1-ubuntu-jammy'/,
        );
        assert.match(
            script,
            /skopeo copy --all --preserve-digests --retry-times 3 --dest-tls-verify=false/,
        );
        assert.match(script, /readonly BLOB_CACHE='\/var\/cache\/openstack-aio\/skopeo-blob-info'/);
        assert.match(script, /readonly NETWORK='container:registry'/);
        assert.match(
            script,
            /run --rm --network "\$NETWORK" -v "\$BLOB_CACHE:\/var\/lib\/containers\/cache" "\$SKOPEO_IMAGE"/,
        );
        assert.match(script, /if \[ "\$have" = "\$want" \]/);
        assert.doesNotMatch(script, /docker (push|tag|pull)/);
        assert.equal(nova.deleteBeforeReplace, false);
        assert.equal(nova.inputs.delete, undefined, "no destructive delete");
    });

    it("switching a service off removes exactly its copies", async () => {
        const all = copiesOf(g).map((c) => c.name);
        const noHeat = copiesOf(await registryGraph({ enableHeat: false })).map((c) => c.name);
        assert.deepEqual(all.filter((n) => !noHeat.includes(n)).sort(), [
            "kolla-images-heat-api",
            "kolla-images-heat-api-cfn",
            "kolla-images-heat-engine",
        ]);
    });

    it("pull-through mode: no per-image resources, the registry proxies the source", async () => {
        const g = await registryGraph({ registryMode: "pull-through" });
        assert.equal(copiesOf(g).length, 0);
        assert.equal(g.find("kolla-images-skopeo"), undefined);
        assert.ok(
            asStrings(input(g.get("registry-container"), "envs"), "envs").includes(
                "REGISTRY_PROXY_REMOTEURL=https://quay.io",
            ),
        );
        assert.deepEqual(
            asArray(input(g.get("registry-container"), "ports"), "ports")
                .map((p) => at(p, "ip"))
                .sort(),
            ["10.10.10.50"],
            "a proxy cache refuses pushes itself",
        );
        assert.ok(
            asStrings(input(g.get("registry-container"), "envs"), "envs").includes(
                "REGISTRY_HTTP_TLS_CERTIFICATE=/certs/registry.crt",
            ),
        );
        assert.equal(g.find("registry-readonly"), undefined);
        assert.equal(g.exports.count, 0);
    });

    it("keeps the private key secret and out of every command", () => {
        for (const c of g.ofType("command:remote:Command")) {
            assert.ok(c.secretPaths.includes("connection"));
            assert.ok(
                !inputString(c, "create").includes("PRIVATE KEY") &&
                    !String(c.inputs.stdin).includes("PRIVATE KEY"),
            );
        }
    });
});
