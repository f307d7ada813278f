// A picture of the configured cloud (`npm run render` writes it as topology.svg): the deploy host and its registry,
// every target with its roles and its interfaces on the management, API, external and tunnel networks, the VIP,
// the external pool and gateway, the router to the tenant network. Pure: settings → Graphviz DOT; Graphviz (the
// WebAssembly build in @viz-js/viz) places everything, so any host count lays out without hand-placed coordinates.
import { Settings } from "../config/settings";

/** Graphviz HTML-like labels are XML: escape the five special characters (Graphviz docs, "HTML-Like Labels"). */
function esc(s: string): string {
    return s
        .replace(/&/g, "&amp;")
        .replace(/</g, "&lt;")
        .replace(/>/g, "&gt;")
        .replace(/"/g, "&quot;")
        .replace(/'/g, "&#39;");
}

/** A DOT identifier for any string (DOT language: a double-quoted string, `"` escaped). */
function id(s: string): string {
    return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

// Graphviz sizes boxes from its own metrics of the named font. It knows Courier's (a fixed 0.6 em per character;
// only the exact name: "Courier,monospace" falls back to Times metrics, measured with this @viz-js/viz build), and
// whatever monospace face a viewer substitutes (fc-match Courier: DejaVu Sans Mono) has the same advance, so the
// text fits its box.
const FONT = 'fontname="Courier"';
const COLORS = {
    management: "#1f77b4",
    api: "#2ca02c",
    external: "#d62728",
    tunnel: "#9467bd",
    tenant: "#ff7f0e",
} as const;

type Net = keyof typeof COLORS;

function row(port: string, cells: string[], color?: string): string {
    const font = (s: string) => (color ? `<font color="${color}">${s}</font>` : s);
    return `<tr>${cells.map((c, i) => `<td align="left"${i === cells.length - 1 ? ` port="${port}"` : ""}>${font(esc(c))}</td>`).join("")}</tr>`;
}

function table(title: string, subtitle: string, rows: string[], bg: string): string {
    return (
        `<<table border="0" cellborder="1" cellspacing="0" cellpadding="4" bgcolor="${bg}">` +
        `<tr><td colspan="3"><b>${esc(title)}</b><br/><font point-size="10">${esc(subtitle)}</font></td></tr>` +
        rows.join("") +
        "</table>>"
    );
}

export function topologyDot(settings: Settings): string {
    const { networks: n, deployHost: d, registry } = settings;
    const lines: string[] = [
        "digraph topology {",
        `  graph [rankdir=LR, ranksep=0.9, nodesep=0.35, ${FONT}, fontsize=16, labelloc=t, label=${id(`OpenStack ${settings.release} (kolla-ansible), region ${settings.region}: ${settings.hosts.length} target host${settings.hosts.length === 1 ? "" : "s"}`)}];`,
        `  node [shape=plaintext, ${FONT}, fontsize=11];`,
        `  edge [arrowhead=none, penwidth=1.6, ${FONT}, fontsize=10];`,
    ];
    const netNode = (net: Net) => `net_${net}`;
    // Any tunnel interface that is not the management one is its own network (its addresses are the host's).
    const separateTunnel = settings.hosts.some(
        (h) => h.interfaces.tunnel !== h.interfaces.management,
    );

    // Column 1: the deploy host and the targets.
    const deployRows = [
        row("mgmt", ["management", d.managementAddress], COLORS.management),
        row("ssh", ["ssh (Pulumi)", `${d.sshUser}@${d.address}:${d.sshPort}`]),
        row("registry", [
            "registry",
            `${registry.address} (${registry.mode === "mirror" ? `mirror of ${registry.source}` : `pull-through cache of ${registry.source}`})`,
        ]),
        row("kolla", ["runs", `kolla-ansible ${settings.release}`]),
    ];
    lines.push(`  deploy [label=${table(d.name, "deploy host", deployRows, "#f2f2f2")}];`);
    lines.push(`  deploy:mgmt:e -> ${netNode("management")} [color="${COLORS.management}"];`);

    for (const h of settings.hosts) {
        const ifs = h.interfaces;
        // API traffic over the management interface and its address: that host is not on the API network itself.
        const apiOnManagement = ifs.api === ifs.management && !h.apiAddress;
        const rows = [
            row("mgmt", ["management", ifs.management, h.address], COLORS.management),
            row(
                "api",
                [
                    "api",
                    ifs.api,
                    h.apiAddress ??
                        (apiOnManagement ? "= management" : `an address in ${n.api.cidr}`),
                ],
                COLORS.api,
            ),
            row("ext", ["external", ifs.external, "no address (br-ex)"], COLORS.external),
            row(
                "tun",
                [
                    "tunnel",
                    ifs.tunnel,
                    ifs.tunnel === ifs.management ? "= management" : "its own address",
                ],
                COLORS.tunnel,
            ),
        ];
        const node = id(`host_${h.name}`);
        lines.push(`  ${node} [label=${table(h.name, h.roles.join(", "), rows, "#ffffff")}];`);
        lines.push(`  ${node}:mgmt:e -> ${netNode("management")} [color="${COLORS.management}"];`);
        lines.push(
            `  ${node}:api:e -> ${netNode(apiOnManagement ? "management" : "api")} [color="${COLORS.api}"${apiOnManagement ? ", style=dashed" : ""}];`,
        );
        lines.push(`  ${node}:ext:e -> ${netNode("external")} [color="${COLORS.external}"];`);
        lines.push(
            `  ${node}:tun:e -> ${netNode(ifs.tunnel !== ifs.management ? "tunnel" : "management")} [color="${COLORS.tunnel}", style=dashed];`,
        );
    }
    // One column in the order of the settings (a flat edge puts its tail above its head: dot's rank ordering).
    const column = ["deploy", ...settings.hosts.map((h) => id(`host_${h.name}`))];
    lines.push(`  { rank=same; ${column.join("; ")} }`);
    if (column.length > 1) lines.push(`  ${column.join(" -> ")} [style=invis];`);

    // Column 2: the networks the hosts sit on.
    const netBox = (net: Net, title: string, detail: string[]) =>
        `  ${netNode(net)} [shape=box, style="rounded,filled", fillcolor="${COLORS[net]}22", color="${COLORS[net]}", penwidth=2, label=${id([title, ...detail].join("\n"))}];`;
    lines.push(
        netBox("management", "management network", [
            n.management.cidr,
            `registry ${registry.address}`,
        ]),
    );
    lines.push(netBox("api", "API network", [n.api.cidr, `VIP ${settings.vip}`]));
    lines.push(
        netBox("external", `external network ${n.external.name}`, [
            n.external.cidr,
            `physnet ${n.external.physicalNetwork}`,
            `pool ${n.external.poolStart} – ${n.external.poolEnd}`,
            `gateway ${n.external.gateway}`,
        ]),
    );
    if (separateTunnel)
        lines.push(netBox("tunnel", "tunnel network", ["tenant overlay between the hosts"]));
    const netRank = [
        "net_management",
        "net_api",
        "net_external",
        ...(separateTunnel ? ["net_tunnel"] : []),
    ];
    lines.push(`  { rank=same; ${netRank.join("; ")} }`);

    // Column 3: the VIP, the upstream gateway and the router; column 4: the tenant network.
    lines.push(
        `  vip [shape=ellipse, style=filled, fillcolor="${COLORS.api}22", color="${COLORS.api}", label=${id(`VIP ${settings.vip}\nhttp${settings.enableTls ? "s" : ""}://${settings.vip}:5000`)}];`,
    );
    lines.push(`  net_api -> vip [color="${COLORS.api}"];`);
    lines.push(
        `  gateway [shape=ellipse, label=${id(`upstream gateway\n${n.external.gateway}`)}];`,
    );
    lines.push(`  net_external -> gateway [color="${COLORS.external}"];`);
    lines.push(
        `  router [shape=box, style="rounded,filled", fillcolor="#fff3e0", label=${id(`router ${n.tenant.routerName}\nexternal gateway on ${n.external.name}`)}];`,
    );
    lines.push(
        `  net_external -> router [color="${COLORS.external}", label=${id(`SNAT, floating IPs from ${n.external.poolStart}`)}];`,
    );
    lines.push(
        netBox("tenant", `tenant network ${n.tenant.name}`, [
            `${n.tenant.subnetName} ${n.tenant.cidr}`,
            `gateway ${n.tenant.gateway}`,
            `DNS ${n.tenant.dnsServers.join(", ")}`,
        ]),
    );
    lines.push(`  router -> net_tenant [color="${COLORS.tenant}", label=${id(n.tenant.gateway)}];`);
    lines.push("}");
    return lines.join("\n") + "\n";
}

/** The SVG of topologyDot, laid out by Graphviz `dot` (@viz-js/viz: instance().renderString(dot, {format, engine})). */
export async function topologySvg(settings: Settings): Promise<string> {
    const { instance } = await import("@viz-js/viz");
    const viz = await instance();
    return viz.renderString(topologyDot(settings), { format: "svg", engine: "dot" });
}
