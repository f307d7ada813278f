import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { renderTopology } from "../tools/render";
import { topologyDot, topologySvg } from "../tools/topology";
import { PROJECT_DIR, stackSettings } from "../tools/evaluate/stack";
import { asDict, yamlDict } from "./support/narrow";

/** Every <text> of a Graphviz SVG, entities decoded: what a reader sees. */
function texts(svg: string): string[] {
    const decode = (s: string) =>
        s
            .replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)))
            .replace(/&lt;/g, "<")
            .replace(/&gt;/g, ">")
            .replace(/&quot;/g, '"')
            .replace(/&#39;/g, "'")
            .replace(/&amp;/g, "&");
    return [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((m) => decode(m[1]));
}

/** Edges of the DOT source as `tail:port:e->head` (the SVG's edge titles drop the port names). */
function edges(dot: string): string[] {
    return [...dot.matchAll(/^ {2}(\S+) -> (\S+) \[(?!style=invis)/gm)].map((m) =>
        `${m[1]}->${m[2]}`.replace(/"/g, ""),
    );
}

/** Rasterises with rsvg-convert (librsvg) and returns the PNG's size from its IHDR chunk (PNG spec 11.2.2). */
function rasterise(svg: string, dir: string): { width: number; height: number } {
    const file = path.join(dir, "t.svg");
    fs.writeFileSync(file, svg);
    const r = spawnSync("rsvg-convert", ["-o", path.join(dir, "t.png"), file], {
        encoding: "utf8",
    });
    assert.equal(r.error, undefined, `rsvg-convert could not run (librsvg2-bin): ${r.error}`);
    assert.equal(r.status, 0, r.stderr);
    const png = fs.readFileSync(path.join(dir, "t.png"));
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/**
 * Every table cell's text fits its cell when drawn in a monospace face (0.6 em per character: DejaVu Sans Mono, what
 * fontconfig substitutes for Courier here, and Courier itself): Graphviz sized the cell with the same metrics.
 */
function assertTextFits(svg: string): void {
    const cells = [
        ...svg.matchAll(
            /<polygon fill="[^"]*" stroke="black" points="([^"]+)"\/>\n<text [^>]*text-anchor="start" x="([-0-9.]+)"[^>]*font-size="([0-9.]+)"[^>]*>([^<]*)<\/text>/g,
        ),
    ];
    assert.ok(cells.length > 10, `found ${cells.length} table cells`);
    for (const [, points, x, size, text] of cells) {
        const right = Math.max(...points.split(" ").map((p) => Number(p.split(",")[0])));
        const width = 0.6 * Number(size) * text.replace(/&#?\w+;/g, "_").length;
        assert.ok(
            Number(x) + width <= right + 0.5,
            `"${text}" (${width.toFixed(1)}pt from ${x}) overflows its cell ending at ${right}`,
        );
    }
    assert.doesNotMatch(svg, /font-family="(?!Courier,monospace")/);
}

function tenHosts() {
    return Array.from({ length: 10 }, (_, i) => ({
        name: `node${String(i + 1).padStart(2, "0")}`,
        address: `10.10.10.${61 + i}`,
        apiAddress: `10.10.30.${61 + i}`,
        roles: i < 3 ? ["control", "network"] : ["compute"],
        interfaces: {
            management: "ens3",
            api: "ens4",
            external: "ens5",
            ...(i >= 3 ? { tunnel: "ens6" } : {}),
        },
    }));
}

describe("topology.svg (a picture of the configured cloud)", function () {
    this.timeout(60000);
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "openstack-aio-topology-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("aio: the deploy host and registry, the host's roles and interfaces, every network, the VIP, pool, gateway and router", async () => {
        const svg = await topologySvg(stackSettings("aio"));
        const seen = texts(svg);
        for (const t of [
            "deploy",
            "10.10.10.50:5000 (mirror of quay.io)",
            "kolla-ansible 2023.1",
            "aio",
            "control, network, compute, monitoring, storage",
            "eth1",
            "10.10.10.51",
            "eth2",
            "10.10.30.50",
            "eth3",
            "no address (br-ex)",
            "= management",
            "management network",
            "10.10.10.0/24",
            "API network",
            "10.10.30.0/24",
            "VIP 10.10.30.55",
            "external network public1",
            "192.168.100.0/24",
            "physnet physnet1",
            "pool 192.168.100.100 – 192.168.100.200",
            "gateway 192.168.100.1",
            "router demo-router",
            "tenant network demo-net",
            "demo-subnet 10.0.0.0/24",
            "DNS 8.8.8.8",
        ])
            assert.ok(seen.includes(t), `"${t}" is not in the picture; texts: ${seen.join(" | ")}`);
        const e = edges(topologyDot(stackSettings("aio")));
        assert.equal(
            (svg.match(/<g id="edge\d+" class="edge">/g) ?? []).length,
            e.length,
            "every edge is drawn",
        );
        for (const x of [
            "deploy:mgmt:e->net_management",
            "host_aio:mgmt:e->net_management",
            "host_aio:api:e->net_api",
            "host_aio:ext:e->net_external",
            "host_aio:tun:e->net_management",
            "net_api->vip",
            "net_external->router",
            "router->net_tenant",
            "net_external->gateway",
        ]) {
            assert.ok(e.includes(x), `edge ${x}; edges: ${e.join(", ")}`);
        }
        assertTextFits(svg);
        const png = rasterise(svg, dir);
        assert.ok(png.width > 800 && png.height > 300, JSON.stringify(png));
    });

    it("10 hosts: one node per host in the settings' order, each with its four interfaces, separate tunnels on their own network", async () => {
        const settings = stackSettings("aio", { hosts: tenHosts() });
        const svg = await topologySvg(settings);
        const seen = texts(svg);
        for (const h of tenHosts()) {
            for (const t of [h.name, h.address, h.apiAddress])
                assert.equal(seen.filter((x) => x === t).length, 1, t);
            const tunnel = h.interfaces.tunnel ? "net_tunnel" : "net_management";
            for (const x of [
                `mgmt:e->net_management`,
                `api:e->net_api`,
                `ext:e->net_external`,
                `tun:e->${tunnel}`,
            ]) {
                assert.ok(
                    edges(topologyDot(settings)).includes(`host_${h.name}:${x}`),
                    `${h.name} ${x}`,
                );
            }
        }
        assert.ok(seen.includes("tunnel network"));
        // The hosts stand in one column in the settings' order (y grows downwards in SVG).
        const ys = tenHosts().map((h) =>
            Number(new RegExp(`<text[^>]*y="([-0-9.]+)"[^>]*>${h.name}</text>`).exec(svg)![1]),
        );
        assert.deepEqual(
            [...ys].sort((a, b) => a - b),
            ys,
        );
        assertTextFits(svg);
        const png = rasterise(svg, dir);
        assert.ok(png.height > png.width, `one column of hosts: ${JSON.stringify(png)}`);
        // Without a separate tunnel interface there is no tunnel network node.
        assert.doesNotMatch(topologyDot(stackSettings("aio")), /net_tunnel \[/);
    });

    it("renderTopology writes topology.svg for a multinode stack file (npm run render's own run: render.test.ts)", async () => {
        // A deploy host, three control+network hosts, two compute hosts (written into a temp project dir).
        const project = path.join(dir, "project");
        fs.mkdirSync(project);
        fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
        const doc = yamlDict(
            fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.aio.yaml"), "utf8"),
            "Pulumi.aio.yaml",
        );
        const config = asDict(doc.config, "Pulumi.aio.yaml config");
        // The compute hosts reach the APIs over their management interface and address (no apiAddress).
        config["openstack-aio:hosts"] = ["ctl1", "ctl2", "ctl3", "cmp1", "cmp2"].map((name, i) =>
            name.startsWith("ctl")
                ? {
                      name,
                      address: `10.10.10.${71 + i}`,
                      apiAddress: `10.10.30.${71 + i}`,
                      roles: ["control", "network"],
                      interfaces: { management: "eth1", api: "eth2", external: "eth3" },
                  }
                : {
                      name,
                      address: `10.10.10.${71 + i}`,
                      roles: ["compute"],
                      interfaces: { management: "eth1", api: "eth1", external: "eth3" },
                  },
        );
        fs.writeFileSync(path.join(project, "Pulumi.mn.yaml"), YAML.stringify(doc));
        assert.equal(
            await renderTopology("mn", path.join(project, "build"), project),
            "topology.svg",
        );
        const svg = fs.readFileSync(path.join(project, "build", "topology.svg"), "utf8");
        for (const t of ["ctl1", "ctl3", "cmp2", "10.10.10.75", "control, network", "compute"])
            assert.ok(texts(svg).includes(t), t);
        const dot = topologyDot(stackSettings("aio", { hosts: config["openstack-aio:hosts"] }));
        assert.ok(edges(dot).includes("host_ctl1:api:e->net_api"));
        assert.ok(
            edges(dot).includes("host_cmp1:api:e->net_management"),
            "an API interface that is the management one, without an API address, is on the management network",
        );
        rasterise(svg, dir);
    });
});
