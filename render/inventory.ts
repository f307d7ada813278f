// The inventory: top groups generated from the host list, spliced on the deploy host with the service groups of
// the installed kolla-ansible's own `multinode` file (everything from `[baremetal:children]` on).
import { Host, ROLES, Settings } from "../config/settings";
import { renderScript, Script, scriptBody } from "./script";
import { INTERFACE_VARS, perHostInterfaceVars } from "./globals";
import { kollaPaths, LOCK_VARS, REGISTRY_CA_FILE } from "./paths";

export const SERVICE_GROUPS_START = "[baremetal:children]";

// ansible-core 2.14 plugins/inventory/ini.py _parse_host_definition splits a host line with shlex and reads each
// value with ast.literal_eval: a blank, quote, '#' or '=' in a value would add or change host vars, and '[' ':' in a
// name would expand into ranges or a port. parseSettings only lets through values of these characters; this is the
// last guard before the file is written.
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9.-]*$/;
// `*` for the apt version glob of docker_apt_package_pin (a constant of ours): shlex keeps it, literal_eval rejects it.
const SAFE_VALUE = /^[A-Za-z0-9_./@:*-]+$/;

function token(kind: string, value: string | number, safe: RegExp): string {
    const text = String(value);
    if (!safe.test(text))
        throw new Error(
            `inventory: refusing to write ${kind} ${JSON.stringify(text)}: it is not a plain token`,
        );
    return text;
}

function connectionVars(host: Host, privateKeyFile: string): [string, string | number][] {
    return [
        ["ansible_host", host.address],
        ["ansible_user", host.sshUser],
        ["ansible_port", host.sshPort],
        ["ansible_private_key_file", privateKeyFile],
        ["ansible_become", "True"],
    ];
}

function line(host: Host, vars: [string, string | number][]): string {
    return [
        token("host name", host.name, SAFE_NAME),
        ...vars.map(([k, v]) => `${k}=${token(k, v, SAFE_VALUE)}`),
    ].join(" ");
}

function hostLine(settings: Settings, host: Host, privateKeyFile: string): string {
    const vars = connectionVars(host, privateKeyFile);
    // docker-ce as the release pins it (config/releases). On the host line, not in globals.yml: the variable is
    // ansible-collection-kolla's (roles/docker/defaults/main.yml), read by bootstrap-servers per target.
    vars.push(["docker_apt_package_pin", settings.pins.dockerAptPin]);
    // The CA the registry's certificate chains to (registry-tls.sh), a file on the deploy host: bootstrap-servers
    // copies it to /etc/docker/certs.d/<docker_registry>/ca.crt (ansible-collection-kolla roles/docker/tasks/
    // config.yml), so Docker pulls from the registry over verified TLS. The collection's variable: a host var.
    vars.push(["docker_registry_ca", REGISTRY_CA_FILE]);
    for (const key of perHostInterfaceVars(settings))
        vars.push([key, host.interfaces[INTERFACE_VARS[key]]]);
    return line(host, vars);
}

/**
 * A host's line on its own, every interface on it whatever the other hosts have (globals.yml's values win over
 * host vars where it sets them): what a host's removal puts back into a copy of the inventory (render/kolla.ts).
 */
export function ownHostLine(host: Host, privateKeyFile: string): string {
    const vars = connectionVars(host, privateKeyFile);
    for (const [key, iface] of Object.entries(INTERFACE_VARS))
        vars.push([key, host.interfaces[iface]]);
    return line(host, vars);
}

export function renderInventory(settings: Settings, opts: { privateKeyFile: string }): string {
    const out = [
        "# Top groups rendered by openstack-aio; the service groups below are kolla-ansible's own.",
        "",
    ];
    for (const role of ROLES) {
        out.push(`[${role}]`);
        for (const host of settings.hosts.filter((h) => h.roles.includes(role)))
            out.push(hostLine(settings, host, opts.privateKeyFile));
        out.push("");
    }
    const venv = kollaPaths(settings.release).venv;
    out.push(
        "[deployment]",
        `localhost ansible_connection=local ansible_python_interpreter=${venv}/bin/python`,
        "",
    );
    return out.join("\n");
}

/** The same splice on the deploy host, from the installed kolla-ansible's multinode file. */
export function inventorySpliceScript(settings: Settings): Script {
    const p = kollaPaths(settings.release);
    return renderScript(
        "inventory-splice.sh",
        {
            TOP: p.inventoryTop,
            SHIPPED: p.shippedMultinode,
            OUT: p.inventory,
            MARKER: SERVICE_GROUPS_START,
            // The lock file is beside TOP (the state dir, LOCK_FILE's directory; a test holds them equal).
            LOCK_WAIT: LOCK_VARS.LOCK_WAIT,
        },
        scriptBody("deploy-lock.sh") + scriptBody("inventory-splice.sh"),
    );
}
