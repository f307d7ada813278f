// tools/planKolla.ts on the scripts the renderers write: the variables it reads, and what it concludes each kolla
// command does for a change (which hosts, which steps, what to confirm).
import { strict as assert } from "assert";
import { Settings } from "../config/settings";
import { renderGlobals } from "../render/globals";
import {
    hostScript,
    RECONFIGURE_SCOPES,
    scopeScript,
    stageNames,
    stageScript,
} from "../render/kolla";
import { renderScript } from "../render/script";
import { ResourceSummary, TreeSummary } from "../tools/planEvaluate";
import { CommandChange, kollaRuns, scriptVars } from "../tools/planKolla";
import { stackSettings } from "../tools/evaluate/stack";
import { CTL4 } from "./support/lifecycle";

const command = (name: string, stdin: string): ResourceSummary => ({
    type: "command:remote:Command",
    name,
    custom: true,
    inputs: { stdin },
    replaceOnChanges: ["triggers[*]"],
    ignoreChanges: [],
});
const KEY = "ssh-ed25519 AAAAkey";
/** The kolla commands of a stack, as the evaluation summarises them. */
function kollaCommands(s: Settings): Map<string, ResourceSummary> {
    const out = new Map<string, ResourceSummary>();
    for (const st of stageNames(s))
        out.set(`kolla-${st}`, command(`kolla-${st}`, stageScript(s, st).text));
    for (const sc of RECONFIGURE_SCOPES)
        out.set(
            `kolla-reconfigure-${sc.name}`,
            command(`kolla-reconfigure-${sc.name}`, scopeScript(s, sc).text),
        );
    for (const h of s.hosts)
        out.set(
            `kolla-host-${h.name}`,
            command(`kolla-host-${h.name}`, hostScript(s, h, KEY).text),
        );
    return out;
}
const tree = (s: Settings): TreeSummary => ({
    stack: "multinode",
    exists: true,
    release: s.release,
    hosts: s.hosts.map((h) => ({ name: h.name, address: h.address, roles: [...h.roles] })),
    forceRemoveHosts: [...s.forceRemoveHosts],
    files: { "globals.yml": renderGlobals(s) },
});
/** The runs for base → head, from their commands' differences (as comparePlans hands them over). */
function runs(base: Settings, head: Settings) {
    const a = kollaCommands(base),
        b = kollaCommands(head);
    const changes: CommandChange[] = [];
    for (const n of new Set([...a.keys(), ...b.keys()])) {
        const x = a.get(n),
            y = b.get(n);
        if (x && y && x.inputs.stdin === y.inputs.stdin) continue;
        changes.push({ op: !x ? "create" : !y ? "delete" : "update", base: x, head: y });
    }
    return kollaRuns(tree(base), tree(head), changes);
}
const hosts = (s: Settings) =>
    s.hosts.map((h) => ({
        name: h.name,
        address: h.address,
        ...(h.apiAddress ? { apiAddress: h.apiAddress } : {}),
        roles: [...h.roles],
        interfaces: { ...h.interfaces },
    }));
const MN = stackSettings("multinode");

describe("plan: the kolla commands' variables", () => {
    it("reads quoted values, quotes inside them, arrays and values over several lines, as render/script.ts writes them", () => {
        const s = renderScript(
            "x.sh",
            { A: "it's", B: ["nova", "a b", "c'd"], C: "line1\nline2\n", D: true, E: 5 },
            "true",
        );
        assert.deepEqual(scriptVars(s.text), {
            A: "it's",
            B: ["nova", "a b", "c'd"],
            C: "line1\nline2\n",
            D: "true",
            E: "5",
        });
        const v = scriptVars(hostScript(MN, MN.hosts[4], KEY).text);
        assert.equal(v.HOST, "cmp2");
        assert.deepEqual(v.HOST_ROLES, ["compute"]);
        assert.equal(v.HOST_KNOWN_HOSTS, `10.20.0.22 ${KEY}\n`);
    });
});

describe("plan: what each kolla command does for a change", () => {
    it("a controller joins: its bootstrap, each present controller's, its pull, the whole cloud's deploy, the re-balancing; to confirm", () => {
        const head = stackSettings("multinode", { hosts: [...hosts(MN), CTL4] });
        const r = runs(MN, head);
        assert.deepEqual(
            r.filter((x) => x.action).map((x) => x.stage),
            ["host-ctl4"],
        );
        const ctl4 = r.find((x) => x.stage === "host-ctl4")!;
        assert.deepEqual(
            ctl4.steps.map((x) => x.replace(/ \(.*\)$/, "")),
            [
                "kolla-ansible bootstrap-servers --limit ctl4",
                "kolla-ansible bootstrap-servers --limit ctl1",
                "kolla-ansible bootstrap-servers --limit ctl2",
                "kolla-ansible bootstrap-servers --limit ctl3",
                "kolla-ansible pull --limit ctl4",
                "kolla-ansible deploy",
                "routers and DHCP networks moved from the busiest agents onto its agents",
            ],
        );
        assert.deepEqual(ctl4.hosts, ["ctl4", "ctl1", "ctl2", "ctl3", "cmp1", "cmp2"]);
        assert.match(
            ctl4.confirm!,
            /the whole cloud is deployed again .*moving a router interrupts its traffic briefly/,
        );
        // Every other command changed only in text (the new host's line in nothing of theirs): nothing runs.
        assert.ok(r.every((x) => x.stage === "host-ctl4" || !x.action));
    });

    it("two controllers leave at once: each removal names its steps, and both say kolla removes one at a time", () => {
        const head = stackSettings("multinode", {
            hosts: hosts(MN).filter((h) => h.name !== "ctl2" && h.name !== "ctl3"),
        });
        const r = runs(MN, head).filter((x) => x.action);
        assert.deepEqual(
            r.map((x) => [x.stage, x.op, x.hosts]),
            [
                ["host-ctl2", "delete", ["ctl2", "ctl1"]],
                ["host-ctl3", "delete", ["ctl3", "ctl1"]],
            ],
        );
        assert.equal(
            r[0].steps[0],
            "routers and DHCP networks moved off ctl2's agents, its L3 agent disabled",
        );
        assert.ok(r[0].steps.includes("kolla-ansible deploy --limit control (ctl1)"));
        for (const x of r)
            assert.match(
                x.confirm!,
                /2 controllers leave in one change: kolla advises removing one at a time/,
            );
    });

    it("forceRemoveHosts listing the host: the removal says it goes on regardless", () => {
        const head = stackSettings("multinode", {
            hosts: hosts(MN).filter((h) => h.name !== "cmp2"),
            forceRemoveHosts: ["cmp2"],
        });
        const [r] = runs(MN, head).filter((x) => x.action);
        assert.match(
            r.confirm!,
            /forceRemoveHosts lists cmp2: instances that cannot be live-migrated are stopped with it/,
        );
    });

    it("a change of what the cloud-wide stages depend on: they run, and the scope and host commands leave it to them", () => {
        const head = stackSettings("multinode", { vip: "10.20.1.101", novaVirtType: "qemu" });
        const r = runs(MN, head);
        assert.deepEqual(
            r.filter((x) => x.action).map((x) => [x.stage, x.action]),
            [
                ["octavia-certificates", "octavia-certificates"],
                ["prechecks", "prechecks"],
                ["deploy", "reconfigure"],
                ["post-deploy", "post-deploy"],
            ],
        );
        assert.equal(
            r.find((x) => x.stage === "reconfigure-nova-compute")!.why,
            "the deploy stage applies its settings",
        );
    });

    it("bootstrap-servers' inputs change on a running cloud (e.g. the Docker pin): one host at a time, to confirm", () => {
        const before = kollaCommands(MN).get("kolla-bootstrap-servers")!;
        const after = command(
            "kolla-bootstrap-servers",
            (before.inputs.stdin as string).replace(
                /^readonly STAGE_HASH='\w+'$/m,
                "readonly STAGE_HASH='0123456789abcdef'",
            ),
        );
        const r = kollaRuns(tree(MN), tree(MN), [{ op: "update", base: before, head: after }]);
        assert.deepEqual(
            r.map((x) => [x.stage, x.action]),
            [["bootstrap-servers", "bootstrap-servers"]],
        );
        assert.deepEqual(
            r[0].steps,
            MN.hosts.map((h) => `kolla-ansible bootstrap-servers --limit ${h.name}`),
        );
        assert.match(
            r[0].confirm!,
            /one host at a time .*a Docker engine update restarts every container of its host/,
        );
    });

    it("the first run of this version (a base whose stages carried no STAGE_HASH): says it may run once, or nothing", () => {
        const base = kollaCommands(MN);
        const old = command(
            "kolla-deploy",
            "readonly STAGE='deploy'\nreadonly CONFIG_HASH='f7155f7d8291a978'\n",
        );
        const [r] = kollaRuns(tree(MN), tree(MN), [
            { op: "update", base: old, head: base.get("kolla-deploy") },
        ]);
        assert.equal(r.action, "reconfigure");
        assert.match(
            r.why,
            /first run of this version: nothing, if the deploy host finds the cloud last deployed with exactly this configuration/,
        );
    });
});
